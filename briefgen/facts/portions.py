"""The portions of a fact file and the cross-checks of their classification: each valid in
the pack's scheme and covered by its marking, the press line at the scheme's lowest level,
nothing said to the counterpart marked NOFORN-like, and facts cited from a lower portion
(warning). Derives the pack's marking from its portions."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from briefgen import marking, marking_schemes
from briefgen.facts.findings import Finding, ref_loc, refs_in
from briefgen.facts.models import Briefing
from briefgen.facts.positions import Loc, format_loc

# Where portions are, in the plain data: a path ('*' for every index of a list) and what the
# portion is. "item": a mapping that may hold `classification` (or a plain sentence, for points
# and the press line); "text": a MarkedText field, a sentence or {text, classification}.
# Roles: "spoken" is said to the foreign counterpart, "press" is said in public.
_PORTIONS: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("title",), "text", ""),
    (("summary",), "text", ""),
    (("headline",), "text", ""),
    (("context",), "text", ""),
    (("objectives", "ours", "*"), "item", ""),
    (("objectives", "theirs", "*"), "item", ""),
    (("agenda", "*"), "item", ""),
    (("agenda", "*", "headline"), "text", ""),
    (("agenda", "*", "summary"), "text", ""),
    (("agenda", "*", "position"), "text", ""),
    (("agenda", "*", "points", "*"), "item", "spoken"),
    (("agenda", "*", "if_raised", "*", "question"), "text", ""),
    (("agenda", "*", "if_raised", "*", "response"), "text", "spoken"),
    (("facts", "*"), "item", ""),
    (("risks", "*"), "item", ""),
    (("judgments", "items", "*"), "item", ""),
    (("timeline", "*"), "item", ""),
    (("people", "*"), "item", ""),
    (("sources", "*"), "item", ""),
    (("press_line",), "item", "press"),
    (("press_line", "if_asked", "*", "question"), "text", "press"),
    (("press_line", "if_asked", "*", "response"), "text", "press"),
    (("next_steps", "*"), "text", ""),
)
# Where a portion cites facts: (path of the citing item, key of its fact ids).
_CITING: tuple[tuple[tuple[str, ...], str], ...] = (
    (("objectives", "ours", "*"), "facts"),
    (("objectives", "theirs", "*"), "facts"),
    (("agenda", "*", "points", "*"), "facts"),
    (("agenda", "*", "if_raised", "*"), "facts"),
    (("judgments", "items", "*"), "basis"),
    (("press_line",), "facts"),
    (("press_line", "if_asked", "*"), "facts"),
)


@dataclass(frozen=True)
class Portion:
    """One portion of the fact file: where it is, and its classification as written.

    `loc`: the portion (the item, or the text field); `mark_loc`: where its classification is
    written, or the portion itself when it has none."""

    loc: Loc
    written: str | None
    mark_loc: Loc
    role: str


def _at_path(data: object, path: tuple[str, ...], loc: Loc = ()) -> Iterator[tuple[Loc, object]]:
    """(loc, value) of every node matching `path`; each loc is built now, never later (a
    generator that reads a loop variable after the loop moved on put errors at the wrong key)."""
    if not path:
        yield loc, data
        return
    head, rest = path[0], path[1:]
    if head == "*":
        if isinstance(data, list):
            for i, item in enumerate(data):
                yield from _at_path(item, rest, (*loc, i))
    elif isinstance(data, dict) and head in data and data[head] is not None:
        yield from _at_path(data[head], rest, (*loc, head))


def portions(data: dict[str, Any]) -> list[Portion]:
    """Every portion of a fact file's plain data, in the order of `_PORTIONS`."""
    found: list[Portion] = []
    for path, _kind, role in _PORTIONS:
        for loc, value in _at_path(data, path):
            written = value.get("classification") if isinstance(value, dict) else None
            if isinstance(written, str):
                found.append(Portion(loc, written, (*loc, "classification"), role))
            elif isinstance(value, dict | str):
                found.append(Portion(loc, None, loc, role))
    return found


