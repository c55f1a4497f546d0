"""The redline: the new memo with every difference from an old one as Word tracked changes.

Every test builds two plain memos through the CLI, redlines them, and reads the redline back
with an Accept All / Reject All reader written independently of the redline code
(tests/redline_text.py): accepting must give the new memo's text, rejecting the old one's.
"""

from __future__ import annotations

import copy
import functools
import io
import json
import os
import re
import subprocess
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from pptx import Presentation

from briefgen.cli import main
from briefgen.writers.docx_redline import RedlineOptions, redline, revisions
from tests.conftest import EXAMPLE, OoxmlValidator
from tests.redline_text import document_text

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
OPTIONS = RedlineOptions(author="Russia Desk", date=datetime(2018, 8, 12, 9, 30))
SOURCE = EXAMPLE.read_text(encoding="utf-8")


def edit(text: str, old: str, new: str) -> str:
    assert old in text, f"the worked example no longer contains {old!r}"
    return text.replace(old, new, 1)


def revised(text: str = SOURCE) -> str:
    """The worked example re-issued: a risk re-rated, a fact added (and cited), a point
    reworded and an agenda item removed."""
    text = edit(text, "    likelihood: 4\n    impact: 5\n", "    likelihood: 5\n    impact: 5\n")
    text = edit(
        text,
        "We ask Russia to use its influence in Damascus to stop the shelling and any assault.",
        "We ask Russia to use all its influence in Damascus to stop the shelling and prevent any assault.",
    )
    text = edit(
        text,
        "facts:\n  - id: meeting-scheduled",
        "facts:\n  - id: regime-reinforcements\n    statement: >-\n      Regime forces have moved"
        " reinforcements towards the edge of Idlib province.\n    sources: [field-report]\n"
        "  - id: meeting-scheduled",
    )
    # A fact from a source of its own, so that it carries a note of its own (facts in a row that
    # rest on the same sources share one note, after the last of them).
    text = edit(
        text,
        "sources:\n  - id: seed-report",
        "sources:\n  - id: field-report\n    title: Field report\n    publisher: Desk\n"
        "    date: 2018-08-11\n    reference: FR-1\n  - id: seed-report",
    )
    text = edit(text, "background: [astana-launch,", "background: [regime-reinforcements, astana-launch,")
    start = text.index("  - id: humanitarian\n")
    end = text.index("\nfacts:")
    text = text[:start].rstrip() + "\n" + text[end:]
    return edit(text, "agenda: [humanitarian]", "agenda: [syria-astana-idlib]")


def memo(tmp_path: Path, text: str, name: str) -> bytes:
    folder = tmp_path / name
    folder.mkdir()
    facts = folder / f"{name}.yaml"
    facts.write_text(text, encoding="utf-8")
    assert main(["build", str(facts), "-o", str(folder), "--format", "docx", "-j", "1"]) == 0
    return (folder / f"{name}-memo.docx").read_bytes()


def assert_provably_right(old: bytes, new: bytes, marked: bytes) -> None:
    assert document_text(marked, "accept") == document_text(new, "plain")
    assert document_text(marked, "reject") == document_text(old, "plain")


def part(data: bytes, name: str) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return etree.fromstring(zf.read(name))


