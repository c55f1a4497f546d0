"""The languages of the documents: what a language tag means for wording, direction and fonts.

`language_of("zh-CN")` resolves a BCP 47 tag (`output.language`) through Babel's CLDR data into
a `Language`: its CLDR locale (`zh_Hans_CN`), script, writing direction, the message catalog that
supplies the fixed words ("Summary", "Points to make"), the fonts that draw its script, and the
three language tags Word keeps apart (Latin text, East Asian text, complex-script text).

`Messages` is the gettext side: the catalog of one language as the templates and writers use it,
falling back to English with a warning naming each message the catalog lacks. Catalogs live in
`briefgen/locale/<catalog>/LC_MESSAGES/briefgen.po` (compiled `.mo` beside them) and are managed
with Babel (`make catalogs`); docs/languages.md says how to add one.
"""

from __future__ import annotations

import contextlib
import functools
import gettext
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Literal

from briefgen.errors import Problem
from briefgen.resources import locale_resource

DOMAIN = "briefgen"
SOURCE_CATALOG = "en_GB"  # the msgids are British English, as the templates were written
# The catalogs briefgen ships (folder names under briefgen/locale); a test keeps them complete.
SHIPPED_CATALOGS = ("en_GB", "en_US", "fr", "de", "tr", "ru", "ar", "zh_Hans")

# Fonts that draw each script, from the Noto families (Debian fonts-noto-core, fonts-noto-cjk):
# free, complete, and what the slide planner measures with (`briefgen.metrics`). A reference
# document's own fonts still decide the Latin text.
SCRIPT_FONTS: dict[str, str] = {
    "Arab": "Noto Sans Arabic",
    "Hebr": "Noto Sans Hebrew",
    "Hans": "Noto Sans CJK SC",
    "Hant": "Noto Sans CJK TC",
    "Jpan": "Noto Sans CJK JP",
    "Kore": "Noto Sans CJK KR",
}
EAST_ASIAN_SCRIPTS = frozenset({"Hans", "Hant", "Jpan", "Kore"})
# Word's default tag for complex-script text when the document's own language is not one
# (Word writes w:bidi="ar-SA" in documents made on a Latin-script system).
DEFAULT_BIDI_TAG = "ar-SA"


@dataclass(frozen=True, slots=True)
class Language:
    """One document language, resolved from its BCP 47 tag through CLDR.

    `tag` is the tag as written in the facts; `locale` the CLDR identifier Babel formats with;
    `script` an ISO 15924 code (Latn, Cyrl, Arab, Hebr, Hans, …); `catalog` the message catalog
    used (None: no catalog for this language, fixed words fall back to English).
    """

    tag: str
    locale: str
    language: str
    script: str
    territory: str
    rtl: bool
    catalog: str | None

    @property
    def direction(self) -> Literal["ltr", "rtl"]:
        return "rtl" if self.rtl else "ltr"

    @property
    def east_asian(self) -> bool:
        return self.script in EAST_ASIAN_SCRIPTS

    @property
    def script_font(self) -> str | None:
        """The font for this language's own script when the reference's Latin font lacks it."""
        return SCRIPT_FONTS.get(self.script)

    def word_tags(self) -> tuple[str, str | None, str | None]:
        """The (w:val, w:eastAsia, w:bidi) tags of Word's w:lang for this document language.

        Word keeps three: the language of Latin (and Cyrillic, Greek) text, of East Asian text
        and of complex-script (right-to-left) text. A Chinese document is tagged
        `w:val="en-US" w:eastAsia="zh-CN"` (its Latin runs are foreign words), an Arabic one
        `w:val="en-US" w:bidi="ar-SA"`. None: keep what the reference says.
        """
        full = self.full_tag()
        if self.east_asian:
            return "en-US", full, None
        if self.rtl:
            return "en-US", None, full
        return self.tag, None, None

    def full_tag(self) -> str:
        """The tag with its territory, as Word writes it: `ar` → `ar-SA`, `zh-Hans` → `zh-CN`,
        `he` → `he-IL`; a tag that already names its territory is kept."""
        if "-" in self.tag and len(self.tag.split("-")[-1]) == 2:
            return self.tag
        territory = _WORD_TERRITORIES.get(self.language, self.territory)
        return f"{self.language}-{territory}" if territory else self.language


