"""What the principal says: objectives, agenda items with their points to make and if-raised
lines, and the press line."""

# No `from __future__ import annotations` here: pydantic would have to evaluate every annotation
# string again when the models are built (about 150 `compile` calls at each start-up).

from enum import StrEnum
from typing import Annotated

from pydantic import BeforeValidator, Field

from briefgen.facts.fields import Id, IdList, Model, Text
from briefgen.facts.markings import ClassificationText, Marked, classification_field


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
    classification: ClassificationText | None = classification_field()


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
    classification: ClassificationText | None = classification_field("the item's title (its heading)")
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
