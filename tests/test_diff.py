"""`briefgen diff`: changes between two versions of a fact base, through the loaded models."""

from __future__ import annotations

import json
import re
from difflib import SequenceMatcher
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from briefgen.cli import main
from briefgen.diffing import BriefingDiff, Change, diff_briefings, differences, paired
from briefgen.facts import load_facts
from tests.conftest import EXAMPLE


def diff_files(old: Path, new: Path) -> BriefingDiff:
    """Both fact files loaded and validated as a build would, then compared."""
    return diff_briefings(load_facts(old).briefing, load_facts(new).briefing, str(old), str(new))


def rating_changes(diff: BriefingDiff) -> list[Change]:
    """The risks whose rating (likelihood × impact, score, RAG) changed."""
    return [c for c in diff.changes if c.section == "risks" and c.field == "rating"]


def _variant(tmp_path: Path, name: str, *edits: tuple[str, str]) -> Path:
    """A copy of the worked example with exact text replacements (each must apply once)."""
    text = EXAMPLE.read_text("utf-8")
    for old, new in edits:
        assert text.count(old) >= 1, old
        text = text.replace(old, new, 1)
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, "utf-8")
    return path


IDLIB_RATING = "    likelihood: 4\n    impact: 5\n"


def test_diff_finds_a_changed_risk_rating_with_score_and_rag(tmp_path):
    new = _variant(tmp_path, "new", (IDLIB_RATING, "    likelihood: 2\n    impact: 5\n"))
    result = diff_files(EXAMPLE, new)
    (change,) = rating_changes(result)
    assert change.id == "idlib-offensive"
    assert change.old["score"] == 20 and change.old["rag"] == "red"  # type: ignore[index]
    assert change.new["score"] == 10 and change.new["rag"] == "amber"  # type: ignore[index]
    assert [c.field for c in result.changes] == ["rating"]
    assert "idlib-offensive rating: L4×I5 = 20 (red) → L2×I5 = 10 (amber)" in result.format()


def test_diff_identical_or_reformatted_files_have_no_changes(tmp_path):
    # Quoting and flow style are YAML layout, not content.
    same = _variant(
        tmp_path,
        "same",
        ("participants: [cavusoglu, lavrov]", 'participants:\n    - "cavusoglu"\n    - lavrov'),
    )
    result = diff_files(EXAMPLE, same)
    assert result.changes == []
    assert result.format().endswith("no changes")


def test_diff_reports_facts_added_removed_and_changed(tmp_path):
    new_fact = "  - id: new-fact\n    statement: A new fact.\n    sources: [seed-report]\n"
    new = _variant(
        tmp_path,
        "new",
        ("regional topics.\n    date: 2018-08-13", "regional topics. Revised.\n    date: 2018-08-13"),
        ("\nfacts:\n", "\nfacts:\n" + new_fact),
    )
    result = diff_files(EXAMPLE, new)
    facts = [(c.change, c.id, c.field) for c in result.changes if c.section == "facts"]
    assert facts == [("added", "new-fact", ""), ("changed", "meeting-scheduled", "statement")]
    changed = next(c for c in result.changes if c.id == "meeting-scheduled")
    assert changed.new.endswith("regional topics. Revised.")  # type: ignore[union-attr]
    assert result.summary()["facts"] == {"added": 1, "removed": 0, "changed": 1, "moved": 0}
    assert '+ new-fact: "A new fact."' in result.format()


def test_diff_reports_agenda_items_and_sources(tmp_path):
    new = _variant(
        tmp_path,
        "new",
        ("    title: Purchase of the S-400 air defence system\n", "    title: The S-400 purchase\n"),
        ("    likelihood: certain\n    summary: Signed", "    likelihood: possible\n    summary: Signed"),
    )
    result = diff_files(EXAMPLE, new)
    agenda = {(c.id, c.field): (c.old, c.new) for c in result.changes if c.section == "agenda"}
    assert agenda[("s400", "title")] == ("Purchase of the S-400 air defence system", "The S-400 purchase")
    assert agenda[("s400", "likelihood")] == ("certain", "possible")


