"""What a line is, as each parser that reports positions sees it.

A position (line, column) printed with a problem comes from a parser: PyYAML (and libyaml) for
fact files, Jinja2 for templates, markdown-it for the rendered Markdown. The excerpt printed
under the problem must be cut from the file with the same idea of a line, or every line break
the parser does not count (or counts where Python's `str.splitlines` does not) shifts the
excerpt: `str.splitlines` also breaks at U+000B, U+000C and U+001C–U+001E, which YAML keeps as
(control) characters inside a line.

- YAML 1.1 (PyYAML's reader and scanner, libyaml's `IS_BREAK`): CR LF, CR, LF, NEL (U+0085),
  LINE SEPARATOR (U+2028) and PARAGRAPH SEPARATOR (U+2029).
- Jinja2 (its lexer's `newline_re`) and CommonMark (spec §2.1, "line ending"): CR LF, CR, LF.

Columns are counted in characters (code points) after the line's start, 1-based, as both
parsers count them.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from pathlib import PurePath

YAML_BREAKS = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
JINJA_BREAKS = re.compile("\r\n|[\r\n]")
MARKDOWN_BREAKS = JINJA_BREAKS

_TEMPLATE_SUFFIXES = (".j2", ".jinja", ".jinja2", ".md")


def breaks_for(file: str | PurePath) -> re.Pattern[str]:
    """The line-break rule of the parser that reads `file`: templates and Markdown by their
    suffix, everything else (fact files) by YAML's."""
    return JINJA_BREAKS if str(file).endswith(_TEMPLATE_SUFFIXES) else YAML_BREAKS


def split_lines(text: str, breaks: re.Pattern[str] = YAML_BREAKS) -> list[str]:
    """`text` cut into lines at exactly the parser's line breaks (the breaks themselves dropped).

    Unlike `str.splitlines`, a trailing break does not leave an empty last line out and a form
    feed or vertical tab stays inside its line: `split_lines("a\\fb\\n")` is `["a\\fb", ""]`.
    """
    return breaks.split(text)


class LineIndex:
    """Maps character offsets in one text to (line, column), both 1-based, by a parser's rule."""

    __slots__ = ("_starts",)

    def __init__(self, text: str, breaks: re.Pattern[str] = YAML_BREAKS) -> None:
        self._starts = [0, *(match.end() for match in breaks.finditer(text))]

    def position(self, offset: int) -> tuple[int, int]:
        """The (line, column) of the character at `offset`."""
        line = bisect_right(self._starts, offset)
        return line, offset - self._starts[line - 1] + 1

    def offset(self, line: int, col: int = 1) -> int:
        """The character offset of (line, column); the inverse of `position`."""
        return self._starts[max(line, 1) - 1] + max(col, 1) - 1

    @property
    def count(self) -> int:
        """How many lines the text has (a text ending in a break has an empty last line)."""
        return len(self._starts)
