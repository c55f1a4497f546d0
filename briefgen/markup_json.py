"""The JSON bodies of the fenced `toc`, `risk-matrix` and `timeline` blocks read into the model,
with the field checks the front matter shares: a missing, unknown or wrongly typed field is a
`FieldError` naming it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from briefgen.model import (
    Block,
    RiskMatrix,
    RiskPoint,
    TableOfContents,
    Timeline,
    TimelineEvent,
)


class FieldError(Exception):
    """A JSON body with a missing, unknown or wrongly typed field."""


def expect(value: Any, kind: type | tuple[type, ...], where: str) -> Any:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    # bool is an int subclass in Python, but `true` is never a valid number here.
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        raise FieldError(f"{where}: expected {_type_name(kinds)}, got {json_type(value)}")
    return value


def _type_name(kinds: tuple[type, ...]) -> str:
    names = {str: "a string", int: "an integer", bool: "true or false", list: "a list", dict: "an object"}
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def json_type(value: Any) -> str:
    return {
        str: "a string",
        int: "a number",
        float: "a number",
        bool: "a boolean",
        list: "a list",
        dict: "an object",
    }.get(type(value), "null")


def _object(data: Any, where: str, allowed: set[str], required: Iterable[str] = ()) -> dict[str, Any]:
    expect(data, dict, where)
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise FieldError(f"{where}: unknown field {unknown[0]!r} (expected {', '.join(sorted(allowed))})")
    missing = sorted(set(required) - set(data))
    if missing:
        raise FieldError(f"{where}: missing field {missing[0]!r}")
    checked: dict[str, Any] = data
    return checked


def _int_in(value: Any, where: str, low: int, high: int) -> int:
    expect(value, int, where)
    if not low <= value <= high:
        raise FieldError(f"{where}: {value} is not between {low} and {high}")
    return int(value)


def strings(value: Any, where: str, count: int | None = None) -> tuple[str, ...]:
    expect(value, list, where)
    for position, item in enumerate(value):
        expect(item, str, f"{where}[{position}]")
    if count is not None and len(value) != count:
        raise FieldError(f"{where}: expected {count} entries, got {len(value)}")
    return tuple(value)


def _toc(data: Any) -> TableOfContents:
    data = _object(data, "toc", {"levels", "title"})
    default = TableOfContents()
    levels = default.levels
    if "levels" in data:
        expect(data["levels"], list, "levels")
        levels = tuple(_int_in(v, f"levels[{i}]", 1, 6) for i, v in enumerate(data["levels"]))
        if not levels:
            raise FieldError("levels: expected at least one heading level")
    title = expect(data.get("title", default.title), str, "title")
    return TableOfContents(levels, title)


_RAGS = ("red", "amber", "green")


def _risk_matrix(data: Any) -> RiskMatrix:
    fields = {"risks", "red_from", "amber_from", "likelihood_labels", "impact_labels"}
    data = _object(data, "risk-matrix", fields, {"risks"})
    expect(data["risks"], list, "risks")
    risks: list[RiskPoint] = []
    for number, item in enumerate(data["risks"]):
        where = f"risks[{number}]"
        names = {"id", "title", "likelihood", "impact", "score", "rag"}
        item = _object(item, where, names, names)
        rag = expect(item["rag"], str, f"{where}.rag")
        if rag not in _RAGS:
            raise FieldError(f"{where}.rag: {rag!r} is not one of {', '.join(_RAGS)}")
        risks.append(
            RiskPoint(
                id=expect(item["id"], str, f"{where}.id"),
                title=expect(item["title"], str, f"{where}.title"),
                likelihood=_int_in(item["likelihood"], f"{where}.likelihood", 1, 5),
                impact=_int_in(item["impact"], f"{where}.impact", 1, 5),
                score=_int_in(item["score"], f"{where}.score", 1, 25),
                rag=rag,
            )
        )
    default = RiskMatrix(())
    return RiskMatrix(
        risks=tuple(risks),
        red_from=_int_in(data.get("red_from", default.red_from), "red_from", 1, 25),
        amber_from=_int_in(data.get("amber_from", default.amber_from), "amber_from", 1, 25),
        likelihood_labels=strings(
            data.get("likelihood_labels", list(default.likelihood_labels)), "likelihood_labels", 5
        ),
        impact_labels=strings(data.get("impact_labels", list(default.impact_labels)), "impact_labels", 5),
    )


def _timeline(data: Any) -> Timeline:
    data = _object(data, "timeline", {"events"}, {"events"})
    expect(data["events"], list, "events")
    events: list[TimelineEvent] = []
    for number, item in enumerate(data["events"]):
        where = f"events[{number}]"
        item = _object(item, where, {"date", "label", "highlight"}, {"date", "label"})
        events.append(
            TimelineEvent(
                date=expect(item["date"], str, f"{where}.date"),
                label=expect(item["label"], str, f"{where}.label"),
                highlight=expect(item.get("highlight", False), bool, f"{where}.highlight"),
            )
        )
    return Timeline(tuple(events))


FENCED_BLOCKS: dict[str, Callable[[Any], Block]] = {
    "toc": _toc,
    "risk-matrix": _risk_matrix,
    "timeline": _timeline,
}