def validate(ooxml: OoxmlValidator, tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "redline.docx"
    path.write_bytes(data)
    ooxml(path)


@pytest.fixture(scope="module")
def pair(tmp_path_factory) -> tuple[bytes, bytes]:
    folder = tmp_path_factory.mktemp("redline")
    return memo(folder, SOURCE, "old"), memo(folder, revised(), "new")


@pytest.fixture(scope="module")
def marked(pair) -> bytes:
    return redline(*pair, OPTIONS)[0]


def test_redline_accept_all_gives_new_memo_and_reject_all_the_old(pair, marked):
    old, new = pair
    assert document_text(old, "plain") != document_text(new, "plain")
    assert_provably_right(old, new, marked)


def test_redline_validates_against_the_schemas(marked, tmp_path, ooxml):
    validate(ooxml, tmp_path, marked)


def test_redline_marks_a_reworded_point_word_by_word(marked):
    body = part(marked, "word/document.xml")
    point = next(p for p in body.iter(f"{W}p") if "in Damascus to stop the shelling" in "".join(p.itertext()))
    inserted = ["".join(t.text or "" for t in ins.iter(f"{W}t")) for ins in point.iter(f"{W}ins")]
    deleted = ["".join(t.text or "" for t in d.iter(f"{W}delText")) for d in point.iter(f"{W}del")]
    assert inserted == [" all", "prevent "]
    assert deleted == []
    # The paragraph itself was neither inserted nor deleted: only words inside it changed.
    assert point.find(f"{W}pPr/{W}rPr") is None


def test_redline_removed_agenda_item_is_deleted_whole(marked):
    body = part(marked, "word/document.xml")
    deleted = [
        "".join(t.text or "" for t in p.iter(f"{W}delText"))
        for p in body.iter(f"{W}p")
        if p.find(f"{W}pPr/{W}rPr/{W}del") is not None
    ]
    assert any("The humanitarian situation in Idlib" in text for text in deleted)
    # Its if-raised row goes as a deleted table row.
    rows = [tr for tr in body.iter(f"{W}tr") if tr.find(f"{W}trPr/{W}del") is not None]
    assert any("keep its border open" in "".join(tr.itertext()) for tr in rows)


def test_redline_re_rated_risk_changes_only_its_numbers(marked):
    body = part(marked, "word/document.xml")
    row = next(tr for tr in body.iter(f"{W}tr") if "Regime assault on Idlib" in "".join(tr.itertext()))
    assert [d.text for d in row.iter(f"{W}delText")][:2] == ["4", "20"]
    assert [t.text for ins in row.iter(f"{W}ins") for t in ins.iter(f"{W}t")][:2] == ["5", "25"]
    assert row.find(f"{W}trPr/{W}ins") is None and row.find(f"{W}trPr/{W}del") is None


def test_redline_added_fact_is_inserted_with_its_footnote(marked):
    body = part(marked, "word/document.xml")
    inserted = [p for p in body.iter(f"{W}p") if p.find(f"{W}pPr/{W}rPr/{W}ins") is not None]
    text = ["".join(t.text or "" for t in p.iter(f"{W}t")) for p in inserted]
    assert any("moved reinforcements" in t for t in text)
    added = next(p for p, t in zip(inserted, text, strict=True) if "moved reinforcements" in t)
    refs = [r.get(f"{W}id") for r in added.iter(f"{W}footnoteReference")]
    assert refs, "the added fact keeps its citation"
    notes = {n.get(f"{W}id"): n for n in part(marked, "word/footnotes.xml")}
    assert notes[refs[0]].find(f".//{W}ins") is not None, "the new note is marked inserted"


def test_redline_attributes_every_revision_to_author_and_build_stamp(marked):
    for name in ("word/document.xml", "word/footnotes.xml"):
        for node in part(marked, name).iter(f"{W}ins", f"{W}del", f"{W}moveFrom", f"{W}moveTo"):
            assert node.get(f"{W}author") == "Russia Desk"
            assert node.get(f"{W}date") == "2018-08-12T09:30:00Z"


def test_redline_ids_are_unique(marked):
    ids = [
        node.get(f"{W}id")
        for name in ("word/document.xml", "word/footnotes.xml")
        for node in part(marked, name).iter(
            f"{W}ins", f"{W}del", f"{W}moveFrom", f"{W}moveTo", f"{W}pPrChange"
        )
    ]
    assert ids and len(ids) == len(set(ids))


def test_redline_is_reproducible(pair, marked):
    assert redline(*pair, OPTIONS)[0] == marked


def test_redline_of_identical_memos_marks_nothing(pair):
    old, _ = pair
    same, summary = redline(old, old, OPTIONS)
    assert summary.total == 0
    assert list(revisions(same)) == []
    assert document_text(same, "plain") == document_text(old, "plain")


def test_redline_shifted_footnote_numbers_are_no_change(tmp_path):
    # A new source cited in the first point shifts every later note number by one; only the
    # passage that gained the note is marked, not the dozens of renumbered references.
    text = edit(
        SOURCE,
        "        facts: [turkey-red-line]\n",
        "        facts: [turkey-red-line, un-border]\n",
    )
    old, new = memo(tmp_path, SOURCE, "old"), memo(tmp_path, text, "new")
    marked, _ = redline(old, new, OPTIONS)
    assert_provably_right(old, new, marked)
    body = part(marked, "word/document.xml")
    changed = {
        "".join(t.text or "" for t in p.iter(f"{W}t"))
        for p in body.iter(f"{W}p")
        if p.find(f".//{W}ins") is not None or p.find(f".//{W}del") is not None
    }
    assert len(changed) <= 2, changed


def test_redline_moved_paragraph_is_a_move(tmp_path, ooxml):
    # Their objectives cite nothing, so the moved line is the same paragraph (points that rest on
    # one source share the note after the last of them: moving one would move the note too).
    first = "    - Turkish acceptance of a return of state rule to Idlib, as the regime's leaflets demand.\n"
    second = "    - Confirmation that Turkey will not step back from the S-400 purchase under US pressure.\n"
    text = edit(SOURCE, first + second, second + first)
    old, new = memo(tmp_path, SOURCE, "old"), memo(tmp_path, text, "new")
    marked, summary = redline(old, new, OPTIONS)
    assert_provably_right(old, new, marked)
    assert summary.moves >= 1
    body = part(marked, "word/document.xml")
    names_from = {m.get(f"{W}name") for m in body.iter(f"{W}moveFromRangeStart")}
    names_to = {m.get(f"{W}name") for m in body.iter(f"{W}moveToRangeStart")}
    assert names_from and names_from == names_to
    moved = ["".join(t.text or "" for t in m.iter(f"{W}t")) for m in body.iter(f"{W}moveTo")]
    # Of two swapped lines one stays and the other moves past it.
    assert any("Turkish acceptance" in t or "Confirmation that Turkey" in t for t in moved)
    moved_from = ["".join(t.text or "" for t in m.iter(f"{W}t")) for m in body.iter(f"{W}moveFrom")]
    assert sorted(moved_from) == sorted(moved)
    validate(ooxml, tmp_path, marked)


def test_redline_changed_source_is_a_change_inside_the_footnote(tmp_path):
    text = edit(SOURCE, "publisher: ", "publisher: The ")
    old, new = memo(tmp_path, SOURCE, "old"), memo(tmp_path, text, "new")
    marked, summary = redline(old, new, OPTIONS)
    assert_provably_right(old, new, marked)
    assert summary.footnotes_changed >= 1
    notes = part(marked, "word/footnotes.xml")
    assert any(ins.find(f".//{W}t") is not None for ins in notes.iter(f"{W}ins"))


def test_redline_added_risk_is_an_inserted_row(tmp_path, ooxml):
    text = edit(
        SOURCE,
        "risks:\n",
        "risks:\n  - id: sanctions\n    title: US sanctions over the S-400\n    description: The United"
        " States imposes sanctions under CAATSA.\n    likelihood: 2\n    impact: 3\n"
        "    rationale: Congress has threatened it.\n    mitigation: Keep the channel to Washington open.\n",
    )
    old, new = memo(tmp_path, SOURCE, "old"), memo(tmp_path, text, "new")
    marked, summary = redline(old, new, OPTIONS)
    assert_provably_right(old, new, marked)
    assert summary.rows_inserted >= 1
    body = part(marked, "word/document.xml")
    rows = [tr for tr in body.iter(f"{W}tr") if tr.find(f"{W}trPr/{W}ins") is not None]
    assert any("US sanctions over the S-400" in "".join(tr.itertext()) for tr in rows)
    validate(ooxml, tmp_path, marked)


def test_changes_summary_names_items_by_title_never_by_id(tmp_path):
    from briefgen.changes import Rating, summarise
    from briefgen.facts import load_facts

    new_path = tmp_path / "revised.yaml"
    new_path.write_text(revised(), encoding="utf-8")
    summary = summarise(load_facts(EXAMPLE).briefing, load_facts(new_path).briefing, "v1")
    rows = [(n.section, n.subject, n.change, n.fields) for n in summary.notes]
    assert rows[0] == ("risks", "Regime assault on Idlib", "changed", ("rating",))
    first = summary.notes[0]
    assert (first.before, first.now) == (Rating(4, 5, 20, "red"), Rating(5, 5, 25, "red"))
    assert ("agenda", "The humanitarian situation in Idlib", "removed", ()) in rows
    assert ("agenda", "Syria, the Astana process and Idlib", "changed", ("points",)) in rows
    added = [subject for section, subject, change, _ in rows if section == "facts" and change == "added"]
    assert any("reinforcements" in subject for subject in added)
    ids = {"idlib-offensive", "regime-reinforcements", "syria-astana-idlib"}  # "humanitarian" is also a word
    assert not any(i in str(row) for row in rows for i in ids)
    assert summary.counts == {"added": 1, "removed": 1, "changed": 2, "moved": 0}  # sources are not news
    assert summary.data()["changes"][0]["now"] == {"likelihood": 5, "impact": 5, "score": 25, "rag": "red"}


# --- build --since ---------------------------------------------------------------------------


def build(args: list[str], capsys) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["build", *args, "-j", "1"])
    return code, capsys.readouterr().err


