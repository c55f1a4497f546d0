"""`briefgen diff`: changes between two versions of a fact base, through the loaded models."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from briefgen.cli import main
from briefgen.diffing import diff_files, rating_changes
from tests.conftest import EXAMPLE


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
    assert result.summary()["facts"] == {"added": 1, "removed": 0, "changed": 1}
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
    removed = [c for c in result.changes if c.change == "removed"]
    assert [(c.section, c.id) for c in removed] == [("risks", "displacement")]
    assert "Mass displacement" in str(removed[0].old)


def test_diff_cli_text_and_json(tmp_path, capsys):
    new = _variant(tmp_path, "new", (IDLIB_RATING, "    likelihood: 5\n    impact: 5\n"))
    assert main(["diff", str(EXAMPLE), str(new)]) == 0
    out = capsys.readouterr().out
    assert "risks (1 changed):" in out and "L5×I5 = 25 (red)" in out
    assert main(["diff", "--json", str(EXAMPLE), str(new)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["summary"] == {"risks": {"added": 0, "removed": 0, "changed": 1}}
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
