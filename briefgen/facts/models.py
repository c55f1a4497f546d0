"""The fact base as typed pydantic models (`extra="forbid"` everywhere).

These are the only shape the rest of briefgen sees: after `load_facts` nothing handles dicts.
Field descriptions double as the fact-format reference (`briefgen schema`, docs/facts.md).
"""

# No `from __future__ import annotations` here: pydantic would have to evaluate every annotation
# string again when the models are built (about 150 `compile` calls at each start-up).

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal, Self, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    PrivateAttr,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import CoreSchema, core_schema

from briefgen import marking
from briefgen.rag import RagBand, rag_bands, rag_of

# ---------------------------------------------------------------------------------------------
# Small types

ID_PATTERN = r"^[a-z0-9][a-z0-9._-]*$"
Id = Annotated[
    str,
    StringConstraints(pattern=ID_PATTERN, max_length=80),
    Field(description="Identifier: lower-case letters, digits, '.', '_' or '-'; unique in its list."),
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

_PARTIAL_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# A moment: a day, 'T' (or a space), hours and minutes, optional seconds and fraction, a zone.
_ISO_MOMENT = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(?P<zone>Z|[+-]\d{2}:?\d{2})?$"
)
_SLASHED = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")
_MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)


class FieldValueError(ValueError):
    """A model-level check's error that belongs to one field of the model (`field`), so that
    the loader puts it on that key's line instead of on the whole mapping."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def date_advice(value: str, *, partial: bool) -> str:
    """Why `value` is not a date and what to write instead (ISO 8601, year first)."""
    shown = value if len(value) <= 40 else value[:39] + "…"
    formats = "YYYY-MM-DD, YYYY-MM or YYYY" if partial else "YYYY-MM-DD"
    slashed = _SLASHED.match(value.strip())
    if slashed:
        first, second, year = (int(g) for g in slashed.groups())
        readings: list[tuple[int, int, str]] = []
        for day, month in ((first, second), (second, first)):
            if 1 <= month <= 12 and 1 <= day <= 31 and (day, month) not in [r[:2] for r in readings]:
                readings.append((day, month, f"{year}-{month:02d}-{day:02d}"))
        if readings:
            options = " or ".join(f"{iso} ({d} {_MONTH_NAMES[m - 1]})" for d, m, iso in readings)
            return f"{shown!r} is not a date briefgen reads: write dates year first as {formats}: {options}"
    month_year = re.match(r"^(\d{1,2})[./](\d{4})$", value.strip())
    if month_year and 1 <= int(month_year.group(1)) <= 12:
        fixed = f"{month_year.group(2)}-{int(month_year.group(1)):02d}"
        if partial:
            return f"{shown!r} is not a date briefgen reads: write dates year first as {formats}: {fixed}"
        return f"{shown!r} is not a date briefgen reads: write it year first as YYYY-MM-DD, e.g. {fixed}-01"
    loose = re.match(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$", value.strip())
    if loose and (len(loose.group(2)) == 1 or (loose.group(3) and len(loose.group(3)) == 1)):
        month = int(loose.group(2))
        fixed = f"{loose.group(1)}-{month:02d}" + (f"-{int(loose.group(3)):02d}" if loose.group(3) else "")
        return f"{shown!r}: write the month and day with two digits, {fixed} ({formats})"
    if _ISO_DAY.match(value.strip()) or (partial and _PARTIAL_DATE.match(value.strip())):
        try:
            date.fromisoformat(value.strip())
        except ValueError:
            year, month, day = (int(p) for p in value.strip().split("-"))
            if not 1 <= month <= 12:
                return f"{shown!r} has no month {month}: months run from 01 to 12 ({formats})"
            last = (date(year + month // 12, month % 12 + 1, 1) - date(year, month, 1)).days
            return f"{shown!r} is not a day of the calendar: {_MONTH_NAMES[month - 1]} {year} has {last} days"
    if not partial and _PARTIAL_DATE.match(value.strip()):
        full = value.strip() + ("-01" if len(value.strip()) == 7 else "-01-01")
        return f"{shown!r} is not a full date: this field needs the day too, as YYYY-MM-DD (e.g. {full})"
    return f"{shown!r} is not a date: write it as {formats}, e.g. 2018-08-13" + (
        ", 2018-08 or 2018" if partial else ""
    )


def _check_partial_date(value: str) -> str:
    if not _PARTIAL_DATE.match(value):
        raise ValueError(date_advice(value, partial=True))
    if len(value) == 10:
        try:
            date.fromisoformat(value)  # rejects 2018-02-30
        except ValueError:
            raise ValueError(date_advice(value, partial=True)) from None
    return value


def _iso_day(value: object) -> object:
    """A full date, YYYY-MM-DD only: pydantic alone would also take a Unix time ('0' would be
    1 January 1970) or a date-time."""
    if isinstance(value, date | datetime) or not isinstance(value, str):
        return value
    text = value.strip()
    if not _ISO_DAY.match(text):
        raise ValueError(date_advice(text, partial=False))
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(date_advice(text, partial=False)) from None


Day = Annotated[date, BeforeValidator(_iso_day)]


def _partial_date_input(value: object) -> object:
    if isinstance(value, date | datetime):
        return value.isoformat()[:10]
    return value


PartialDate = Annotated[
    str,
    BeforeValidator(_partial_date_input),
    AfterValidator(_check_partial_date),
    Field(
        description="A date, as precise as known: YYYY-MM-DD, YYYY-MM or YYYY.",
        examples=["2018-08-13", "2017-12", "2017"],
    ),
]


def _list_of(value: object) -> object:
    """Accept a single string where a list of strings is expected (a common hand-typing slip)."""
    return [value] if isinstance(value, str) else value


IdList = Annotated[list[Id], BeforeValidator(_list_of)]


class Model(BaseModel):
    # Lists default to `[]`: pydantic copies a mutable default for every instance, while a
    # `default_factory=list` makes it inspect `list`'s signature at start-up (tokenize and all).
    model_config = ConfigDict(extra="forbid", frozen=False, str_strip_whitespace=True)


# ---------------------------------------------------------------------------------------------
# Marking (the rules live in briefgen.marking; the cross-checks in briefgen.facts.checks)

CLASSIFICATION_DESCRIPTION = (
    "Classification of this portion: a level of the pack's scheme, optionally with controls, e.g. "
    "SECRET//NOFORN, CONFIDENTIAL, 'SECRET//REL TO USA, GBR', OFFICIAL-SENSITIVE, NATO SECRET. "
    "Unmarked portions take marking.default_portion."
)


def _classification_field(what: str = "") -> Any:
    return Field(
        None,
        description=CLASSIFICATION_DESCRIPTION if not what else f"Classification of {what}. "
        + CLASSIFICATION_DESCRIPTION.split(". ", 1)[1],
        examples=["SECRET//NOFORN", "UNCLASSIFIED"],
    )


ClassificationText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class MarkedText(Model):
    """A text with its own classification: a sentence, or a mapping with `text` and
    `classification` (e.g. `summary: {text: ..., classification: SECRET//NOFORN}`)."""

    text: Text = Field(description="The text.", examples=["Idlib is a red line for Turkey."])
    classification: ClassificationText | None = Field(
        None, description=CLASSIFICATION_DESCRIPTION, examples=["SECRET//NOFORN"]
    )


class MarkedStr(str):
    """The validated form of a `MarkedText`: the text itself (templates print it as any string),
    carrying its `classification` (None: the pack's default portion)."""

    classification: str | None

    def __new__(cls, text: str, classification: str | None = None) -> "MarkedStr":
        obj = super().__new__(cls, text)
        obj.classification = classification
        return obj

    def __reduce__(self) -> tuple[object, ...]:
        return (MarkedStr, (str(self), self.classification))

    @classmethod
    def __get_pydantic_core_schema__(cls, source: object, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_after_validator_function(
            _marked_from_model,
            handler.generate_schema(MarkedText),
            serialization=core_schema.plain_serializer_function_ser_schema(_marked_dump),
        )


def _marked_from_model(value: MarkedText) -> MarkedStr:
    return MarkedStr(value.text, value.classification)


def _marked_dump(value: MarkedStr) -> object:
    if value.classification is None:
        return str(value)
    return {"text": str(value), "classification": value.classification}


def _text_input(value: object) -> object:
    """A plain sentence (or whatever else is not a mapping: refused as the text's value) is a
    `MarkedText` without a classification."""
    return value if isinstance(value, dict | MarkedText) else {"text": value}


Marked = Annotated[MarkedStr, BeforeValidator(_text_input)]


class Authority(Model):
    """Classification authority block (US CONFIDENTIAL and above: E.O. 13526 §1.6, 32 CFR
    2001.21-22), printed on the memo's first page and the title slide."""

    classified_by: Text = Field(
        description="Name and position (or personal identifier) of the classifier, and the agency "
        "and office of origin.",
        examples=["J. Smith, Director, Office of Russian Affairs"],
    )
    derived_from: Text | None = Field(
        None,
        description="The source document or classification guide a derivative classification "
        "comes from (with its date).",
        examples=["Multiple Sources"],
    )
    reason: Text | None = Field(
        None,
        description="For original classification: the reason, citing E.O. 13526 §1.4, e.g. 1.4(d).",
        examples=["1.4(b), 1.4(d)"],
    )
    declassify_on: Text = Field(
        description="Date (YYYYMMDD), event, or exemption (e.g. 25X1) on which the information is "
        "declassified.",
        examples=["20431231"],
    )

    @model_validator(mode="after")
    def _derived_or_reason(self) -> Self:
        if not self.derived_from and not self.reason:
            raise ValueError(
                "an authority block needs derived_from (derivative classification) or reason "
                "(original classification)"
            )
        return self


def _declared_base(info: ValidationInfo) -> marking.Classification | None:
    scheme, level = info.data.get("scheme"), info.data.get("level")
    if scheme is None or level is None:
        return None  # reported where they are
    return marking.parse_level(scheme, level)


def _check_caveat(value: str, info: ValidationInfo) -> str:
    """One caveat against the scheme and level (so the error points at that caveat)."""
    base = _declared_base(info)
    if base is None:
        return value
    try:
        marking.with_controls(base, [value])
    except marking.MarkingError as exc:
        raise ValueError(str(exc)) from None
    return value


Caveat = Annotated[Text, AfterValidator(_check_caveat)]


class Marking(Model):
    """Classification or handling marking, printed centred at the top and bottom of every page
    and slide. The rules of each scheme are in docs/markings.md."""

    scheme: Literal["us", "uk", "nato", "none"] = Field(
        "none",
        description="Marking scheme: us, uk, nato, or none (free text level).",
        examples=["us", "uk"],
    )
    level: Text = Field(
        description="Level, e.g. UNCLASSIFIED, OFFICIAL-SENSITIVE, NATO RESTRICTED; it must belong to the "
        "scheme (us: UNCLASSIFIED, CUI, CONFIDENTIAL, SECRET, TOP SECRET; uk: OFFICIAL, "
        "OFFICIAL-SENSITIVE, SECRET, TOP SECRET; nato: NATO UNCLASSIFIED, NATO RESTRICTED, "
        "NATO CONFIDENTIAL, NATO SECRET, COSMIC TOP SECRET).",
        examples=["UNCLASSIFIED", "OFFICIAL-SENSITIVE"],
    )
    caveats: Annotated[list[Caveat], BeforeValidator(_list_of)] = Field(
        default=[],
        description="Caveats and dissemination controls. us: NOFORN, ORCON, IMCON, PROPIN, "
        "'REL TO USA, GBR' (ISO 3166 trigraphs); uk: UK EYES ONLY and the descriptors COMMERCIAL, "
        "LOCSEN, PERSONAL; nato: ATOMAL.",
        examples=[["NOFORN"]],
    )
    portion_marks: bool = Field(
        False,
        description="Put portion marks such as (U) or (S//NF) in front of every paragraph, bullet, "
        "heading, table and note.",
        examples=[True],
    )
    default_portion: ClassificationText | None = Field(
        None,
        description="Classification of a portion that carries none (default: the pack's own marking).",
        examples=["CONFIDENTIAL"],
    )
    authority: Authority | None = Field(
        None,
        description="Classification authority block; required for US CONFIDENTIAL and above.",
        examples=[
            {"classified_by": "J. Smith, Director", "derived_from": "Multiple Sources",
             "declassify_on": "20431231"}
        ],
    )
    handling: Text | None = Field(
        None,
        description="Handling instructions printed under the heading block and on the title slide "
        "(UK and NATO practice), e.g. who may see it and how to store it.",
        examples=["Not to be shared outside the Russia Desk without the originator's consent."],
    )
    slide_banner: Literal["pack", "per-slide"] = Field(
        "pack",
        description="pack: every slide carries the pack's marking; per-slide: each slide carries the "
        "highest marking on it (the title slide the pack's).",
        examples=["per-slide"],
    )

    # Each check runs where pydantic reports it: at marking.level, marking.caveats[i], ….
    @field_validator("level")
    @classmethod
    def _level_in_scheme(cls, value: str, info: ValidationInfo) -> str:
        scheme = info.data.get("scheme")
        if scheme is None:
            return value
        try:
            return marking.parse_level(scheme, value).level
        except marking.MarkingError as exc:
            raise ValueError(str(exc)) from None

    @field_validator("caveats")
    @classmethod
    def _caveats_together(cls, value: list[str], info: ValidationInfo) -> list[str]:
        base = _declared_base(info)
        if base is not None:
            try:
                marking.with_controls(base, value)
            except marking.MarkingError as exc:
                raise ValueError(str(exc)) from None
        return value

    @field_validator("default_portion")
    @classmethod
    def _default_in_scheme(cls, value: str | None, info: ValidationInfo) -> str | None:
        scheme = info.data.get("scheme")
        if value is None or scheme is None:
            return value
        if scheme == "none":
            raise ValueError("the 'none' scheme has no portion levels; choose us, uk or nato")
        try:
            return marking.parse(scheme, value).banner
        except marking.MarkingError as exc:
            raise ValueError(str(exc)) from None

    @model_validator(mode="after")
    def _parsed(self) -> Self:
        self._declared = marking.with_controls(marking.parse_level(self.scheme, self.level), self.caveats)
        if self.authority is None and marking.requires_authority(self._declared):
            raise ValueError(
                f"a {self._declared.banner} pack needs a classification authority block: add "
                "marking.authority with classified_by, derived_from (or reason) and declassify_on"
            )
        if self.portion_marks and self.scheme == "none":
            raise FieldValueError(
                "portion_marks", "portion marks need a scheme with levels (us, uk or nato), not 'none'"
            )
        return self

    _declared: marking.Classification | None = PrivateAttr(None)
    _derived: marking.Classification | None = PrivateAttr(None)

    @property
    def declared(self) -> marking.Classification:
        """The marking as written in the fact file (level and caveats), parsed."""
        assert self._declared is not None
        return self._declared

    @property
    def overall(self) -> marking.Classification:
        """The pack's marking: the declared one raised to what the portions derive (a declared
        marking below the derived one is an error when loading, so normally the declared one)."""
        if self._derived is None:
            return self.declared
        return marking.highest(self.declared, self._derived) if self.scheme != "none" else self.declared

    @property
    def banner(self) -> str:
        """The banner line, e.g. 'SECRET//NOFORN' (made by briefgen.marking)."""
        return self.overall.banner

    @property
    def default(self) -> marking.Classification:
        """The classification of an unmarked portion."""
        if self.default_portion:
            return marking.parse(self.scheme, self.default_portion)
        return self.declared

    def classification(self, written: str | None) -> marking.Classification:
        """A portion's classification as written (None: the default portion)."""
        return self.default if written is None else marking.parse(self.scheme, written)

    def portion(self, written: str | None = None) -> str:
        """The portion mark for a classification as written, e.g. '(S//NF)'; '' when the pack has
        no portion marks."""
        if not self.portion_marks or self.scheme == "none":
            return ""
        return self.classification(written).portion


# ---------------------------------------------------------------------------------------------
# Sources, facts, people


class SourceType(StrEnum):
    news = "news"
    official = "official"
    academic = "academic"
    think_tank = "think-tank"
    intelligence = "intelligence"
    diplomatic = "diplomatic"
    other = "other"


class Source(Model):
    """Where a fact comes from. Every fact names at least one source."""

    id: Id = Field(examples=["reuters-2018-08-09"])
    title: Text = Field(
        description="Title of the report, article or document.",
        examples=["UN warns of civilian bloodbath in Idlib"],
    )
    publisher: Text = Field(description="Publisher, outlet or originating body.", examples=["Reuters"])
    short_title: Text | None = Field(
        None,
        description="Short title for the notes that cite the source again (Chicago: at most four "
        "words); the title when not given.",
        examples=["Civilian bloodbath in Idlib"],
    )
    date: PartialDate = Field(description="Publication date, as precise as known.")
    # The scheme is case-insensitive (RFC 3986 §3.1); the writers normalise it (briefgen.links).
    url: Annotated[str, StringConstraints(pattern=r"^[hH][tT][tT][pP][sS]?://\S+$")] | None = Field(
        None, description="Web address (http or https).", examples=["https://www.example.org/report"]
    )
    reference: Text | None = Field(
        None,
        description="Reference where there is no URL: file number, cable reference, archive path.",
        examples=["Cable ANKARA 2018-0412"],
    )
    type: SourceType = Field(SourceType.news, description="Kind of source.", examples=["news", "official"])
    grade: Annotated[str, StringConstraints(pattern=r"^[A-F][1-6]$")] | None = Field(
        None,
        description="Admiralty grade: source reliability A-F and information credibility 1-6, e.g. B2.",
        examples=["B2"],
    )
    note: Text | None = Field(
        None,
        description="Drafter's note on the source (printed in the annex).",
        examples=["Headline not recorded in the copy held."],
    )
    classification: ClassificationText | None = _classification_field("the source's entry (title, note)")

    @model_validator(mode="after")
    def _url_or_reference(self) -> Self:
        if not self.url and not self.reference:
            raise ValueError("a source needs a url or a reference")
        return self


class Fact(Model):
    """One sourced statement of fact."""

    id: Id = Field(examples=["s400-deal"])
    statement: Text = Field(
        description="The fact, as one or two sentences.",
        examples=["In December Turkey signed a $2.5 billion agreement with Russia for the S-400."],
    )
    date: PartialDate | None = Field(
        None, description="When it happened, if it is an event.", examples=["2017-12"]
    )
    until: PartialDate | None = Field(
        None, description="End of a date range, if any.", examples=["2018-08-14"]
    )
    sources: IdList = Field(
        min_length=1, description="Ids of the sources that support it.", examples=[["seed-report"]]
    )
    usable_in_conversation: bool = Field(
        True,
        description="False for facts that may not be disclosed: they never appear in points to make, "
        "if-raised lines or the press line.",
        examples=[False],
    )
    classification: ClassificationText | None = _classification_field()


class Side(StrEnum):
    ours = "ours"
    theirs = "theirs"
    third_party = "third-party"


class Person(Model):
    """A participant or a person the brief mentions."""

    id: Id = Field(examples=["lavrov"])
    name: Text = Field(
        description="Name in Latin script, with its own letters (Çavuşoğlu).", examples=["Mevlüt Çavuşoğlu"]
    )
    native_name: Text | None = Field(
        None, description="Name in the person's own script (Лавров).", examples=["Сергей Лавров"]
    )
    role: Text = Field(description="Office or role.", examples=["Minister of Foreign Affairs"])
    organisation: Text | None = Field(
        None,
        description="Government, ministry or body the person belongs to.",
        examples=["Russian Federation"],
    )
    side: Side = Field(description="ours, theirs or third-party.", examples=["theirs"])
    principal: bool = Field(False, description="True for the principals of the meeting.", examples=[True])
    bio: Text | None = Field(
        None,
        description="Short biography (two or three sentences).",
        examples=["Russia's foreign minister since 2004."],
    )
    sources: IdList = Field(
        default=[], description="Sources of the biography.", examples=[["seed-report"]]
    )
    classification: ClassificationText | None = _classification_field("the person's entry and biography")


# ---------------------------------------------------------------------------------------------
# Meeting, objectives, agenda


_MOMENT_EXAMPLE = "2018-08-13, or 2018-08-13T10:00:00+03:00 with the time zone"


def _day_or_moment(value: object) -> object:
    """'2018-08-13' is a day (time not yet known); a date with a time is a moment, and a moment
    needs its time zone (a meeting abroad is otherwise an hour or more off)."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if _ISO_DAY.match(text):
        return _iso_day(text)
    moment = _ISO_MOMENT.match(text)
    if not moment:
        if _ISO_DAY.match(text[:10]) or _SLASHED.match(text) or re.match(r"^\d{4}-\d", text):
            advice = date_advice(text[:10] if _ISO_DAY.match(text[:10]) else text, partial=False)
            raise ValueError(f"{advice}; a moment is written {_MOMENT_EXAMPLE}")
        raise ValueError(f"{text!r} is not a day or a moment: write {_MOMENT_EXAMPLE}")
    if not moment.group("zone"):
        raise ValueError(
            f"{text!r} has no time zone: add it, e.g. {text}+03:00 for Ankara or {text}Z for UTC"
        )
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"{text!r} is not a moment of the calendar: check the day, hours (00-23) and minutes"
        ) from None


DayOrMoment = Annotated[datetime | date, BeforeValidator(_day_or_moment)]


class Meeting(Model):
    """The meeting the brief prepares: what, when, where, who."""

    title: Text = Field(
        description="Name of the meeting.", examples=["Bilateral meeting with Sergey Lavrov"]
    )
    start: DayOrMoment = Field(
        description="Start: a day (2018-08-13) or a moment with time zone (2018-08-13T10:00:00+03:00).",
        examples=["2018-08-13", "2018-08-13T10:00:00+03:00"],
    )
    end: DayOrMoment | None = Field(
        None, description="End: a day or a moment with time zone.", examples=["2018-08-14"]
    )
    city: Text = Field(description="City where the meeting takes place.", examples=["Ankara"])
    country: Text | None = Field(None, description="Country of the meeting.", examples=["Turkey"])
    venue: Text | None = Field(
        None, description="Building or venue.", examples=["Ministry of Foreign Affairs"]
    )
    format: Text | None = Field(
        None,
        description="Format, e.g. 'Bilateral, delegations, then tête-à-tête'.",
        examples=["Bilateral, delegations, then tête-à-tête"],
    )
    participants: IdList = Field(
        default=[], description="Ids of people attending.", examples=[["cavusoglu", "lavrov"]]
    )

    @model_validator(mode="after")
    def _aware(self) -> Self:
        for name in ("start", "end"):
            value = getattr(self, name)
            if isinstance(value, datetime) and value.tzinfo is None:
                raise FieldValueError(name, f"{name} needs a time zone, e.g. 2018-08-13T10:00:00+03:00")
        if self.end is not None and _day(self.end) < _day(self.start):
            raise FieldValueError("end", "the meeting ends before it starts")
        return self

    @property
    def start_day(self) -> date:
        return _day(self.start)

    @property
    def end_day(self) -> date:
        return _day(self.end) if self.end is not None else _day(self.start)


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _point_input(value: object) -> object:
    return {"text": value} if isinstance(value, str) else value


class Point(Model):
    """A line for the principal to use; may cite facts (footnoted in the memo)."""

    text: Text = Field(
        description="What to say, as a sentence or two.",
        examples=["Idlib is a red line for Turkey."],
    )
    facts: IdList = Field(
        default=[],
        description="Ids of facts this point relies on.",
        examples=[["turkey-red-line"]],
    )
    classification: ClassificationText | None = _classification_field()


PointItem = Annotated[Point, BeforeValidator(_point_input)]


class IfRaised(Model):
    """A question the other side may raise, with the response line."""

    question: Marked = Field(
        description="What they may raise or ask: a sentence, or a mapping with text and classification.",
        examples=["Lavrov asks whether US pressure will change Turkey's decision."],
    )
    response: Marked = Field(
        description="The line to take in response: a sentence, or a mapping with text and classification.",
        examples=["No. The decision has been taken and the agreement has been signed."],
    )
    facts: IdList = Field(
        default=[], description="Ids of facts the response relies on.", examples=[["s400-deal"]]
    )


class Likelihood(StrEnum):
    certain = "certain"
    possible = "possible"
    unlikely = "unlikely"


class AgendaItem(Model):
    """One item the meeting will (or may) cover, with our position and lines."""

    id: Id = Field(examples=["s400"])
    title: Text = Field(
        description="Title of the agenda item.", examples=["Purchase of the S-400 air defence system"]
    )
    classification: ClassificationText | None = _classification_field("the item's title (its heading)")
    headline: Marked | None = Field(
        None,
        description="Action title for the item's slide: one sentence stating the point.",
        examples=["The S-400 agreement stands"],
    )
    likelihood: Likelihood = Field(
        description="How certainly the item will be raised: certain, possible or unlikely "
        "(unlikely items get defensive lines only).",
        examples=["certain"],
    )
    summary: Marked | None = Field(
        None, description="One-line state of play.", examples=["Signed in December for $2.5 billion."]
    )
    position: Marked = Field(
        description="Our position on the item: a sentence, or a mapping with text and classification.",
        examples=["The S-400 agreement is a sovereign decision."],
    )
    points: list[PointItem] = Field(
        default=[],
        description="Points to make: each a sentence, or a mapping with text and facts.",
        examples=[[{"text": "The agreement stands.", "facts": ["s400-deal"]}]],
    )
    if_raised: list[IfRaised] = Field(
        default=[],
        description="Questions they may raise, each with our response.",
        examples=[[{"question": "Will US pressure change your decision?", "response": "No."}]],
    )
    background: IdList = Field(
        default=[], description="Ids of background facts.", examples=[["s400-deal", "s400-nato"]]
    )
    risks: IdList = Field(
        default=[], description="Ids of related risks.", examples=[["s400-allies"]]
    )


class Objectives(Model):
    """What we want from the meeting, and what they will ask for."""

    ours: list[PointItem] = Field(
        min_length=1,
        max_length=3,
        description="Our objectives (1-3), in priority order.",
        examples=[["Agree the next steps towards the Istanbul quartet meeting."]],
    )
    theirs: list[PointItem] = Field(
        default=[],
        description="Their objectives / likely asks.",
        examples=[["Confirmation that Turkey will not step back from the S-400 purchase."]],
    )


# ---------------------------------------------------------------------------------------------
# Risks and judgments

RISK_LIKELIHOOD = {1: "Rare", 2: "Unlikely", 3: "Possible", 4: "Likely", 5: "Almost certain"}
RISK_IMPACT = {1: "Insignificant", 2: "Minor", 3: "Significant", 4: "Major", 5: "Severe"}


class Trend(StrEnum):
    rising = "rising"
    steady = "steady"
    falling = "falling"


class Risk(Model):
    """A risk to our objectives, rated likelihood × impact (red, amber or green)."""

    id: Id = Field(examples=["idlib-offensive"])
    title: Text = Field(description="Short name of the risk.", examples=["Regime assault on Idlib"])
    description: Text = Field(
        description="What could happen.",
        examples=["Regime forces launch a full assault on Idlib despite the de-escalation zone."],
    )
    likelihood: int = Field(
        ge=1,
        le=5,
        description="1 rare, 2 unlikely, 3 possible, 4 likely, 5 almost certain.",
        examples=[4],
    )
    impact: int = Field(
        ge=1, le=5, description="1 insignificant, 2 minor, 3 significant, 4 major, 5 severe.", examples=[5]
    )
    rationale: Text | None = Field(
        None,
        description="Why this rating; required for red and amber.",
        examples=["The regime has shelled the area ahead of an expected assault."],
    )
    mitigation: Text = Field(
        description="Mitigation or handling line.", examples=["Press Lavrov to restrain Damascus."]
    )
    owner: Text | None = Field(
        None, description="Who handles the risk.", examples=["Middle East Department"]
    )
    trend: Trend | None = Field(
        None, description="Direction of the risk: rising, steady or falling.", examples=["rising"]
    )
    agenda: IdList = Field(
        default=[], description="Ids of related agenda items.", examples=[["syria-astana-idlib"]]
    )
    classification: ClassificationText | None = _classification_field(
        "the risk (title, description, ratings, mitigation)"
    )
    _rag: str = PrivateAttr("")

    @property
    def score(self) -> int:
        return self.likelihood * self.impact

    @property
    def rag(self) -> str:
        """red / amber / green from the briefing's thresholds (set after validation)."""
        return self._rag


class RagThresholds(Model):
    """Where risk scores (likelihood × impact, 1-25) turn amber and red."""

    red_from: int = Field(12, ge=2, le=25, description="Scores at or above this are red.", examples=[12])
    amber_from: int = Field(
        5, ge=1, le=24, description="Scores at or above this (below red) are amber.", examples=[5]
    )

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.amber_from >= self.red_from:
            raise FieldValueError("amber_from", "amber_from must be below red_from")
        return self

    def rag(self, score: int) -> str:
        """red / amber / green for a score (`briefgen.rag.rag_of`)."""
        return rag_of(score, self.red_from, self.amber_from)

    def bands(self) -> tuple[RagBand, ...]:
        """The score band of each rating, from the scores likelihood × impact can take
        (`briefgen.rag.rag_bands`): what every key and legend prints."""
        return rag_bands(self.red_from, self.amber_from)


LEXICONS: dict[str, dict[str, str]] = {
    "icd203": {
        "almost no chance": "1–5%",
        "very unlikely": "5–20%",
        "unlikely": "20–45%",
        "roughly even chance": "45–55%",
        "likely": "55–80%",
        "very likely": "80–95%",
        "almost certain": "95–99%",
    },
    "phia": {
        "remote chance": "≤5%",
        "highly unlikely": "10–20%",
        "unlikely": "25–35%",
        "realistic possibility": "40–50%",
        "likely": "55–75%",
        "highly likely": "80–90%",
        "almost certain": "≥95%",
    },
}
LEXICON_NAMES = {"icd203": "ICD 203", "phia": "PHIA yardstick"}


class Confidence(StrEnum):
    low = "low"
    moderate = "moderate"
    high = "high"


class Judgment(Model):
    """An assessment (estimate), kept apart from facts."""

    id: Id | None = Field(
        None,
        description="Optional identifier: lower-case letters, digits, '.', '_' or '-'.",
        examples=["idlib-assault"],
    )
    statement: Text = Field(
        description="What we judge, without the likelihood term.",
        examples=["The regime will launch a major assault on Idlib in the coming weeks."],
    )
    likelihood: Text = Field(
        description="A term from the declared lexicon. icd203: almost no chance, very unlikely, unlikely, "
        "roughly even chance, likely, very likely, almost certain. phia: remote chance, highly "
        "unlikely, unlikely, realistic possibility, likely, highly likely, almost certain.",
        examples=["likely"],
    )
    confidence: Confidence = Field(
        description="Confidence in the judgment: low, moderate or high.", examples=["moderate"]
    )
    basis: IdList = Field(
        default=[],
        description="Ids of the facts it rests on.",
        examples=[["un-bloodbath", "leaflets"]],
    )
    classification: ClassificationText | None = _classification_field()

    @property
    def likelihood_term(self) -> str:
        return self.likelihood.lower()


class Judgments(Model):
    """Key judgments (assessments), with the likelihood lexicon they use."""

    lexicon: Literal["icd203", "phia"] = Field(
        "icd203",
        description="Likelihood vocabulary: icd203 (US ICD 203) or phia (UK PHIA yardstick).",
        examples=["icd203"],
    )
    drafter_note: Text | None = Field(
        None,
        description="Who made these judgments (e.g. the drafter's, not the source's).",
        examples=["These judgments are the drafting desk's own."],
    )
    items: list[Judgment] = Field(
        default=[],
        description="The judgments.",
        examples=[
            [{"statement": "Russia will back the regime.", "likelihood": "likely", "confidence": "low"}]
        ],
    )

    def range_of(self, judgment: Judgment) -> str:
        return LEXICONS[self.lexicon].get(judgment.likelihood_term, "")

    @property
    def lexicon_name(self) -> str:
        return LEXICON_NAMES[self.lexicon]


class TimelineEvent(Model):
    """One dated event of the chronology."""

    date: PartialDate = Field(description="When it happened, as precise as known.")
    event: Text = Field(
        description="What happened, in one sentence.",
        examples=["Astana talks on Syria launched in Kazakhstan's capital."],
    )
    sources: IdList = Field(
        default=[], description="Ids of the sources for the event.", examples=[["seed-report"]]
    )
    highlight: bool = Field(False, description="Highlight it (the meeting itself).", examples=[True])
    classification: ClassificationText | None = _classification_field()


def _press_input(value: object) -> object:
    return {"line": value} if isinstance(value, str) else value


class PressLine(Model):
    """The press line: a sentence, or a mapping with line, facts and if_asked."""

    line: Text = Field(
        description="The agreed line to take with the press.",
        examples=["The ministers discussed Syria and bilateral relations."],
    )
    facts: IdList = Field(
        default=[], description="Ids of facts the line relies on.", examples=[["agenda-topics"]]
    )
    if_asked: list[IfRaised] = Field(
        default=[],
        description="Reactive press lines: question and response.",
        examples=[[{"question": "Is the S-400 purchase going ahead?", "response": "The agreement stands."}]],
    )
    classification: ClassificationText | None = Field(
        None,
        description="Classification of the line; it must be the scheme's lowest level (UNCLASSIFIED, "
        "OFFICIAL, NATO UNCLASSIFIED), which is also what an unmarked press line takes.",
        examples=["UNCLASSIFIED"],
    )


class SlideTitles(Model):
    """Action titles for deck slides whose derived title does not state the point you want."""

    risks: Text | None = Field(
        None,
        description="Title of the risk heat-map slide.",
        examples=["An assault on Idlib is the gravest risk"],
    )
    judgments: Text | None = Field(
        None,
        description="Title of the key-judgments slide.",
        examples=["We expect an assault within weeks"],
    )
    chronology: Text | None = Field(
        None,
        description="Title of the chronology slide.",
        examples=["Eighteen months of Astana led here"],
    )
    people: Text | None = Field(
        None,
        description="Title of the counterpart-profiles slide.",
        examples=["Lavrov will test our red line"],
    )
    press_line: Text | None = Field(
        None,
        description="Title of the press-line slide.",
        examples=["We say: prevent a catastrophe in Idlib"],
    )


class Output(Model):
    """Per-briefing output settings (command-line options override them)."""

    reference_docx: str | None = Field(
        None, description="Reference .docx/.dotx, relative to this file.", examples=["house-style.docx"]
    )
    reference_pptx: str | None = Field(
        None, description="Reference .pptx/.potx, relative to this file.", examples=["house-style.pptx"]
    )
    language: str = Field(
        "en-GB",
        pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
        description="Language tag of the documents (spelling and hyphenation in Word).",
        examples=["en-GB", "en-US"],
    )
    page_budget: int = Field(2, ge=1, le=20, description="Pages allowed for the memo body.", examples=[2])
    slide_budget: int = Field(
        12,
        ge=1,
        le=200,
        description="Slides allowed for the deck; check and build warn with the planned count above it.",
        examples=[12],
    )
    banner_pt: float = Field(
        12.0,
        ge=10.0,
        le=24.0,
        description="Size in points of the marking banners on slides (bold; at least 10 pt).",
        examples=[12],
    )
    citation_style: str | None = Field(
        None,
        description="CSL style file for the memo's source notes, relative to this file; the "
        "default is the bundled Chicago notes style (full note first, short form after).",
        examples=["styles/chicago-notes-bibliography-17th-edition.csl"],
    )
    rag: RagThresholds = Field(
        default_factory=RagThresholds,
        description="Risk score thresholds for red and amber.",
        examples=[{"red_from": 12, "amber_from": 5}],
    )


# ---------------------------------------------------------------------------------------------
# The briefing


_T = TypeVar("_T")


def _of_type(item: object, kind: type[_T]) -> _T:
    """`item`, checked to be a `kind` (the lookups index lists of one model each)."""
    if not isinstance(item, kind):
        raise TypeError(f"expected a {kind.__name__}, found {type(item).__name__}")
    return item


class Briefing(Model):
    """A meeting brief: everything the memo and the deck say comes from here."""

    title: Marked = Field(
        description="Title of the briefing (the SUBJECT line): a sentence, or a mapping with text and "
        "classification.", examples=["Meeting with Russian Foreign Minister Sergey Lavrov"]
    )
    kind: Literal["meeting-brief"] = Field(
        "meeting-brief", description="Kind of briefing: meeting-brief.", examples=["meeting-brief"]
    )
    marking: Marking = Field(
        description="Classification or handling marking of the whole pack.",
        examples=[{"scheme": "us", "level": "UNCLASSIFIED"}],
    )
    prepared_for: Text = Field(
        description="TO: the principal.", examples=["Mevlüt Çavuşoğlu, Minister of Foreign Affairs"]
    )
    prepared_by: Text = Field(description="FROM: the drafting desk or officer.", examples=["Russia Desk"])
    through: Text | None = Field(
        None, description="THROUGH: clearing official, if any.", examples=["Director, Eurasia"]
    )
    date_prepared: Day = Field(
        description="Date the brief was prepared (YYYY-MM-DD); printed on the memo.",
        examples=["2018-08-12"],
    )
    information_as_of: Day = Field(
        description="Date of the latest information used (YYYY-MM-DD); not after date_prepared.",
        examples=["2018-08-10"],
    )
    summary: Marked = Field(
        description="Bottom line up front: at most four lines; a text, or a mapping with text and "
        "classification.",
        examples=["Use the meeting to make clear that Idlib is a red line."],
    )
    headline: Marked | None = Field(
        None,
        description="Action title for the bottom-line slide: the point in one short sentence.",
        examples=["Idlib is our red line; we need Russia to restrain Damascus"],
    )
    slide_titles: SlideTitles = Field(
        default_factory=SlideTitles,
        description="Action titles overriding the ones the deck derives from the content.",
    )
    context: Marked = Field(
        description="Purpose and context: why this meeting, state of play; a text, or a mapping with "
        "text and classification.",
        examples=["Lavrov comes to Ankara on 13–14 August to discuss bilateral and regional topics."],
    )
    meeting: Meeting = Field(description="The meeting: title, date, place, participants.")
    people: list[Person] = Field(
        default=[],
        description="Participants and people the brief mentions.",
        examples=[[{"id": "lavrov", "name": "Sergey Lavrov", "role": "Minister of Foreign Affairs",
                    "side": "theirs"}]],
    )
    objectives: Objectives = Field(description="Our objectives and their likely asks.")
    agenda: list[AgendaItem] = Field(
        min_length=1, description="Agenda items, with positions, points to make and if-raised lines."
    )
    facts: list[Fact] = Field(
        default=[],
        description="Sourced facts, cited by id from points, judgments and background.",
        examples=[[{"id": "s400-deal", "statement": "Turkey signed the S-400 agreement.",
                    "sources": ["seed-report"]}]],
    )
    risks: list[Risk] = Field(default=[], description="The risk register.")
    judgments: Judgments = Field(
        default_factory=Judgments, description="Key judgments (assessments), kept apart from facts."
    )
    timeline: list[TimelineEvent] = Field(
        default=[],
        description="Chronology of events leading to the meeting.",
        examples=[[{"date": "2017-01", "event": "Astana talks launched.", "sources": ["seed-report"]}]],
    )
    sources: list[Source] = Field(min_length=1, description="Every source the facts cite.")
    press_line: Annotated[PressLine, BeforeValidator(_press_input)] | None = Field(
        None,
        description="The line to take with the press: a sentence, or a mapping with line and if_asked.",
    )
    next_steps: list[Marked] = Field(
        default=[],
        description="Follow-up actions after the meeting: each a sentence, or a mapping with text and "
        "classification.",
        examples=[["Issue our read-out of the meeting on the day."]],
    )
    output: Output = Field(
        default_factory=Output, description="Output settings: reference documents, language, page budget."
    )
    _indexes: dict[str, dict[str, object]] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _derive(self) -> Self:
        for risk in self.risks:
            risk._rag = self.output.rag.rag(risk.score)
        # The press line is said in public: unmarked, it is at the scheme's lowest level, not at
        # the default portion (briefgen.facts.checks refuses a higher one).
        lowest = marking.lowest(self.marking.scheme)
        if self.press_line is not None and lowest is not None:
            press = self.press_line
            if press.classification is None:
                press.classification = lowest.banner
            for pair in press.if_asked:
                for name in ("question", "response"):
                    text: MarkedStr = getattr(pair, name)
                    if text.classification is None:
                        setattr(pair, name, MarkedStr(text, lowest.banner))
        return self

    # Lookups used by the templates (built once; the lists do not change after loading).
    def _index(self, name: str) -> dict[str, object]:
        cache = self._indexes
        if name not in cache:
            cache[name] = {item.id: item for item in getattr(self, name) if item.id}
        return cache[name]

    def source(self, id: str) -> Source:
        return _of_type(self._index("sources")[id], Source)

    def fact(self, id: str) -> Fact:
        return _of_type(self._index("facts")[id], Fact)

    def risk(self, id: str) -> Risk:
        return _of_type(self._index("risks")[id], Risk)

    def person(self, id: str) -> Person:
        return _of_type(self._index("people")[id], Person)

    def agenda_item(self, id: str) -> AgendaItem:
        return _of_type(self._index("agenda")[id], AgendaItem)