def test_build_since_file_writes_redline_changes_slide_and_report(tmp_path, capsys):
    old = tmp_path / "old.yaml"
    old.write_text(SOURCE, encoding="utf-8")
    facts = tmp_path / "brief.yaml"
    facts.write_text(revised(), encoding="utf-8")
    out = tmp_path / "out"
    report = tmp_path / "report.json"
    code, err = build([str(facts), "--since", str(old), "-o", str(out), "--report", str(report)], capsys)
    assert code == 0, err
    marked = (out / "brief-memo-redline.docx").read_bytes()
    plain_new = (out / "brief-memo.docx").read_bytes()
    plain_old = memo(tmp_path, SOURCE, "plain-old")
    assert_provably_right(plain_old, plain_new, marked)
    authors = {n.get(f"{W}author") for n in part(marked, "word/document.xml").iter(f"{W}ins")}
    assert authors == {"Russia Desk (worked example drafted from a news report)"}

    deck = Presentation(str(out / "brief-deck.pptx"))
    titles = [s.shapes.title.text if s.shapes.title is not None else "" for s in deck.slides]
    index = next(i for i, t in enumerate(titles) if t.startswith("Since 12 August 2018: Regime assault"))
    assert index <= 2, titles  # right after the bottom line
    slide = deck.slides[index]
    tables = [shape.table for shape in slide.shapes if shape.has_table]
    cells = [c.text for table in tables for row in table.rows for c in row.cells]
    assert "Regime assault on Idlib" in cells and "red, likelihood 5 × impact 5 = 25" in cells
    assert "The humanitarian situation in Idlib" in cells
    assert "idlib-offensive" not in " ".join(cells)
    notes = slide.notes_slide.notes_text_frame.text
    assert "12 August 2018" in notes and str(old) in notes

    entry = json.loads(report.read_text(encoding="utf-8"))["briefings"][0]
    assert entry["changes"]["counts"] == {"added": 1, "removed": 1, "changed": 2, "moved": 0}
    assert any(o["path"].endswith("brief-memo-redline.docx") for o in entry["outputs"])


