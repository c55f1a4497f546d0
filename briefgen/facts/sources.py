"""Sources and the facts they support: every fact names at least one source."""

# No `from __future__ import annotations` here: pydantic would have to evaluate every annotation
# string again when the models are built (about 150 `compile` calls at each start-up).

from enum import StrEnum
from typing import Annotated, Self

from pydantic import Field, StringConstraints, model_validator

from briefgen.facts.fields import Id, IdList, Model, PartialDate, Text
from briefgen.facts.markings import ClassificationText, classification_field


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
    classification: ClassificationText | None = classification_field("the source's entry (title, note)")

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
    classification: ClassificationText | None = classification_field()
