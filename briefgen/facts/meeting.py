"""The meeting the brief prepares, the people in it or mentioned, and the chronology that led
to it."""

# No `from __future__ import annotations` here: pydantic would have to evaluate every annotation
# string again when the models are built (about 150 `compile` calls at each start-up).

from datetime import date, datetime
from enum import StrEnum
from typing import Self

from pydantic import Field, model_validator

from briefgen.facts.fields import DayOrMoment, FieldValueError, Id, IdList, Model, PartialDate, Text
from briefgen.facts.markings import ClassificationText, classification_field


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
    classification: ClassificationText | None = classification_field("the person's entry and biography")


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
    classification: ClassificationText | None = classification_field()
