"""End to end: the worked example through the CLI, read back from the files it writes."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from docx import Document as open_docx
from lxml import etree
from pptx import Presentation

from briefgen.cli import exits_fast, main
from briefgen.facts import load_facts
from briefgen.styles import RAG_FILL
from tests.conftest import EXAMPLE, MEMO_SECTIONS, ROOT

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
STEM = EXAMPLE.stem


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("out")
    assert main(["build", str(EXAMPLE), "-o", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def memo(built):
    return open_docx(str(built / f"{STEM}-memo.docx"))


@pytest.fixture(scope="module")
def deck(built):
    return Presentation(str(built / f"{STEM}-deck.pptx"))


@pytest.fixture(scope="module")
def briefing():
    return load_facts(EXAMPLE).briefing


def test_build_writes_memo_and_deck(built):
    assert sorted(p.name for p in built.iterdir() if not p.name.startswith(".")) == [
        f"{STEM}-deck.pptx",
        f"{STEM}-memo.docx",
    ]


def test_memo_headings_use_builtin_styles_in_trade_order(memo):
    level1 = [p.text for p in memo.paragraphs if p.style.name == "Heading 1"]
    assert level1 == MEMO_SECTIONS
    level2 = [p.text for p in memo.paragraphs if p.style.name == "Heading 2"]
    assert level2[:2] == ["Our objectives", "Their objectives and likely asks"]
    assert "1. Syria, the Astana process and Idlib (certain)" in level2
    assert memo.paragraphs[0].text == "MEETING BRIEF"


def test_memo_heading_block_names_to_from_date_subject(memo):
    labels = [row.cells[0].text for row in memo.tables[0].rows]
    assert labels == ["TO:", "FROM:", "DATE:", "SUBJECT:", "MEETING:"]
    assert memo.tables[0].rows[0].cells[1].text == "Mevlüt Çavuşoğlu, Minister of Foreign Affairs"


def test_memo_risk_table_rows_and_rag_colours_match_facts(memo, briefing):
    table = next(t for t in memo.tables if t.rows[0].cells[0].text == "Risk")
    ranked = sorted(briefing.risks, key=lambda r: -r.score)
    rows = table.rows[1:]
    # The memo is typeset: straight apostrophes become curly ones.
    titles = [f"{k}. {r.title}".replace("'", "’") for k, r in enumerate(ranked, start=1)]
    assert [r.cells[0].text for r in rows] == titles
    assert [int(r.cells[3].text) for r in rows] == [r.score for r in ranked]
    for row, risk in zip(rows, ranked, strict=True):
        shading = row.cells[4]._tc.find(f"{W}tcPr/{W}shd")
        assert shading is not None and shading.get(f"{W}fill").upper() == RAG_FILL[risk.rag]
        assert row.cells[4].text == risk.rag.upper()


def test_memo_marking_in_header_and_footer_of_every_section(memo):
    for section in memo.sections:
        for part in (section.header, section.footer, section.first_page_header, section.first_page_footer):
            if part.is_linked_to_previous and part is not section.header and part is not section.footer:
                continue
            assert "UNCLASSIFIED" in "\n".join(p.text for p in part.paragraphs)


def test_memo_core_properties_are_set(memo, briefing):
    props = memo.core_properties
    assert props.title == briefing.title
    assert props.author == briefing.prepared_by
    assert "Sergey Lavrov" in props.keywords
    assert props.subject.startswith("Meeting brief")


def test_memo_names_keep_their_own_letters(built):
    with zipfile.ZipFile(built / f"{STEM}-memo.docx") as zf:
        text = "".join(etree.fromstring(zf.read("word/document.xml")).itertext())
    # Names are kept whole with no-break spaces (and non-breaking hyphens) in narrow columns.
    text = text.replace("\u00a0", " ")
    for name in ("Mevlüt Çavuşoğlu", "Сергей Лавров", "Recep Tayyip Erdoğan", "بشار الأسد"):
        assert name in text


def test_deck_is_16_9_with_marking_on_every_slide(deck):
    assert (deck.slide_width, deck.slide_height) == (12192000, 6858000)
    for slide in deck.slides:
        texts = [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]
        tops = [s for s in slide.shapes if s.has_text_frame and s.text_frame.text == "UNCLASSIFIED"]
        assert len(tops) >= 2, texts  # top and bottom
        assert min(s.top for s in tops) < deck.slide_height // 8
        assert max(s.top for s in tops) > deck.slide_height * 3 // 4


def test_deck_titles_unique_and_agenda_slides_have_notes(deck, briefing):
    titles = [slide.shapes.title.text if slide.shapes.title is not None else "" for slide in deck.slides]
    assert all(titles) and len(set(titles)) == len(titles)
    assert titles[0] == briefing.title
    for item in briefing.agenda:
        [index] = [i for i, t in enumerate(titles) if t.startswith(item.headline)]
        notes = deck.slides[index].notes_slide.notes_text_frame.text
        assert "Talking points" in notes and "If raised" in notes


def test_deck_has_title_bottom_line_risks_timeline_and_sources(deck):
    titles = [slide.shapes.title.text for slide in deck.slides]
    assert titles[1] == "Idlib is our red line; we need Russia to restrain Damascus"  # the headline
    assert any(t.startswith("3 of 6 risks rated red") for t in titles)
    assert any(t.startswith("Latest: ") for t in titles)  # the chronology states its point
    assert titles[-1].startswith("Appendix: 1 source")
    layouts = {slide.slide_layout.name for slide in deck.slides}
    assert {"Title Slide", "Title and Content"} <= layouts
    # The title slide carries the information-as-of date.
    first = " ".join(s.text_frame.text for s in deck.slides[0].shapes if s.has_text_frame)
    assert "Information as of 10 August 2018" in first


def test_deck_names_keep_their_own_letters(deck):
    text = " ".join(
        shape.text_frame.text for slide in deck.slides for shape in slide.shapes if shape.has_text_frame
    )
    text += " ".join(
        cell.text
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_table
        for row in shape.table.rows
        for cell in row.cells
    )
    for name in ("Mevlüt Çavuşoğlu", "Сергей Лавров", "بشار الأسد"):
        assert name in text


def test_generated_files_validate_against_ooxml_schemas(built, ooxml):
    files = sorted(p for p in built.iterdir() if p.suffix in (".docx", ".pptx"))
    assert len(files) == 2
    ooxml(*files)


def test_build_with_invalid_facts_exits_1_and_keeps_good_outputs(tmp_path, example_copy, capsys):
    out = tmp_path / "out"
    assert main(["build", str(example_copy), "-o", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    text = example_copy.read_text(encoding="utf-8")
    example_copy.write_text(
        text.replace("risks: [idlib-offensive, astana-collapse]", "risks: [idlib-offensiv, astana-collapse]"),
        encoding="utf-8",
    )
    capsys.readouterr()
    assert main(["build", str(example_copy), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "unknown risk id 'idlib-offensiv' (did you mean 'idlib-offensive'?)" in err
    assert "Traceback" not in err
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert after == before


def test_build_into_fresh_folder_with_invalid_facts_writes_nothing(
    tmp_path, write_facts, minimal_yaml, capsys
):
    bad = write_facts(minimal_yaml.replace("likelihood: 3", "likelihood: 9"))
    out = tmp_path / "out"
    assert main(["build", str(bad), "-o", str(out)]) == 1
    assert "risks[0].likelihood" in capsys.readouterr().err
    assert not out.exists() or not [p for p in out.iterdir() if not p.name.startswith(".briefgen")]


def test_check_writes_nothing_and_exits_0(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["check", str(EXAMPLE)]) == 0
    assert list(tmp_path.iterdir()) == []
    assert f"{EXAMPLE}: ok" in capsys.readouterr().out


def test_check_warns_of_a_footnote_reference_without_definition(tmp_path, capsys):
    """A template typo in a citation would print `[^…]` literally in the memo: check says so."""
    templates = tmp_path / "templates"
    templates.mkdir()
    memo = (ROOT / "templates" / "memo.md.j2").read_text(encoding="utf-8")
    (templates / "memo.md.j2").write_text(memo + "\nSee the annex.[^anex]\n", encoding="utf-8")
    assert main(["check", "--templates", str(templates), str(EXAMPLE)]) == 0
    err = capsys.readouterr().err
    assert f"{EXAMPLE.stem}-memo.md:" in err and "[^anex] has no definition" in err
    assert main(["check", "--strict", "--templates", str(templates), str(EXAMPLE)]) == 1


def test_cli_usage_errors_exit_2(tmp_path, capsys):
    assert main(["build", str(tmp_path / "missing.yaml")]) == 2
    assert main(["build", str(EXAMPLE), "--format", "doc"]) == 2
    assert main(["frobnicate"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err


def test_cli_help_documents_exit_codes():
    result = subprocess.run(
        [sys.executable, "-m", "briefgen", "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    assert "Exit codes:" in result.stdout and "usage error" in result.stdout


def test_entry_check_ends_fast_with_every_problem_delivered(tmp_path):
    """`check` leaves through `os._exit`: its exit code and all of its output (here one
    problem per agenda item, more than a pipe buffer holds) must still arrive in full."""
    bad = tmp_path / "bad.yaml"
    items = "".join(f"  - id: item-{n}\n    title: Item {n}\n    risks: [nowhere-{n}]\n" for n in range(400))
    bad.write_text(EXAMPLE.read_text(encoding="utf-8").split("\nagenda:")[0] + "\nagenda:\n" + items)
    ok = subprocess.run(
        [sys.executable, "-m", "briefgen", "check", str(EXAMPLE)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ok.returncode == 0 and ok.stdout.strip().startswith(f"{EXAMPLE}: ok: memo about ")
    failed = subprocess.run(
        [sys.executable, "-m", "briefgen", "check", "--format", "json", str(bad)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert failed.returncode == 1, failed.stderr
    report = json.loads(failed.stdout)
    unknown = [p for p in report["problems"] if "unknown risk id 'nowhere-" in p["message"]]
    assert len(unknown) == 400


def test_entry_exits_fast_only_for_read_only_commands():
    assert exits_fast(["check", "facts"]) and exits_fast(["inspect", "x.docx"])
    assert exits_fast(["diff", "a.yaml", "b.yaml"]) and exits_fast(["schema"])
    for argv in (["build", "facts"], ["watch"], ["init", "x"], ["templates", "export"], ["--help"], []):
        assert not exits_fast(argv), argv


def test_non_editable_install_builds_from_another_directory(tmp_path):
    """`pip install .` (a wheel, not editable) carries templates and fonts with the package."""
    wheel_dir = tmp_path / "wheel"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheel_dir), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    [wheel] = list(wheel_dir.glob("briefgen-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "briefgen/templates/memo.md.j2" in names and "briefgen/templates/reference.pptx" in names
    assert "briefgen/fonts/Carlito-Regular.ttf" in names
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import briefgen, sys; print(briefgen.__file__); "
            "from briefgen.cli import exits_fast, main; sys.exit(main(sys.argv[1:]))",
            "build",
            str(EXAMPLE),
            "-o",
            str(elsewhere / "out"),
        ],
        cwd=elsewhere,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith(str(site))
    assert (elsewhere / "out" / f"{STEM}-memo.docx").exists()
    assert (elsewhere / "out" / f"{STEM}-deck.pptx").exists()


def test_deck_every_content_slide_has_real_speaker_notes(deck):
    for slide in deck.slides:
        if slide.slide_layout.name in ("Title Slide", "Section Header"):
            continue
        notes = slide.notes_slide.notes_text_frame.text
        assert notes.strip(), slide.shapes.title.text
        assert "no talking points were provided" not in notes, slide.shapes.title.text