def test_build_since_agrees_with_diff(tmp_path, capsys):
    # One comparison feeds `diff` and the redline: every change diff reports shows in the redline.
    old = tmp_path / "old.yaml"
    old.write_text(SOURCE, encoding="utf-8")
    facts = tmp_path / "brief.yaml"
    facts.write_text(revised(), encoding="utf-8")
    capsys.readouterr()
    assert main(["diff", str(old), str(facts)]) in (0, 1)
    diff_text = capsys.readouterr().out
    assert "idlib-offensive" in diff_text and "humanitarian" in diff_text
    args = [str(facts), "--since", str(old), "-o", str(tmp_path / "out"), "--format", "docx"]
    code, err = build(args, capsys)
    assert code == 0, err
    changes = list(revisions((tmp_path / "out" / "brief-memo-redline.docx").read_bytes()))
    inserted = " ".join(t for kind, t in changes if kind == "ins")
    deleted = " ".join(t for kind, t in changes if kind == "del")
    assert "moved reinforcements" in inserted  # the fact diff reports as added
    assert "The humanitarian situation in Idlib" in deleted  # the agenda item diff reports as removed
    assert "25" in inserted and "20" in deleted  # the risk diff reports as re-rated


def test_build_since_is_reproducible(tmp_path, capsys):
    old = tmp_path / "old.yaml"
    old.write_text(SOURCE, encoding="utf-8")
    facts = tmp_path / "brief.yaml"
    facts.write_text(revised(), encoding="utf-8")
    outputs = []
    for name in ("a", "b"):
        args = [str(facts), "--since", str(old), "-o", str(tmp_path / name), "--format", "docx"]
        code, err = build(args, capsys)
        assert code == 0, err
        outputs.append((tmp_path / name / "brief-memo-redline.docx").read_bytes())
    assert outputs[0] == outputs[1]


def test_build_since_git_revision_in_a_fresh_clone(tmp_path, capsys, monkeypatch):
    from tests.test_history import git

    origin = tmp_path / "origin"
    (origin / "facts").mkdir(parents=True)
    git(origin, "init", "-q", "-b", "main")
    facts = origin / "facts" / "brief.yaml"
    facts.write_text(SOURCE, encoding="utf-8")
    git(origin, "add", ".")
    git(origin, "commit", "-qm", "first issue")
    facts.write_text(revised(), encoding="utf-8")
    git(origin, "commit", "-qam", "re-issue")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(origin), str(clone)], check=True)
    brief = clone / "facts" / "brief.yaml"
    status = git(clone, "status", "--porcelain")
    monkeypatch.chdir(clone)
    for spec in ("HEAD~1", "main~1:facts/brief.yaml"):
        out = tmp_path / f"out-{spec.replace('/', '_').replace(':', '_')}"
        code, err = build([str(brief), "--since", spec, "-o", str(out), "--format", "docx,pptx"], capsys)
        assert code == 0, err
        marked = (out / "brief-memo-redline.docx").read_bytes()
        assert_provably_right(memo_at(tmp_path, spec), (out / "brief-memo.docx").read_bytes(), marked)
    assert git(clone, "status", "--porcelain") == status  # nothing checked out or written


def memo_at(tmp_path: Path, spec: str) -> bytes:
    folder = tmp_path / ("plain-" + "".join(ch if ch.isalnum() else "_" for ch in spec))
    folder.mkdir()
    return memo(folder, SOURCE, "old")


def test_build_since_new_briefing_warns_and_writes_no_redline(tmp_path, capsys, monkeypatch):
    from tests.test_history import git

    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "README").write_text("x\n", encoding="utf-8")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "start")
    facts = repo / "brief.yaml"
    facts.write_text(SOURCE, encoding="utf-8")
    code, err = build([str(facts), "--since", "HEAD", "-o", str(tmp_path / "out")], capsys)
    assert code == 0, err
    assert "does not exist in HEAD" in err and "no redline" in err
    assert not (tmp_path / "out" / "brief-memo-redline.docx").exists()
    assert (tmp_path / "out" / "brief-memo.docx").exists()


