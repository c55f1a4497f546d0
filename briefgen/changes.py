"""What changed since the version the principal read, as a reader wants it: for the deck's
changes slide and the build report (and so the review Markdown of the deck).

The comparison itself is `briefgen.diffing.diff_briefings` (the one `briefgen diff` prints), so
the deck, the report and `diff` always agree on what changed; this module only chooses the
changes a principal cares about and orders them: risk ratings first, then agenda items,
judgments, facts, people and the brief's own sections (bottom line, press line…). Items are
named by title or statement, never by id. The notes are data: the words around them ("added",
"Agenda item", the slide title) are the template's, in the document's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from briefgen.diffing import BriefingDiff, Change, diff_briefings
from briefgen.facts.models import Briefing

# Order of importance on the slide: what moves the principal's risk picture first.
SECTIONS = ("risks", "agenda", "judgments", "facts", "people", "briefing")
# Brief-level fields a reader notices; output settings, dates prepared and the like are not news.
BRIEFING_FIELDS = (
    "summary", "headline", "press_line", "objectives", "context", "meeting", "marking", "title",
    "next_steps", "timeline",
)
# Fields whose old and new values are short enough to show side by side.
SHOWN_FIELDS = frozenset({"likelihood", "confidence", "trend", "marking"})
# Fields that link items to each other or name their sources: the memo's notes show them.
LINK_FIELDS = frozenset({"id", "sources", "basis", "agenda", "risks", "background", "facts"})
SUBJECT_LIMIT = 90
VALUE_LIMIT = 60


@dataclass(frozen=True)
class Rating:
    """A risk's rating: likelihood × impact = score, and its RAG status (red, amber, green)."""

    likelihood: int
    impact: int
    score: int
    rag: str


@dataclass(frozen=True)
class FieldChange:
    """What changed in one field of an item or of the brief (`points`, `timeline`): how many
    items were added to, dropped from or moved within its list, and whether anything else in it
    was revised."""

    field: str
    added: int = 0
    dropped: int = 0
    revised: bool = False
    moved: int = 0

    def __add__(self, other: FieldChange) -> FieldChange:
        return FieldChange(
            self.field, self.added + other.added, self.dropped + other.dropped,
            self.revised or other.revised, self.moved + other.moved,
        )


@dataclass(frozen=True)
class ChangeNote:
    """One change as a reader sees it.

    `section`: risks, agenda, judgments, facts, people or briefing; `subject`: the item's title
    or statement, shortened ('' for the brief's own sections); `change`: added, removed, changed
    or moved (the item changed places in its section: `now` is 'up' or 'down'); `fields`: for
    a change, what changed (`rating`, `position`, `summary`…);
    `before` / `now`: for a rating the `Rating`s, for a short field its old and new text;
    `classification`: what the item (the earlier one, if removed) or field is marked, so the
    slide marks the row as the portion it reports on (None: the default portion); `paths`:
    where in the fact file the changes it sums up are, as `briefgen diff` names them
    (`agenda[0].points[1].text`); `details`: per field (for changes other than a rating or a
    short field shown whole), the items added, dropped and moved and whether it was revised."""

    section: str
    subject: str
    change: str
    fields: tuple[str, ...] = ()
    before: Rating | str | None = None
    now: Rating | str | None = None
    classification: str | None = None  # the item's (or field's) classification as written
    paths: tuple[str, ...] = ()
    details: tuple[FieldChange, ...] = ()

    @property
    def listed(self) -> bool:
        """Items were added to, dropped from or moved within a list of this item or field (the
        slide counts them; otherwise it says only which fields were revised)."""
        return any(d.added or d.dropped or d.moved for d in self.details)

    @property
    def rating(self) -> bool:
        """A risk re-rated (its likelihood × impact moved)."""
        return self.fields == ("rating",)


@dataclass
class ChangeSummary:
    """Everything `build --since` tells a reader: the earlier version (`since`, as given, and
    its `date_prepared`) and the notes in order of importance."""

    since: str
    date_prepared: date
    notes: list[ChangeNote] = field(default_factory=list)
    diff: BriefingDiff | None = None

    @property
    def counts(self) -> dict[str, int]:
        tally = {"added": 0, "removed": 0, "changed": 0, "moved": 0}
        for note in self.notes:
            tally[note.change] += 1
        return tally

    def data(self) -> dict[str, object]:
        """For the build report (JSON)."""

        def value(v: Rating | str | None) -> object:
            return v.__dict__ if isinstance(v, Rating) else v

        return {
            "since": self.since,
            "date_prepared": self.date_prepared.isoformat(),
            "counts": self.counts,
            "changes": [
                {
                    "section": n.section,
                    "subject": n.subject,
                    "change": n.change,
                    "fields": list(n.fields),
                    "before": value(n.before),
                    "now": value(n.now),
                    "paths": list(n.paths),
                }
                for n in self.notes
            ],
        }


def summarise(old: Briefing, new: Briefing, since: str) -> ChangeSummary:
    """The reader's summary of every change between two validated briefings."""
    diff = diff_briefings(old, new, since, "this version")
    notes = _merged([note for change in diff.changes if (note := _note(change, old, new)) is not None])
    notes.sort(key=lambda n: (SECTIONS.index(n.section), not n.rating))
    return ChangeSummary(since=since, date_prepared=old.date_prepared, notes=notes, diff=diff)


