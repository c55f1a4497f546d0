"""Cross-checks that field validation cannot make: ids, references, date order, ratings,
lexicon terms, disclosure and markings.

They run on the plain data (not only on a valid model), so that a dangling id is reported in
the same run as a wrong type elsewhere in the file. Each check is defensive about shapes:
what is malformed there has already been reported by field validation.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from briefgen import marking, marking_schemes
from briefgen.facts.judgments import LEXICON_NAMES, LEXICONS
from briefgen.facts.models import Briefing
from briefgen.facts.positions import Loc, format_loc
from briefgen.languages import dominant_script, language_of, script_matches, script_of_char

ID_LISTS = ("sources", "facts", "risks", "agenda", "people")
SUMMARY_MAX_CHARS = 400  # about four lines of the memo's body text


@dataclass(frozen=True)
class Finding:
    loc: Loc
    message: str
    severity: str = "error"
    at_key: bool = False


def cross_check(data: dict[str, Any], briefing: Briefing | None) -> list[Finding]:
    found: list[Finding] = []
    ids = {name: _ids(data, name, found) for name in ID_LISTS}
    found.extend(_references(data, ids))
    found.extend(_unused_sources(data, ids["sources"]))
    found.extend(_dates(data))
    found.extend(_ratings(data))
    found.extend(_lexicon(data))
    found.extend(_disclosure(data))
    found.extend(_markings(data, briefing))
    if briefing is not None:
        found.extend(_script(data, briefing))
    found.extend(_placeholders(data, ()))
    if briefing is not None and len(briefing.summary) > SUMMARY_MAX_CHARS:
        found.append(
            Finding(
                ("summary",),
                f"the bottom line is {len(briefing.summary)} characters; keep it to about four lines "
                f"(≤ {SUMMARY_MAX_CHARS} characters)",
                "warning",
            )
        )
    return found


# The starter text `briefgen init` writes (briefgen.scaffold.starter): every sentence of it begins
# "Replace with", the rest are these names. A test keeps the two in step.
SCAFFOLD_PREFIX = "Replace with"
SCAFFOLD_TEXTS = frozenset(
    {
        "Meeting with the Foreign Minister of Example",
        "Bilateral meeting with the Foreign Minister of Example",
        "The Minister",
        "Example Desk",
        "Capital City",
        "Example",
        "Republic of Example",
        "Our Minister",
        "Their Minister",
        "First agenda item",
        "Bilateral talks, delegations",
        "These judgments are the drafting desk's own.",
        "The meeting.",
        "https://www.example.org/replace-with-the-address",
    }
)


def _placeholders(node: object, loc: Loc) -> Iterator[Finding]:
    """A warning at every value still holding the scaffold's text: a brief sent with "Replace
    with the bottom line" in it is the worst first-hour mistake, and it validates."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _placeholders(value, (*loc, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _placeholders(value, (*loc, index))
    elif isinstance(node, str):
        text = " ".join(node.split())
        if text.startswith(SCAFFOLD_PREFIX) or text in SCAFFOLD_TEXTS:
            shown = text if len(text) <= 50 else text[:49] + "…"
            yield Finding(
                loc,
                f"still the scaffold's text ({shown!r}): write the briefing's own",
                "warning",
            )


def _items(data: object, *path: str) -> Iterator[tuple[Loc, dict[str, Any]]]:
    """(loc, mapping) for each mapping in the list at `path`."""
    node: object = data
    for part in path:
        if not isinstance(node, dict):
            return
        node = node.get(part)
    if isinstance(node, list):
        for i, item in enumerate(node):
            if isinstance(item, dict):
                yield (*path, i), item


def _refs(item: dict[str, Any], key: str) -> Iterator[tuple[int | None, str]]:
    value = item.get(key)
    if isinstance(value, str):
        yield None, value
    elif isinstance(value, list):
        for i, ref in enumerate(value):
            if isinstance(ref, str):
                yield i, ref


def _ids(data: dict[str, Any], name: str, found: list[Finding]) -> dict[str, Loc]:
    seen: dict[str, Loc] = {}
    for loc, item in _items(data, name):
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


def _dangling(kind: str, ref: str, known: dict[str, Loc]) -> str:
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
    for loc, item in _items(data, "agenda"):
        for key in ("points", "if_raised"):
            for i, sub in enumerate(item.get(key) or []):
                if isinstance(sub, dict):
                    yield (*loc, key, i), sub, True
    press = data.get("press_line")
    if isinstance(press, dict):
        yield ("press_line",), press, True
        for loc, item in _items(data, "press_line", "if_asked"):
            yield loc, item, True
    for side in ("ours", "theirs"):
        for loc, item in _items(data, "objectives", side):
            yield loc, item, False


def _references(data: dict[str, Any], ids: dict[str, dict[str, Loc]]) -> Iterator[Finding]:
    for path, key, kind in _REFERENCE_FIELDS:
        known = ids[_KIND_LIST[kind]]
        for loc, item in _items(data, *path):
            for i, ref in _refs(item, key):
                if ref not in known:
                    yield Finding(_at(loc, key, i), _dangling(kind, ref, known))
    for loc, item, _spoken in _point_lists(data):
        if loc[0] == "objectives":
            continue  # covered by _REFERENCE_FIELDS
        for i, ref in _refs(item, "facts"):
            if ref not in ids["facts"]:
                yield Finding(_at(loc, "facts", i), _dangling("fact", ref, ids["facts"]))
    meeting = data.get("meeting")
    if isinstance(meeting, dict):
        for i, ref in _refs(meeting, "participants"):
            if ref not in ids["people"]:
                yield Finding(_at(("meeting",), "participants", i), _dangling("person", ref, ids["people"]))


def _at(loc: Loc, key: str, index: int | None) -> Loc:
    return (*loc, key) if index is None else (*loc, key, index)


def _unused_sources(data: dict[str, Any], sources: dict[str, Loc]) -> Iterator[Finding]:
    used: set[str] = set()
    for name in ("facts", "people", "timeline"):
        for _loc, item in _items(data, name):
            used.update(ref for _i, ref in _refs(item, "sources"))
    for ident, loc in sources.items():
        if ident not in used:
            yield Finding(
                (*loc, "id"),
                f"source {ident!r} is not cited by any fact, biography or timeline event",
                "warning",
            )


def _as_date(value: object) -> date | None:
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip().replace(" ", "T", 1))
        except ValueError:
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                return None
        return parsed.date()
    return None


def _dates(data: dict[str, Any]) -> Iterator[Finding]:
    as_of = _as_date(data.get("information_as_of"))
    prepared = _as_date(data.get("date_prepared"))
    meeting = _mapping(data.get("meeting"))
    start = _as_date(meeting.get("start"))
    if as_of and prepared and as_of > prepared:
        yield Finding(
            ("information_as_of",),
            f"information as of {as_of} is after the date prepared {prepared}",
        )
    if prepared and start and prepared > start:
        yield Finding(
            ("date_prepared",),
            f"date prepared {prepared} is after the meeting starts ({start})",
        )
    for loc, fact in _items(data, "facts"):
        begin, until = fact.get("date"), fact.get("until")
        if isinstance(begin, str) and isinstance(until, str) and until < begin:
            yield Finding((*loc, "until"), f"date range ends ({until}) before it begins ({begin})")


def _mapping(value: object) -> dict[str, Any]:
    """`value` when it is a mapping (the raw YAML may hold anything), else an empty one."""
    return value if isinstance(value, dict) else {}


def _thresholds(data: dict[str, Any]) -> tuple[int, int]:
    rag = _mapping(_mapping(data.get("output")).get("rag"))
    try:
        return int(rag.get("red_from", 12)), int(rag.get("amber_from", 5))
    except (TypeError, ValueError):
        return 12, 5


def _ratings(data: dict[str, Any]) -> Iterator[Finding]:
    red_from, amber_from = _thresholds(data)
    for loc, risk in _items(data, "risks"):
        try:
            score = int(risk.get("likelihood", "")) * int(risk.get("impact", ""))
        except (TypeError, ValueError):
            continue
        rag = "red" if score >= red_from else "amber" if score >= amber_from else None
        if rag and not risk.get("rationale"):
            yield Finding(
                loc,
                f"risk rated {rag} (score {score}) needs a rationale: say why it is this likely "
                "and this serious",
            )


# The nearest term of the other lexicon, for a judgment written against the wrong yardstick.
_EQUIVALENT = {
    "icd203": {
        "remote chance": "almost no chance",
        "highly unlikely": "very unlikely",
        "realistic possibility": "roughly even chance",
        "highly likely": "very likely",
    },
    "phia": {
        "almost no chance": "remote chance",
        "very unlikely": "highly unlikely",
        "roughly even chance": "realistic possibility",
        "very likely": "highly likely",
    },
}


def _lexicon(data: dict[str, Any]) -> Iterator[Finding]:
    judgments = data.get("judgments")
    if not isinstance(judgments, dict):
        return
    lexicon = judgments.get("lexicon", "icd203")
    terms = LEXICONS.get(lexicon) if isinstance(lexicon, str) else None
    if terms is None:
        return  # reported by field validation
    for loc, item in _items(data, "judgments", "items"):
        term = item.get("likelihood")
        if isinstance(term, str) and term.strip().lower() not in terms:
            message = (
                f"likelihood term {term!r} is not in the {LEXICON_NAMES[lexicon]} lexicon; use one of: "
                + ", ".join(terms)
            )
            key = term.strip().lower()
            guess = _EQUIVALENT[lexicon].get(key) or next(
                iter(difflib.get_close_matches(key, list(terms), n=1, cutoff=0.6)), None
            )
            if guess:
                message += f" (did you mean {guess!r}?)"
            yield Finding((*loc, "likelihood"), message)
        statement = item.get("statement")
        if isinstance(statement, str):
            lowered = statement.lower()
            if any(f" {word} " in f" {lowered} " for word in ("confidence",)):
                yield Finding(
                    (*loc, "statement"),
                    "state confidence in the `confidence` field, not in the judgment's sentence",
                    "warning",
                )


def _disclosure(data: dict[str, Any]) -> Iterator[Finding]:
    secret = {
        item.get("id"): loc
        for loc, item in _items(data, "facts")
        if str(item.get("usable_in_conversation", "true")).strip().lower() in ("false", "no", "off", "0")
    }
    if not secret:
        return
    for loc, item, spoken in _point_lists(data):
        if not spoken:
            continue
        for i, ref in _refs(item, "facts"):
            if ref in secret:
                yield Finding(
                    _at(loc, "facts", i),
                    f"fact {ref!r} is marked usable_in_conversation: false and may not be used in "
                    "points to make, if-raised lines or the press line",
                )


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


def _markings(data: dict[str, Any], briefing: Briefing | None) -> Iterator[Finding]:
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
            for i, ref in _refs(item, key):
                cited = fact_marks.get(ref)
                if cited is None or mark.covers(cited[1]):
                    continue
                yield Finding(
                    _at(loc, key, i),
                    f"{format_loc(loc)} (marked {mark.banner}) cites fact {ref!r} marked {cited[1].banner} "
                    f"({format_loc(cited[0])}): the portion is marked lower than what it rests on",
                    "warning",
                )


# A language to suggest for text in a script (the usual one; the author knows better).
_SCRIPT_LANGUAGES = {
    "Latn": ("Latin", "en-GB"),
    "Cyrl": ("Cyrillic", "ru"),
    "Grek": ("Greek", "el"),
    "Arab": ("Arabic", "ar"),
    "Hebr": ("Hebrew", "he"),
    "Hani": ("Chinese (Han)", "zh-CN"),
    "Jpan": ("Japanese", "ja"),
    "Kore": ("Korean", "ko"),
    "Hans": ("Chinese (Han)", "zh-CN"),
    "Hant": ("Chinese (Han)", "zh-TW"),
}
SCRIPT_MIN_LETTERS = 40  # below this there is too little prose to judge
SCRIPT_MIN_SHARE = 0.6  # the facts' script must hold this share of their letters


def _script(data: dict[str, Any], briefing: Briefing) -> Iterator[Finding]:
    """Warn when the facts' prose is written in another script than the document language
    uses: the fixed words, dates and (for Arabic or Hebrew) the direction follow
    `output.language`, so an Arabic brief left at the default en-GB comes out left to right
    with English headings. Names (`people`) and sources are left out: they keep their own
    letters in any brief."""
    texts: list[str] = [briefing.title, briefing.summary, briefing.context]
    texts += [o.text for o in (*briefing.objectives.ours, *briefing.objectives.theirs)]
    for item in briefing.agenda:
        texts += [item.title, item.position, *(p.text for p in item.points)]
    texts += [f.statement for f in briefing.facts]
    script, letters = dominant_script(texts)
    if script is None or letters < SCRIPT_MIN_LETTERS:
        return
    share = _share(texts, script) / letters
    language = language_of(briefing.output.language)
    if share < SCRIPT_MIN_SHARE or script_matches(language, script):
        return
    name, suggestion = _SCRIPT_LANGUAGES.get(script, (script, ""))
    has_language = isinstance(data.get("output"), dict) and "language" in data["output"]
    loc: Loc = ("output", "language") if has_language else ("summary",)
    hint = f"set output.language: {suggestion}" if suggestion else "set output.language to their language"
    own = _SCRIPT_LANGUAGES.get(language.script, (language.script, ""))[0]
    yield Finding(
        loc,
        f"the facts are mostly in {name} script ({share:.0%} of their letters) but the document "
        f"language is {briefing.output.language!r} ({own} script): headings, dates and text "
        f"direction follow output.language; {hint}, or translate the facts",
        "warning",
    )


def _share(texts: list[str], script: str) -> int:
    """How many letters of `texts` are in `script` (Han in a text with kana counts as Japanese)."""
    count = 0
    for text in texts:
        scripts = [script_of_char(ch) for ch in text]
        kana = "Jpan" in scripts
        for found in scripts:
            if found == "Hani" and kana:
                found = "Jpan"
            count += found == script
    return count
