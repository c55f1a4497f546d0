"""`briefgen diff`: what changed between two versions of a fact base, read through the models.

Items with ids (facts, risks, agenda items, sources, people, judgments with ids) are matched by
id wherever they stand. Where the brief prints a section in the fact file's order (agenda items:
the order of priorities; risks of equal score; people; judgments) an item that changed places is
reported as moved; facts and sources are only referenced by id, so their order is no change. A
risk's rating change is reported with its score and
RAG status as the briefing's thresholds give them. Values compared are the validated ones, so
a change of YAML layout or quoting alone is not a change.

Inside an item or a brief-level field the comparison goes down to the value that changed and
names it by its path, spelt as located errors spell it (`points[1].text`,
`objectives.ours[0].text`, `timeline[3].event`). Lists of items without ids (points, if-raised
lines, chronology events, next steps, id lists) are aligned as sequences
(`difflib.SequenceMatcher`), so an item inserted in the middle is one item added, not every
later item changed; a revised item is paired with the item it revises by the likeness of its
text, and an item taken out in one place and put back in another (the same text, or as alike as
a revised item) is one item moved, not one removed and one added. An added or removed item is
shown by its main text (a point's text, an event's date and event), a changed text by the part
that differs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from difflib import SequenceMatcher

from pydantic import BaseModel

from briefgen.facts import Briefing
from briefgen.facts.positions import Loc, format_loc
from briefgen.facts.risks import Risk

# Sections in report order: (section name, where its items are in the fact file).
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("facts", ("facts",)),
    ("risks", ("risks",)),
    ("agenda", ("agenda",)),
    ("sources", ("sources",)),
    ("people", ("people",)),
    ("judgments", ("judgments", "items")),
)
# Sections the brief prints in the fact file's order (agenda items are its priorities; risks of
# equal score, people and judgments keep their order): an item that changed places is news.
ORDERED = frozenset({"agenda", "risks", "people", "judgments"})
# The memo and deck print agenda items by likelihood and risks by score (templating's
# agenda_ordered and risks_ranked), the file's order within each: an item is compared only
# with the items of its group, and one that changed group has moved for that reason (its
# likelihood or rating change says so), not as a reordering.
AGENDA_LIKELIHOODS = ("certain", "possible", "unlikely")


def _printed_group(section: str, item: object) -> int:
    """The group of items the brief prints in the file's order that `item` is in."""
    if section == "agenda":
        found = getattr(item, "likelihood", None)
        return AGENDA_LIKELIHOODS.index(found) if found in AGENDA_LIKELIHOODS else len(AGENDA_LIKELIHOODS)
    if section == "risks" and isinstance(item, Risk):
        return -item.score
    return 0
# Brief-level fields reported as "briefing" changes, by their path.
HEADER_FIELDS: tuple[Loc, ...] = (
    ("title",), ("marking",), ("prepared_for",), ("prepared_by",), ("through",),
    ("date_prepared",), ("information_as_of",), ("summary",), ("headline",), ("slide_titles",),
    ("context",), ("meeting",), ("objectives",), ("timeline",), ("press_line",), ("next_steps",),
    ("judgments", "lexicon"), ("judgments", "drafter_note"), ("output",),
)
# What an item is shown by when it is added or removed, in order of preference.
MAIN_TEXT = ("text", "statement", "title", "name", "line")
# Below this likeness (difflib ratio of their main texts) two items are one removed and one
# added, not one item revised.
SAME_ITEM = 0.5
# In a replaced run longer than this, an item is compared with this many items either side of
# its place in the other run, not with all of them (n × m comparisons of long texts).
BAND = 12


