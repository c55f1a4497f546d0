"""The fact base as typed pydantic models (`extra="forbid"` everywhere).

These are the only shape the rest of briefgen sees: after `load_facts` nothing handles dicts.
Field descriptions double as the fact-format reference (`briefgen schema`, docs/facts.md).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    model_validator,
)

# ---------------------------------------------------------------------------------------------
# Small types

Id = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=80),
    Field(description="Identifier: lower-case letters, digits, '.', '_' or '-'; unique in its list."),
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

_PARTIAL_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")


def _check_partial_date(value: str) -> str:
    if not _PARTIAL_DATE.match(value):
        raise ValueError("expected a date as YYYY-MM-DD, YYYY-MM or YYYY")
    if len(value) == 10:
        date.fromisoformat(value)  # rejects 2018-02-30
    return value


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
    model_config = ConfigDict(extra="forbid", frozen=False, str_strip_whitespace=True)


# ---------------------------------------------------------------------------------------------
# Marking

MARKING_LEVELS: dict[str, tuple[str, ...]] = {
    "us": ("UNCLASSIFIED", "CUI", "CONFIDENTIAL", "SECRET", "TOP SECRET"),
    "uk": ("OFFICIAL", "OFFICIAL-SENSITIVE", "SECRET", "TOP SECRET"),
    "nato": (
        "NATO UNCLASSIFIED",
        "NATO RESTRICTED",
        "NATO CONFIDENTIAL",
        "NATO SECRET",
        "COSMIC TOP SECRET",
    ),
}
PORTION_ABBREVIATIONS: dict[str, str] = {
    "UNCLASSIFIED": "U",
    "CUI": "CUI",
    "CONFIDENTIAL": "C",
    "SECRET": "S",
    "TOP SECRET": "TS",
    "OFFICIAL": "O",
    "OFFICIAL-SENSITIVE": "OS",
    "NATO UNCLASSIFIED": "NU",
    "NATO RESTRICTED": "NR",
    "NATO CONFIDENTIAL": "NC",
    "NATO SECRET": "NS",
    "COSMIC TOP SECRET": "CTS",
}


class Marking(Model):
    """Classification or handling marking, printed centred at the top and bottom of every page
    and slide."""

    scheme: Literal["us", "uk", "nato", "none"] = Field(
        "none", description="Marking scheme: us, uk, nato, or none (free text level)."
    )
    level: Text = Field(description="Level, e.g. UNCLASSIFIED, OFFICIAL-SENSITIVE, NATO RESTRICTED.")
    caveats: list[Text] = Field(
        default_factory=list, description="Caveats / handling instructions, e.g. NOFORN."
    )
    portion_marks: bool = Field(
        False, description="Put portion marks such as (U) in front of paragraphs and bullets."
    )

    @model_validator(mode="after")
    def _level_in_scheme(self) -> Marking:
        self.level = self.level.upper() if self.scheme != "none" else self.level
        levels = MARKING_LEVELS.get(self.scheme)
        if levels and self.level not in levels:
            raise ValueError(
                f"level {self.level!r} is not a {self.scheme.upper()} marking; expected one of "
                + ", ".join(levels)
            )
        return self

    @property
    def banner(self) -> str:
        """The banner line: US style joins caveats with '//', the others with spaces."""
        if not self.caveats:
            return self.level
        if self.scheme == "us":
            return "//".join([self.level, *self.caveats])
        return " ".join([self.level, *self.caveats])

    @property
    def portion(self) -> str:
        """The portion mark for the banner's own level, e.g. '(U)'."""
        return f"({PORTION_ABBREVIATIONS.get(self.level, self.level)})"

    def rank(self, level: str) -> int:
        levels = MARKING_LEVELS.get(self.scheme, ())
        return levels.index(level) if level in levels else -1


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

    id: Id
    title: Text = Field(description="Title of the report, article or document.")
    publisher: Text = Field(description="Publisher, outlet or originating body.")
    date: PartialDate = Field(description="Publication date, as precise as known.")
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")] | None = Field(
        None, description="Web address (http or https)."
    )
    reference: Text | None = Field(
        None, description="Reference where there is no URL: file number, cable reference, archive path."
    )
    type: SourceType = Field(SourceType.news, description="Kind of source.")
    grade: Annotated[str, StringConstraints(pattern=r"^[A-F][1-6]$")] | None = Field(
        None,
        description="Admiralty grade: source reliability A-F and information credibility 1-6, e.g. B2.",
    )
    note: Text | None = Field(None, description="Drafter's note on the source (printed in the annex).")

    @model_validator(mode="after")
    def _url_or_reference(self) -> Source:
        if not self.url and not self.reference:
            raise ValueError("a source needs a url or a reference")
        return self