def test_build_since_invalid_earlier_version_is_located_there(tmp_path, capsys, monkeypatch):
    from tests.test_history import git

    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    facts = repo / "brief.yaml"
    broken = edit(SOURCE, "    likelihood: 4\n    impact: 5\n", "    likelihood: high\n    impact: 5\n")
    facts.write_text(broken, encoding="utf-8")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "broken")
    facts.write_text(SOURCE, encoding="utf-8")
    code, err = build([str(facts), "--since", "HEAD", "-o", str(tmp_path / "out")], capsys)
    assert code == 0, err  # history's faults do not stop this build: they are warnings
    assert "HEAD:brief.yaml:" in err and "likelihood" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--since", "nosuchrev"], "is not a revision git knows"),
        (["--since", "--x"], "cannot start with '-'"),
    ],
)
def test_build_since_bad_value_is_a_usage_error(tmp_path, capsys, monkeypatch, args, expected):
    from tests.test_history import git

    git(tmp_path, "init", "-q", "-b", "main")
    monkeypatch.chdir(tmp_path)
    facts = tmp_path / "brief.yaml"
    facts.write_text(SOURCE, encoding="utf-8")
    code, err = build([str(facts), *args, "-o", str(tmp_path / "out")], capsys)
    assert expected in err
    assert code in (1, 2)  # the briefing fails with the usage problem's message


def test_build_since_one_file_for_many_briefings_is_refused(tmp_path, capsys):
    old = tmp_path / "old.yaml"
    old.write_text(SOURCE, encoding="utf-8")
    folder = tmp_path / "facts"
    folder.mkdir()
    for name in ("a", "b"):
        (folder / f"{name}.yaml").write_text(SOURCE, encoding="utf-8")
    code, err = build([str(folder), "--since", str(old), "-o", str(tmp_path / "out")], capsys)
    assert code == 2
    assert "cannot be the earlier version of 2 briefings" in err


# --- generated pairs: any edits, the same guarantee -----------------------------------------


BASE = yaml.safe_load(SOURCE)
_LONG = os.environ.get("HYPOTHESIS_PROFILE", "ci") != "ci"  # `make fuzz` runs many more
_WORDS = st.text(
    alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyz ÇçğıİöşüАБВ"), min_size=1, max_size=12
).map(str.strip).filter(bool)
_SENTENCE = st.lists(_WORDS, min_size=1, max_size=12).map(lambda ws: " ".join(ws).capitalize() + ".")
_TEXT_FIELDS = [
    ("summary",),
    ("context",),
    ("agenda", 0, "position"),
    ("agenda", 0, "points", 0, "text"),
    ("agenda", 1, "points", 0, "text"),
    ("agenda", 2, "if_raised", 0, "response"),
    ("facts", 3, "statement"),
    ("facts", 10, "statement"),
    ("judgments", "items", 1, "statement"),
    ("people", 1, "bio"),
    ("sources", 0, "title"),
]
_RATINGS = [("risks", r, field) for r in range(4) for field in ("likelihood", "impact")]
_LISTS = [("agenda", 0, "points"), ("agenda", 2, "points"), ("next_steps",), ("timeline",)]


def _at(data, path):
    for key in path[:-1]:
        data = data[key]
    return data, path[-1]


_EDIT = st.one_of(
    st.tuples(st.just("text"), st.sampled_from(_TEXT_FIELDS), _SENTENCE),
    st.tuples(st.just("rating"), st.sampled_from(_RATINGS), st.integers(1, 5)),
    st.tuples(st.just("drop"), st.sampled_from(_LISTS), st.integers(0, 5)),
    st.tuples(st.just("swap"), st.sampled_from(_LISTS), st.integers(0, 5)),
)


def _apply(data, edit) -> None:
    kind, path, value = edit
    parent, key = _at(data, path)
    if kind in ("text", "rating"):
        parent[key] = value
        return
    items = parent[key]
    if len(items) < 2:
        return
    index = value % len(items)
    if kind == "drop":
        del items[index]
    else:
        items.insert((index + 1) % len(items), items.pop(index))


def _memo_bytes(data, folder: Path) -> bytes:
    from briefgen.pipeline import BuildOptions, Step, run

    path = folder / "brief.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    done = run(path, BuildOptions(formats=("docx",)), until=Step.WRITE)
    return done.files["brief-memo.docx"]


@functools.cache
def _base_memo() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        return _memo_bytes(BASE, Path(folder))


