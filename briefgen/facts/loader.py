"""Load fact files: the one place YAML is read.

YAML is composed safely into nodes (so every value keeps its line and column), turned into plain
data with duplicate keys and alias bombs refused, validated into `Briefing` models, then
cross-checked. Every problem in every file is collected and reported together as
`file:line:col: dotted.path: message`.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import BaseModel, ValidationError

from briefgen.errors import InvalidFacts, Problem
from briefgen.facts import checks
from briefgen.facts.checks import format_loc
from briefgen.facts.fields import ID_PATTERN
from briefgen.facts.models import Briefing
from briefgen.intake import FACTS_LIMIT, InputRefused, read_bytes
from briefgen.linebreaks import YAML_BREAKS, LineIndex, split_lines

MAX_FILE_BYTES = FACTS_LIMIT
MAX_ALIAS_EXPANSION = 4  # expanded nodes may be at most this many times the nodes written
# A real briefing has a few thousand values; composing a node costs a few hundred bytes, so this
# caps the loader's memory (a 10 MB file of one-character list items would need over 1 GB).
MAX_NODES = 100_000
# A briefing nests about six levels; libyaml stops at 1000 and PyYAML's composer recurses until
# Python's stack runs out, so the limit is ours and lower than both (the same for either).
MAX_DEPTH = 200
# Characters XML 1.0 cannot hold (C0 controls but tab/newline/return, surrogates, U+FFFE/U+FFFF)
# plus DEL and the C1 controls, which XML allows but Word and PowerPoint show as boxes or drop.
# Text pasted from Word brings U+000B (manual line break) and U+000C (page break).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# The same, as found raw in the file: NEL (U+0085) is left to the YAML reader, for which it is a
# line break (so it never reaches a value); replacing it would move every later line up by one.
_CONTROL_RAW = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")
# A \u escape of a UTF-16 surrogate, as JSON tools write characters beyond U+FFFF
# ("\ud83d\ude00" for U+1F600). libyaml refuses these and PyYAML's reader returns them as lone
# surrogates; briefgen joins a pair and refuses a lone one, whichever is installed.
_SURROGATE_ESCAPE = re.compile(
    r"(?<!\\)(?:\\\\)*(?P<esc>\\(?:u|U0000)(?P<hex>[dD][89a-fA-F][0-9a-fA-F]{2}))"
)
_NULLS = re.compile(r"^(?:~|null|Null|NULL|)$")
_CONTENT_LINE = re.compile(r"^[ \t]*[^\s#]", re.MULTILINE)  # a line that is not blank or a comment
# libyaml's loader is only an accelerator: what the file means, and every error message and
# position, are those of PyYAML's own loader, so that the same file gives the same result with
# or without libyaml installed (the two differ in error positions and in escapes they accept).
_FAST_LOADER = getattr(yaml, "CSafeLoader", None)
_Loader: type = yaml.SafeLoader

Loc = tuple[str | int, ...]


@dataclass
class Positions:
    """Line/column (1-based) of every key and value, by path."""

    values: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Loc, tuple[int, int]] = field(default_factory=dict)

    def of(self, loc: Loc, *, key: bool = False) -> tuple[int, int]:
        """Position of `loc`, or of its nearest enclosing node that has one."""
        table = self.keys if key else self.values
        for end in range(len(loc), -1, -1):
            hit = table.get(loc[:end]) or self.values.get(loc[:end])
            if hit:
                return hit
        return (1, 1)


@dataclass
class LoadedBriefing:
    path: Path
    briefing: Briefing
    warnings: list[Problem]
    # Where each key and value stands in the file, for problems found after loading (a
    # reference document named by output.reference_docx that cannot be used).
    positions: Positions = field(default_factory=Positions)
    name: str = ""  # the file as problems name it (`display`, else the path)


class _Bomb(Exception):
    pass


class _Duplicate(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems


def load_facts(path: Path, *, display: str | None = None, raw: bytes | None = None) -> LoadedBriefing:
    """Read, validate and cross-check one fact file; raise `InvalidFacts` listing every problem.

    `raw`, when given, is the file's content read elsewhere (an earlier version from git for
    `build --since`); `path` then only names it and places relative references."""
    name = display or str(path)
    problems: list[Problem] = []
    data, positions = read_yaml(path, name, warnings=problems, raw=raw)
    briefing: Briefing | None = None
    if not isinstance(data, dict):
        found = "nothing" if data is None else f"a {_kind(data)}"
        raise InvalidFacts(
            problems=[
                Problem(
                    f"a fact file must be a mapping of fields (title:, marking:, agenda:, …); found {found}",
                    file=name,
                    line=1,
                    col=1,
                    hint="start from `briefgen init NAME`",
                ),
                *problems,
            ]
        )
    try:
        briefing = Briefing.model_validate(data)
    except ValidationError as exc:
        problems.extend(_pydantic_problems(exc, positions, name))
    for finding in checks.cross_check(data, briefing):
        line, col = positions.of(finding.loc, key=finding.at_key)
        problems.append(
            Problem(
                finding.message,
                file=name,
                line=line,
                col=col,
                path=format_loc(finding.loc),
                severity=finding.severity,
            )
        )
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity != "error"]
    if errors or briefing is None:
        raise InvalidFacts(problems=sorted(errors, key=_order) + sorted(warnings, key=_order))
    return LoadedBriefing(
        path=path, briefing=briefing, warnings=sorted(warnings, key=_order), positions=positions, name=name
    )


def _order(p: Problem) -> tuple[str, int, int]:
    return (p.file, p.line, p.col)


def _kind(value: object) -> str:
    if isinstance(value, list):
        return "list"
    return "string" if isinstance(value, str) else type(value).__name__


# ---------------------------------------------------------------------------------------------
# YAML → data + positions


def read_yaml(
    path: Path, name: str, *, warnings: list[Problem] | None = None, raw: bytes | None = None
) -> tuple[object, Positions]:
    """Safe-load one YAML document, keeping positions; raise `InvalidFacts` on any YAML problem.

    Control characters (pasted from Word or e-mail) are replaced by spaces with a located
    warning in `warnings`, so nothing downstream ever sees a character XML cannot hold.
    """

    def fail(message: str, line: int = 0, col: int = 0, hint: str = "") -> InvalidFacts:
        return InvalidFacts(problems=[Problem(message, file=name, line=line, col=col, hint=hint)])

    if raw is None:
        raw = _read_capped(path, fail)
    elif len(raw) > MAX_FILE_BYTES:
        raise fail(f"file is over {MAX_FILE_BYTES // 1_048_576} MB; a fact file may be at most that")
    text = _decode(raw, fail)
    if not _CONTENT_LINE.search(text):
        raise fail(
            "file is empty: expected a briefing (title:, marking:, agenda:, …); "
            "`briefgen init NAME` writes a starting point",
            1,
            1,
        )
    # The YAML reader refuses control characters outright (without a position), so they are
    # cleaned here first and located; escaped ones ("\v" in a quoted string) in `_convert`.
    cleaned: list[tuple[int, int, str]] = []
    if _CONTROL_RAW.search(text):
        text = _clean_raw(text, cleaned)
    try:
        node = _compose(text)
    except _TooDeep as deep:
        raise fail(
            f"refused: the YAML nests too deeply (more than {MAX_DEPTH} levels of lists or mappings; "
            "a briefing needs about six)",
            deep.line,
            deep.col,
        ) from None
    except _TooBig as big:
        raise fail(
            f"refused: the file holds more than {MAX_NODES} values (a briefing has a few thousand); "
            "split it into several briefings",
            big.line,
            big.col,
        ) from None
    except yaml.MarkedYAMLError as exc:
        line, col = _yaml_mark(exc)
        raise fail(_yaml_message(exc, text, line), line, col, _yaml_hint(exc)) from None
    except yaml.YAMLError as exc:
        raise fail(f"YAML error: {exc}") from None
    positions = Positions()
    if node is None:
        return None, positions
    limit = MAX_ALIAS_EXPANSION * _count_nodes(node) + 1000
    budget = [limit]
    sink: list[Problem] = []
    scalars = _Scalars(text, name)
    try:
        data = _convert(node, (), positions, budget, scalars, sink)
    except _Bomb:
        raise fail(
            f"refused: aliases expand to more than {limit} values "
            "(an alias bomb, or far too much reuse of anchors)",
            node.start_mark.line + 1,
            node.start_mark.column + 1,
        ) from None
    except _Duplicate as dup:
        raise InvalidFacts(problems=dup.problems) from None
    except RecursionError:
        raise fail("refused: the YAML nests too deeply") from None
    if scalars.errors:
        raise InvalidFacts(problems=scalars.errors)
    if warnings is not None:
        warnings.extend(_raw_warnings(cleaned, positions, name))
        warnings.extend(sink)
    return data, positions


class _TooBig(Exception):
    def __init__(self, line: int, col: int) -> None:
        self.line, self.col = line, col


class _TooDeep(_TooBig):
    pass


def _compose(text: str) -> yaml.Node | None:
    """The document's node tree, by libyaml when installed and the text is one it reads exactly
    as PyYAML does; any error is PyYAML's own (libyaml's positions differ, e.g. at the end of
    an unclosed list). Raises `_TooBig` or `yaml.YAMLError`."""
    if _FAST_LOADER is not None and not _SURROGATE_ESCAPE.search(text):
        try:
            _count_events(text, _FAST_LOADER)
            return yaml.compose(text, Loader=_FAST_LOADER)
        except yaml.YAMLError:
            pass  # read again below, for PyYAML's message and position
    _count_events(text, _Loader)
    return yaml.compose(text, Loader=_Loader)


_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_PAIR = re.compile("([\ud800-\udbff])([\udc00-\udfff])")
_LONE_SURROGATE = re.compile("[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]")


def _join_pair(match: re.Match[str]) -> str:
    high, low = (ord(c) for c in match.groups())
    return chr(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))


class _Scalars:
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
        escapes = list(_SURROGATE_ESCAPE.finditer(self.text, start, end))
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


def _read_capped(path: Path, fail: Callable[..., InvalidFacts]) -> bytes:
    """The file's bytes, vetted as every input is (`briefgen.intake`): a regular file (a pipe or
    device is refused, never read), at most MAX_FILE_BYTES, checked before and while reading."""
    try:
        return read_bytes(path, MAX_FILE_BYTES, "fact file")
    except InputRefused as exc:
        hint = "split it into several briefings" if exc.reason.startswith("file ") else ""
        raise fail(exc.reason, hint=hint) from None


def _decode(raw: bytes, fail: Callable[..., InvalidFacts]) -> str:
    """UTF-8 text (a BOM is allowed); other encodings are named in the error."""
    head = raw[:512]
    # UTF-16 text: a byte-order mark, or ASCII characters alternating with zero bytes.
    utf16 = raw.startswith((b"\xff\xfe", b"\xfe\xff")) or (
        len(head) >= 8 and (not any(head[1::2]) or not any(head[0::2]))
    )
    if not utf16 and b"\x00" in head:
        raise fail(
            "the file holds zero bytes: it is a binary file (a Word document, an image?), "
            "not a YAML text file",
            1,
            1,
        )
    if utf16:
        raise fail(
            "the file is encoded as UTF-16, not UTF-8; save it as UTF-8 "
            "(in Notepad: Save As → Encoding: UTF-8)",
            1,
            1,
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start].decode("utf-8-sig", "replace")  # valid up to the bad byte
        line, col = LineIndex(before, YAML_BREAKS).position(len(before))
        raise fail(
            f"not valid UTF-8: byte 0x{raw[exc.start]:02X} cannot be decoded "
            "(the file looks like Windows-1252 or Latin-1); save it as UTF-8",
            line,
            col,
        ) from None


def _clean_raw(text: str, cleaned: list[tuple[int, int, str]]) -> str:
    """Replace control characters in the raw text by spaces, noting (line, col, char) by the
    YAML reader's lines; one character for one, so every later position stays where it was."""
    index = LineIndex(text, YAML_BREAKS)
    for match in _CONTROL_RAW.finditer(text):
        cleaned.append((*index.position(match.start()), match.group()))
    return _CONTROL_RAW.sub(" ", text)


