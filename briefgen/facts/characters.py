"""Characters a fact file's text may not hold as written.

Control characters (pasted from Word or e-mail) are replaced by spaces, each with a located
warning, so nothing downstream sees a character XML cannot hold; UTF-16 surrogate escapes (as
JSON tools write characters beyond U+FFFF) are joined into one character, a lone one refused
with its position.
"""

from __future__ import annotations

import itertools
import re

import yaml

from briefgen.errors import Problem
from briefgen.facts.positions import Loc, Positions, format_loc
from briefgen.linebreaks import YAML_BREAKS, LineIndex

# Characters XML 1.0 cannot hold (C0 controls but tab/newline/return, surrogates, U+FFFE/U+FFFF)
# plus DEL and the C1 controls, which XML allows but Word and PowerPoint show as boxes or drop.
# Text pasted from Word brings U+000B (manual line break) and U+000C (page break).
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# The same, as found raw in the file: NEL (U+0085) is left to the YAML reader, for which it is a
# line break (so it never reaches a value); replacing it would move every later line up by one.
CONTROL_RAW = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")
# A \u escape of a UTF-16 surrogate, as JSON tools write characters beyond U+FFFF
# ("\ud83d\ude00" for U+1F600). libyaml refuses these and PyYAML's reader returns them as lone
# surrogates; briefgen joins a pair and refuses a lone one, whichever is installed.
SURROGATE_ESCAPE = re.compile(
    r"(?<!\\)(?:\\\\)*(?P<esc>\\(?:u|U0000)(?P<hex>[dD][89a-fA-F][0-9a-fA-F]{2}))"
)

_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_PAIR = re.compile("([\ud800-\udbff])([\udc00-\udfff])")
_LONE_SURROGATE = re.compile("[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]")


def _join_pair(match: re.Match[str]) -> str:
    high, low = (ord(c) for c in match.groups())
    return chr(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))


class Scalars:
    """Turns a scalar node's value into the text a fact holds: UTF-16 surrogate escapes joined
    into one character, a lone one refused with its position (collected in `errors`)."""

    def __init__(self, text: str, name: str) -> None:
        self.text = text
        self.name = name
        self.errors: list[Problem] = []
        self._index: LineIndex | None = None

    def value(self, node: yaml.ScalarNode, loc: Loc) -> str:
        value: str = node.value
        if not _SURROGATE.search(value):
            return value
        if _LONE_SURROGATE.search(value):
            self._refuse(node, loc)
            return _LONE_SURROGATE.sub("\ufffd", value)
        return _SURROGATE_PAIR.sub(_join_pair, value)

    def _refuse(self, node: yaml.ScalarNode, loc: Loc) -> None:
        """One located error per lone surrogate escape in the node's source text."""
        start, end = node.start_mark.index, node.end_mark.index
        escapes = list(SURROGATE_ESCAPE.finditer(self.text, start, end))
        index = self._index = self._index or LineIndex(self.text, YAML_BREAKS)
        paired: set[re.Match[str]] = set()
        for first, second in itertools.pairwise(escapes):
            high, low = int(first["hex"], 16), int(second["hex"], 16)
            if first.end() == second.start("esc") and high < 0xDC00 <= low and first not in paired:
                paired.update((first, second))
        for match in escapes:
            if match in paired:
                continue
            code = int(match["hex"], 16)
            half = "high (first)" if code < 0xDC00 else "low (second)"
            line, col = index.position(match.start("esc"))
            self.errors.append(
                Problem(
                    f"{match['esc']} is half of a UTF-16 surrogate pair ({half} half) without its "
                    "other half: it stands for no character",
                    file=self.name,
                    line=line,
                    col=col,
                    path=format_loc(loc),
                    hint="write the character itself, or its code point as \\U0001F600 "
                    "(eight hex digits); JSON-style pairs such as \\ud83d\\ude00 are joined",
                )
            )
        if not escapes:  # cannot happen (a raw surrogate cannot be decoded from UTF-8)
            line, col = node.start_mark.line + 1, node.start_mark.column + 1
            problem = Problem("holds a lone UTF-16 surrogate", file=self.name, line=line, col=col)
            self.errors.append(problem)


def clean_raw(text: str, cleaned: list[tuple[int, int, str]]) -> str:
    """Replace control characters in the raw text by spaces, noting (line, col, char) by the
    YAML reader's lines; one character for one, so every later position stays where it was."""
    index = LineIndex(text, YAML_BREAKS)
    for match in CONTROL_RAW.finditer(text):
        cleaned.append((*index.position(match.start()), match.group()))
    return CONTROL_RAW.sub(" ", text)


def raw_warnings(cleaned: list[tuple[int, int, str]], pos: Positions, name: str) -> list[Problem]:
    """Warnings for cleaned raw characters, each given the path of the value it sits in."""
    starts = sorted((where, loc) for loc, where in pos.values.items())
    found = []
    for line, col, char in cleaned:
        path: Loc = ()
        for where, loc in starts:
            if where > (line, col):
                break
            path = loc
        found.append(control_warning(char, name, line, col, path))
    return found


def control_warning(char: str, name: str, line: int, col: int, loc: Loc) -> Problem:
    what = _CONTROL_NAMES.get(char, "control character")
    return Problem(
        f"removed {what} U+{ord(char):04X} (replaced by a space)",
        file=name,
        line=line,
        col=col,
        path=format_loc(loc),
        severity="warning",
        hint="text pasted from Word or e-mail often carries these; retype the spot if the space is wrong",
    )


_CONTROL_NAMES = {
    "\x00": "null character",
    "\x0b": "vertical tab (a Word line break)",
    "\x0c": "form feed (a Word page break)",
    "\x1b": "escape character",
    "\x7f": "delete character",
    "\x85": "next-line character",
    "\ufffe": "non-character",
    "\uffff": "non-character",
}
