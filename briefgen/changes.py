"""What changed since the version the principal read, as a reader wants it: for the deck's
changes slide, the review Markdown and the build report.

The comparison itself is `briefgen.diffing.diff_briefings` (the one `briefgen diff` prints), so
the deck, the report and `diff` always agree on what changed; this module only chooses and
words the changes a principal cares about, by title and value, never by id: risk ratings and
RAG moves first, then agenda items, judgments, facts, the bottom line and the press line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from briefgen.diffing import BriefingDiff, Change, diff_briefings
from briefgen.facts.models import Briefing

# Order of importance on the slide: what moves the principal's risk picture first.
_ORDER = {"risks": 0, "agenda": 1, "judgments": 2, "facts": 3, "briefing": 4, "people": 5, "sources": 6}
_WHAT = {
    "risks": "Risk",
    "agenda": "Agenda item",
    "judgments": "Judgment",
    "facts": "Fact",
    "people": "Person",
    "sources": "Source",
}
# Briefing-level fields a reader notices, and how they are named.
_BRIEFING_FIELDS = {
    "summary": "Bottom line",
    "headline": "Headline",
    "press_line": "Press line",
    "objectives": "Objectives",
    "context": "Purpose and context",
    "meeting": "Meeting details",
    "marking": "Marking",
    "title": "Subject",
    "next_steps": "Next steps",
    "timeline": "Chronology",
}
# Item fields whose old and new values are short enough to show side by side.
_SHOWN = {"likelihood", "confidence", "trend", "title", "headline", "date", "role"}
# Fields that link items to each other: shown in the memo's notes, not news in themselves.
_LINKS = {"id", "sources", "basis", "agenda", "risks", "background", "facts"}
SUBJECT_LIMIT = 90
VALUE_LIMIT = 60


@dataclass(frozen=True)
class ChangeNote:
    """One change as a reader sees it: `what` changed (Risk, Fact, Agenda item…), its `subject`
    (title or statement, shortened), its `before` and `now` values ('' when added or removed),
    and `change` (added, removed, changed) for styling."""

    what: str
    subject: str
    before: str
    now: str
    change: str


@dataclass
class ChangeSummary:
    """Everything `build --since` tells a reader: the earlier version (`since`, its
    `date_prepared`), the notes in order of importance and the counts per kind of change."""

    since: str
    date_prepared: date
    notes: list[ChangeNote] = field(default_factory=list)
    diff: BriefingDiff | None = None

    @property
    def counts(self) -> dict[str, int]:
        tally = {"added": 0, "removed": 0, "changed": 0}
        for note in self.notes:
            tally[note.change] += 1
        return tally

    def headline(self) -> str:
        """A slide title stating the point: `3 changes since 10 August: a risk re-rated, …`."""
        if not self.notes:
            return "No change of substance since the last version"
        parts: list[str] = []
        ratings = sum(1 for n in self.notes if n.what == "Risk" and "×" in n.before)
        if ratings:
            parts.append(f"{_count(ratings, 'risk')} re-rated")
        for what, label in (("Agenda item", "agenda item"), ("Fact", "fact"), ("Judgment", "judgment")):
            added = sum(1 for n in self.notes if n.what == what and n.change == "added")
            removed = sum(1 for n in self.notes if n.what == what and n.change == "removed")
            changed = sum(1 for n in self.notes if n.what == what and n.change == "changed")
            if added:
                parts.append(f"{_count(added, label)} added")
            if removed:
                parts.append(f"{_count(removed, label)} dropped")
            if changed and what != "Fact":
                parts.append(f"{_count(changed, label)} revised")
        if not parts:
            parts.append(_count(len(self.notes), "change"))
        return "Since the last version: " + ", ".join(parts[:3])

    def data(self) -> dict[str, object]:
        """For the build report (JSON)."""
        return {
            "since": self.since,
            "date_prepared": self.date_prepared.isoformat(),
            "counts": self.counts,
            "changes": [note.__dict__ for note in self.notes],
        }


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def summarise(old: Briefing, new: Briefing, since: str) -> ChangeSummary:
    """The reader's summary of every change between two validated briefings."""
    diff = diff_briefings(old, new, since, "this version")
    notes = _merged([note for change in diff.changes if (note := _note(change, old, new)) is not None])
    notes.sort(key=lambda n: _ORDER.get(_section_of(n.what), 9))
    return ChangeSummary(since=since, date_prepared=old.date_prepared, notes=notes, diff=diff)