def _raw_warnings(cleaned: list[tuple[int, int, str]], pos: Positions, name: str) -> list[Problem]:
    """Warnings for cleaned raw characters, each given the path of the value it sits in."""
    starts = sorted((where, loc) for loc, where in pos.values.items())
    found = []
    for line, col, char in cleaned:
        path: Loc = ()
        for where, loc in starts:
            if where > (line, col):
                break
            path = loc
        found.append(_control_warning(char, name, line, col, path))
    return found


def _control_warning(char: str, name: str, line: int, col: int, loc: Loc) -> Problem:
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


def _mark(event: yaml.Event) -> tuple[int, int]:
    """The 1-based line and column where an event starts (1:1 when PyYAML gives none)."""
    mark = event.start_mark
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


def _count_events(text: str, loader: type) -> None:
    """Refuse documents with more than MAX_NODES values before composing them (composing costs
    memory per node; parsing events one by one does not)."""
    count = depth = 0
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                line, col = _mark(event)
                raise _TooDeep(line, col)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        if isinstance(event, yaml.NodeEvent):
            count += 1
            if count > MAX_NODES:
                line, col = _mark(event)
                raise _TooBig(line, col)


def _yaml_mark(exc: yaml.MarkedYAMLError) -> tuple[int, int]:
    """Where to point: an unclosed quote is reported where it opens, not at the end of file."""
    mark = exc.problem_mark or exc.context_mark
    if exc.context_mark and "quoted scalar" in str(exc.context) and "end of stream" in str(exc.problem):
        mark = exc.context_mark
    return (mark.line + 1, mark.column + 1) if mark else (0, 0)