def test_diff_reports_removed_risk(tmp_path):
    old = tmp_path / "old.yaml"
    old.write_text(EXAMPLE.read_text("utf-8"), "utf-8")
    text = old.read_text("utf-8")
    # Remove the 'displacement' risk and the one reference to it.
    start = text.index("  - id: displacement\n")
    end = text.index("  - id: astana-collapse\n")
    new = tmp_path / "new.yaml"
    new_text = text[:start] + text[end:]
    new_text = re.sub(r"(risks: \[)displacement(?:, )?", r"\1", new_text)
    new_text = new_text.replace(", displacement]", "]")
    new.write_text(new_text, "utf-8")
    result = diff_files(old, new)
    removed = [c for c in result.changes if c.change == "removed" and not c.field]
    assert [(c.section, c.id) for c in removed] == [("risks", "displacement")]
    assert "Mass displacement" in str(removed[0].old)
    # The agenda item that linked to it lost one id from its list, reported at its place.
    (link,) = [c for c in result.changes if c.section == "agenda"]
    found = (link.change, link.id, link.field, link.old)
    assert found == ("removed", "humanitarian", "risks[0]", "displacement")
    assert link.path == "agenda[3].risks[0]"
    assert '- humanitarian risks[0]: "displacement"' in result.format()


def test_diff_cli_text_and_json(tmp_path, capsys):
    new = _variant(tmp_path, "new", (IDLIB_RATING, "    likelihood: 5\n    impact: 5\n"))
    assert main(["diff", str(EXAMPLE), str(new)]) == 0
    out = capsys.readouterr().out
    assert "risks (1 changed):" in out and "L5×I5 = 25 (red)" in out
    assert main(["diff", "--json", str(EXAMPLE), str(new)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["summary"] == {"risks": {"added": 0, "removed": 0, "changed": 1, "moved": 0}}
    (change,) = data["changes"]
    assert change["field"] == "rating" and change["new"]["score"] == 25


def test_diff_invalid_facts_exit_2_with_located_problem(tmp_path, capsys):
    """As diff(1) and git diff: 2 is an error, so that 1 can only mean "differs"."""
    broken = _variant(tmp_path, "broken", (IDLIB_RATING, "    likelihood: 9\n    impact: 5\n"))
    assert main(["diff", str(EXAMPLE), str(broken)]) == 2
    assert re.search(r"broken\.yaml:\d+:\d+: risks\[0\]\.likelihood", capsys.readouterr().err)
    assert main(["diff", str(EXAMPLE), str(broken), "--exit-code"]) == 2
    assert re.search(r"broken\.yaml:\d+:\d+: risks\[0\]\.likelihood", capsys.readouterr().err)


@pytest.mark.parametrize("missing", ["old", "new"])
def test_diff_missing_file_is_usage_error(tmp_path, missing):
    args = [str(EXAMPLE), str(tmp_path / "nope.yaml")]
    if missing == "old":
        args.reverse()
    assert main(["diff", *args]) == 2


def test_diff_exit_code_flag_reports_changes_like_git(tmp_path, capsys):
    from briefgen.cli import main
    from tests.conftest import EXAMPLE

    changed = tmp_path / "new.yaml"
    changed.write_text(
        EXAMPLE.read_text(encoding="utf-8").replace(
            "    likelihood: 4\n    impact: 5\n", "    likelihood: 5\n    impact: 5\n"
        ),
        encoding="utf-8",
    )
    assert main(["diff", str(EXAMPLE), str(EXAMPLE), "--exit-code"]) == 0
    assert main(["diff", str(EXAMPLE), str(changed)]) == 0
    assert main(["diff", str(EXAMPLE), str(changed), "--exit-code"]) == 1
    assert "idlib-offensive" in capsys.readouterr().out


# --- inside list and nested fields ---------------------------------------------------------

POINT_3 = (
    "      - text: We ask Russia to use its influence in Damascus to stop the shelling and any assault.\n"
)
NEW_POINT = "      - text: Russia should press Damascus to let aid convoys through.\n"
TIMELINE_2 = "  - date: 2018-07-28\n"


def _lines(result_text: str, start: str) -> list[str]:
    return [line.strip() for line in result_text.splitlines() if line.strip().startswith(start)]


def test_diff_locates_changes_inside_nested_fields_by_path(tmp_path, capsys):
    new = _variant(
        tmp_path,
        "new",
        ("stop the shelling and any assault.", "stop the shelling and prevent any assault."),
        ("    - Turkish acceptance of a return", "    - Turkish consent to a return"),
        ("leaflets over Idlib;", "leaflets over Idlib province;"),
        ("would be a catastrophe and end Astana;", "would be a humanitarian catastrophe and end Astana;"),
        ("catastrophe in Idlib.", "catastrophe in Idlib province."),
        ("participants: [cavusoglu, lavrov]", "participants: [cavusoglu, lavrov, erdogan]"),
    )
    result = diff_files(EXAMPLE, new)
    text = result.format()
    assert "{" not in text  # no JSON fragments
    (point,) = _lines(text, "~ syria-astana-idlib points[2].text:")
    assert point.endswith('Damascus to stop the shelling and prevent any assault."')
    assert '"We ask Russia to use its influence in Damascus to stop the shelling and any assault." →' in point
    (objective,) = _lines(text, "~ objectives.theirs[0].text:")
    assert '"Turkish acceptance of a return' in objective and '→ "Turkish consent to a return' in objective
    (event,) = _lines(text, "~ timeline[3].event:")
    assert '"Regime leaflets over Idlib province; the UN warns' in event
    (response,) = _lines(text, "~ syria-astana-idlib if_raised[0].response:")
    assert "would be a humanitarian catastrophe" in response
    (press,) = _lines(text, "~ press_line.line:")
    # The long line shown by the part that differs, not cut at the same length on both sides.
    assert press == '~ press_line.line: …vent a humanitarian catastrophe in Idlib." → …vent a humanitarian ' \
        'catastrophe in Idlib province."'
    assert _lines(text, "+ meeting.participants[2]:") == ['+ meeting.participants[2]: "erdogan"']
    assert len(result.changes) == 6

    assert main(["diff", "--json", str(EXAMPLE), str(new)]) == 0
    data = json.loads(capsys.readouterr().out)
    by_path = {c["path"]: c for c in data["changes"]}
    assert set(by_path) == {
        "objectives.theirs[0].text", "timeline[3].event", "press_line.line", "meeting.participants[2]",
        "agenda[0].points[2].text", "agenda[0].if_raised[0].response",
    }
    point_change = by_path["agenda[0].points[2].text"]
    assert (point_change["id"], point_change["field"], point_change["change"]) == (
        "syria-astana-idlib", "points[2].text", "changed")
    assert point_change["new"].endswith("prevent any assault.")
    assert by_path["meeting.participants[2]"]["new"] == "erdogan"
    assert data["summary"] == {"briefing": {"added": 0, "removed": 0, "changed": 4, "moved": 0},
                               "agenda": {"added": 0, "removed": 0, "changed": 2, "moved": 0}}


def test_diff_insertion_in_the_middle_of_a_list_is_one_item_added(tmp_path):
    first_point = "        facts: [turkey-red-line]\n"
    new = _variant(
        tmp_path,
        "new",
        (first_point, first_point + NEW_POINT),  # between points[0] and points[1]
        (TIMELINE_2, "  - date: 2018-03\n    event: Fourth round of Astana talks.\n" + TIMELINE_2),
        ("  - Brief Germany and France on the preparations for the Istanbul quartet meeting.\n", ""),
    )
    result = diff_files(EXAMPLE, new)
    found = [(c.change, c.where()) for c in result.changes]
    assert found == [
        ("added", "timeline[2]"),
        ("removed", "next_steps[1]"),
        ("added", "syria-astana-idlib points[1]"),
    ]
    lines = result.format().splitlines()
    assert '  + timeline[2]: 2018-03 "Fourth round of Astana talks."' in lines
    assert '  - next_steps[1]: "Brief Germany and France on the preparations for the Istanbul quartet' \
        ' meeting."' in lines
    assert '  + syria-astana-idlib points[1]: "Russia should press Damascus to let aid convoys' \
        ' through."' in lines
    assert "agenda (1 changed):" in lines  # a point added changes the item; no agenda item was added
    assert result.changes[2].path == "agenda[0].points[1]"
    added_point = {"text": "Russia should press Damascus to let aid convoys through.", "facts": []}
    assert result.changes[2].new == {**added_point, "classification": None}


def test_diff_pairs_a_reworded_item_next_to_an_inserted_one(tmp_path):
    new = _variant(
        tmp_path,
        "new",
        (POINT_3, NEW_POINT + POINT_3.replace("any assault", "prevent any assault")),
        ("  - date: 2018-08-09\n", "  - date: 2018-08-10\n"),  # an event's date, the event unchanged
    )
    result = diff_files(EXAMPLE, new)
    found = [(c.change, c.where(), c.old, c.new) for c in result.changes]
    assert found[0] == ("changed", "timeline[3].date", "2018-08-09", "2018-08-10")
    assert [f[:2] for f in found[1:]] == [
        ("added", "syria-astana-idlib points[2]"), ("changed", "syria-astana-idlib points[3].text"),
    ]


def _swapped(text: str, first: str, second: str, after: str) -> str:
    """`text` with the item starting at line `first` and the one at `second` (up to `after`)
    swapped."""
    a, b, c = (text.index(line) for line in (first, second, after))
    return text[:a] + text[b:c] + text[a:b] + text[c:]


def test_diff_reordered_facts_and_sources_are_no_change(tmp_path):
    # Facts and sources are referenced by id, never printed in the file's order.
    text = _swapped(EXAMPLE.read_text("utf-8"), "  - id: meeting-scheduled\n", "  - id: agenda-topics\n",
                    "  - id: astana-deescalation\n")
    same = tmp_path / "same.yaml"
    same.write_text(text, "utf-8")
    assert diff_files(EXAMPLE, same).changes == []
    assert main(["diff", "--exit-code", str(EXAMPLE), str(same)]) == 0


def test_diff_reordered_agenda_and_people_are_moves(tmp_path, capsys):
    # The agenda's order is the order of priorities the memo and deck print; people are
    # listed in the file's order: both are news.
    text = _swapped(EXAMPLE.read_text("utf-8"), "  - id: syria-astana-idlib\n", "  - id: istanbul-quartet\n",
                    "  - id: s400\n")
    text = _swapped(text, "  - id: cavusoglu\n", "  - id: lavrov\n", "  - id: erdogan\n")
    moved = tmp_path / "moved.yaml"
    moved.write_text(text, "utf-8")
    result = diff_files(EXAMPLE, moved)
    assert [(c.section, c.change, c.id, c.moved_from, c.path) for c in result.changes] == [
        ("agenda", "moved", "istanbul-quartet", "agenda[1]", "agenda[0]"),
        ("people", "moved", "lavrov", "people[1]", "people[0]"),
    ]
    assert main(["diff", "--exit-code", str(EXAMPLE), str(moved)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[1:] == [
        "agenda (1 moved):", "  ↕ istanbul-quartet: agenda[1] → agenda[0]",
        "people (1 moved):", "  ↕ lavrov: people[1] → people[0]",
    ]
    main(["diff", "--json", str(EXAMPLE), str(moved)])
    data = json.loads(capsys.readouterr().out)
    assert data["summary"]["agenda"] == {"added": 0, "removed": 0, "changed": 0, "moved": 1}
    entry = data["changes"][0]
    assert (entry["change"], entry["id"], entry["from"], entry["path"]) == (
        "moved", "istanbul-quartet", "agenda[1]", "agenda[0]"
    )
    assert entry["new"].startswith("The Istanbul quartet meeting")
    # Only a move has a `from`.
    plain = _variant(tmp_path, "plain", ("regional topics.\n    date: 2018", "topics.\n    date: 2018"))
    main(["diff", "--json", str(EXAMPLE), str(plain)])
    assert [sorted(c) for c in json.loads(capsys.readouterr().out)["changes"]] == [
        ["change", "field", "id", "new", "old", "path", "section"]
    ]


def test_diff_moved_item_moves_once_whatever_else_changed(tmp_path):
    # The first agenda item moved to the end: one move, not the three items it passed.
    text = EXAMPLE.read_text("utf-8")
    start, end = text.index("  - id: syria-astana-idlib\n"), text.index("  - id: istanbul-quartet\n")
    item = text[start:end]
    facts = text.index("\nfacts:\n")
    text = text[:start] + text[end:facts].rstrip("\n") + "\n" + item.rstrip("\n") + "\n" + text[facts:]
    moved = tmp_path / "moved.yaml"
    moved.write_text(text, "utf-8")
    changes = diff_files(EXAMPLE, moved).changes
    assert [(c.change, c.id, c.moved_from, c.path) for c in changes] == [
        ("moved", "syria-astana-idlib", "agenda[0]", "agenda[3]"),
    ]


def test_diff_moved_points_and_events_are_one_move_each(tmp_path, capsys):
    text = EXAMPLE.read_text("utf-8")
    first = "      - text: About 2.5 million people live in Idlib. An assault would be a catastrophe.\n"
    second = "      - text: The UN has called for urgent negotiations"
    text = _swapped(text, first, second, "    if_raised:\n      - question: The UN asks Turkey")
    # An event of the chronology moved later (events have no ids; their order is the file's).
    start = text.index("  - date: 2017-12\n")
    event = text[start : text.index("  - date: 2018-07-28\n")]
    meeting = text.index("  - date: 2018-08-13\n")
    text = text[:start] + text[start + len(event) : meeting] + event + text[meeting:]
    moved = tmp_path / "moved.yaml"
    moved.write_text(text, "utf-8")
    changes = diff_files(EXAMPLE, moved).changes
    assert [(c.section, c.change, c.where(), c.moved_from) for c in changes] == [
        ("briefing", "moved", "timeline[3]", "timeline[1]"),
        ("agenda", "moved", "humanitarian points[0]", "points[1]"),
    ]
    assert main(["diff", str(EXAMPLE), str(moved)]) == 0
    out = capsys.readouterr().out
    assert '  ↕ humanitarian points[1] → points[0]: "The UN has called for urgent negotiations' in out
    assert "agenda (1 moved):" in out and "+" not in out.replace("→", "")


def test_diff_moved_and_reworded_point_is_a_move_and_its_revision(tmp_path):
    text = EXAMPLE.read_text("utf-8")
    first = "      - text: About 2.5 million people live in Idlib. An assault would be a catastrophe.\n"
    second = "      - text: The UN has called for urgent negotiations"
    text = _swapped(text, first, second, "    if_raised:\n      - question: The UN asks Turkey")
    text = text.replace("An assault would be a catastrophe.", "An assault would be a disaster.", 1)
    moved = tmp_path / "moved.yaml"
    moved.write_text(text, "utf-8")
    changes = diff_files(EXAMPLE, moved).changes
    assert [(c.change, c.where(), c.moved_from) for c in changes] == [
        ("moved", "humanitarian points[1]", "points[0]"), ("changed", "humanitarian points[1].text", ""),
    ]
    assert str(changes[1].new).endswith("would be a disaster.")
    summary = diff_files(EXAMPLE, moved).summary()
    assert summary["agenda"] == {"added": 0, "removed": 0, "changed": 1, "moved": 1}


def test_diff_judgments_without_ids_are_aligned_not_renumbered(tmp_path):
    new_judgment = (
        "    - statement: Russia will ask for a delay to the Istanbul meeting.\n"
        "      likelihood: roughly even chance\n      confidence: low\n      basis: [quartet-announced]\n"
    )
    new = _variant(
        tmp_path, "new",
        ("  items:\n", "  items:\n" + new_judgment),
        ("restraining the regime in Idlib.", "restraining the regime in Idlib province."),
    )
    result = diff_files(EXAMPLE, new)
    found = [(c.change, c.where()) for c in result.changes]
    assert found == [("added", "judgments.items[0]"), ("changed", "judgments.items[2].statement")]
    assert '+ judgments.items[0]: "Russia will ask for a delay to the Istanbul meeting."' in result.format()
    # The changes slide finds a judgment without an id by its place, in the version it is in.
    from briefgen.changes import summarise
    from briefgen.facts import load_facts

    summary = summarise(load_facts(EXAMPLE).briefing, load_facts(new).briefing, "v1")
    assert [(n.subject, n.change, n.fields) for n in summary.notes] == [
        ("Russia will ask for a delay to the Istanbul meeting.", "added", ()),
        ("Russia will commit here to restraining the regime in Idlib province.", "changed", ("statement",)),
    ]
    text = EXAMPLE.read_text("utf-8")
    first = text.index("    - statement: The regime will assault Idlib")
    fewer = tmp_path / "fewer.yaml"
    fewer.write_text(text[:first] + text[text.index("    - statement: Russia will commit"):], "utf-8")
    summary = summarise(load_facts(EXAMPLE).briefing, load_facts(fewer).briefing, "v1")
    assert [(n.subject, n.change, n.paths) for n in summary.notes] == [
        ("The regime will assault Idlib within weeks.", "removed", ("judgments.items[0]",)),
    ]


def test_diff_marking_a_text_is_a_change_of_its_classification_only(tmp_path):
    new = _variant(
        tmp_path, "new",
        ("headline: Idlib is our red line; we need Russia to restrain Damascus\n",
         "headline:\n  text: Idlib is our red line; we need Russia to restrain Damascus\n"
         "  classification: UNCLASSIFIED\n"),
    )
    (change,) = diff_files(EXAMPLE, new).changes
    assert (change.path, change.old, change.new) == ("headline.classification", None, "UNCLASSIFIED")
    assert change.describe() == '~ headline.classification: (none) → "UNCLASSIFIED"'


def test_changes_summary_sums_nested_changes_up_per_item_and_field(tmp_path):
    from briefgen.changes import summarise
    from briefgen.facts import load_facts

    first_point = "        facts: [turkey-red-line]\n"
    new = _variant(
        tmp_path,
        "new",
        (first_point, first_point + NEW_POINT),
        ("stop the shelling and any assault.", "stop the shelling and prevent any assault."),
        ("    - Turkish acceptance of a return", "    - Turkish consent to a return"),
        ("    - Confirmation that Turkey", "    - Assurance that Turkey"),
        ("        facts: [un-bloodbath]\n", "        facts: [un-bloodbath, leaflets]\n"),  # a link only
        ("participants: [cavusoglu, lavrov]", "participants: [cavusoglu, lavrov, erdogan]"),
    )
    summary = summarise(load_facts(EXAMPLE).briefing, load_facts(new).briefing, "v1")
    rows = [(n.section, n.subject, n.change, n.fields) for n in summary.notes]
    assert rows == [
        ("agenda", "Syria, the Astana process and Idlib", "changed", ("points",)),
        ("briefing", "", "changed", ("meeting",)),
        ("briefing", "", "changed", ("objectives",)),
    ]
    entries = summary.data()["changes"]
    assert isinstance(entries, list)
    assert entries[0]["paths"] == ["agenda[0].points[1]", "agenda[0].points[3].text"]
    assert entries[2]["paths"] == ["objectives.theirs[0].text", "objectives.theirs[1].text"]
    assert summary.counts == {"added": 0, "removed": 0, "changed": 3, "moved": 0}


TEXTS = st.lists(st.text(min_size=1, max_size=30), unique=True, max_size=12)


@given(TEXTS, TEXTS)
def test_paired_matches_every_item_once_and_in_order(old, new):
    pairs = paired(old, new)
    assert sorted(i for i, _ in pairs if i is not None) == list(range(len(old)))
    assert sorted(j for _, j in pairs if j is not None) == list(range(len(new)))
    matched = [(i, j) for i, j in pairs if i is not None and j is not None]
    assert matched == sorted(matched) and [j for _, j in matched] == sorted(j for _, j in matched)
    # Items paired are the same item or one revised: at least half alike.
    def alike(a: str, b: str) -> bool:
        return SequenceMatcher(None, " ".join(a.split()), " ".join(b.split())).ratio() >= 0.5

    assert all(old[i] == new[j] or alike(old[i], new[j]) for i, j in matched)


@given(TEXTS, st.text(min_size=1, max_size=30), st.data())
def test_differences_one_item_inserted_or_removed_anywhere_is_one_change(items, extra, data):
    if extra in items:
        return
    at = data.draw(st.integers(0, len(items)))
    longer = [*items[:at], extra, *items[at:]]
    added = ("added", ("next_steps", at), None, extra, None)
    removed = ("removed", ("next_steps", at), extra, None, None)
    assert list(differences(items, longer, ("next_steps",))) == [added]
    assert list(differences(longer, items, ("next_steps",))) == [removed]


@given(st.permutations(range(8)))
def test_differences_a_reordered_list_is_moves_only(order):
    # Texts nothing alike: every change is a move, of the items outside the runs kept in order.
    items = [chr(ord("A") + n) * 12 for n in range(8)]
    shuffled = [items[n] for n in order]
    found = list(differences(items, shuffled, ("next_steps",)))
    assert {kind for kind, *_ in found} <= {"moved"}
    kept = sum(b.size for b in SequenceMatcher(None, items, shuffled, autojunk=False).get_matching_blocks())
    assert len(found) == len(items) - kept
    for _, at, before, after, was in found:
        assert before == after == shuffled[at[1]] == items[was[1]]  # type: ignore[index]


@given(st.permutations([{"id": f"item-{n}", "text": f"Text {n}"} for n in range(6)]))
def test_differences_items_with_ids_in_any_order_are_the_same(shuffled):
    original = [{"id": f"item-{n}", "text": f"Text {n}"} for n in range(6)]
    assert list(differences(original, shuffled)) == []


def test_diff_reports_the_judgments_note_and_slide_titles_of_the_brief(tmp_path):
    new = _variant(
        tmp_path, "new",
        ("cited; the news report makes no assessments", "cited; the report makes no assessments"),
        ("\ncontext: >-\n", "\nslide_titles:\n  risks: What could go wrong\n\ncontext: >-\n"),
    )
    found = {c.path: (c.change, c.old, c.new) for c in diff_files(EXAMPLE, new).changes}
    assert found["slide_titles.risks"] == ("changed", None, "What could go wrong")
    change, before, after = found["judgments.drafter_note"]
    assert change == "changed" and "the news report" in str(before) and "the report makes" in str(after)
    assert len(found) == 2


def test_paired_lists_items_with_and_without_ids_in_the_new_order():
    old = [{"id": "a", "text": "A"}, {"text": "Only in the old list"}, {"id": "b", "text": "B"}]
    new = [{"id": "b", "text": "B"}, {"text": "Quite another text"}, {"id": "a", "text": "A, revised"}]
    # b moved first (no change), a revised, the unnamed item removed after a (its neighbour).
    assert paired(old, new) == [(2, 0), (None, 1), (0, 2), (1, None)]
    assert [(kind, at) for kind, at, *_ in differences(old, new)] == [
        ("added", (1,)), ("changed", (2, "text")), ("removed", (1,)),
    ]


def test_diff_judgments_without_ids_reordered_are_moves_by_their_statement(tmp_path, capsys):
    text = EXAMPLE.read_text("utf-8")
    first, second = "    - statement: The regime will assault", "    - statement: Russia will commit here"
    a, b, c = (text.index(line) for line in (first, second, "    - statement: Turkey will see"))
    moved = tmp_path / "moved.yaml"
    moved.write_text(text[:a] + text[b:c] + text[a:b] + text[c:], "utf-8")
    changes = diff_files(EXAMPLE, moved).changes
    assert [(c.section, c.change, c.moved_from, c.path) for c in changes] == [
        ("judgments", "moved", "judgments.items[1]", "judgments.items[0]"),
    ]
    main(["diff", str(EXAMPLE), str(moved)])
    assert capsys.readouterr().out.splitlines()[1:] == [
        "judgments (1 moved):",
        '  ↕ "Russia will commit here to restraining the regime in Idlib.": '
        "judgments.items[1] → judgments.items[0]",
    ]


def test_diff_reorder_the_brief_does_not_print_is_no_change_and_a_tie_reordered_is_a_move(tmp_path):
    # The memo and deck print agenda items by likelihood and risks by score, the file's order
    # only within each: moving the one "possible" item first, or swapping risks of different
    # scores, changes nothing printed.
    text = EXAMPLE.read_text("utf-8")
    text = _swapped(text, "  - id: syria-astana-idlib\n", "  - id: humanitarian\n", "\nfacts:\n")
    text = _swapped(text, "  - id: astana-collapse\n", "  - id: s400-allies\n", "  - id: quartet-slips\n")
    same = tmp_path / "same.yaml"
    same.write_text(text, "utf-8")
    assert diff_files(EXAMPLE, same).changes == []
    # Two risks of equal score (3×4 = 12) print in the file's order: swapped, one moved.
    tied = EXAMPLE.read_text("utf-8")
    start = tied.index("  - id: s400-allies\n")
    tied = tied[:start] + tied[start:].replace("    impact: 3\n", "    impact: 4\n", 1)
    old, new = tmp_path / "tied.yaml", tmp_path / "tied-swapped.yaml"
    old.write_text(tied, "utf-8")
    swapped = _swapped(tied, "  - id: astana-collapse\n", "  - id: s400-allies\n", "  - id: quartet-slips\n")
    new.write_text(swapped, "utf-8")
    assert [(c.change, c.id, c.moved_from, c.path) for c in diff_files(old, new).changes] == [
        ("moved", "s400-allies", "risks[3]", "risks[2]"),
    ]