class Fact(Model):
    """One sourced statement of fact."""

    id: Id
    statement: Text = Field(description="The fact, as one or two sentences.")
    date: PartialDate | None = Field(None, description="When it happened, if it is an event.")
    until: PartialDate | None = Field(None, description="End of a date range, if any.")
    sources: IdList = Field(min_length=1, description="Ids of the sources that support it.")
    usable_in_conversation: bool = Field(
        True,
        description="False for facts that may not be disclosed: they never appear in points to make, "
        "if-raised lines or the press line.",
    )
    classification: Text | None = Field(
        None, description="Portion marking level, when higher than the default."
    )


class Side(StrEnum):
    ours = "ours"
    theirs = "theirs"
    third_party = "third-party"


class Person(Model):
    """A participant or a person the brief mentions."""

    id: Id
    name: Text = Field(description="Name in Latin script, with its own letters (Çavuşoğlu).")
    native_name: Text | None = Field(None, description="Name in the person's own script (Лавров).")
    role: Text = Field(description="Office or role.")
    organisation: Text | None = None
    side: Side = Field(description="ours, theirs or third-party.")
    principal: bool = Field(False, description="True for the principals of the meeting.")
    bio: Text | None = Field(None, description="Short biography (two or three sentences).")
    sources: IdList = Field(default_factory=list, description="Sources of the biography.")


# ---------------------------------------------------------------------------------------------
# Meeting, objectives, agenda


def _day_or_moment(value: object) -> object:
    """'2018-08-13' is a day (time not yet known); anything longer is a moment in time."""
    if isinstance(value, str) and len(value.strip()) == 10:
        return date.fromisoformat(value.strip()) if _PARTIAL_DATE.match(value.strip()) else value
    return value


DayOrMoment = Annotated[datetime | date, BeforeValidator(_day_or_moment)]


class Meeting(Model):
    title: Text
    start: DayOrMoment = Field(
        description="Start: a day (2018-08-13) or a moment with time zone (2018-08-13T10:00:00+03:00)."
    )
    end: DayOrMoment | None = Field(None, description="End: a day or a moment with time zone.")
    city: Text
    country: Text | None = None
    venue: Text | None = None
    format: Text | None = Field(None, description="Format, e.g. 'Bilateral, delegations, then tête-à-tête'.")
    participants: IdList = Field(default_factory=list, description="Ids of people attending.")

    @model_validator(mode="after")
    def _aware(self) -> Meeting:
        for name in ("start", "end"):
            value = getattr(self, name)
            if isinstance(value, datetime) and value.tzinfo is None:
                raise ValueError(f"{name} needs a time zone, e.g. 2018-08-13T10:00:00+03:00")
        if self.end is not None and _day(self.end) < _day(self.start):
            raise ValueError("the meeting ends before it starts")
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

    text: Text
    facts: IdList = Field(default_factory=list, description="Ids of facts this point relies on.")
    classification: Text | None = None


PointItem = Annotated[Point, BeforeValidator(_point_input)]


class IfRaised(Model):
    """A question the other side may raise, with the response line."""

    question: Text
    response: Text
    facts: IdList = Field(default_factory=list)


class Likelihood(StrEnum):
    certain = "certain"
    possible = "possible"
    unlikely = "unlikely"


class AgendaItem(Model):
    id: Id
    title: Text
    headline: Text | None = Field(
        None, description="Action title for the item's slide: one sentence stating the point."
    )
    likelihood: Likelihood = Field(
        description="How certainly the item will be raised: certain, possible or unlikely "
        "(unlikely items get defensive lines only)."
    )
    summary: Text | None = Field(None, description="One-line state of play.")
    position: Text = Field(description="Our position on the item.")
    points: list[PointItem] = Field(default_factory=list, description="Points to make.")
    if_raised: list[IfRaised] = Field(default_factory=list)
    background: IdList = Field(default_factory=list, description="Ids of background facts.")
    risks: IdList = Field(default_factory=list, description="Ids of related risks.")


class Objectives(Model):
    ours: list[PointItem] = Field(min_length=1, max_length=3, description="Our objectives (1-3).")
    theirs: list[PointItem] = Field(default_factory=list, description="Their objectives / likely asks.")


# ---------------------------------------------------------------------------------------------
# Risks and judgments

RISK_LIKELIHOOD = {1: "Rare", 2: "Unlikely", 3: "Possible", 4: "Likely", 5: "Almost certain"}
RISK_IMPACT = {1: "Insignificant", 2: "Minor", 3: "Significant", 4: "Major", 5: "Severe"}


class Trend(StrEnum):
    rising = "rising"
    steady = "steady"
    falling = "falling"


class Risk(Model):
    id: Id
    title: Text
    description: Text
    likelihood: int = Field(ge=1, le=5, description="1 rare … 5 almost certain.")
    impact: int = Field(ge=1, le=5, description="1 insignificant … 5 severe.")
    rationale: Text | None = Field(None, description="Why this rating; required for red and amber.")
    mitigation: Text = Field(description="Mitigation or handling line.")
    owner: Text | None = None
    trend: Trend | None = None
    agenda: IdList = Field(default_factory=list, description="Ids of related agenda items.")
    _rag: str = PrivateAttr("")

    @property
    def score(self) -> int:
        return self.likelihood * self.impact

    @property
    def rag(self) -> str:
        """red / amber / green from the briefing's thresholds (set after validation)."""
        return self._rag