# Word's (and Windows') default territory per language where CLDR's likely one differs:
# CLDR says ar → ar_Arab_EG, Word's Arabic default is Saudi Arabia.
_WORD_TERRITORIES = {"ar": "SA"}


@functools.cache
def language_of(tag: str) -> Language:
    """The `Language` for a BCP 47 tag; unknown tags resolve as far as CLDR knows them
    (an unknown language: English formats, no catalog)."""
    from babel import Locale, UnknownLocaleError
    from babel.core import get_global

    try:
        locale = Locale.parse(tag.replace("_", "-"), sep="-")
    except (ValueError, UnknownLocaleError):
        locale = Locale.parse("en_GB")
    likely = get_global("likely_subtags")
    parts = str(locale).split("_")
    full = likely.get(str(locale)) or likely.get(parts[0]) or str(locale)
    full_parts = full.split("_")
    script = locale.script or (full_parts[1] if len(full_parts) > 1 and len(full_parts[1]) == 4 else "")
    territory = locale.territory or (full_parts[-1] if len(full_parts[-1]) in (2, 3) else "")
    if locale.language == "zh" and not script:
        script = "Hant" if territory in ("TW", "HK", "MO") else "Hans"
    return Language(
        tag=tag,
        locale=str(locale),
        language=locale.language,
        script=script or "Latn",
        territory=territory or "",
        rtl=locale.text_direction == "rtl",
        catalog=_catalog_for(locale.language, script, locale.territory),
    )


def _catalog_for(language: str, script: str | None, territory: str | None) -> str | None:
    candidates = []
    if script and territory:
        candidates.append(f"{language}_{script}_{territory}")
    if territory:
        candidates.append(f"{language}_{territory}")
    if script:
        candidates.append(f"{language}_{script}")
    candidates.append(language)
    available = available_catalogs()
    for name in candidates:
        if name in available:
            return name
    if language == "en":
        return SOURCE_CATALOG  # en-AU, en-IE, … read the source (British) wording
    return None


@functools.cache
def available_catalogs() -> frozenset[str]:
    """Catalog folders present under briefgen/locale that hold a compiled catalog."""
    root = locale_resource()
    found = set()
    try:
        for entry in root.iterdir():
            if (entry / "LC_MESSAGES" / f"{DOMAIN}.mo").is_file():
                found.add(entry.name)
    except (FileNotFoundError, NotADirectoryError):
        pass
    return frozenset(found)


@functools.cache
def _translations(catalog: str) -> gettext.NullTranslations:
    with locale_resource(catalog, "LC_MESSAGES", f"{DOMAIN}.mo").open("rb") as fp:
        return gettext.GNUTranslations(fp)


