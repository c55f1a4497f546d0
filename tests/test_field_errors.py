"""Every field's error says what a valid value looks like and sits on the offending value.

A wrong value is injected into every field of every model (chosen by the field's type), the
file is loaded, and the problem is checked: its path, its line and column (against the
position of the value in the YAML, found independently), its message (the format, the scale,
the allowed words) and its hint (the field's description and an example).
"""

from __future__ import annotations

import copy
import re
import typing
from datetime import date
from enum import Enum
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel

from briefgen.errors import InvalidFacts, Problem
from briefgen.facts import load_facts
from briefgen.facts.hints import model_of
from briefgen.facts.markings import MarkedStr
from briefgen.facts.models import Briefing
from briefgen.facts.positions import format_loc
from tests.conftest import EXAMPLE

Loc = tuple[str | int, ...]


def _base(annotation: object) -> object:
    """The type under Optional and Annotated."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) == 1:
                annotation = args[0]
            else:
                return annotation
        else:
            return annotation


def _metadata_text(annotation: object) -> str:
    return repr(annotation)


# (wrong value, pattern the message must match) for each kind of field.
WRONG: dict[str, tuple[object, str]] = {
    "text": ({"nested": "mapping"}, r"expected text, found a mapping"),
    # A text that may carry its classification: a sentence or {text, classification}.
    "marked": (["a", "list"], r"expected text, found a list"),
    "marked-list": ([["nested"]], r"expected text, found a list"),
    "id": ("Bad Id!", r"'Bad Id!' is not an id: .*lower-case letters.*\(e\.g\. 'bad-id'\)"),
    "id-list": (["Bad Id!"], r"'Bad Id!' is not an id"),
    "text-list": ([["nested"]], r"expected text, found a list"),
    "model-list": ("a sentence", r"expected a list, found 'a sentence': write each item on its own line"),
    "model": ("a sentence", r"expected a mapping of fields .*found 'a sentence'"),
    "day": ("10/03/2025", r"year first as YYYY-MM-DD: 2025-03-10 \(10 March\) or 2025-10-03 \(3 October\)"),
    "partial-date": (
        "2025-3-10",
        r"write the month and day with two digits, 2025-03-10 \(YYYY-MM-DD, YYYY-MM or YYYY\)",
    ),
    "moment": ("2018-08-13T10:00", r"has no time zone: add it, e\.g\. 2018-08-13T10:00\+03:00"),
    "bool": ("maybe", r"'maybe' is not true or false: write true or false"),
    "enum": ("zzz", r"'zzz' is not allowed; expected one of \w+"),
    "number": ("high", r"'high' is not a whole number from \d+ to \d+"),
    "decimal": ("large", r"'large' is not a number from \d+ to \d+"),
    "scale": (
        "high",
        r"'high' is not a \w+ rating: write a whole number from 1 to 5 "
        r"\(1 \w+, 2 \w+, 3 \w+, 4 \w+, 5 [\w ]+\)",
    ),
    "url": ("ftp://example.org", r"'ftp://example\.org' is not a web address: it must start with http:// or https://"),
    "grade": ("Z9", r"'Z9' is not an Admiralty grade: a letter A-F and a digit 1-6, e\.g\. B2"),
    "language": ("English (UK)", r"'English \(UK\)' is not a language tag: write e\.g\. en-GB"),
    "points": (["nested"], r"expected a mapping of fields .*found a list"),
    "sentence-or-model": (["a", "list"], r"expected a mapping of fields .*found a list"),
}


def kind_of(model: type[BaseModel], name: str) -> str:
    info = model.model_fields[name]
    annotation = info.annotation
    base = _base(annotation)
    shown = _metadata_text(annotation) + _metadata_text(info.metadata)
    if name == "url":
        return "url"
    if name == "grade":
        return "grade"
    if name == "language":
        return "language"
    if typing.get_origin(base) is list:
        (item,) = typing.get_args(base)
        inner = _base(item)
        if "_point_input" in _metadata_text(item):
            return "points"
        if inner is MarkedStr:
            return "marked-list"
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            return "model-list"
        if "pattern='" in _metadata_text(item):
            return "id-list"
        return "text-list"
    if isinstance(base, type) and issubclass(base, BaseModel):
        return "sentence-or-model" if "_press_input" in shown else "model"
    if "_day_or_moment" in shown:
        return "moment"
    if "_check_partial_date" in shown:
        return "partial-date"
    if base is date:
        return "day"
    if base is bool:
        return "bool"
    if base is float:
        return "decimal"
    if base is int:
        return "scale" if (model.__name__, name) in (("Risk", "likelihood"), ("Risk", "impact")) else "number"
    if (isinstance(base, type) and issubclass(base, Enum)) or typing.get_origin(base) is typing.Literal:
        return "enum"
    if base is MarkedStr:
        return "marked"
    if base is str and "pattern='" in shown:
        return "id"
    if base is str:
        return "text"
    raise AssertionError(f"{model.__name__}.{name}: no wrong value for a field of type {annotation!r}")


def _models() -> list[tuple[type[BaseModel], Loc]]:
    """Every model with the path of one instance of it in the worked example (list items: the
    first)."""
    found: list[tuple[type[BaseModel], Loc]] = []

    def visit(model: type[BaseModel], loc: Loc) -> None:
        if any(m is model for m, _ in found):
            return
        found.append((model, loc))
        for name, info in model.model_fields.items():
            sub = model_of(info.annotation)
            if sub is None:
                continue
            is_list = typing.get_origin(_base(info.annotation)) is list
            visit(sub, (*loc, name, 0) if is_list else (*loc, name))

    visit(Briefing, ())
    return found


def _get(data: object, loc: Loc) -> object:
    for part in loc:
        data = data[part]  # type: ignore[index]
    return data


def _ensure(data: dict, loc: Loc) -> dict:
    """The mapping at `loc`, created (or turned from a sentence into a mapping) when needed."""
    node: object = data
    for index, part in enumerate(loc):
        nxt = loc[index + 1] if index + 1 < len(loc) else None
        if isinstance(part, int):
            assert isinstance(node, list) and node, loc
        elif not isinstance(node[part], dict | list) if part in node else True:  # type: ignore[operator, index]
            node[part] = [{}] if isinstance(nxt, int) else {}  # type: ignore[index]
        node = node[part]  # type: ignore[index]
        if isinstance(node, str) and nxt is None:
            break
    if isinstance(node, str):
        raise AssertionError(loc)
    return node  # type: ignore[return-value]


def _cases() -> list[tuple[str, str, Loc, str]]:
    cases = []
    for model, loc in _models():
        for name in model.model_fields:
            cases.append((model.__name__, name, loc, kind_of(model, name)))
    return cases


CASES = _cases()


def _value_position(text: str, loc: Loc) -> tuple[int, int]:
    """Line and column (1-based) of the value at `loc`, read from the YAML independently."""
    node = yaml.compose(text)
    for part in loc:
        if isinstance(part, int):
            node = node.value[part]
        else:
            node = next(v for k, v in node.value if k.value == part)
    return node.start_mark.line + 1, node.start_mark.column + 1


def test_field_errors_cover_every_field_of_every_model():
    kinds = {kind for *_, kind in CASES}
    assert len(CASES) > 90
    # Every kind of value the format has is exercised.
    assert kinds == set(WRONG) - set(), sorted(set(WRONG) - kinds)


@pytest.mark.parametrize(("model", "name", "loc", "kind"), CASES, ids=[f"{m}.{n}" for m, n, _, _ in CASES])
def test_field_error_is_located_and_says_what_to_write(tmp_path: Path, model, name, loc, kind):
    data = yaml.safe_load(EXAMPLE.read_text("utf-8"))
    if data.get("press_line") is not None and isinstance(data["press_line"], str):
        data["press_line"] = {"line": data["press_line"]}
    container = _ensure(data, loc)
    wrong, pattern = WRONG[kind]
    container[name] = copy.deepcopy(wrong)
    target: Loc = (*loc, name)
    if kind in ("id-list", "text-list", "marked-list"):
        target = (*target, 0)
    if kind == "points":
        container[name] = [wrong]
        target = (*target, 0)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
    path = tmp_path / "brief.yaml"
    path.write_text(text, "utf-8")
    with pytest.raises(InvalidFacts) as caught:
        load_facts(path)
    problems: list[Problem] = caught.value.problems
    here = [p for p in problems if p.path == format_loc(target) and p.severity == "error"]
    assert here, [p.format() for p in problems]
    problem = here[0]
    assert re.search(pattern, problem.message), problem.format()
    assert (problem.line, problem.col) == _value_position(text, target), problem.format()
    # The hint says what the field is and shows a value that would do.
    assert problem.hint and ("Example:" in problem.hint or problem.hint.endswith(".")), problem
    assert "Input should" not in problem.message and "pydantic" not in problem.message