@settings(
    max_examples=300 if _LONG else 8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(edits=st.lists(_EDIT, min_size=1, max_size=4))
def test_redline_of_any_edits_accepts_to_new_and_rejects_to_old(edits, tmp_path_factory):
    base_memo = _base_memo()
    data = copy.deepcopy(BASE)
    for one in edits:
        _apply(data, one)
    new = _memo_bytes(data, tmp_path_factory.mktemp("edited"))
    marked, summary = redline(base_memo, new, OPTIONS)
    assert_provably_right(base_memo, new, marked)
    if document_text(new) == document_text(base_memo):
        assert summary.total == 0


def test_build_since_changes_slide_speaks_the_document_language(tmp_path, capsys):
    def german(text: str) -> str:
        return edit(text, "  language: en-GB", "  language: de")

    old = tmp_path / "old.yaml"
    old.write_text(german(SOURCE), encoding="utf-8")
    facts = tmp_path / "brief.yaml"
    facts.write_text(german(revised()), encoding="utf-8")
    out = tmp_path / "out"
    code, err = build([str(facts), "--since", str(old), "-o", str(out), "--format", "pptx"], capsys)
    assert code == 0, err
    assert "lacks" not in err and "missing" not in err  # every word came from the German catalog
    deck = Presentation(str(out / "brief-deck.pptx"))
    titled = [s for s in deck.slides if s.shapes.title is not None]
    slide = next(s for s in titled if s.shapes.title.text.startswith("Seit dem"))
    assert "neu bewertet mit 25" in slide.shapes.title.text
    tables = [shape.table for shape in slide.shapes if shape.has_table]
    header = [c.text for c in tables[0].rows[0].cells]
    assert header[0] == "Änderung" and header[2:] == ["Vorher", "Jetzt"]
    cells = [c.text for row in tables[0].rows for c in row.cells]
    assert "gestrichen" in cells and "hinzugefügt" in cells
    assert "Diese Fassung ersetzt die Vorlage vom" in slide.notes_slide.notes_text_frame.text


def test_redline_renders_with_the_changes_visible_in_libreoffice(marked, tmp_path):
    import shutil

    if shutil.which("soffice") is None or shutil.which("pdftotext") is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install LibreOffice and poppler-utils (.ci/run)")
        pytest.skip("LibreOffice (soffice) or pdftotext is not installed")
    from briefgen.writers.pdf import convert_to_pdf

    pdf = tmp_path / "redline.pdf"
    pdf.write_bytes(convert_to_pdf(marked, "redline.docx"))
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    flat = " ".join(text.split())
    # LibreOffice prints tracked changes: the deleted agenda item (struck through) and the
    # inserted words both appear, beside the unchanged text.
    assert "The humanitarian situation in Idlib" in flat
    assert "moved reinforcements" in flat
    assert "stop the shelling and prevent any assault" in flat  # "prevent " is an insertion


def test_build_since_changes_slide_marks_every_portion(tmp_path, capsys):
    """In a SECRET//NOFORN pack with portion marks, the changes slide is marked like every other:
    its title by the highest portion it reports, each row by its item, header and notes (U)."""
    from tests.test_facts_markings import secret_noforn_variant

    mark = re.compile(r"^\((U|CUI|C|S|TS)(//[A-Z][A-Z0-9 ,/]*)?\) ")
    earlier = secret_noforn_variant()
    current = copy.deepcopy(earlier)
    risk = current["risks"][0]  # the CONFIDENTIAL risk, re-rated
    risk["likelihood"] = 5 if risk["likelihood"] != 5 else 4
    current["next_steps"] = current["next_steps"][1:]  # a brief-level field revised
    old, facts = tmp_path / "old.yaml", tmp_path / "brief.yaml"
    for path, data in ((old, earlier), (facts, current)):
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=200)
        path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    code, err = build([str(facts), "--since", str(old), "-o", str(out), "--format", "pptx"], capsys)
    assert code == 0, err
    deck = Presentation(str(out / "brief-deck.pptx"))
    titled = [s for s in deck.slides if s.shapes.title is not None]
    slide = next(s for s in titled if "re-rated" in s.shapes.title.text)
    # The next steps, revised as a whole, carry no mark of their own: the default portion,
    # which is the banner's level (S); the title takes the highest row.
    assert slide.shapes.title.text.startswith("(S) "), slide.shapes.title.text
    table = next(shape.table for shape in slide.shapes if shape.has_table)
    firsts = [row.cells[0].text for row in table.rows]
    assert firsts[0].startswith("(U) ")
    assert firsts[1].startswith("(C) Risk"), firsts
    assert any(text.startswith("(S) ") for text in firsts[2:]), firsts
    assert all(mark.match(text) for text in firsts), firsts
    notes = [p.text for p in slide.notes_slide.notes_text_frame.paragraphs if p.text.strip()]
    assert notes and all(mark.match(text) for text in notes), notes


