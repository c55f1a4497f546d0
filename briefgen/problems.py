"""How problems are shown: to people (the YAML line with a caret), to editors and CI (JSON,
GitHub annotations).

The first line of every problem is always exactly `Problem.format()`,
`file:line:col: path: message`, so that editors and scripts that match on it keep working; the
source excerpt and the hint follow, indented. Colour only when writing to a terminal, and never
when NO_COLOR is set or TERM=dumb (the command line sets `COLOUR` from them and `--color`).
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from briefgen.errors import BriefgenError, Problem
from briefgen.linebreaks import breaks_for, split_lines

FORMATS = ("text", "json", "github")
MAX_EXCERPT_BYTES = 10 * 1024 * 1024  # never read more than the loader would
# An excerpt shows at most this many columns of its line, a window around the caret: an
# unknown key on a 9 MB line must not print 9 MB.
EXCERPT_WIDTH = 100
# Any one echoed text (a message, a file name, a hint) is cut to this many characters.
MAX_ECHO_CHARS = 2000
# Characters that must never reach a terminal raw: C0 and C1 controls (escape sequences can
# retitle the window or rewrite earlier lines, a newline can forge an error line), line and
# paragraph separators, and the bidirectional overrides and isolates ("Trojan Source").
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}

_TOKEN = re.compile(r"[^\s,\[\]{}:#]+")  # the word the caret points at, underlined with ~
_RED, _YELLOW, _CYAN, _BOLD, _DIM, _RESET = (
    "\033[31m", "\033[33m", "\033[36m", "\033[1m", "\033[2m", "\033[0m",
)


def safe_text(text: str, limit: int | None = MAX_ECHO_CHARS) -> str:
    """`text` fit for a terminal or a log: control, separator and bidirectional-override
    characters escaped as `\\n`, `\\x1b`, `\\u202e`, and anything over `limit` characters cut
    in the middle (saying how much was left out)."""
    if limit is not None and len(text) > limit:
        half = limit // 2
        text = f"{text[:half]}…[{len(text) - 2 * half} characters left out]…{text[-half:]}"
    if not _UNSAFE.search(text):
        return text
    return _UNSAFE.sub(_escape_char, text)


def _escape_char(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED_ESCAPES:
        return _NAMED_ESCAPES[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe_lines(text: str) -> str:
    """Several lines of output (an outline, a diff) made safe line by line: the line breaks
    stay, every other unsafe character is escaped, nothing is cut."""
    return "\n".join(safe_text(line, None) for line in text.split("\n"))


def safe_problem(problem: Problem) -> Problem:
    """The problem with every echoed field made safe (`safe_text`)."""
    return replace(
        problem,
        message=safe_text(problem.message),
        file=safe_text(problem.file),
        path=safe_text(problem.path),
        hint=safe_text(problem.hint),
    )


# Colour for this run, set by the command line (briefgen.console) from `--color` and from what the
# terminal allows (NO_COLOR, TERM: briefgen.config.read_terminal): None follows the stream.
COLOUR: bool | None = None
# Text read from standard input (`check -`, `diff - NEW`), by the name problems give it, so that
# excerpts can show its lines.
STDIN_TEXT: dict[str, str] = {}


def use_colour(stream: TextIO) -> bool:
    """Colour as `COLOUR` says, else only on a terminal. The command line sets `COLOUR` once per
    run: False when NO_COLOR is set (https://no-color.org) or TERM=dumb, and `--color
    always|never` overrides both (as the convention asks of command-line flags)."""
    if COLOUR is not None:
        return COLOUR
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (ValueError, OSError):
        return False


class SourceLines:
    """Lines of the files problems point at, read once each (a file that cannot be read gives
    no excerpt, never an error). Lines are cut where the parser that reported the position cuts
    them (`briefgen.linebreaks`): a form feed inside a fact is not a line break to YAML, so it
    must not be one here."""

    def __init__(self) -> None:
        self._files: dict[str, list[str] | None] = {}

    def line(self, file: str, number: int) -> str | None:
        if file not in self._files:
            self._files[file] = self._read(file)
        lines = self._files[file]
        if lines is None or not 0 < number <= len(lines):
            return None
        return lines[number - 1]

    @staticmethod
    def _read(file: str) -> list[str] | None:
        from briefgen.intake import InputRefused, read_bytes

        if file in STDIN_TEXT:
            return split_lines(STDIN_TEXT[file], breaks_for(file))

        try:  # never a pipe or device, never more than the loader would read
            text = read_bytes(Path(file), MAX_EXCERPT_BYTES).decode("utf-8-sig", errors="replace")
        except InputRefused:
            return None
        return split_lines(text, breaks_for(file))


def _width(text: str) -> int:
    """Columns `text` takes in a terminal: wide East Asian characters take two, combining
    marks none."""
    total = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        total += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return total


# Control characters would act on the terminal (a form feed clears a page, a vertical tab moves
# down): each is shown as its one-column Control Pictures symbol (U+2400 block) or U+FFFD, so
# the caret below still lines up. What else is unsafe (bidirectional overrides, line
# separators) is escaped as in every other echoed text (`_visible`).
_VISIBLE = {code: 0x2400 + code for code in range(0x20) if code != 0x09}
_VISIBLE.update({0x7F: 0x2421, **{code: 0xFFFD for code in range(0x80, 0xA0)}})


def excerpt(line_text: str, line: int, col: int, width: int = EXCERPT_WIDTH) -> list[str]:
    """The source line, numbered, and a caret under column `col` (1-based, in characters).

    A line wider than `width` columns is shown as a window around the caret, with `…` where it
    was cut: an unknown key on a 9 MB line prints a line, not 9 MB."""
    raw = line_text.rstrip("\r\n").translate(_VISIBLE)
    text = raw.expandtabs(4)
    # The column counts characters of the raw line; after expanding tabs it moves right.
    start = len(raw[: max(col - 1, 0)].expandtabs(4))
    token = _TOKEN.match(text, start) if col > 0 else None
    lo, hi = _window(text, start, width)
    shown = ("…" if lo else "") + _visible(text[lo:hi]) + ("…" if hi < len(text) else "")
    gutter = f"{line:>5} | "
    lines = [f"{gutter}{shown}"]
    if col > 0:
        before = ("…" if lo else "") + _visible(text[lo:start])
        size = min(_width(_visible(token.group(0))), width) if token else 0
        tail = "~" * max(size - 1, 0)
        lines.append(" " * (len(gutter) - 2) + "| " + " " * _width(before) + "^" + tail)
    return lines


def _window(text: str, at: int, width: int) -> tuple[int, int]:
    """Start and end (character offsets) of at most `width` columns of `text` around `at`,
    the caret about a third of the way in."""
    if len(text) <= width and _width(text) <= width:
        return 0, len(text)
    lo = at
    room = width // 3
    while lo > 0 and _width(text[lo - 1 : at]) <= room:
        lo -= 1
    hi = lo
    while hi < len(text) and _width(text[lo : hi + 1]) <= width:
        hi += 1
    return lo, hi


def _visible(text: str) -> str:
    return _UNSAFE.sub(_escape_char, text) if _UNSAFE.search(text) else text


def format_problem(problem: Problem, *, colour: bool = False, sources: SourceLines | None = None) -> str:
    """A problem for people: the `file:line:col: path: message` line, then the offending YAML
    line with a caret under the column, then the hint."""
    problem = safe_problem(problem)
    head = problem.format()
    out = [head]
    if colour:
        tint = _YELLOW if problem.severity == "warning" else _RED
        out = [f"{_BOLD}{tint}{head}{_RESET}"]
    sources = sources or SourceLines()
    text = sources.line(problem.file, problem.line) if problem.file and problem.line else None
    if text is not None and text.strip():
        shown = excerpt(text, problem.line, problem.col)
        if colour:
            shown = [f"{_DIM}{shown[0]}{_RESET}", *(f"{_CYAN}{s}{_RESET}" for s in shown[1:])]
        out.extend(shown)
    if problem.hint:
        out.append(f"  hint: {problem.hint}")
    return "\n".join(out)


def print_problems(
    problems: Iterable[Problem], stream: TextIO | None = None, *, colour: bool | None = None
) -> None:
    """Write problems for people to `stream` (standard error by default)."""
    stream = stream or sys.stderr
    colour = use_colour(stream) if colour is None else colour
    sources = SourceLines()
    for problem in problems:
        stream.write(format_problem(problem, colour=colour, sources=sources) + "\n")
    stream.flush()


def problems_of(exc: BriefgenError, file: str = "") -> list[Problem]:
    """The located problems of an error (every located error carries them, template problems
    included); an error with only a message becomes one problem of `file`."""
    if exc.problems:
        return list(exc.problems)
    return [Problem(str(exc), file=file)]


def as_dict(problem: Problem) -> dict[str, object]:
    """One problem as a JSON-ready mapping; `text` is the line `briefgen check` prints."""
    return {
        "file": problem.file,
        "line": problem.line,
        "col": problem.col,
        "path": problem.path,
        "severity": problem.severity,
        "message": problem.message,
        "hint": problem.hint,
        "text": problem.format(),
    }


def format_json(problems: Iterable[Problem], **extra: object) -> str:
    """Problems as one JSON document: `{"errors": n, "warnings": n, "problems": [...]}`; lines and
    columns are 1-based, 0 when unknown. `extra` keys (e.g. `files`) are added at the top."""
    items = [as_dict(p) for p in problems]
    errors = sum(1 for p in items if p["severity"] == "error")
    document = {**extra, "errors": errors, "warnings": len(items) - errors, "problems": items}
    return json.dumps(document, ensure_ascii=False, indent=2)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(problems: Iterable[Problem]) -> str:
    """GitHub Actions workflow commands, one per problem:
    `::error file=F,line=L,col=C,title=PATH::message`."""
    lines = []
    for p in problems:
        # Line breaks are the workflow command's own (%0A); every other unsafe character is
        # escaped, so a log viewer never receives an escape sequence.
        p = replace(p, file=safe_text(p.file), path=safe_text(p.path), message=safe_lines(p.message),
                    hint=safe_lines(p.hint))
        level = "warning" if p.severity == "warning" else "error"
        props = []
        if p.file:
            props.append(f"file={_escape_property(p.file)}")
            if p.line:
                props.append(f"line={p.line}")
                if p.col:
                    props.append(f"col={p.col}")
        if p.path:
            props.append(f"title={_escape_property(p.path)}")
        message = p.message + (f" (hint: {p.hint})" if p.hint else "")
        head = f"{level} {','.join(props)}" if props else level
        lines.append(f"::{head}::{_escape_data(message)}")
    return "\n".join(lines) + ("\n" if lines else "")
