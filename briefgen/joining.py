"""Arabic joining: which form of each letter a shaper draws, so that Arabic text is measured as
wide as it is set, not by its isolated letters (an isolated beh is three times the width of a
medial one in Noto Sans Arabic).

Arabic letters join their neighbours: a letter takes its initial, medial, final or isolated form
by whether the letters before and after it join it (The Unicode Standard, §9.2 Arabic, "Cursive
Joining"; joining types D dual, R right, C join-causing, T transparent, U non-joining). The forms
are the Arabic Presentation Forms (U+FB50–U+FDFF, U+FE70–U+FEFF), whose advances are those of the
glyphs the font's own shaping rules pick; lam followed by alef is drawn as one ligature. The
joining type of a letter is read from which presentation forms it has in the Unicode database
(`unicodedata`): one with an initial or medial form joins on both sides, one with only a final
form joins the letter before it (alef, dal, reh, waw), one with neither joins nothing (hamza).
"""

from __future__ import annotations

import functools
import re
import unicodedata

_FORMS = ("ISOLATED", "FINAL", "INITIAL", "MEDIAL")
_TATWEEL = "\u0640"
_ZWJ, _ZWNJ = "\u200d", "\u200c"
_LAM = "\u0644"
# Alef and its variants after lam, with the name of their ligature with lam.
_LAM_ALEF = {
    "\u0627": "ARABIC LIGATURE LAM WITH ALEF",
    "\u0622": "ARABIC LIGATURE LAM WITH ALEF WITH MADDA ABOVE",
    "\u0623": "ARABIC LIGATURE LAM WITH ALEF WITH HAMZA ABOVE",
    "\u0625": "ARABIC LIGATURE LAM WITH ALEF WITH HAMZA BELOW",
}
# Letters of the Arabic blocks that may have contextual forms.
_ARABIC_LETTERS = re.compile("[\u0620-\u06ff\u0750-\u077f\u08a0-\u08ff]")


@functools.cache
def _forms(ch: str) -> tuple[str | None, str | None, str | None, str | None] | None:
    """The isolated, final, initial and medial presentation forms of an Arabic letter; None for
    a character that has none."""
    name = unicodedata.name(ch, "")
    if not name.startswith("ARABIC LETTER "):
        return None
    found: list[str | None] = []
    for form in _FORMS:
        try:
            found.append(unicodedata.lookup(f"{name} {form} FORM"))
        except KeyError:
            found.append(None)
    return (found[0], found[1], found[2], found[3]) if any(found) else None


def _joining_type(ch: str) -> str:
    """The Unicode joining type of `ch` (D, R, C, T or U), as far as the presentation forms tell."""
    if ch in (_TATWEEL, _ZWJ):
        return "C"
    if ch != _ZWNJ and unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return "T"
    forms = _forms(ch)
    if forms is None:
        return "U"
    if forms[2] or forms[3]:
        return "D"
    return "R" if forms[1] else "U"


@functools.cache
def _ligature(alef: str, final: bool) -> str | None:
    try:
        return unicodedata.lookup(f"{_LAM_ALEF[alef]} {'FINAL' if final else 'ISOLATED'} FORM")
    except KeyError:
        return None


def shape(text: str) -> str:
    """`text` with each Arabic letter replaced by the presentation form a shaper draws for it
    (lam and alef by their ligature), for measuring; text without Arabic letters is returned
    as it is. Marks stay where they are; the result is only to be measured, never shown."""
    if not _ARABIC_LETTERS.search(text):
        return text
    types = [_joining_type(ch) for ch in text]
    n = len(text)

    def neighbour(i: int, step: int) -> int | None:
        j = i + step
        while 0 <= j < n and types[j] == "T":
            j += step
        return j if 0 <= j < n else None

    out: list[str] = []
    skip: int | None = None
    for i, ch in enumerate(text):
        if i == skip:
            continue  # the alef of a lam-alef ligature
        kind = types[i]
        if kind not in ("D", "R"):
            forms = _forms(ch) if kind == "U" else None  # hamza: its isolated form
            out.append(forms[0] or ch if forms is not None else ch)
            continue
        before, after = neighbour(i, -1), neighbour(i, 1)
        joins_before = before is not None and types[before] in ("D", "C")
        if ch == _LAM and after is not None and text[after] in _LAM_ALEF:
            ligature = _ligature(text[after], joins_before)
            if ligature is not None:
                out.append(ligature)
                skip = after
                continue
        joins_after = kind == "D" and after is not None and types[after] in ("D", "R", "C")
        form = 3 if joins_before and joins_after else 1 if joins_before else 2 if joins_after else 0
        forms = _forms(ch)
        chosen = forms[form] if forms is not None else None
        out.append(chosen or ch)
    return "".join(out)
