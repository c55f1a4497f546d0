"""Cross-checks that field validation cannot make: ids, references, date order, ratings,
lexicon terms, disclosure, markings, the script of the facts against the document language, and
the scaffold's text left in place.

They run on the plain data (not only on a valid model), so that a dangling id is reported in
the same run as a wrong type elsewhere in the file. Each check is defensive about shapes:
what is malformed there has already been reported by field validation. The families of checks
on ids and references (briefgen.facts.references) and on portion markings
(briefgen.facts.portions) have their own modules; `cross_check` runs them all.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from briefgen.errors import quoted
from briefgen.facts import portions, references
from briefgen.facts.findings import Finding, mappings_at
from briefgen.facts.judgments import LEXICON_NAMES, LEXICONS
from briefgen.facts.models import Briefing
from briefgen.facts.positions import Loc
from briefgen.languages import language_of, script_counts, script_matches

SUMMARY_MAX_CHARS = 400  # about four lines of the memo's body text


def cross_check(data: dict[str, Any], briefing: Briefing | None) -> list[Finding]:
    found: list[Finding] = []
    ids = {name: references.collect_ids(data, name, found) for name in references.ID_LISTS}
    found.extend(references.dangling(data, ids))
    found.extend(references.unused_sources(data, ids["sources"]))
    found.extend(_dates(data))
    found.extend(_ratings(data))
    found.extend(_lexicon(data))
    found.extend(references.disclosure(data))
    found.extend(portions.markings(data, briefing))
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
                f"still the scaffold's text ({quoted(shown)}): write the briefing's own",
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
    for loc, fact in mappings_at(data, "facts"):
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
    for loc, risk in mappings_at(data, "risks"):
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
    for loc, item in mappings_at(data, "judgments", "items"):
        term = item.get("likelihood")
        if isinstance(term, str) and term.strip().lower() not in terms:
            message = (
                f"likelihood term {quoted(term)} is not in the {LEXICON_NAMES[lexicon]} lexicon; use one of: "
                + ", ".join(terms)
            )
            key = term.strip().lower()
            guess = _EQUIVALENT[lexicon].get(key) or next(
                iter(difflib.get_close_matches(key, list(terms), n=1, cutoff=0.6)), None
            )
            if guess:
                message += f" (did you mean {quoted(guess)}?)"
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
    counts = script_counts(texts)
    letters = sum(counts.values())
    if not counts or letters < SCRIPT_MIN_LETTERS:
        return
    script = max(counts, key=counts.__getitem__)  # the script most letters are written in
    share = counts[script] / letters
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