@dataclass
class Change:
    """One difference.

    `section`: facts, risks, agenda, sources, people, judgments or briefing; `id`: the item's id
    ('' for brief-level fields and for items without one); `change`: added, removed, changed or
    moved, of the item itself when `field` is '' and else of what `field` names; `field`: the path
    inside the item or, for the briefing, the brief-level path (`points[1].text`,
    `objectives.ours[0]`; 'rating' for a risk's likelihood × impact); `old`/`new`: the values
    (for an added or removed item, the item); `path`: where it is in the fact file
    (`agenda[0].points[1].text`), with the indexes of the new version, or of the old one for
    what was removed; `moved_from`: for a moved item, where it was in the old version, spelt
    as `field` is (or as `path` for an item of a section); '' otherwise."""

    section: str
    id: str
    change: str  # added | removed | changed | moved
    field: str = ""
    old: object = None
    new: object = None
    path: str = ""
    moved_from: str = ""

    @property
    def inside(self) -> bool:
        """A change inside an item or a brief-level field (not an item added, removed or moved)."""
        return bool(self.field) or self.section == "briefing"

    @property
    def kind(self) -> str:
        """What the summary counts it as: added, removed or moved (of an item, or of an item in
        a list inside an item or field), else changed."""
        return self.change if self.change == "moved" or not self.inside else "changed"

    def where(self) -> str:
        """How the report names the place: the item's id and the path inside it, or the path."""
        if self.id:
            return f"{self.id} {self.field}" if self.field else self.id
        return self.path or self.field

    def describe(self) -> str:
        if self.change == "added":
            return f"+ {self.where()}: {_cut(_gist(self.new))}"
        if self.change == "removed":
            return f"- {self.where()}: {_cut(_gist(self.old))}"
        if self.change == "moved" and self.inside:  # an item of a list in an item or field
            name = f"{self.id} " if self.id else ""
            return f"↕ {name}{self.moved_from} → {self.field}: {_cut(_gist(self.new))}"
        if self.change == "moved":  # an item of a section, by its id or its main text
            name = self.id or _cut(_gist(self.new))
            return f"↕ {name}: {self.moved_from} → {self.path}"
        before, after = _differing(_gist(self.old), _gist(self.new))
        return f"~ {self.where()}: {before} → {after}"