def _declared(
    data: dict[str, Any], briefing: Briefing | None
) -> tuple[marking.Classification, marking.Classification] | None:
    """(declared marking, default portion) of the file, or None when the marking is invalid
    (reported by field validation)."""
    if briefing is not None:
        return briefing.marking.declared, briefing.marking.default
    raw = data.get("marking")
    if not isinstance(raw, dict):
        return None
    try:
        scheme = raw.get("scheme", "none")
        if scheme not in marking_schemes.SCHEME_NAMES:
            return None
        caveats = raw.get("caveats") or []
        declared = marking.with_controls(
            marking.parse_level(scheme, str(raw.get("level", ""))),
            [caveats] if isinstance(caveats, str) else [str(c) for c in caveats],
        )
        default = raw.get("default_portion")
        return declared, marking.parse(scheme, default) if isinstance(default, str) else declared
    except (marking.MarkingError, TypeError):
        return None


def markings(data: dict[str, Any], briefing: Briefing | None) -> Iterator[Finding]:
    """Every portion's classification: valid in the scheme, covered by the pack's marking, at
    the lowest level for the press, never NOFORN-like in what is said to the counterpart; and
    facts cited from a lower portion (warning). Sets the derived marking on `briefing`."""
    parsed = _declared(data, briefing)
    if parsed is None:
        return
    declared, default = parsed
    scheme = declared.scheme
    lowest = marking.lowest(scheme)
    effective: dict[Loc, marking.Classification] = {}
    if scheme == "none":
        for p in portions(data):
            if p.written is not None:
                yield Finding(
                    p.mark_loc,
                    "the marking scheme 'none' has no levels to mark a portion with; set "
                    "marking.scheme to us, uk or nato, or remove this classification",
                )
        return
    if not declared.covers(default):
        yield Finding(
            ("marking", "default_portion"),
            f"the default portion {default.banner} is above the pack's marking {declared.banner} "
            f"(lacks {', '.join(declared.shortfalls(default))})",
        )
    for p in portions(data):
        if p.written is None:
            mark = lowest if p.role == "press" and lowest is not None else default
        else:
            try:
                mark = marking.parse(scheme, p.written)
            except marking.MarkingError as exc:
                yield Finding(p.mark_loc, str(exc))
                continue
            missing = declared.shortfalls(mark)
            if missing:
                yield Finding(
                    p.mark_loc,
                    f"portion marked {mark.banner} raises the pack above its marking {declared.banner} "
                    f"(which lacks {', '.join(missing)}); raise marking.level / marking.caveats "
                    "or mark the portion lower",
                )
        effective[p.loc] = mark
        if p.role == "press" and lowest is not None and (mark.rank > 0 or mark.controls or mark.rel_to):
            yield Finding(
                p.mark_loc,
                f"the press line is said in public: it must be {lowest.banner}, not {mark.banner}",
            )
        restricted = mark.restricts_foreign_disclosure
        if p.role == "spoken" and restricted:
            what = format_loc(p.loc)
            origin = (
                f"marked {mark.banner}"
                if p.written is not None
                else f"unmarked, so it takes the default portion {mark.banner} (marking.default_portion)"
            )
            yield Finding(
                p.mark_loc,
                f"{what} is said to the foreign counterpart but is {origin}: {', '.join(restricted)} "
                "forbids that; mark it releasable or move it to the background",
            )
    if briefing is not None:
        derived = marking.derive(effective.values())
        briefing.marking._derived = derived
    yield from _cited_above(data, effective, default)


def _cited_above(
    data: dict[str, Any], effective: dict[Loc, marking.Classification], default: marking.Classification
) -> Iterator[Finding]:
    fact_marks: dict[str, tuple[Loc, marking.Classification]] = {}
    for loc, fact in _at_path(data, ("facts", "*")):
        if isinstance(fact, dict) and isinstance(fact.get("id"), str) and loc in effective:
            fact_marks[fact["id"]] = (loc, effective[loc])
    for path, key in _CITING:
        for loc, item in _at_path(data, path):
            if not isinstance(item, dict):
                continue
            # A question/response pair has no mark of its own: its response carries the facts.
            mark = effective.get(loc) or effective.get((*loc, "response")) or default
            for i, ref in refs_in(item, key):
                cited = fact_marks.get(ref)
                if cited is None or mark.covers(cited[1]):
                    continue
                yield Finding(
                    ref_loc(loc, key, i),
                    f"{format_loc(loc)} (marked {mark.banner}) cites fact {ref!r} marked {cited[1].banner} "
                    f"({format_loc(cited[0])}): the portion is marked lower than what it rests on",
                    "warning",
                )