class RagThresholds(Model):
    red_from: int = Field(12, ge=2, le=25, description="Scores at or above this are red.")
    amber_from: int = Field(5, ge=1, le=24, description="Scores at or above this (below red) are amber.")

    @model_validator(mode="after")
    def _ordered(self) -> RagThresholds:
        if self.amber_from >= self.red_from:
            raise ValueError("amber_from must be below red_from")
        return self

    def rag(self, score: int) -> str:
        if score >= self.red_from:
            return "red"
        return "amber" if score >= self.amber_from else "green"


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

    id: Id | None = None
    statement: Text = Field(description="What we judge, without the likelihood term.")
    likelihood: Text = Field(description="A term from the declared lexicon, e.g. 'likely'.")
    confidence: Confidence
    basis: IdList = Field(default_factory=list, description="Ids of the facts it rests on.")
    classification: Text | None = None

    @property
    def likelihood_term(self) -> str:
        return self.likelihood.lower()


class Judgments(Model):
    lexicon: Literal["icd203", "phia"] = Field("icd203", description="icd203 or phia.")
    drafter_note: Text | None = Field(
        None, description="Who made these judgments (e.g. the drafter's, not the source's)."
    )
    items: list[Judgment] = Field(default_factory=list)

    def range_of(self, judgment: Judgment) -> str:
        return LEXICONS[self.lexicon].get(judgment.likelihood_term, "")

    @property
    def lexicon_name(self) -> str:
        return LEXICON_NAMES[self.lexicon]


class TimelineEvent(Model):
    date: PartialDate
    event: Text
    sources: IdList = Field(default_factory=list)
    highlight: bool = Field(False, description="Highlight it (the meeting itself).")


def _press_input(value: object) -> object:
    return {"line": value} if isinstance(value, str) else value


class PressLine(Model):
    line: Text = Field(description="The agreed line to take with the press.")
    facts: IdList = Field(default_factory=list)
    if_asked: list[IfRaised] = Field(default_factory=list, description="Reactive press lines.")


class Output(Model):
    """Per-briefing output settings (command-line options override them)."""

    reference_docx: str | None = Field(None, description="Reference .docx/.dotx, relative to this file.")
    reference_pptx: str | None = Field(None, description="Reference .pptx/.potx, relative to this file.")
    language: str = Field("en-GB", pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
    page_budget: int = Field(2, ge=1, le=20, description="Pages allowed for the memo body.")
    rag: RagThresholds = Field(default_factory=RagThresholds)


# ---------------------------------------------------------------------------------------------
# The briefing


class Briefing(Model):
    """A meeting brief: everything the memo and the deck say comes from here."""

    title: Text = Field(description="Title of the briefing.")
    kind: Literal["meeting-brief"] = "meeting-brief"
    marking: Marking
    prepared_for: Text = Field(description="TO: the principal.")
    prepared_by: Text = Field(description="FROM: the drafting desk or officer.")
    through: Text | None = Field(None, description="THROUGH: clearing official, if any.")
    date_prepared: date
    information_as_of: date
    summary: Text = Field(description="Bottom line up front: at most four lines.")
    headline: Text | None = Field(
        None, description="Action title for the bottom-line slide: the point in one short sentence."
    )
    context: Text = Field(description="Purpose and context: why this meeting, state of play.")
    meeting: Meeting
    people: list[Person] = Field(default_factory=list)
    objectives: Objectives
    agenda: list[AgendaItem] = Field(min_length=1)
    facts: list[Fact] = Field(default_factory=list)
    risks: list[Risk] = Field(default_factory=list)
    judgments: Judgments = Field(default_factory=Judgments)
    timeline: list[TimelineEvent] = Field(default_factory=list)
    sources: list[Source] = Field(min_length=1)
    press_line: Annotated[PressLine, BeforeValidator(_press_input)] | None = None
    next_steps: list[Text] = Field(default_factory=list)
    output: Output = Field(default_factory=Output)
    _indexes: dict[str, dict[str, object]] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _derive(self) -> Briefing:
        for risk in self.risks:
            risk._rag = self.output.rag.rag(risk.score)
        return self

    # Lookups used by the templates (built once; the lists do not change after loading).
    def _index(self, name: str) -> dict[str, object]:
        cache = self._indexes
        if name not in cache:
            cache[name] = {item.id: item for item in getattr(self, name) if item.id}
        return cache[name]

    def source(self, id: str) -> Source:
        return self._index("sources")[id]  # type: ignore[return-value]

    def fact(self, id: str) -> Fact:
        return self._index("facts")[id]  # type: ignore[return-value]

    def risk(self, id: str) -> Risk:
        return self._index("risks")[id]  # type: ignore[return-value]

    def person(self, id: str) -> Person:
        return self._index("people")[id]  # type: ignore[return-value]

    def agenda_item(self, id: str) -> AgendaItem:
        return self._index("agenda")[id]  # type: ignore[return-value]
