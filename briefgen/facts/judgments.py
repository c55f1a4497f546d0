"""Key judgments (assessments), kept apart from facts, and the likelihood lexicons they are
written in (ICD 203, the PHIA yardstick)."""

# No `from __future__ import annotations` here: pydantic would have to evaluate every annotation
# string again when the models are built (about 150 `compile` calls at each start-up).

from enum import StrEnum
from typing import Literal

from pydantic import Field

from briefgen.facts.fields import Id, IdList, Model, Text
from briefgen.facts.markings import ClassificationText, classification_field

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
    classification: ClassificationText | None = classification_field()

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
