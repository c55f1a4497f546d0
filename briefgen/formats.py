"""Dates, times, numbers, percentages and ranges in the document's language, from CLDR (Babel).

`Formats(language_of("tr"))` gives `13 Ağustos 2018`, `13–14 Ağustos 2018`, `%55–80`; en-US is
month first (`August 13–14, 2018`), Russian `13 августа 2018 г.`, Chinese `2018年8月13日`.
House style on top of CLDR, applied in every language: a range of two numbers is closed up
(`13–14`, not CLDR's `13 – 14` with thin spaces), and a range across months or years is spaced
with ordinary spaces (`31 July – 1 August 2018`), as style guides (Oxford, Chicago) set them.

`Formats.separators` gives the punctuation between the items of a list (`A, B` in English,
`A، B` in Arabic, `A、B` in Chinese) from CLDR's list patterns, for every join the templates and
writers make.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from briefgen.languages import Language, speaking_language

if TYPE_CHECKING:
    from babel import Locale

# The type, by a name the method `Formats.date` does not hide inside the class.
Day = date

_THIN = "\u2009"
_SPAN = re.compile(
    r"^\s*(?P<rel>[≤≥<>])?\s*(?P<low>\d+(?:\.\d+)?)\s*(?:[–-]\s*(?P<high>\d+(?:\.\d+)?))?\s*%\s*$"
)


# The semicolon that goes with a script's comma (CLDR has list patterns, but no semicolon for
# text): the Arabic comma's is the Arabic semicolon, the ideographic comma's the fullwidth one.
_SEMICOLONS = {",": ";", "\u060c": "\u061b", "\u3001": "\uff1b", "\uff0c": "\uff1b"}
# CLDR's list styles, in the order tried for the bare separator between two middle items.
_LIST_STYLES = ("standard", "standard-short", "unit", "unit-short", "standard-narrow")


@dataclass(frozen=True, slots=True)
class ListSeparators:
    """What goes between the items of a list in one language (plain text, spaces included).

    `comma` separates the items of a list (names, dates, fields): `, ` in English, `، ` in
    Arabic, Persian and Urdu, `、` in Chinese and Japanese; `semicolon` separates items that
    hold commas themselves (participants with their roles, sources): `; `, `؛ `, `；`; `phrase`
    separates the parts of one phrase (city and country; publisher, title and date), which is
    the list comma but in Chinese, whose enumeration comma `、` joins only parallel items and
    whose phrases take the fullwidth comma `，`.
    """

    comma: str = ", "
    semicolon: str = "; "
    phrase: str = ", "


def list_separators(locale: Locale) -> ListSeparators:
    """The `ListSeparators` of a CLDR locale: the punctuation CLDR's list pattern puts between
    two middle items (`{0}, {1}`), without the conjunction some languages write there too
    (Arabic joins every item with و, `{0}، و{1}`); a language whose patterns hold no
    punctuation at all keeps the English comma."""
    import unicodedata

    comma = ", "
    for style in _LIST_STYLES:
        try:
            pattern = str(locale.list_patterns[style]["middle"])
        except (KeyError, TypeError):
            continue
        between = pattern.partition("{0}")[2].partition("{1}")[0]
        if any(unicodedata.category(ch).startswith("P") for ch in between):
            comma = "".join(ch for ch in between if not unicodedata.category(ch).startswith("L"))
            break
    semicolon = "".join(_SEMICOLONS.get(ch, ch) for ch in comma)
    phrase = "\uff0c" if comma == "\u3001" and locale.language == "zh" else comma
    return ListSeparators(comma, semicolon, phrase)


@dataclass(frozen=True)
class Formats:
    """Locale-bound formatters for one document language (all return plain text)."""

    language: Language

    @functools.cached_property
    def _locale(self) -> Locale:
        from babel import Locale

        return Locale.parse(self.language.locale)

    @functools.cached_property
    def _widen(self) -> bool:
        """Whether the language's long date spells the month out (`MMMM`): then ranges do too.
        (Chinese writes 8月 in long dates; its MMMM would be 八月.)"""
        return "MMMM" in self._locale.date_formats["long"].pattern

    # -- dates ---------------------------------------------------------------------------------

    def date(self, value: date | datetime | str | None, style: str = "long") -> str:
        """A date as precise as known: `13 August 2018`, `August 2018` or `2018` (en-GB);
        style `short` abbreviates the month (`13 Aug 2018`). Accepts dates, datetimes and
        ISO strings (YYYY, YYYY-MM, YYYY-MM-DD)."""
        from babel.dates import format_date, format_skeleton

        if value is None or value == "":
            return ""
        if isinstance(value, datetime):
            value = value.date()
        if isinstance(value, str):
            parts = value.strip().split("-")
            try:
                numbers = [int(p) for p in parts]
            except ValueError:
                return value
            if len(numbers) == 1:
                return format_skeleton("y", date(numbers[0], 1, 1), locale=self._locale)
            if len(numbers) == 2:
                month = "yMMM" if style == "short" else "yMMMM"
                return format_skeleton(month, date(numbers[0], numbers[1], 1), locale=self._locale)
            value = date(numbers[0], numbers[1], numbers[2])
        return format_date(value, "medium" if style == "short" else "long", locale=self._locale)

    def date_range(self, start: Day, end: Day | None) -> str:
        """Two days as one range: `13–14 August 2018`, `31 July – 1 August 2018`; a single day
        when `end` is missing or equal."""
        from babel.dates import parse_pattern

        if end is None or end == start:
            return self.date(start)
        if end < start:
            start, end = end, start
        patterns = self._locale.interval_formats.get("yMMMd")
        if not patterns:
            return f"{self.date(start)} – {self.date(end)}"
        field = "y" if start.year != end.year else "M" if start.month != end.month else "d"
        pieces = patterns.get(field) or patterns.get("y")
        text = "".join(
            parse_pattern(self._wide(p)).apply(d, self._locale)
            for p, d in zip(pieces, (start, end), strict=True)
        )
        if field == "d":
            # 13–14 (and 13日–14日): days of one month joined by the dash, closed up.
            return re.sub(rf"[ {_THIN}]*([–—])[ {_THIN}]*", r"\1", text).replace(_THIN, " ")
        return re.sub(rf"[ {_THIN}]*([–—])[ {_THIN}]*", r" \1 ", text).replace(_THIN, " ")

    def _wide(self, pattern: str) -> str:
        if not self._widen:
            return pattern
        return re.sub(r"(?<![ML])(MMM|LLL)(?![ML])", lambda m: m.group(1) + m.group(1)[0], pattern)

    def time_of_day(self, value: Day | datetime) -> str:
        """`10:00 (UTC+03:00)` for a moment (en-US `10:00 AM (UTC+03:00)`); empty for a day.
        The zone is written as a UTC offset, which reads the same in every language."""
        from babel.dates import format_time

        if not isinstance(value, datetime):
            return ""
        text = format_time(value, "short", locale=self._locale)
        offset = value.strftime("%z")
        zone = f"UTC{offset[:3]}:{offset[3:]}" if offset else ""
        return text + (f" ({zone})" if zone else "")

    def date_and_time(self, day: str, clock: str) -> str:
        """A formatted date and a formatted time joined as the language joins them (CLDR's
        date-time pattern): '13 August 2018, 10:00', '13 Ağustos 2018 10:00', Arabic with '،'."""
        pattern = str(self._locale.datetime_formats.get("medium", "{1}, {0}"))
        return pattern.replace("{1}", day).replace("{0}", clock).replace("'", "")

    # -- lists ---------------------------------------------------------------------------------

    @functools.cached_property
    def separators(self) -> ListSeparators:
        """The separators between list items in this language (`list_separators`)."""
        return list_separators(self._locale)

    # -- numbers -------------------------------------------------------------------------------

    def number(self, value: float | int) -> str:
        """A number with the language's digits and separators (`2,5` in French)."""
        from babel.numbers import format_decimal

        return format_decimal(value, locale=self._locale)

    def percent_span(self, span: str) -> str:
        """A probability range as the lexicons write it (`55–80%`, `≤5%`, `≥95%`) in this
        language: `55–80 %` (French), `%55–80` (Turkish); anything else unchanged."""
        from babel.numbers import format_percent

        match = _SPAN.match(span)
        if not match:
            return span
        low, high, rel = match.group("low"), match.group("high"), match.group("rel") or ""
        sample = format_percent(float(high or low) / 100, locale=self._locale)
        digits = re.search(r"[\d٠-٩۰-۹]+(?:[.,٫][\d٠-٩۰-۹]+)?", sample)
        if digits is None:
            return span
        inner = self.number(float(low) if "." in low else int(low))
        if high:
            inner += "–" + self.number(float(high) if "." in high else int(high))
        text = sample[: digits.start()] + inner + sample[digits.end() :]
        return f"{rel}{text}" if rel else text


@functools.cache
def formats_for(language: Language) -> Formats:
    return Formats(language)


def spoken_separators() -> ListSeparators:
    """The `ListSeparators` of the language being written (`briefgen.languages.speaking`), for
    layout code that joins items (the heat map's risk numbers, alternative texts)."""
    return formats_for(speaking_language()).separators
