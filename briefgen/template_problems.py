"""Template errors located like YAML errors: the template file, line and column (so the printer
shows the line with a caret), a message in the template author's terms, and the nearest name.

Jinja2 reports where its parser gave up, which for an unclosed `{{` or `{%` is the line where the
next tag happens to close it, and its runtime errors name Python classes
("'briefgen.facts.models.Briefing object' has no attribute 'titel'"). Here an unclosed tag is
reported where it opens, an unclosed block where its tag is, and an unknown name, field, filter,
test or tag with the closest one that exists.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import jinja2

from briefgen.errors import Problem, TemplateProblem

__all__ = ["context_names", "runtime_problem", "syntax_problem"]

_OPEN = re.compile(r"\{\{-?|\{%-?")
_UNEXPECTED = re.compile(r"unexpected '(?P<token>[^']+)'")
_NO_FILTER = re.compile(r"No (?P<what>filter|test) named '(?P<name>[^']+)'")
_UNKNOWN_TAG = re.compile(r"Encountered unknown tag '(?P<name>[^']+)'")
_UNDEFINED_NAME = re.compile(r"^'(?P<name>[^']+)' is undefined$")
_NO_ATTRIBUTE = re.compile(r"^'(?P<object>[^']+?)(?: object)?' has no attribute '(?P<name>[^']+)'$")
_NO_ELEMENT = re.compile(r"^'(?P<object>[^']+?)(?: object)?' has no element (?P<name>.+)$")
_END_OF_TEMPLATE = re.compile(r"innermost block that needs to be closed is '(?P<tag>\w+)'")
_QUALIFIED = re.compile(r"'(?:[A-Za-z_]\w*\.)+(?P<name>[A-Za-z_]\w*)(?: object)?'")
# Tags a template may use (Jinja2's own and the extensions briefgen enables: none).
TAGS = (
    "if", "elif", "else", "endif", "for", "endfor", "set", "endset", "macro", "endmacro", "call",
    "endcall", "filter", "endfilter", "include", "import", "from", "extends", "block", "endblock",
    "with", "endwith", "raw", "endraw", "autoescape", "endautoescape",
)
_BLOCK_TAGS = {"if", "for", "macro", "call", "filter", "block", "with", "raw", "autoescape"}
HINT = "docs/templates.md lists what a template receives; the briefing's fields are in docs/facts.md"


def syntax_problem(
    exc: jinja2.TemplateSyntaxError, fallback_name: str, env: jinja2.Environment
) -> TemplateProblem:
    """A located problem for a template that does not parse in `env` (whose filters and tests
    an unknown one is matched against)."""
    file = exc.filename or exc.name or fallback_name
    source = exc.source if exc.source is not None else _read(file)
    lines = source.splitlines() if source is not None else []
    line = exc.lineno or 0
    message = exc.message or "syntax error"
    col = 0
    hint = ""
    unclosed = _unclosed_tag(lines, line)
    if unclosed is not None and unclosed[0] < line:
        # The tag opened on an earlier line was never closed: say so there.
        open_line, open_col, opener = unclosed
        closer = "}}" if opener.startswith("{{") else "%}"
        message = (
            f"{opener} is not closed with {closer} on its line "
            f"(Jinja stopped at line {line}: {message})"
        )
        line, col = open_line, open_col
    elif (match := _END_OF_TEMPLATE.search(message)) is not None:
        block = _unclosed_block(lines, match["tag"])
        if block is not None:
            line, col = block
            message = f"{{% {match['tag']} %}} is never closed: add {{% end{match['tag']} %}}"
    elif (match := _NO_FILTER.search(message)) is not None:
        col = _column(lines, line, match["name"])
        known = _filters_or_tests(match["what"], env)
        message = f"no {match['what']} named {match['name']!r}" + _did_you_mean(match["name"], known)
        hint = f"{match['what']}s: " + ", ".join(sorted(known))
    elif (match := _UNKNOWN_TAG.search(message)) is not None:
        col = _column(lines, line, match["name"])
        message = f"unknown tag {match['name']!r}" + _did_you_mean(match["name"], TAGS)
    elif (match := _UNEXPECTED.search(message)) is not None:
        col = _column(lines, line, match["token"], inside_tag=True)
        if match["token"] == "}":
            message = "a single '}' closes nothing: an expression ends with '}}'"
    else:
        col = _first_tag_column(lines, line)
    if not col and 0 < line <= len(lines):
        col = _first_tag_column(lines, line)
    return _problem(f"template syntax error: {message}", file, line, col, hint)


def runtime_problem(
    exc: BaseException,
    file: str,
    line: int,
    names: Iterable[str],
    what: str = "template failed",
) -> TemplateProblem:
    """A located problem for an error raised while a template renders at `file:line`; `names`
    are the names the template could have meant (its context, globals and macros)."""
    lines = (_read(file) or "").splitlines()
    text = str(getattr(exc, "message", None) or exc)
    col = 0
    hint = ""
    if (match := _UNDEFINED_NAME.match(text)) is not None:
        name = match["name"]
        col = _column(lines, line, name)
        # A field of the briefing written without `b.` is the likelier slip when it is closer.
        choices = {n: n for n in names} | {f: f"b.{f}" for f in _members("Briefing") if f not in names}
        hits = difflib.get_close_matches(name, sorted(choices), n=1, cutoff=0.6)
        guess = f" (did you mean {choices[hits[0]]!r}?)" if hits else ""
        message = f"{name!r} is not defined in this template" + guess
        hint = HINT
    elif (match := _NO_ATTRIBUTE.match(text)) is not None:
        name, owner = match["name"], _plain_class(match["object"])
        col = _column(lines, line, name, attribute=True)
        message = f"{_describe(owner)} has no field {name!r}" + _did_you_mean(name, _members(owner))
        hint = HINT
    elif (match := _NO_ELEMENT.match(text)) is not None:
        col = _first_tag_column(lines, line)
        message = f"{_describe(_plain_class(match['object']))} has no element {match['name']}"
    else:
        message = f"{what}: {_without_classes(text)}" if text else what
        col = _first_tag_column(lines, line)
    return _problem(message, file, line, col, hint)


# ---------------------------------------------------------------------------------------------


def _problem(message: str, file: str, line: int, col: int, hint: str) -> TemplateProblem:
    return TemplateProblem(problems=[Problem(message, file=file, line=line, col=col, hint=hint)])


def _read(file: str) -> str | None:
    """The template's text as the sandbox's loader read it (`briefgen.intake`: a regular file
    within the template limit, a byte-order mark dropped), to place the error; None when it
    cannot be read (the error is then reported at the line Jinja2 gave)."""
    from briefgen.intake import TEMPLATE_LIMIT, InputRefused, read_bytes

    try:
        return read_bytes(Path(file), TEMPLATE_LIMIT, "template").decode("utf-8-sig", errors="replace")
    except (InputRefused, ValueError):
        return None


def _did_you_mean(word: str, candidates: Iterable[str]) -> str:
    hits = difflib.get_close_matches(word, sorted(set(candidates)), n=1, cutoff=0.6)
    return f" (did you mean {hits[0]!r}?)" if hits else ""


def _filters_or_tests(what: str, env: jinja2.Environment) -> list[str]:
    return list(env.filters if what == "filter" else env.tests)


def _column(
    lines: list[str], line: int, word: str, *, attribute: bool = False, inside_tag: bool = False
) -> int:
    """1-based column of `word` on `line` (an attribute after '.', or inside a tag); 0 if absent."""
    if not 0 < line <= len(lines):
        return 0
    text = lines[line - 1]
    if attribute:
        found = re.search(rf"\.\s*({re.escape(word)})\b|\[\s*['\"]({re.escape(word)})['\"]", text)
        if found:
            return (found.start(1) if found.group(1) else found.start(2)) + 1
    if inside_tag:
        start = max(text.find("{{"), text.find("{%"))
        index = text.find(word, max(start, 0))
        if index >= 0:
            return index + 1
    found = re.search(rf"(?<![\w.]){re.escape(word)}\b", text) or re.search(re.escape(word), text)
    return found.start() + 1 if found else 0


def _first_tag_column(lines: list[str], line: int) -> int:
    if not 0 < line <= len(lines):
        return 0
    match = _OPEN.search(lines[line - 1])
    return match.start() + 1 if match else 0


def _unclosed_tag(lines: list[str], upto: int) -> tuple[int, int, str] | None:
    """The last `{{` or `{%` before line `upto` (inclusive) that is not closed on its own line,
    if no tag opens after it; tags may span lines, but an unclosed one is the usual slip."""
    found: tuple[int, int, str] | None = None
    for number, text in enumerate(lines[: max(upto - 1, 0)], start=1):
        for match in _OPEN.finditer(text):
            closer = "}}" if match.group().startswith("{{") else "%}"
            if closer not in text[match.end():]:
                found = (number, match.start() + 1, match.group().rstrip("-"))
            elif found is not None and found[0] < number:
                found = None  # a later tag on a later line parsed: the earlier one was closed
    return found


def _unclosed_block(lines: list[str], tag: str) -> tuple[int, int] | None:
    """Line and column of the innermost `{% tag %}` never closed by `{% endtag %}`."""
    stack: list[tuple[str, int, int]] = []
    pattern = re.compile(r"\{%-?\s*(\w+)(?P<rest>[^%]*)")
    for number, text in enumerate(lines, start=1):
        for match in pattern.finditer(text):
            word = match.group(1)
            if word == "set" and "=" in match["rest"]:
                continue  # `{% set x = … %}` has no end tag
            if word in _BLOCK_TAGS:
                stack.append((word, number, match.start() + 1))
            elif word.startswith("end") and stack and stack[-1][0] == word[3:]:
                stack.pop()
    for word, number, col in reversed(stack):
        if word == tag:
            return number, col
    return None


def _plain_class(name: str) -> str:
    """'briefgen.facts.models.Briefing' → 'Briefing'."""
    return name.rsplit(".", 1)[-1]


def _describe(class_name: str) -> str:
    """'AgendaItem' → 'an agenda item'; builtins in words."""
    words = {
        "Briefing": "the briefing",
        "dict": "this mapping",
        "str": "this text",
        "list": "this list",
        "tuple": "this list",
        "int": "this number",
        "float": "this number",
        "NoneType": "an empty value",
        "mappingproxy": "this table",
        "Undefined": "an undefined value",
        "StrictUndefined": "an undefined value",
    }
    if class_name in words:
        return words[class_name]
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", class_name).lower()
    return ("an " if spaced[:1] in "aeiou" else "a ") + spaced


def _members(class_name: str) -> list[str]:
    """The public fields, properties and methods of a fact model, by class name."""
    from pydantic import BaseModel

    from briefgen.facts.hints import model_named

    model = model_named(class_name)
    if model is None:
        return []
    names = set(model.model_fields)
    names.update(n for n in dir(model) if not n.startswith("_") and not hasattr(BaseModel, n))
    return sorted(names)


def _without_classes(text: str) -> str:
    """Qualified class names ('briefgen.facts.risks.Risk object') shortened to the class."""
    return _QUALIFIED.sub(lambda m: f"'{m['name']}'", text)


def context_names(context: Mapping[str, object], env: jinja2.Environment) -> list[str]:
    """Every name a template can refer to: its context, the environment's globals."""
    return [*context, *env.globals]