def _merged(notes: list[ChangeNote]) -> list[ChangeNote]:
    """One note per item and per brief-level field: a position and points both revised are
    one note naming both; three objectives reworded are one note on the objectives."""
    merged: list[ChangeNote] = []
    index: dict[tuple[str, str, tuple[str, ...]], int] = {}
    for note in notes:
        plain = note.change == "changed" and note.before is None and note.section != "briefing"
        if note.section == "briefing" or plain:
            key = (note.section, note.subject, note.fields if note.section == "briefing" else ())
            if key in index:
                earlier = merged[index[key]]
                fields = tuple(dict.fromkeys(earlier.fields + note.fields))
                details = {d.field: d for d in earlier.details}
                for d in note.details:
                    details[d.field] = details[d.field] + d if d.field in details else d
                merged[index[key]] = ChangeNote(
                    note.section, note.subject, "changed", fields, earlier.before, earlier.now,
                    note.classification, earlier.paths + note.paths, tuple(details.values()),
                )
                continue
            index[key] = len(merged)
        merged.append(note)
    return merged


def _short(text: object, limit: int) -> str:
    value = " ".join(str(text).split())
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def _subject(item: object) -> str:
    for name in ("title", "name", "statement", "event"):
        value = getattr(item, name, None)
        if value:
            return _short(value, SUBJECT_LIMIT)
    return ""


def _find(briefing: Briefing, change: Change) -> object | None:
    """The item a change is about: by its id, or for an item without one by its place."""
    section = change.section
    items = briefing.judgments.items if section == "judgments" else getattr(briefing, section, [])
    if not change.id:
        place = re.match(r"[a-z_.]+\[(\d+)\]", change.path)
        return items[int(place.group(1))] if place and int(place.group(1)) < len(items) else None
    for item in items:
        if getattr(item, "id", None) == change.id:
            found: object = item
            return found
    return None


def _names(path: str) -> list[str]:
    """The field names along a path: 'points[0].facts[1]' -> ['points', 'facts']."""
    return [name for name in re.split(r"\[\d+\]|\.", path) if name]


def _classification(item: object) -> str | None:
    written = getattr(item, "classification", None)
    return written if isinstance(written, str) else None


def _rating(value: object) -> Rating | None:
    if not isinstance(value, dict):
        return None
    return Rating(int(value["likelihood"]), int(value["impact"]), int(value["score"]), str(value["rag"]))


def _note(change: Change, old: Briefing, new: Briefing) -> ChangeNote | None:
    if change.section == "sources":
        return None  # where facts come from: the memo's notes show it, and the facts that changed
    paths = (change.path,)
    if change.section == "briefing":
        name = _names(change.field)[0]
        if name not in BRIEFING_FIELDS:
            return None
        mark = _classification(getattr(new, name, None))
        if name == "marking":
            # Shown as the banners a reader sees; a marking is itself unclassified.
            if old.marking.banner == new.marking.banner:
                return None  # portion-mark or authority settings: the memo's redline shows them
            banners = (old.marking.banner, new.marking.banner)
            return ChangeNote("briefing", "", "changed", (name,), *banners, paths=paths)
        detail = _detail(name, change)
        return ChangeNote("briefing", "", "changed", (name,), None, None, mark, paths, detail)
    if change.change == "removed" and not change.field:
        gone = _find(old, change)
        mark = _classification(gone)
        return ChangeNote(change.section, _subject(gone), "removed", classification=mark, paths=paths)
    item = _find(new, change)
    subject, mark = _subject(item), _classification(item)
    if change.change == "added" and not change.field:
        return ChangeNote(change.section, subject, "added", classification=mark, paths=paths)
    if change.change == "moved" and not change.field:
        way = "up" if _place(change.path) < _place(change.moved_from) else "down"
        return ChangeNote(change.section, subject, "moved", (), None, way, mark, paths)
    if change.field == "rating":
        ratings = (_rating(change.old), _rating(change.new))
        return ChangeNote(change.section, subject, "changed", ("rating",), *ratings, mark, paths)
    names = _names(change.field)
    if LINK_FIELDS.intersection(names):
        return None
    if change.field in SHOWN_FIELDS:
        before, now = _short(change.old, VALUE_LIMIT), _short(change.new, VALUE_LIMIT)
        return ChangeNote(change.section, subject, "changed", (change.field,), before, now, mark, paths)
    detail = _detail(names[0], change)
    return ChangeNote(change.section, subject, "changed", (names[0],), None, None, mark, paths, detail)


def _place(path: str) -> int:
    """An item's index in its section: 'agenda[2]' -> 2."""
    found = re.search(r"\[(\d+)\]$", path)
    return int(found.group(1)) if found else 0


def _detail(name: str, change: Change) -> tuple[FieldChange]:
    """A change inside field `name` as the slide counts it: an item added to, dropped from or
    moved within one of its lists, or a revision."""
    listed = change.field.endswith("]")
    added = int(listed and change.change == "added")
    dropped = int(listed and change.change == "removed")
    moved = int(change.change == "moved")
    return (FieldChange(name, added, dropped, not (added or dropped or moved), moved),)