@dataclass
class BriefingDiff:
    old: str
    new: str
    changes: list[Change] = field(default_factory=list)

    def summary(self) -> dict[str, dict[str, int]]:
        """Per section, the items added, removed and moved (items of the section, or items of a
        list inside them) and the changes inside items and fields."""
        counts: dict[str, dict[str, int]] = {}
        for c in self.changes:
            section = counts.setdefault(c.section, {"added": 0, "removed": 0, "changed": 0, "moved": 0})
            section[c.kind] += 1
        return counts

    def data(self) -> dict[str, object]:
        """For --json: each change as its fields; `from` (the old place) only on a move."""

        def entry(c: Change) -> dict[str, object]:
            found = asdict(c)
            whence = found.pop("moved_from")
            return {**found, "from": whence} if c.change == "moved" else found

        return {
            "old": self.old,
            "new": self.new,
            "summary": self.summary(),
            "changes": [entry(c) for c in self.changes],
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


def _quoted(text: str) -> str:
    return json.dumps(" ".join(text.split()), ensure_ascii=False)


def _gist(value: object, quoted: bool = True) -> str:
    """A value as a reader names it: an item by its main text (a point's text, an event's date
    and event, a question and its response), a list by its items, a text on one line (quoted,
    unless `quoted` is False)."""
    if isinstance(value, dict):
        if "score" in value and "text" in value:  # a risk rating: shown by its summary
            return str(value["text"])
        if "event" in value:
            return f"{value.get('date')} {_gist(value['event'], quoted)}"
        for name in MAIN_TEXT:
            if value.get(name):
                return _gist(value[name], quoted)
        if "question" in value:
            question, response = _gist(value["question"], quoted), _gist(value.get("response"), quoted)
            return f"question {question}, response {response}"
        shown = (f"{k}: {_gist(v, quoted)}" for k, v in value.items() if v not in (None, [], {}, False))
        return "; ".join(shown) or "(none)"
    if isinstance(value, list):
        return "[" + ", ".join(_gist(v, quoted) for v in value) + "]"
    if isinstance(value, str):
        return _quoted(value) if quoted else " ".join(value.split())
    if value is None:
        return "(none)"
    return json.dumps(value, ensure_ascii=False, default=str)


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


def _cut(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _rating(risk: Risk) -> dict[str, object]:
    return {
        "likelihood": risk.likelihood,
        "impact": risk.impact,
        "score": risk.score,
        "rag": risk.rag,
        "text": f"L{risk.likelihood}×I{risk.impact} = {risk.score} ({risk.rag})",
    }


def _headline(section: str, item: object) -> object:
    """What an added or removed item is shown by."""
    if section == "risks" and isinstance(item, Risk):
        return f"{item.title}, {_rating(item)['text']}"
    for name in ("statement", "title", "name"):
        if hasattr(item, name):
            return getattr(item, name)
    return item.model_dump(mode="json") if isinstance(item, BaseModel) else item


# --- lists: which item of the old list is which of the new ---------------------------------

Pair = tuple[int | None, int | None]  # (old index, new index); None: no counterpart


def _key(item: object) -> str | None:
    """An item's id, if it has one."""
    if isinstance(item, BaseModel):
        found = getattr(item, "id", None)
    elif isinstance(item, dict):
        found = item.get("id")
    else:
        return None
    return found if isinstance(found, str) and found else None


def _plain(item: object) -> object:
    return item.model_dump(mode="json") if isinstance(item, BaseModel) else item


def _likeness(old: Sequence[object], new: Sequence[object]) -> list[list[float]]:
    """How alike each item of `old` is to each of `new`, 0-1, by their main texts (difflib's
    ratio; 0 below `SAME_ITEM`). In a long run an item is compared only with the items about as
    far into the other run (`BAND` either side): a whole chronology reworded stays quick."""
    first = [_gist(_plain(item), quoted=False) for item in old]
    second = [_gist(_plain(item), quoted=False) for item in new]
    n, m = len(first), len(second)
    like = [[0.0] * m for _ in range(n)]
    matcher = SequenceMatcher(None, autojunk=False)

    def compare(i: int, j: int) -> float:
        matcher.set_seqs(first[i], second[j])
        if matcher.real_quick_ratio() >= SAME_ITEM and matcher.quick_ratio() >= SAME_ITEM:
            ratio = matcher.ratio()
            like[i][j] = ratio if ratio >= SAME_ITEM else 0.0
        return like[i][j]

    # Items revised in place (the commonest edit: a name respelt throughout) pair one to one.
    if n == m and all([compare(i, i) for i in range(n)]):
        return like
    for j in range(m):
        near = j * n // m
        rows = range(n) if n * m <= BAND * BAND else range(max(0, near - BAND), min(n, near + BAND + 1))
        for i in rows:
            if n != m or i != j:
                compare(i, j)
    return like


def paired(old: Sequence[object], new: Sequence[object]) -> list[Pair]:
    """Which items of `old` and `new` are the same item, in the order of the lists.

    Items with ids are matched by id wherever they stand; the others are aligned as sequences:
    equal runs pair up, an insertion or deletion is one item added or removed, and inside a
    replaced run items pair up in order when their texts are at least `SAME_ITEM` alike."""
    old_ids = {k: i for i, item in enumerate(old) if (k := _key(item)) is not None}
    new_ids = {k: j for j, item in enumerate(new) if (k := _key(item)) is not None}
    pairs: list[Pair] = [(old_ids.get(k), j) for k, j in new_ids.items()]
    pairs += [(i, None) for k, i in old_ids.items() if k not in new_ids]
    rest_old = [i for i, item in enumerate(old) if _key(item) is None]
    rest_new = [j for j, item in enumerate(new) if _key(item) is None]
    keys_old = [json.dumps(_plain(old[i]), sort_keys=True, default=str) for i in rest_old]
    keys_new = [json.dumps(_plain(new[j]), sort_keys=True, default=str) for j in rest_new]
    matcher = SequenceMatcher(None, keys_old, keys_new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pairs += [(rest_old[i], rest_new[j]) for i, j in zip(range(i1, i2), range(j1, j2), strict=True)]
        else:
            run_old, run_new = [old[i] for i in rest_old[i1:i2]], [new[j] for j in rest_new[j1:j2]]
            block = _aligned(run_old, run_new)
            pairs += [
                (None if i is None else rest_old[i1 + i], None if j is None else rest_new[j1 + j])
                for i, j in block
            ]
    # In the new list's order; an item removed where it stood, after the item before it.
    where = {i: j for i, j in pairs if i is not None and j is not None}

    def place(pair: Pair) -> tuple[int, int, int]:
        i, j = pair
        if i is None or j is not None:
            return (-1 if j is None else j, 0, 0)
        before = next((where[k] for k in range(i - 1, -1, -1) if k in where), -1)
        return (before, 1, i)

    return sorted(pairs, key=place)


def _aligned(old: Sequence[object], new: Sequence[object]) -> list[Pair]:
    """A replaced run: the pairing in order that keeps the most likeness (dynamic programming,
    as an edit distance), the rest removed and added."""
    n, m = len(old), len(new)
    like = _likeness(old, new)
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            take = best[i + 1][j + 1] + like[i][j] if like[i][j] else -1.0
            best[i][j] = max(best[i + 1][j], best[i][j + 1], take)
    pairs: list[Pair] = []
    i = j = 0
    while i < n and j < m:
        if like[i][j] and best[i][j] == best[i + 1][j + 1] + like[i][j]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            pairs.append((i, None))
            i += 1
        else:
            pairs.append((None, j))
            j += 1
    pairs += [(k, None) for k in range(i, n)] + [(None, k) for k in range(j, m)]
    return pairs


# --- values: where two versions of a field differ -------------------------------------------

# (added | removed | changed | moved, path, old, new, old path of a moved item else None)
Found = tuple[str, Loc, object, object, Loc | None]


def _unmarked(old: object, new: object) -> tuple[object, object]:
    """A marked text is a string or `{text, classification}`: written both ways, compared as
    the mapping, so that marking a text is a change of its classification only."""
    def mapping(value: object) -> object:
        return {"text": value, "classification": None} if isinstance(value, str) else value

    marked = {"text", "classification"}
    if isinstance(old, dict) and set(old) == marked and isinstance(new, str):
        return old, mapping(new)
    if isinstance(new, dict) and set(new) == marked and isinstance(old, str):
        return mapping(old), new
    return old, new


def differences(old: object, new: object, at: Loc = ()) -> Iterator[Found]:
    """Every difference between two plain values (as `model_dump(mode="json")` gives them),
    each at its path below `at`, in document order."""
    old, new = _unmarked(old, new)
    if old == new:
        return
    if isinstance(old, dict) and isinstance(new, dict):
        for name in dict.fromkeys([*old, *new]):
            yield from differences(old.get(name), new.get(name), (*at, name))
    elif isinstance(old, list) and isinstance(new, list):
        pairs = paired(old, new)
        moves = _moves(old, new, pairs)
        for i, j in pairs:
            if i is not None and j is not None:
                yield from differences(old[i], new[j], (*at, j))
            elif j is not None and j in moves:
                was = moves[j]
                yield "moved", (*at, j), old[was], new[j], (*at, was)
                yield from differences(old[was], new[j], (*at, j))
            elif i is not None and i not in moves.values():
                yield "removed", (*at, i), old[i], None, None
            elif j is not None:
                yield "added", (*at, j), None, new[j], None
    elif old is None and isinstance(new, dict | list):
        yield "added", at, None, new, None
    elif new is None and isinstance(old, dict | list):
        yield "removed", at, old, None, None
    else:
        yield "changed", at, old, new, None


def _moves(old: Sequence[object], new: Sequence[object], pairs: list[Pair]) -> dict[int, int]:
    """Items the sequence alignment calls removed in one place and added in another that are
    one item moved: the same text, or as alike as a revised item (`SAME_ITEM`). New index ->
    old index; an identical pair first, then the most alike."""
    gone = [i for i, j in pairs if j is None and i is not None]
    came = [j for i, j in pairs if i is None and j is not None]
    if not gone or not came:
        return {}
    like = _likeness([old[i] for i in gone], [new[j] for j in came])
    keys_old = [json.dumps(_plain(old[i]), sort_keys=True, default=str) for i in gone]
    keys_new = [json.dumps(_plain(new[j]), sort_keys=True, default=str) for j in came]
    candidates = sorted(
        (keys_old[a] != keys_new[b], -like[a][b], b, a)
        for a in range(len(gone))
        for b in range(len(came))
        if keys_old[a] == keys_new[b] or like[a][b]
    )
    moves: dict[int, int] = {}
    for _, _, b, a in candidates:
        if came[b] not in moves and gone[a] not in moves.values():
            moves[came[b]] = gone[a]
    return moves


def _moved_ids(section: str, old: Sequence[object], new: Sequence[object]) -> set[str]:
    """The ids of items kept in both versions, in the same printed group (`_printed_group`),
    that changed places in the printed order: those outside the runs the two orders share (a
    swap of two is one item moved, not two)."""
    def groups(items: Sequence[object]) -> dict[str, int]:
        return {k: _printed_group(section, item) for item in items if (k := _key(item)) is not None}

    old_groups, new_groups = groups(old), groups(new)
    kept = {k for k, group in old_groups.items() if k in new_groups and new_groups[k] == group}

    def printed(groups: dict[str, int]) -> list[str]:
        place = {k: n for n, k in enumerate(groups)}
        return sorted((k for k in groups if k in kept), key=lambda k: (groups[k], place[k]))

    first, second = printed(old_groups), printed(new_groups)
    matcher = SequenceMatcher(None, first, second, autojunk=False)
    staying = {k for block in matcher.get_matching_blocks() for k in first[block.a : block.a + block.size]}
    return kept - staying


# --- briefings ------------------------------------------------------------------------------


def _at(data: object, loc: Loc) -> object:
    for part in loc:
        data = data.get(part) if isinstance(data, dict) else None
    return data


def _items(briefing: Briefing, loc: tuple[str, ...]) -> list[BaseModel]:
    found: object = briefing
    for part in loc:
        found = getattr(found, part)
    return list(found) if isinstance(found, list) else []


def diff_briefings(
    old: Briefing, new: Briefing, old_name: str = "old", new_name: str = "new"
) -> BriefingDiff:
    """Every difference between two validated briefings, section by section: brief-level fields
    first, then each section's items added, removed and changed (in the new version's order)."""
    result = BriefingDiff(old_name, new_name)
    changes = result.changes
    old_dump, new_dump = old.model_dump(mode="json"), new.model_dump(mode="json")
    for loc in HEADER_FIELDS:
        for kind, at, before, after, was in differences(_at(old_dump, loc), _at(new_dump, loc), loc):
            whence = format_loc(was) if was else ""
            place = format_loc(at)
            changes.append(Change("briefing", "", kind, place, before, after, place, whence))
    for section, loc in SECTIONS:
        before_items, after_items = _items(old, loc), _items(new, loc)
        pairs = paired(before_items, after_items)
        moved = _moved_ids(section, before_items, after_items) if section in ORDERED else set()
        # Items without ids (judgments may have none) taken out and put back elsewhere.
        moves = _moves(before_items, after_items, pairs) if section in ORDERED else {}
        for i, j in pairs:
            if i is None and j is not None and j in moves:
                i = moves[j]
                moved.add(_key(after_items[j]) or f"[{j}]")
            elif i is not None and j is None and i in moves.values():
                continue
            if i is not None and j is not None:
                key = _key(after_items[j]) or ""
                if (key or f"[{j}]") in moved:
                    shown = _headline(section, after_items[j])
                    before_at, path = format_loc((*loc, i)), format_loc((*loc, j))
                    changes.append(Change(section, key, "moved", "", shown, shown, path, before_at))
                changes.extend(_item_changes(section, loc, j, before_items[i], after_items[j]))
            elif i is not None:
                gone, path = before_items[i], format_loc((*loc, i))
                shown = _headline(section, gone)
                changes.append(Change(section, _key(gone) or "", "removed", "", shown, None, path))
            elif j is not None:
                came, path = after_items[j], format_loc((*loc, j))
                shown = _headline(section, came)
                changes.append(Change(section, _key(came) or "", "added", "", None, shown, path))
    order = {name: n for n, name in enumerate(["briefing", *(s for s, _ in SECTIONS)])}
    kinds = {"added": 0, "removed": 1, "moved": 2}
    changes.sort(key=lambda c: (order[c.section], 3 if c.inside else kinds[c.change]))
    return result


def _item_changes(section: str, loc: Loc, index: int, before: BaseModel, after: BaseModel) -> list[Change]:
    found: list[Change] = []
    key = _key(after) or ""
    a, b = before.model_dump(mode="json"), after.model_dump(mode="json")
    if section == "risks" and isinstance(before, Risk) and isinstance(after, Risk):
        old_rating, new_rating = _rating(before), _rating(after)
        if old_rating != new_rating:
            path = format_loc((*loc, index))
            found.append(Change(section, key, "changed", "rating", old_rating, new_rating, path))
        for name in ("likelihood", "impact"):
            a.pop(name), b.pop(name)
    for kind, at, old, new, was in differences(a, b):
        whence = format_loc(was) if was else ""
        path = format_loc((*loc, index, *at))
        found.append(Change(section, key, kind, format_loc(at), old, new, path, whence))
    return found
