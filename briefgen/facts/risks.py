"""The risk register: risks rated likelihood × impact, and the thresholds at which a score
turns amber and red (briefgen.rag)."""

# No `from __future__ import annotations` here: pydantic would have to evaluate every annotation
# string again when the models are built (about 150 `compile` calls at each start-up).

from enum import StrEnum
from typing import Self

from pydantic import Field, PrivateAttr, model_validator

from briefgen.facts.fields import FieldValueError, Id, IdList, Model, Text
from briefgen.facts.markings import ClassificationText, classification_field
from briefgen.rag import RagBand, rag_bands, rag_of

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
    classification: ClassificationText | None = classification_field(
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
