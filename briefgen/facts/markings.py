"""The marking of the pack (`Marking`, `Authority`) and of its portions (`MarkedText`,
`MarkedStr`, the `classification` every item may carry).

The rules of each scheme live in briefgen.marking; the cross-checks of portions against the
pack's marking in briefgen.facts.portions.
"""

# No `from __future__ import annotations` here: pydantic would have to evaluate every annotation
# string again when the models are built (about 150 `compile` calls at each start-up).

from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    BeforeValidator,
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
from briefgen.facts.fields import FieldValueError, Model, Text, list_of

CLASSIFICATION_DESCRIPTION = (
    "Classification of this portion: a level of the pack's scheme, optionally with controls, e.g. "
    "SECRET//NOFORN, CONFIDENTIAL, 'SECRET//REL TO USA, GBR', OFFICIAL-SENSITIVE, NATO SECRET. "
    "Unmarked portions take marking.default_portion."
)


def classification_field(what: str = "") -> Any:
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
    caveats: Annotated[list[Caveat], BeforeValidator(list_of)] = Field(
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