def _yaml_hint(exc: yaml.MarkedYAMLError) -> str:
    problem = str(exc.problem)
    if "undefined alias" in problem:
        return "an *alias must name an &anchor defined earlier in the file"
    if "another document" in problem:
        return "a fact file holds one briefing: remove the '---' line, or split the file"
    if "escape" in problem or "hexdecimal" in problem:
        return (
            'inside "double quotes" a backslash starts an escape: '
            "write \\\\ for a backslash, or use single quotes"
        )
    return ""


def _yaml_message(exc: yaml.MarkedYAMLError, text: str, line: int) -> str:
    problem = exc.problem or "syntax error"
    message = f"YAML syntax error: {problem}"
    if exc.context:
        message += f" ({exc.context})"
    lines = split_lines(text, YAML_BREAKS)
    current = lines[line - 1] if 0 < line <= len(lines) else ""
    if "end of stream" in problem and "quoted scalar" in str(exc.context):
        message += "; a quoted string is not closed (it opens here)"
    elif "\t" in current or "\\t" in problem or "tab" in problem:
        message += "; YAML does not allow tabs for indentation: indent with spaces"
    elif "found unexpected end of stream" in problem or "while scanning a quoted scalar" in str(
        exc.context
    ):
        message += "; a quoted string is not closed"
    elif "flow sequence" in str(exc.context) or "flow mapping" in str(exc.context):
        opening, closing = ("[", "]") if "sequence" in str(exc.context) else ("{", "}")
        message += f"; a '{opening}' opened above is not closed with '{closing}' before this point"
    elif "mapping values are not allowed" in problem:
        message += (
            "; a value contains ': ' — quote the value, or check the indentation of this line"
        )
    elif "escape" in problem or "hexdecimal" in problem:
        pass  # the hint explains backslashes
    elif "expected <block end>" in problem or "did not find expected" in problem:
        message += "; check the indentation of this line against the lines above"
    return message