def test_build_since_marking_change_shows_banners_and_tracks_the_page_banners(tmp_path, capsys):
    old = tmp_path / "old.yaml"
    old.write_text(SOURCE, encoding="utf-8")
    facts = tmp_path / "brief.yaml"
    facts.write_text(edit(SOURCE, "  level: UNCLASSIFIED", "  level: CUI"), encoding="utf-8")
    out = tmp_path / "out"
    code, err = build([str(facts), "--since", str(old), "-o", str(out)], capsys)
    assert code == 0, err
    deck = Presentation(str(out / "brief-deck.pptx"))
    cells = [
        c.text for s in deck.slides for shape in s.shapes if shape.has_table
        for row in shape.table.rows for c in row.cells
    ]
    assert "UNCLASSIFIED" in cells and "CUI" in cells
    assert not any("{" in c or "scheme" in c for c in cells)
    marked = (out / "brief-memo-redline.docx").read_bytes()
    with zipfile.ZipFile(io.BytesIO(marked)) as zf:
        headers = [n for n in zf.namelist() if re.fullmatch(r"word/(header|footer)\d+\.xml", n)]
        furniture = [etree.fromstring(zf.read(n)) for n in headers]
    deleted = {t.text for part in furniture for t in part.iter(f"{W}delText")}
    inserted = {t.text for part in furniture for ins in part.iter(f"{W}ins") for t in ins.iter(f"{W}t")}
    assert "UNCLASSIFIED" in deleted and "CUI" in inserted


def _changes_cells(deck_path: Path) -> list[list[str]]:
    deck = Presentation(str(deck_path))
    tables = [shape.table for s in deck.slides for shape in s.shapes if shape.has_table]
    before = ("Before", "Vorher", "Avant")
    table = next(t for t in tables if len(t.columns) > 2 and t.rows[0].cells[2].text in before)
    return [[c.text for c in row.cells] for row in table.rows]


@pytest.mark.parametrize(
    ("language", "syria", "quartet", "chronology"),
    [
        ("en-GB", "Points to make: 1 added, revised; If raised: revised", "If raised: 1 dropped",
         ("Chronology", "1 added")),
        ("de", "Sprechpunkte: 1 hinzugefügt, überarbeitet; Falls angesprochen: überarbeitet",
         "Falls angesprochen: 1 gestrichen",
         ("Chronologie", "1 hinzugefügt")),
    ],
)
def test_build_since_changes_slide_counts_items_added_and_dropped_in_lists(
    tmp_path, capsys, language, syria, quartet, chronology
):
    """Changes inside an item's or the brief's lists are counted per field on the slide, in
    the document's language, not only called "revised"."""
    def localised(text: str) -> str:
        return edit(text, "  language: en-GB", f"  language: {language}")

    text = edit(SOURCE, "        facts: [turkey-red-line]\n",
                "        facts: [turkey-red-line]\n      - text: Russia should let aid convoys through.\n")
    text = edit(text, "stop the shelling and any assault.", "stop the shelling and prevent any assault.")
    text = edit(text, "would be a catastrophe", "would be a humanitarian catastrophe")
    start = text.index("    if_raised:\n      - question: Russia proposes adding Iran")
    end = text.index("    background: [quartet-preliminary")
    text = text[:start] + text[end:]  # the quartet item's one if-raised line dropped
    text = edit(text, "  - date: 2018-07-28\n",
                "  - date: 2018-03\n    event: Fourth round of Astana talks.\n    sources: [seed-report]\n"
                "  - date: 2018-07-28\n")
    old, facts = tmp_path / "old.yaml", tmp_path / "brief.yaml"
    old.write_text(localised(SOURCE), encoding="utf-8")
    facts.write_text(localised(text), encoding="utf-8")
    out = tmp_path / "out"
    code, err = build([str(facts), "--since", str(old), "-o", str(out), "--format", "pptx"], capsys)
    assert code == 0, err
    assert "has no translation" not in err
    rows = _changes_cells(out / "brief-deck.pptx")
    by_item = {row[1]: row[3] for row in rows[1:]}
    assert by_item["Syria, the Astana process and Idlib"] == syria
    assert by_item["The Istanbul quartet meeting (Turkey, Russia, Germany, France)"] == quartet
    assert by_item[chronology[0]] == chronology[1]


def test_build_since_invalid_earlier_version_is_a_warning_and_the_brief_builds(tmp_path, capsys):
    old = tmp_path / "old.yaml"
    broken = edit(SOURCE, "    likelihood: 4\n    impact: 5\n", "    likelihood: high\n    impact: 5\n")
    old.write_text(broken, encoding="utf-8")
    facts = tmp_path / "brief.yaml"
    facts.write_text(SOURCE, encoding="utf-8")
    out = tmp_path / "out"
    code, err = build([str(facts), "--since", str(old), "-o", str(out)], capsys)
    assert code == 0, err
    assert f"{old}:" in err and "likelihood" in err and "not a valid fact file" in err
    assert (out / "brief-memo.docx").exists() and not (out / "brief-memo-redline.docx").exists()


