"""The cross-checks of ids and the references between them: duplicate ids, dangling
references (with the id most likely meant), sources no fact cites, and facts not usable in
conversation cited in what the principal says."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any

from briefgen.facts.findings import Finding, mappings_at, ref_loc, refs_in
from briefgen.facts.positions import Loc, format_loc

ID_LISTS = ("sources", "facts", "risks", "agenda", "people")


def collect_ids(data: dict[str, Any], name: str, found: list[Finding]) -> dict[str, Loc]:
    seen: dict[str, Loc] = {}
    for loc, item in mappings_at(data, name):
        ident = item.get("id")
        if not isinstance(ident, str):
            continue
        if ident in seen:
            found.append(
                Finding(
                    (*loc, "id"),
                    f"duplicate id {ident!r} (also used by {format_loc(seen[ident])})",
                )
            )
        else:
            seen[ident] = loc
    return seen


def _unknown_id(kind: str, ref: str, known: dict[str, Loc]) -> str:
    message = f"unknown {kind} id {ref!r}"
    guess = difflib.get_close_matches(ref, list(known), n=1, cutoff=0.6)
    if guess:
        message += f" (did you mean {guess[0]!r}?)"
    elif not known:
        message += f" (no {kind}s are defined)"
    return message


# (list path, key in each item, kind of id it refers to)
_REFERENCE_FIELDS: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("facts",), "sources", "source"),
    (("people",), "sources", "source"),
    (("timeline",), "sources", "source"),
    (("agenda",), "background", "fact"),
    (("agenda",), "risks", "risk"),
    (("risks",), "agenda", "agenda item"),
    (("judgments", "items"), "basis", "fact"),
    (("objectives", "ours"), "facts", "fact"),
    (("objectives", "theirs"), "facts", "fact"),
    (("press_line", "if_asked"), "facts", "fact"),
)
_KIND_LIST = {
    "source": "sources",
    "fact": "facts",
    "risk": "risks",
    "agenda item": "agenda",
    "person": "people",
}


def _point_lists(data: dict[str, Any]) -> Iterator[tuple[Loc, dict[str, Any], bool]]:
    """Every mapping that can cite facts in what the principal says: (loc, item, spoken)."""
    for loc, item in mappings_at(data, "agenda"):
        for key in ("points", "if_raised"):
            for i, sub in enumerate(item.get(key) or []):
                if isinstance(sub, dict):
                    yield (*loc, key, i), sub, True
    press = data.get("press_line")
    if isinstance(press, dict):
        yield ("press_line",), press, True
        for loc, item in mappings_at(data, "press_line", "if_asked"):
            yield loc, item, True
    for side in ("ours", "theirs"):
        for loc, item in mappings_at(data, "objectives", side):
            yield loc, item, False


def dangling(data: dict[str, Any], ids: dict[str, dict[str, Loc]]) -> Iterator[Finding]:
    for path, key, kind in _REFERENCE_FIELDS:
        known = ids[_KIND_LIST[kind]]
        for loc, item in mappings_at(data, *path):
            for i, ref in refs_in(item, key):
                if ref not in known:
                    yield Finding(ref_loc(loc, key, i), _unknown_id(kind, ref, known))
    for loc, item, _spoken in _point_lists(data):
        if loc[0] == "objectives":
            continue  # covered by _REFERENCE_FIELDS
        for i, ref in refs_in(item, "facts"):
            if ref not in ids["facts"]:
                yield Finding(ref_loc(loc, "facts", i), _unknown_id("fact", ref, ids["facts"]))
    meeting = data.get("meeting")
    if isinstance(meeting, dict):
        for i, ref in refs_in(meeting, "participants"):
            if ref not in ids["people"]:
                message = _unknown_id("person", ref, ids["people"])
                yield Finding(ref_loc(("meeting",), "participants", i), message)


def unused_sources(data: dict[str, Any], sources: dict[str, Loc]) -> Iterator[Finding]:
    used: set[str] = set()
    for name in ("facts", "people", "timeline"):
        for _loc, item in mappings_at(data, name):
            used.update(ref for _i, ref in refs_in(item, "sources"))
    for ident, loc in sources.items():
        if ident not in used:
            yield Finding(
                (*loc, "id"),
                f"source {ident!r} is not cited by any fact, biography or timeline event",
                "warning",
            )


def disclosure(data: dict[str, Any]) -> Iterator[Finding]:
    secret = {
        item.get("id"): loc
        for loc, item in mappings_at(data, "facts")
        if str(item.get("usable_in_conversation", "true")).strip().lower() in ("false", "no", "off", "0")
    }
    if not secret:
        return
    for loc, item, spoken in _point_lists(data):
        if not spoken:
            continue
        for i, ref in refs_in(item, "facts"):
            if ref in secret:
                yield Finding(
                    ref_loc(loc, "facts", i),
                    f"fact {ref!r} is marked usable_in_conversation: false and may not be used in "
                    "points to make, if-raised lines or the press line",
                )