@dataclass
class Messages:
    """The fixed words of one language: gettext over its catalog, English where it has none.

    Every message the catalog lacks is printed in English (the msgid) and remembered in
    `missing`; `problems()` turns them into warnings naming each message.
    """

    language: Language
    missing: dict[str, None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        catalog = self.language.catalog
        # GNUTranslations keeps its messages and plural rule as instance attributes that
        # typeshed does not declare.
        state = vars(_translations(catalog)) if catalog else {}
        self._catalog: dict[object, str] = state.get("_catalog", {})
        self._plural: Callable[[int], int] = state.get("plural", lambda n: int(n != 1))

    def gettext(self, message: str, /, **variables: object) -> str:
        """The translation of `message`; with keyword arguments, %-formatted with them."""
        text = self._lookup(message, message)
        return text % variables if variables else text

    def pgettext(self, context: str, message: str, /, **variables: object) -> str:
        """The translation of `message` in `context` (the same English word in two roles)."""
        text = self._lookup(f"{context}\x04{message}", message)
        return text % variables if variables else text

    def ngettext(self, singular: str, plural: str, n: int, /, **variables: object) -> str:
        """Singular or plural form for `n` by the language's plural rule; `%(num)s` is `n`."""
        variables.setdefault("num", n)
        key = (singular, self._plural(n))
        text = self._catalog.get(key)
        if not text:
            self.missing.setdefault(singular, None)
            text = singular if n == 1 else plural
        return text % variables

    def npgettext(self, context: str, singular: str, plural: str, n: int, /, **variables: object) -> str:
        variables.setdefault("num", n)
        text = self._catalog.get((f"{context}\x04{singular}", self._plural(n)))
        if not text:
            self.missing.setdefault(singular, None)
            text = singular if n == 1 else plural
        return text % variables

    def _lookup(self, key: str, message: str) -> str:
        text = self._catalog.get(key)
        if text:
            return text
        if self.language.catalog is not None:
            self.missing.setdefault(message, None)
        return message

    def problems(self, where: str = "", *, catalog_missing: bool = True) -> list[Problem]:
        """Warnings: the catalog is missing (one; `catalog_missing=False` leaves it to the
        templates, which report it already), or each message it lacks (one per message)."""
        name = self.language.tag
        if self.language.catalog is None:
            if not catalog_missing:
                return []
            return [
                Problem(
                    f"no message catalog for language {name!r}: fixed words (headings, labels) are "
                    f"printed in English; dates and numbers follow {name}. Catalogs: "
                    + ", ".join(c.replace("_", "-") for c in SHIPPED_CATALOGS)
                    + " (docs/languages.md says how to add one)",
                    file=where,
                    path="output.language",
                    severity="warning",
                )
            ]
        return [
            Problem(
                f"the {self.language.catalog} catalog has no translation for {message!r}; printed in English",
                file=where,
                severity="warning",
            )
            for message in self.missing
        ]


def messages_for(tag: str) -> Messages:
    """A fresh `Messages` (its own record of missing messages) for a language tag."""
    return Messages(language_of(tag))


# The catalog in use while a writer or the slide planner lays out one document: set once with
# `speaking(...)` where the document's language is known, read by `tr` deep inside layout code
# that has no reason to carry the language through every call (legends, alt texts, notes).
_SPEAKING: ContextVar[Messages | None] = ContextVar("briefgen_messages", default=None)


@contextlib.contextmanager
def speaking(messages: Messages) -> Iterator[Messages]:
    """Within this block `tr` and `ptr` translate with `messages`."""
    token = _SPEAKING.set(messages)
    try:
        yield messages
    finally:
        _SPEAKING.reset(token)


def tr(message: str, /, **variables: object) -> str:
    """`message` in the language being written (`speaking`), English outside one."""
    messages = _SPEAKING.get()
    if messages is None:
        return message % variables if variables else message
    return messages.gettext(message, **variables)


def speaking_language() -> Language:
    """The language being written (`speaking`); English (en-GB) outside one."""
    messages = _SPEAKING.get()
    return messages.language if messages is not None else language_of("en-GB")


def ntr(singular: str, plural: str, n: int, /, **variables: object) -> str:
    """`tr` with a plural form for `n` (ngettext); `%(num)s` is `n`."""
    messages = _SPEAKING.get()
    if messages is None:
        variables.setdefault("num", n)
        return (singular if n == 1 else plural) % variables
    return messages.ngettext(singular, plural, n, **variables)


def ptr(context: str, message: str, /, **variables: object) -> str:
    """`tr` with a message context (pgettext)."""
    messages = _SPEAKING.get()
    if messages is None:
        return message % variables if variables else message
    return messages.pgettext(context, message, **variables)


# ---------------------------------------------------------------------------------------------
# Scripts of text


_RTL_BIDI = frozenset({"R", "AL"})


def has_rtl(text: str) -> bool:
    """True when `text` holds any strong right-to-left character."""
    if text.isascii():
        return False
    # Each distinct character once; no right-to-left script starts below U+0590.
    return any(unicodedata.bidirectional(ch) in _RTL_BIDI for ch in set(text) if ch >= "\u0590")


def first_strong_rtl(text: str) -> bool | None:
    """The direction of `text` by its first strong character (Unicode bidi rule P2): True for
    right-to-left, False for left-to-right, None when it has no strong character."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in _RTL_BIDI:
            return True
        if kind == "L":
            return False
    return None


def direction_classes(text: str, base: str) -> list[str]:
    """'R' or 'L' per character: strong characters their own direction, neutrals and numbers
    that of their strong neighbours when both agree, else the paragraph's (rules N1, N2)."""
    if base == "L" and not has_rtl(text):
        # Nothing strong is right to left, so every neutral falls back to left to right: the
        # common case, and a memo or deck has tens of thousands of runs.
        return ["L"] * len(text)
    strong: list[str | None] = []
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        strong.append("R" if kind in ("R", "AL") else "L" if kind == "L" else None)
    out: list[str] = []
    n = len(text)
    i = 0
    while i < n:
        own = strong[i]
        if own is not None:
            out.append(own)
            i += 1
            continue
        j = i
        while j < n and strong[j] is None:
            j += 1
        before = out[-1] if out else None
        after = strong[j] if j < n else None
        fill = before if before is not None and before == after else base
        if before is None and after is not None and after == base:
            fill = base
        out.extend(fill for _ in range(j - i))
        i = j
    return out


def script_of_char(ch: str) -> str | None:
    """A coarse ISO 15924 script of one letter (None for digits, punctuation, spaces): enough to
    choose a font and to compare a text's script with its document language."""
    cp = ord(ch)
    if cp < 0x0250 or 0x1E00 <= cp < 0x1F00:
        return "Latn" if ch.isalpha() else None
    if 0x0370 <= cp < 0x0400 or 0x1F00 <= cp < 0x2000:
        return "Grek"
    if 0x0400 <= cp < 0x0530:
        return "Cyrl"
    if 0x0590 <= cp < 0x0600 or 0xFB1D <= cp < 0xFB50:
        return "Hebr"
    if 0x0600 <= cp < 0x0700 or 0x0750 <= cp < 0x0780 or 0x08A0 <= cp < 0x0900:
        return "Arab"
    if 0xFB50 <= cp < 0xFE00 or 0xFE70 <= cp < 0xFF00:
        return "Arab"  # presentation forms
    if 0x3040 <= cp < 0x3100:
        return "Jpan"  # hiragana, katakana
    if 0xAC00 <= cp < 0xD7B0 or 0x1100 <= cp < 0x1200:
        return "Kore"
    if 0x4E00 <= cp < 0xA000 or 0x3400 <= cp < 0x4DC0 or 0x20000 <= cp < 0x32000 or 0xF900 <= cp < 0xFB00:
        return "Hani"
    return None


@functools.lru_cache(maxsize=8192)
def scripts_in(text: str) -> frozenset[str]:
    """The scripts (`script_of_char`) of the letters in `text`: empty when it has none.

    Cached, as writers ask it of every run and runs repeat (labels, banners, source lines)."""
    if text.isascii():  # the common case: one pass in C instead of a call per character
        return _LATIN if any(map(str.isalpha, text)) else _NONE
    return frozenset(script for script in map(script_of_char, set(text)) if script)


_LATIN = frozenset({"Latn"})
_NONE: frozenset[str] = frozenset()


def script_counts(texts: Iterable[str]) -> dict[str, int]:
    """How many letters of `texts` are written in each script, in order of first appearance.
    Han characters count as Chinese (`Hani`), except in a text that also has kana (`Jpan`)."""
    counts: dict[str, int] = {}
    for text in texts:
        mine: dict[str, int] = {}
        if text.isascii():  # the common case, counted in C: ASCII letters are all Latin
            letters = sum(map(str.isalpha, text))
            if letters:
                counts["Latn"] = counts.get("Latn", 0) + letters
            continue
        for ch, n in Counter(text).items():
            script = script_of_char(ch)
            if script:
                mine[script] = mine.get(script, 0) + n
        if "Jpan" in mine:  # Han inside a text with kana is Japanese
            mine["Jpan"] += mine.pop("Hani", 0)
        for script, n in mine.items():
            counts[script] = counts.get(script, 0) + n
    return counts


def script_matches(language: Language, script: str) -> bool:
    """Whether text in `script` fits a document in `language` (Han fits Chinese and Japanese)."""
    if script == "Hani":
        return language.script in ("Hans", "Hant", "Jpan")
    if script == "Jpan":
        return language.script == "Jpan"
    return language.script == script