def test_build_since_identical_version_says_nothing_changed_without_an_empty_table(tmp_path, capsys):
    facts = tmp_path / "brief.yaml"
    facts.write_text(SOURCE, encoding="utf-8")
    out = tmp_path / "out"
    code, err = build([str(facts), "--since", str(facts), "-o", str(out), "--format", "pptx,md"], capsys)
    assert code == 0, err
    assert "header but no rows" not in err and "holds no table" not in err
    assert "over its budget" not in err  # the changes slide is not the brief's to budget
    assert "no redline memo without the docx format" in err
    deck_md = (out / "brief-deck.md").read_text(encoding="utf-8")
    assert "Nothing of substance changed" in deck_md


def test_build_since_mistyped_rev_path_is_an_error_not_a_new_briefing(tmp_path, capsys, monkeypatch):
    from tests.test_history import git

    repo = tmp_path / "repo"
    (repo / "facts").mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    facts = repo / "facts" / "brief.yaml"
    facts.write_text(SOURCE, encoding="utf-8")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "one")
    monkeypatch.chdir(repo)
    code, err = build([str(facts), "--since", "HEAD:brief.yaml", "-o", str(tmp_path / "out")], capsys)
    assert code != 0
    assert "HEAD has no brief.yaml" in err
    code, err = build([str(facts), "--since", str(repo / "facts"), "-o", str(tmp_path / "out")], capsys)
    assert code != 0 and "a folder" in err


def _reordered(text: str) -> str:
    """The worked example with nothing added, dropped or reworded, only reordered: the first two
    agenda items swapped, the humanitarian item's two points swapped and an event of the
    chronology moved later."""
    def swapped(text: str, first: str, second: str, after: str) -> str:
        a, b, c = (text.index(line) for line in (first, second, after))
        return text[:a] + text[b:c] + text[a:b] + text[c:]

    text = swapped(text, "  - id: syria-astana-idlib\n", "  - id: istanbul-quartet\n", "  - id: s400\n")
    text = swapped(
        text, "      - text: About 2.5 million people live in Idlib.",
        "      - text: The UN has called for urgent",
        "    if_raised:\n      - question: The UN asks Turkey",
    )
    start = text.index("  - date: 2017-12\n")
    event = text[start : text.index("  - date: 2018-07-28\n")]
    meeting = text.index("  - date: 2018-08-13\n")
    return text[:start] + text[start + len(event) : meeting] + event + text[meeting:]


@pytest.mark.parametrize(
    ("language", "quartet", "humanitarian", "chronology"),
    [
        ("en-GB", "moved up", "Points to make: 1 moved", ("Chronology", "1 moved")),
        ("de", "nach oben verschoben", "Sprechpunkte: 1 verschoben", ("Chronologie", "1 verschoben")),
        ("fr", "avancé", None, None),
    ],
)
def test_build_since_changes_slide_says_what_moved_not_added_and_dropped(
    tmp_path, capsys, language, quartet, humanitarian, chronology
):
    """A reordered agenda is news (its order is the brief's priorities); points or events
    swapped are moved, not one added and one dropped."""
    def localised(text: str) -> str:
        return edit(text, "  language: en-GB", f"  language: {language}")

    old, facts = tmp_path / "old.yaml", tmp_path / "brief.yaml"
    old.write_text(localised(SOURCE), encoding="utf-8")
    facts.write_text(localised(_reordered(SOURCE)), encoding="utf-8")
    out, report = tmp_path / "out", tmp_path / "report.json"
    args = [str(facts), "--since", str(old), "-o", str(out), "--format", "pptx", "--report", str(report)]
    code, err = build(args, capsys)
    assert code == 0, err
    assert "has no translation" not in err
    rows = _changes_cells(out / "brief-deck.pptx")
    by_item = {row[1]: row[3] for row in rows[1:]}
    assert by_item["The Istanbul quartet meeting (Turkey, Russia, Germany, France)"] == quartet
    if humanitarian is not None:
        assert by_item["The humanitarian situation in Idlib"] == humanitarian
        assert by_item[chronology[0]] == chronology[1]
    text = " ".join(" ".join(row) for row in rows)
    for word in ("added", "dropped", "hinzugefügt", "gestrichen", "ajouté", "retiré"):
        assert word not in text
    entry = json.loads(report.read_text(encoding="utf-8"))["briefings"][0]
    assert entry["changes"]["counts"] == {"added": 0, "removed": 0, "changed": 2, "moved": 1}
    moved = next(c for c in entry["changes"]["changes"] if c["change"] == "moved")
    assert (moved["section"], moved["now"], moved["paths"]) == ("agenda", "up", ["agenda[0]"])
