"""The fact base as typed pydantic models: `Briefing`, the root, assembled from the models of
each part of the brief (briefgen.facts.fields, .markings, .meeting, .agenda, .sources, .risks,
.judgments, .output; `extra="forbid"` everywhere).

These are the only shape the rest of briefgen sees: after `load_facts` nothing handles dicts.
Field descriptions double as the fact-format reference (`briefgen schema`, docs/facts.md).
"""

# No `from __future__ import annotations` here: pydantic would have to evaluate every annotation
# string again when the models are built (about 150 `compile` calls at each start-up).

from typing import Annotated, Literal, Self, TypeVar

from pydantic import BeforeValidator, Field, PrivateAttr, model_validator

from briefgen import marking
from briefgen.facts.agenda import AgendaItem, Objectives, PressLine
from briefgen.facts.fields import Day, Model, Text
from briefgen.facts.judgments import Judgments
from briefgen.facts.markings import Marked, MarkedStr, Marking
from briefgen.facts.meeting import Meeting, Person, TimelineEvent
from briefgen.facts.output import Output, SlideTitles
from briefgen.facts.risks import Risk
from briefgen.facts.sources import Fact, Source


def _press_input(value: object) -> object:
    return {"line": value} if isinstance(value, str) else value


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
        # the default portion (briefgen.facts.portions refuses a higher one).
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