def _merged(notes: list[ChangeNote]) -> list[ChangeNote]:
    """One note per item: "position revised" and "points revised" become "position, points
    revised"."""
    merged: list[ChangeNote] = []
    index: dict[tuple[str, str], int] = {}
    for note in notes:
        key = (note.what, note.subject)
        revised = note.change == "changed" and not note.before and note.now.endswith(" revised")
        if revised and key in index:
            earlier = merged[index[key]]
            fields = earlier.now.removesuffix(" revised") + ", " + note.now.removesuffix(" revised")
            merged[index[key]] = ChangeNote(note.what, note.subject, "", fields + " revised", "changed")
            continue
        if revised:
            index[key] = len(merged)
        merged.append(note)
    return merged


def _section_of(what: str) -> str:
    for section, label in _WHAT.items():
        if label == what:
            return section
    return "briefing"


def _short(text: object, limit: int) -> str:
    value = " ".join(str(text).split())
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def _subject(section: str, item: object) -> str:
    for name in ("title", "name", "statement", "event"):
        value = getattr(item, name, None)
        if value:
            return _short(value, SUBJECT_LIMIT)
    return ""


def _find(briefing: Briefing, section: str, key: str) -> object | None:
    items = briefing.judgments.items if section == "judgments" else getattr(briefing, section, [])
    for index, item in enumerate(items):
        if (getattr(item, "id", None) or f"#{index + 1}") == key:
            return item
    return None


def _rating(value: object) -> str:
    if isinstance(value, dict):
        rag = str(value.get("rag", "")).lower()
        return f"{value.get('likelihood')} × {value.get('impact')} = {value.get('score')}, {rag}"
    return _short(value, VALUE_LIMIT)


def _note(change: Change, old: Briefing, new: Briefing) -> ChangeNote | None:
    if change.section == "briefing":
        label = _BRIEFING_FIELDS.get(change.field.split(".")[0])
        if label is None:
            return None  # output settings and the like: not news to the principal
        if change.field == "marking":
            before, now = _short(change.old, VALUE_LIMIT), _short(change.new, VALUE_LIMIT)
            return ChangeNote(label, "", before, now, "changed")
        return ChangeNote(label, "", "", "revised", "changed")
    if change.section == "sources":
        return None  # where facts come from: the memo's notes show it, and the facts that changed
    what = _WHAT[change.section]
    if change.change == "added":
        item = _find(new, change.section, change.id)
        return ChangeNote(what, _subject(change.section, item), "", "added", "added")
    if change.change == "removed":
        item = _find(old, change.section, change.id)
        return ChangeNote(what, _subject(change.section, item), "removed", "", "removed")
    item = _find(new, change.section, change.id)
    subject = _subject(change.section, item)
    if change.field == "rating":
        return ChangeNote(what, subject, _rating(change.old), _rating(change.new), "changed")
    if change.field in _SHOWN:
        return ChangeNote(
            what, subject, f"{change.field}: {_short(change.old, VALUE_LIMIT)}",
            f"{change.field}: {_short(change.new, VALUE_LIMIT)}", "changed",
        )
    if change.field in _LINKS:
        return None  # citations and links: shown in the memo's notes, not news in themselves
    return ChangeNote(what, subject, "", f"{change.field.replace('_', ' ')} revised", "changed")
