"""How problems are shown: to people (the YAML line with a caret), to editors and CI (JSON,
GitHub annotations).

The first line of every problem is always exactly `Problem.format()`,
`file:line:col: path: message`, so that editors and scripts that match on it keep working; the
source excerpt and the hint follow, indented. Colour only when writing to a terminal and
NO_COLOR is not set.
"""

from __future__ import annotations

import json
import os
import re
import sys
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from briefgen.errors import BriefgenError, Problem
from briefgen.linebreaks import breaks_for, split_lines

FORMATS = ("text", "json", "github")
MAX_EXCERPT_BYTES = 10 * 1024 * 1024  # never read more than the loader would
_TEMPLATE_WHERE = re.compile(r"^(?P<file>[^\n:]+\.j2):(?P<line>\d+): (?P<message>.*)$", re.DOTALL)

_TOKEN = re.compile(r"[^\s,\[\]{}:#]+")  # the word the caret points at, underlined with ~
_RED, _YELLOW, _CYAN, _BOLD, _DIM, _RESET = (
    "\033[31m", "\033[33m", "\033[36m", "\033[1m", "\033[2m", "\033[0m",
)


def use_colour(stream: TextIO) -> bool:
    """Colour only on a terminal, never when NO_COLOR is set (https://no-color.org) or TERM=dumb."""
    if os.environ.get("NO_COLOR", "") != "":
        return False
    if os.environ.get("TERM") == "dumb":
        return False
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
        path = Path(file)
        try:
            if not path.is_file() or path.stat().st_size > MAX_EXCERPT_BYTES:
                return None
            text = path.read_bytes().decode("utf-8-sig", errors="replace")
        except OSError:
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
# the caret below still lines up.
_VISIBLE = {code: 0x2400 + code for code in range(0x20) if code != 0x09}
_VISIBLE.update({0x7F: 0x2421, **{code: 0xFFFD for code in range(0x80, 0xA0)}})


def excerpt(line_text: str, line: int, col: int) -> list[str]:
    """The source line, numbered, and a caret under column `col` (1-based, in characters)."""
    line_text = line_text.rstrip("\r\n").translate(_VISIBLE)
    shown = line_text.expandtabs(4)
    before = line_text[: max(col - 1, 0)].expandtabs(4)
    gutter = f"{line:>5} | "
    lines = [f"{gutter}{shown}"]
    if col > 0:
        token = _TOKEN.match(line_text, max(col - 1, 0))
        tail = "~" * max(_width(token.group(0)) - 1, 0) if token else ""
        lines.append(" " * (len(gutter) - 2) + "| " + " " * _width(before) + "^" + tail)
    return lines


def format_problem(problem: Problem, *, colour: bool = False, sources: SourceLines | None = None) -> str:
    """A problem for people: the `file:line:col: path: message` line, then the offending YAML
    line with a caret under the column, then the hint."""
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
    """The located problems of an error; an error with only a message becomes one problem
    (its template file and line recovered from a `name.j2:12: …` message)."""
    if exc.problems:
        return list(exc.problems)
    message = str(exc)
    match = _TEMPLATE_WHERE.match(message)
    if match:
        return [Problem(match["message"], file=match["file"], line=int(match["line"]))]
    return [Problem(message, file=file)]


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
