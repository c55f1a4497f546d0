"""Read one YAML document into plain data and the position of every key and value.

YAML is composed safely into nodes (so every value keeps its line and column) and turned into
plain data with duplicate keys, alias bombs and oversized or too deeply nested documents
refused; every YAML problem becomes a located `InvalidFacts` in the fact format's terms.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import yaml

from briefgen.errors import InvalidFacts, Problem
from briefgen.facts.characters import (
    CONTROL,
    CONTROL_RAW,
    SURROGATE_ESCAPE,
    Scalars,
    clean_raw,
    control_warning,
    raw_warnings,
)
from briefgen.facts.positions import Loc, Positions, format_loc
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
_NULLS = re.compile(r"^(?:~|null|Null|NULL|)$")
_CONTENT_LINE = re.compile(r"^[ \t]*[^\s#]", re.MULTILINE)  # a line that is not blank or a comment
# libyaml's loader is only an accelerator: what the file means, and every error message and
# position, are those of PyYAML's own loader, so that the same file gives the same result with
# or without libyaml installed (the two differ in error positions and in escapes they accept).
_FAST_LOADER = getattr(yaml, "CSafeLoader", None)
_Loader: type = yaml.SafeLoader


class _Bomb(Exception):
    pass


class _Duplicate(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems


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
    if CONTROL_RAW.search(text):
        text = clean_raw(text, cleaned)
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
    scalars = Scalars(text, name)
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
        warnings.extend(raw_warnings(cleaned, positions, name))
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
    if _FAST_LOADER is not None and not SURROGATE_ESCAPE.search(text):
        try:
            _count_events(text, _FAST_LOADER)
            return yaml.compose(text, Loader=_FAST_LOADER)
        except yaml.YAMLError:
            pass  # read again below, for PyYAML's message and position
    _count_events(text, _Loader)
    return yaml.compose(text, Loader=_Loader)


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
    node: yaml.Node, loc: Loc, pos: Positions, budget: list[int], scalars: Scalars, sink: list[Problem]
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
        if CONTROL.search(value):
            # Only escapes ("\\v", "\\x0c" in double quotes) get here: raw ones went earlier.
            line, col = node.start_mark.line + 1, node.start_mark.column + 1
            for char in dict.fromkeys(CONTROL.findall(value)):
                sink.append(control_warning(char, name, line, col, loc))
            value = CONTROL.sub(" ", value)
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