def _count_nodes(root: yaml.Node) -> int:
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                stack.extend((k, v))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return len(seen)


def _convert(
    node: yaml.Node, loc: Loc, pos: Positions, budget: list[int], scalars: _Scalars, sink: list[Problem]
) -> object:
    """Turn a node into plain data. Scalars stay strings (pydantic converts them), so YAML 1.1
    surprises such as `NO` → False or `1:20` → 80 never happen; unquoted null words become None."""
    budget[0] -= 1
    if budget[0] < 0:
        raise _Bomb
    pos.values[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.ScalarNode):
        if (node.style is None and node.tag == "tag:yaml.org,2002:null") or (
            node.style is None and _NULLS.match(node.value)
        ):
            return None
        value = scalars.value(node, loc)
        name = scalars.name
        if _CONTROL.search(value):
            # Only escapes ("\\v", "\\x0c" in double quotes) get here: raw ones went earlier.
            line, col = node.start_mark.line + 1, node.start_mark.column + 1
            for char in dict.fromkeys(_CONTROL.findall(value)):
                sink.append(_control_warning(char, name, line, col, loc))
            value = _CONTROL.sub(" ", value)
        return value
    if isinstance(node, yaml.SequenceNode):
        return [
            _convert(item, (*loc, i), pos, budget, scalars, sink) for i, item in enumerate(node.value)
        ]
    name = scalars.name
    result: dict[str, object] = {}
    duplicates: list[Problem] = []
    assert isinstance(node, yaml.MappingNode)  # scalars and sequences returned above
    for key_node, value_node in _merged(node):
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        if key is None:
            duplicates.append(
                Problem(
                    "a key must be a plain word, not a list or mapping",
                    file=name,
                    line=key_node.start_mark.line + 1,
                    col=key_node.start_mark.column + 1,
                    path=format_loc(loc),
                )
            )
            continue
        if key in result:
            first = pos.keys[(*loc, key)]
            duplicates.append(
                Problem(
                    f"duplicate key {key!r} (first given at line {first[0]}); "
                    "YAML would silently keep only the last one",
                    file=name,
                    line=key_node.start_mark.line + 1,
                    col=key_node.start_mark.column + 1,
                    path=format_loc((*loc, key)),
                )
            )
            continue
        pos.keys[(*loc, key)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        result[key] = _convert(value_node, (*loc, key), pos, budget, scalars, sink)
    if duplicates:
        raise _Duplicate(duplicates)
    return result


def _merged(node: yaml.MappingNode) -> list[tuple[yaml.Node, yaml.Node]]:
    """Mapping pairs with YAML merge keys (`<<: *anchor`) expanded, explicit keys winning."""
    pairs: list[tuple[yaml.Node, yaml.Node]] = []
    merged: list[tuple[yaml.Node, yaml.Node]] = []
    for key_node, value_node in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
            for src in sources:
                if isinstance(src, yaml.MappingNode):
                    merged.extend(_merged(src))
        else:
            pairs.append((key_node, value_node))
    explicit = {k.value for k, _ in pairs if isinstance(k, yaml.ScalarNode)}
    return pairs + [(k, v) for k, v in merged if k.value not in explicit]


# ---------------------------------------------------------------------------------------------
# pydantic errors → located problems


def _pydantic_problems(exc: ValidationError, positions: Positions, name: str) -> list[Problem]:
    """pydantic's errors as located problems in the fact format's terms: each says what a valid
    value looks like (`briefgen.facts.hints`) and sits on the offending key or value."""
    from briefgen.facts import hints

    problems: list[Problem] = []
    unknown: dict[Loc, list[tuple[str, str | None]]] = {}  # parent → (unknown key, suggestion)
    missing: list[tuple[Loc, str]] = []
    for err in exc.errors(include_url=False):
        loc = _clean_loc(err["loc"], positions)
        kind = err["type"]
        message = err["msg"]
        at_key = False
        cause = err.get("ctx", {}).get("error")
        field = getattr(cause, "field", None)
        if kind == "value_error" and isinstance(field, str):
            loc = (*loc, field)  # a model-level check that belongs to one of its fields
            at_key = loc not in positions.values
        model, field_name = hints.field_at(loc)
        hint = hints.field_hint(model, field_name)
        got = err.get("input")
        if kind == "extra_forbidden":
            at_key = True
            key = str(loc[-1])
            allowed = _fields_at(loc[:-1])
            message = f"unknown key {key!r}"
            guess = suggest(key, allowed)
            if guess:
                message += f" (did you mean {guess!r}?)"
            elif allowed:
                message += "; allowed here: " + ", ".join(sorted(allowed))
            unknown.setdefault(loc[:-1], []).append((key, guess))
            hint = ""
        elif kind == "missing":
            missing.append((loc, hint))
            continue
        elif kind in ("enum", "literal_error"):
            expected = re.findall(r"'([^']*)'", err.get("ctx", {}).get("expected", ""))
            message = f"{got!r} is not allowed; expected one of " + ", ".join(expected)
            guess = suggest(str(got), expected)
            if guess:
                message += f" (did you mean {guess!r}?)"
        elif kind == "value_error":
            message = message.removeprefix("Value error, ")
        elif kind == "string_pattern_mismatch" and err.get("ctx", {}).get("pattern") == ID_PATTERN:
            message = (
                f"{_show(got)} is not an id: an id may hold only lower-case letters, digits, "
                "'.', '_' and '-'"
            )
            better = hints.id_suggestion(got)
            if better:
                message += f" (e.g. {better!r})"
        elif kind == "string_pattern_mismatch" and loc and loc[-1] == "url":
            message = _url_message(got)
        elif kind == "string_pattern_mismatch" and loc and loc[-1] == "grade":
            message = f"{_show(got)} is not an Admiralty grade: a letter A-F and a digit 1-6, e.g. B2"
        elif kind == "string_pattern_mismatch" and loc and loc[-1] == "language":
            message = f"{_show(got)} is not a language tag: write e.g. en-GB, en-US, fr, tr or ar"
        elif kind == "string_too_short":
            message = "must not be empty: write the text after the colon (or leave out an optional key)"
        elif kind == "string_too_long":
            limit = err.get("ctx", {}).get("max_length")
            message = f"{_show(got)} is too long: at most {limit} characters"
        elif kind == "too_short":
            message = f"needs at least {err.get('ctx', {}).get('min_length', 1)} item(s)"
        elif kind == "too_long":
            message = f"may hold at most {err.get('ctx', {}).get('max_length')} item(s)"
        elif hints.is_number_error(kind) and model is not None and field_name in model.model_fields:
            message = hints.number_message(model, field_name, got)
        elif hints.kind_message(kind, got) is not None:
            message = hints.kind_message(kind, got) or message
        elif "input" in err and kind.endswith(("_type", "_parsing")):
            message = f"{message}, got {_show(got)}"
        line, col = positions.of(loc, key=at_key)
        problems.append(Problem(message, file=name, line=line, col=col, path=format_loc(loc), hint=hint))
    for loc, hint in missing:
        parent, wanted = loc[:-1], str(loc[-1])
        # A misspelt required key is one mistake: the unknown key, reported with the suggestion.
        misspelt = next((key for key, guess in unknown.get(parent, []) if guess == wanted), None)
        if misspelt is not None:
            for index, problem in enumerate(problems):
                if problem.path == format_loc((*parent, misspelt)):
                    problems[index] = Problem(
                        problem.message,
                        file=problem.file,
                        line=problem.line,
                        col=problem.col,
                        path=problem.path,
                        hint=f"{wanted!r} is a required field. {hint}".strip(),
                    )
            continue
        line, col = positions.of(parent, key=True) if parent else (1, 1)
        problems.append(
            Problem(
                f"missing required field {wanted!r}",
                file=name,
                line=line,
                col=col,
                path=format_loc(loc),
                hint=hint,
            )
        )
    return problems


def _url_message(value: object) -> str:
    """Why a `url` is refused: a missing scheme, or white space inside the address."""
    text = str(value)
    space = next((c for c in text if c.isspace()), None)
    if re.match(r"(?i)https?://", text) and space is not None:
        return (
            f"{_show(value)} is not a web address: it holds a space (U+{ord(space):04X}); "
            "a web address has none (write it as %20, or remove it)"
        )
    return f"{_show(value)} is not a web address: it must start with http:// or https://"


def _show(value: object) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…'"


def _clean_loc(loc: tuple[str | int, ...], positions: Positions) -> Loc:
    """Drop pydantic's internal loc parts (union member tags, validator names) that are not
    keys of the YAML document."""
    out: list[str | int] = []
    for part in loc:
        candidate = (*out, part)
        if (
            candidate in positions.values
            or candidate in positions.keys
            or isinstance(part, int)
            or (_is_field(tuple(out), str(part)) and not _written_as_sentence(tuple(out), positions))
        ):
            out.append(part)
    return tuple(out)


def _written_as_sentence(loc: Loc, positions: Positions) -> bool:
    """True when the YAML holds a value but no keys at `loc`: a text that may also be written as
    a mapping (`summary: …` or `summary: {text: …}`) was written as a sentence (or a list), so
    an error of its `text` belongs to the value itself."""
    if not loc or loc not in positions.values:
        return False
    return not any(len(k) == len(loc) + 1 and k[: len(loc)] == loc for k in positions.keys)


def _is_field(parent: Loc, name: str) -> bool:
    return name in _fields_at(parent)


def _fields_at(loc: Loc) -> list[str]:
    """Field names allowed at a path of the Briefing model (for suggestions)."""
    from briefgen.facts.hints import model_of  # error paths only: kept off the start-up path

    model: type[BaseModel] | None = Briefing
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        info = model.model_fields.get(str(part))
        model = model_of(info.annotation) if info else None
    return list(model.model_fields) if model else []


def suggest(word: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate to a misspelt word, if any is close enough."""
    hits = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return hits[0] if hits else None
