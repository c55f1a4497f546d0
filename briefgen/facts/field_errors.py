"""pydantic's validation errors as located problems in the fact format's terms.

Each error sits on the offending key or value (pydantic's internal path parts dropped), says
what a valid value looks like (`briefgen.facts.hints`), and a misspelt key is one problem with
its suggestion, not also a missing required field.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from pydantic import BaseModel, ValidationError

from briefgen.errors import Problem
from briefgen.facts.fields import ID_PATTERN
from briefgen.facts.hints import show
from briefgen.facts.models import Briefing
from briefgen.facts.positions import Loc, Positions, format_loc


def pydantic_problems(exc: ValidationError, positions: Positions, name: str) -> list[Problem]:
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
                f"{show(got)} is not an id: an id may hold only lower-case letters, digits, "
                "'.', '_' and '-'"
            )
            better = hints.id_suggestion(got)
            if better:
                message += f" (e.g. {better!r})"
        elif kind == "string_pattern_mismatch" and loc and loc[-1] == "url":
            message = _url_message(got)
        elif kind == "string_pattern_mismatch" and loc and loc[-1] == "grade":
            message = f"{show(got)} is not an Admiralty grade: a letter A-F and a digit 1-6, e.g. B2"
        elif kind == "string_pattern_mismatch" and loc and loc[-1] == "language":
            message = f"{show(got)} is not a language tag: write e.g. en-GB, en-US, fr, tr or ar"
        elif kind == "string_too_short":
            message = "must not be empty: write the text after the colon (or leave out an optional key)"
        elif kind == "string_too_long":
            limit = err.get("ctx", {}).get("max_length")
            message = f"{show(got)} is too long: at most {limit} characters"
        elif kind == "too_short":
            message = f"needs at least {err.get('ctx', {}).get('min_length', 1)} item(s)"
        elif kind == "too_long":
            message = f"may hold at most {err.get('ctx', {}).get('max_length')} item(s)"
        elif hints.is_number_error(kind) and model is not None and field_name in model.model_fields:
            message = hints.number_message(model, field_name, got)
        elif hints.kind_message(kind, got) is not None:
            message = hints.kind_message(kind, got) or message
        elif "input" in err and kind.endswith(("_type", "_parsing")):
            message = f"{message}, got {show(got)}"
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
            f"{show(value)} is not a web address: it holds a space (U+{ord(space):04X}); "
            "a web address has none (write it as %20, or remove it)"
        )
    return f"{show(value)} is not a web address: it must start with http:// or https://"


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
