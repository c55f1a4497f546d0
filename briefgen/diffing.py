"""`briefgen diff`: what changed between two versions of a fact base, read through the models.

Items with ids (facts, risks, agenda items, sources, people, judgments with ids) are matched by
id, so a reordered list is not a change; a risk's rating change is reported with its score and
RAG status as the briefing's thresholds give them. Values compared are the validated ones, so
a change of YAML layout or quoting alone is not a change.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pydantic import BaseModel

from briefgen.facts import Briefing, load_facts
from briefgen.facts.risks import Risk

# Sections in report order: (section name, Briefing attribute, label of one item).
SECTIONS = (
    ("facts", "facts"),
    ("risks", "risks"),
    ("agenda", "agenda"),
    ("sources", "sources"),
    ("people", "people"),
    ("judgments", "judgments"),
)
# Top-level fields reported as "briefing" changes.
HEADER_FIELDS = (
    "title", "marking", "prepared_for", "prepared_by", "through", "date_prepared",
    "information_as_of", "summary", "headline", "context", "meeting", "objectives",
    "timeline", "press_line", "next_steps", "output",
)


@dataclass
class Change:
    section: str  # facts, risks, agenda, sources, people, judgments, briefing
    id: str  # item id ('' for briefing fields)
    change: str  # added | removed | changed
    field: str = ""  # for 'changed': which field ('rating' for a risk's likelihood × impact)
    old: object = None
    new: object = None

    def describe(self) -> str:
        name = f"{self.id} " if self.id else ""
        if self.change == "added":
            return f"+ {name.strip()}: {_short(self.new)}"
        if self.change == "removed":
            return f"- {name.strip()}: {_short(self.old)}"
        before, after = _differing(_text(self.old), _text(self.new))
        return f"~ {name}{self.field}: {before} → {after}"


@dataclass
class BriefingDiff:
    old: str
    new: str
    changes: list[Change] = field(default_factory=list)

    def summary(self) -> dict[str, dict[str, int]]:
        counts: dict[str, dict[str, int]] = {}
        for c in self.changes:
            section = counts.setdefault(c.section, {"added": 0, "removed": 0, "changed": 0})
            section[c.change] += 1
        return counts

    def data(self) -> dict[str, object]:
        return {
            "old": self.old,
            "new": self.new,
            "summary": self.summary(),
            "changes": [asdict(c) for c in self.changes],
        }

    def to_json(self) -> str:
        return json.dumps(self.data(), indent=2, ensure_ascii=False, default=str)

    def format(self) -> str:
        if not self.changes:
            return f"{self.old} → {self.new}: no changes"
        lines = [f"{self.old} → {self.new}"]
        section = None
        for c in self.changes:
            if c.section != section:
                section = c.section
                counts = self.summary()[section]
                tally = ", ".join(f"{n} {k}" for k, n in counts.items() if n)
                lines.append(f"{section} ({tally}):")
            lines.append(f"  {c.describe()}")
        return "\n".join(lines)


def _text(value: object) -> str:
    """A value as the report shows it, whole (strings quoted, on one line)."""
    if isinstance(value, dict) and "text" in value:  # a risk rating: shown by its summary
        return str(value["text"])
    if isinstance(value, str):
        return json.dumps(" ".join(value.split()), ensure_ascii=False)
    if value is None:
        return "(none)"
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)


CONTEXT = 40  # characters kept on each side of a change in a long text


def _differing(old: str, new: str, limit: int = 160) -> tuple[str, str]:
    """Both texts, or for long ones the part where they differ with `CONTEXT` characters around
    it ('…' marks what is left out): cutting both at the same length would hide a change made
    near the end of a long sentence."""
    if len(old) <= limit and len(new) <= limit:
        return old, new
    prefix = 0
    while prefix < min(len(old), len(new)) and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while (
        suffix < min(len(old), len(new)) - prefix
        and old[len(old) - 1 - suffix] == new[len(new) - 1 - suffix]
    ):
        suffix += 1
    start = max(prefix - CONTEXT, 0)

    def window(text: str) -> str:
        end = min(len(text) - suffix + CONTEXT, len(text))
        middle = text[start:end]
        if end - start > limit:  # a long change: its start and its end
            middle = middle[: limit // 2] + " … " + middle[-(limit // 2) :]
        return ("…" if start > 0 else "") + middle + ("…" if end < len(text) else "")

    return window(old), window(new)


def _short(value: object, limit: int = 160) -> str:
    if isinstance(value, dict) and "text" in value:  # a risk rating: shown by its summary
        return str(value["text"])
    if isinstance(value, str):
        text = json.dumps(" ".join(value.split()), ensure_ascii=False)
    elif value is None:
        text = "(none)"
    else:
        text = json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _rating(risk: Risk) -> dict[str, object]:
    return {
        "likelihood": risk.likelihood,
        "impact": risk.impact,
        "score": risk.score,
        "rag": risk.rag,
        "text": f"L{risk.likelihood}×I{risk.impact} = {risk.score} ({risk.rag})",
    }


def _items(briefing: Briefing, attribute: str) -> dict[str, object]:
    items = briefing.judgments.items if attribute == "judgments" else getattr(briefing, attribute)
    found: dict[str, object] = {}
    for index, item in enumerate(items):
        key = getattr(item, "id", None) or f"#{index + 1}"
        found.setdefault(key, item)
    return found


def _headline(section: str, item: object) -> object:
    """What an added or removed item is shown by."""
    if section == "risks" and isinstance(item, Risk):
        return f"{item.title}, {_rating(item)['text']}"
    for name in ("statement", "title", "name"):
        if hasattr(item, name):
            return getattr(item, name)
    return item.model_dump(mode="json") if isinstance(item, BaseModel) else item


def diff_briefings(
    old: Briefing, new: Briefing, old_name: str = "old", new_name: str = "new"
) -> BriefingDiff:
    """Every difference between two validated briefings, section by section."""
    result = BriefingDiff(old_name, new_name)
    changes = result.changes
    old_dump, new_dump = old.model_dump(mode="json"), new.model_dump(mode="json")
    for name in HEADER_FIELDS:
        if old_dump.get(name) != new_dump.get(name):
            changes.append(Change("briefing", "", "changed", name, old_dump.get(name), new_dump.get(name)))
    if old.judgments.lexicon != new.judgments.lexicon:
        changes.append(Change("briefing", "", "changed", "judgments.lexicon", old.judgments.lexicon,
                              new.judgments.lexicon))
    for section, attribute in SECTIONS:
        before, after = _items(old, attribute), _items(new, attribute)
        for key, item in after.items():
            if key not in before:
                changes.append(Change(section, key, "added", new=_headline(section, item)))
        for key, item in before.items():
            if key not in after:
                changes.append(Change(section, key, "removed", old=_headline(section, item)))
        for key, item in after.items():
            if key in before:
                changes.extend(_item_changes(section, key, before[key], item))
    order = {name: i for i, name in enumerate(["briefing", *(s for s, _ in SECTIONS)])}
    kinds = {"added": 0, "removed": 1, "changed": 2}
    changes.sort(key=lambda c: (order[c.section], kinds[c.change]))
    return result


def _item_changes(section: str, key: str, before: object, after: object) -> list[Change]:
    found: list[Change] = []
    a = before.model_dump(mode="json") if isinstance(before, BaseModel) else {}
    b = after.model_dump(mode="json") if isinstance(after, BaseModel) else {}
    fields = list(dict.fromkeys([*a, *b]))
    if section == "risks" and isinstance(before, Risk) and isinstance(after, Risk):
        old_rating, new_rating = _rating(before), _rating(after)
        if old_rating != new_rating:
            found.append(Change(section, key, "changed", "rating", old_rating, new_rating))
        fields = [f for f in fields if f not in ("likelihood", "impact")]
    for name in fields:
        if a.get(name) != b.get(name):
            found.append(Change(section, key, "changed", name, a.get(name), b.get(name)))
    return found


def rating_changes(diff: BriefingDiff) -> list[Change]:
    """The risks whose rating (likelihood × impact, score, RAG) changed."""
    return [c for c in diff.changes if c.section == "risks" and c.field == "rating"]


def diff_files(old: Path, new: Path) -> BriefingDiff:
    """Load and validate both fact files (raising `InvalidFacts` as a build would), then diff."""
    before = load_facts(old).briefing
    after = load_facts(new).briefing
    return diff_briefings(before, after, str(old), str(new))
