"""The field types every fact model shares, and the base `Model` (`extra="forbid"`).

Ids, non-empty texts and dates (a full day, a partial date, a day or a moment with its time
zone), each with the validator that says what a valid value looks like (`date_advice`), and
`FieldValueError`, which puts a model-level check's error on one field's key.
"""

# No `from __future__ import annotations` here: pydantic would have to evaluate every annotation
# string again when the models are built (about 150 `compile` calls at each start-up).

import re
from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

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
    # Quoted as written, as `briefgen.errors.quoted` does (a fact model may not import it: it
    # imports pathlib): repr would print a Russian date's narrow no-break space as \u202f.
    shown = "'" + (value if len(value) <= 40 else value[:39] + "…") + "'"
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
            return f"{shown} is not a date briefgen reads: write dates year first as {formats}: {options}"
    month_year = re.match(r"^(\d{1,2})[./](\d{4})$", value.strip())
    if month_year and 1 <= int(month_year.group(1)) <= 12:
        fixed = f"{month_year.group(2)}-{int(month_year.group(1)):02d}"
        if partial:
            return f"{shown} is not a date briefgen reads: write dates year first as {formats}: {fixed}"
        return f"{shown} is not a date briefgen reads: write it year first as YYYY-MM-DD, e.g. {fixed}-01"
    loose = re.match(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$", value.strip())
    if loose and (len(loose.group(2)) == 1 or (loose.group(3) and len(loose.group(3)) == 1)):
        month = int(loose.group(2))
        fixed = f"{loose.group(1)}-{month:02d}" + (f"-{int(loose.group(3)):02d}" if loose.group(3) else "")
        return f"{shown}: write the month and day with two digits, {fixed} ({formats})"
    if _ISO_DAY.match(value.strip()) or (partial and _PARTIAL_DATE.match(value.strip())):
        try:
            date.fromisoformat(value.strip())
        except ValueError:
            year, month, day = (int(p) for p in value.strip().split("-"))
            if not 1 <= month <= 12:
                return f"{shown} has no month {month}: months run from 01 to 12 ({formats})"
            last = (date(year + month // 12, month % 12 + 1, 1) - date(year, month, 1)).days
            return f"{shown} is not a day of the calendar: {_MONTH_NAMES[month - 1]} {year} has {last} days"
    if not partial and _PARTIAL_DATE.match(value.strip()):
        full = value.strip() + ("-01" if len(value.strip()) == 7 else "-01-01")
        return f"{shown} is not a full date: this field needs the day too, as YYYY-MM-DD (e.g. {full})"
    return f"{shown} is not a date: write it as {formats}, e.g. 2018-08-13" + (
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


def list_of(value: object) -> object:
    """Accept a single string where a list of strings is expected (a common hand-typing slip)."""
    return [value] if isinstance(value, str) else value


IdList = Annotated[list[Id], BeforeValidator(list_of)]


class Model(BaseModel):
    # Lists default to `[]`: pydantic copies a mutable default for every instance, while a
    # `default_factory=list` makes it inspect `list`'s signature at start-up (tokenize and all).
    model_config = ConfigDict(extra="forbid", frozen=False, str_strip_whitespace=True)


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
        raise ValueError(f"'{text}' is not a day or a moment: write {_MOMENT_EXAMPLE}")
    if not moment.group("zone"):
        raise ValueError(
            f"'{text}' has no time zone: add it, e.g. {text}+03:00 for Ankara or {text}Z for UTC"
        )
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"'{text}' is not a moment of the calendar: check the day, hours (00-23) and minutes"
        ) from None


DayOrMoment = Annotated[datetime | date, BeforeValidator(_day_or_moment)]
