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
class ChangeNote:
    """One change as a reader sees it.

    `section`: risks, agenda, judgments, facts, people or briefing; `subject`: the item's title
    or statement, shortened ('' for the brief's own sections); `change`: added, removed or
    changed; `fields`: for a change, what changed (`rating`, `position`, `summary`…);
    `before` / `now`: for a rating the `Rating`s, for a short field its old and new text;
    `classification`: what the item (the earlier one, if removed) or field is marked, so the
    slide marks the row as the portion it reports on (None: the default portion)."""

    section: str
    subject: str
    change: str
    fields: tuple[str, ...] = ()
    before: Rating | str | None = None
    now: Rating | str | None = None
    classification: str | None = None  # the item's (or field's) classification as written

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
        tally = {"added": 0, "removed": 0, "changed": 0}
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
    """One note per item: a position and points both revised are one note naming both."""
    merged: list[ChangeNote] = []
    index: dict[tuple[str, str], int] = {}
    for note in notes:
        key = (note.section, note.subject)
        plain = note.change == "changed" and note.before is None and note.section != "briefing"
        if plain and key in index:
            earlier = merged[index[key]]
            merged[index[key]] = ChangeNote(
                note.section, note.subject, "changed", earlier.fields + note.fields,
                classification=note.classification,
            )
            continue
        if plain:
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


def _find(briefing: Briefing, section: str, key: str) -> object | None:
    items = briefing.judgments.items if section == "judgments" else getattr(briefing, section, [])
    for index, item in enumerate(items):
        if (getattr(item, "id", None) or f"#{index + 1}") == key:
            found: object = item
            return found
    return None


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
    if change.section == "briefing":
        name = change.field.split(".")[0]
        if name not in BRIEFING_FIELDS:
            return None
        mark = _classification(getattr(new, name, None))
        if name == "marking":
            # Shown as the banners a reader sees; a marking is itself unclassified.
            if old.marking.banner == new.marking.banner:
                return None  # portion-mark or authority settings: the memo's redline shows them
            return ChangeNote("briefing", "", "changed", (name,), old.marking.banner, new.marking.banner)
        return ChangeNote("briefing", "", "changed", (name,), classification=mark)
    if change.change == "removed":
        item = _find(old, change.section, change.id)
        return ChangeNote(change.section, _subject(item), "removed", classification=_classification(item))
    item = _find(new, change.section, change.id)
    subject, mark = _subject(item), _classification(item)
    if change.change == "added":
        return ChangeNote(change.section, subject, "added", classification=mark)
    if change.field == "rating":
        before_rating, now_rating = _rating(change.old), _rating(change.new)
        return ChangeNote(change.section, subject, "changed", ("rating",), before_rating, now_rating, mark)
    if change.field in LINK_FIELDS:
        return None
    if change.field in SHOWN_FIELDS:
        before, now = _short(change.old, VALUE_LIMIT), _short(change.new, VALUE_LIMIT)
        return ChangeNote(change.section, subject, "changed", (change.field,), before, now, mark)
    return ChangeNote(change.section, subject, "changed", (change.field,), classification=mark)
