"""`briefgen inspect`: the outline it prints matches what python-docx / python-pptx read."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from docx import Document as open_docx
from pptx import Presentation

from briefgen.cli import main
from briefgen.inspect import DeckOutline, MemoOutline, format_outline, inspect_file
from tests.conftest import EXAMPLE

STEM = EXAMPLE.stem
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("out")
    assert main(["build", str(EXAMPLE), "-o", str(out), "-j", "1"]) == 0
    return out


@pytest.fixture(scope="module")
def memo_outline(built) -> MemoOutline:
    outline = inspect_file(built / f"{STEM}-memo.docx")
    assert isinstance(outline, MemoOutline)
    return outline


@pytest.fixture(scope="module")
def deck_outline(built) -> DeckOutline:
    outline = inspect_file(built / f"{STEM}-deck.pptx")
    assert isinstance(outline, DeckOutline)
    return outline


def test_inspect_memo_headings_match_the_document(built, memo_outline):
    doc = open_docx(str(built / f"{STEM}-memo.docx"))
    expected = []
    for p in doc.paragraphs:
        name = p.style.name
        match = re.fullmatch(r"Heading (\d)", name)
        if (match or name == "Title") and p.text.strip():
            expected.append((int(match.group(1)) if match else 0, " ".join(p.text.split())))
    assert [(h.level, h.text) for h in memo_outline.headings] == expected
    levels = [h.level for h in memo_outline.headings]
    assert 1 in levels and 2 in levels
    assert "Points to make" in [h.text for h in memo_outline.headings if h.level == 1]


def test_inspect_memo_tables_and_footnotes_are_counted(built, memo_outline):
    doc = open_docx(str(built / f"{STEM}-memo.docx"))
    assert memo_outline.tables == len(doc.tables) > 0
    with zipfile.ZipFile(built / f"{STEM}-memo.docx") as zf:
        document = zf.read("word/document.xml").decode("utf-8")
    references = set(re.findall(r'<w:footnoteReference w:id="(\d+)"', document))
    assert memo_outline.footnotes == len(references) > 0


def test_inspect_memo_marking_in_header_and_footer_with_page_fields(built, memo_outline):
    doc = open_docx(str(built / f"{STEM}-memo.docx"))
    assert memo_outline.marking == doc.core_properties.content_status == "UNCLASSIFIED"
    kinds = {hf.kind for hf in memo_outline.headers_footers}
    assert kinds == {"header", "footer"}
    assert all(hf.marking for hf in memo_outline.headers_footers)
    footer = doc.sections[0].footer
    default_footer = next(hf for hf in memo_outline.headers_footers if hf.kind == "footer")
    assert any("UNCLASSIFIED" in line for line in default_footer.text)
    assert any("UNCLASSIFIED" in p.text for p in footer.paragraphs)
    assert memo_outline.page_number_fields == ["NUMPAGES", "PAGE"]
    assert any("{PAGE}" in line and "{NUMPAGES}" in line for line in default_footer.text)


def test_inspect_deck_slides_match_the_presentation(built, deck_outline):
    prs = Presentation(str(built / f"{STEM}-deck.pptx"))
    assert len(deck_outline.slides) == len(prs.slides) > 5
    assert deck_outline.marking == prs.core_properties.content_status
    for seen, slide in zip(deck_outline.slides, prs.slides, strict=True):
        assert seen.layout == slide.slide_layout.name
        title = slide.shapes.title
        assert seen.title == (" / ".join(
            " ".join(p.text.split()) for p in title.text_frame.paragraphs if p.text.strip()
        ) if title is not None else "")
        notes = slide.notes_slide.notes_text_frame.text.split() if slide.has_notes_slide else []
        shown = seen.notes.removesuffix("…").replace(" / ", " ").split()
        assert notes[: len(shown) - 1] == shown[:-1]  # the excerpt's last word may be cut
        texts = [sh.text_frame.text for sh in slide.shapes if sh.has_text_frame]
        assert seen.marking == any(deck_outline.marking in t for t in texts)
    assert all(s.marking for s in deck_outline.slides)


def test_inspect_text_output_lists_slides_and_headings(built, capsys):
    assert main(["inspect", str(built / f"{STEM}-memo.docx"), str(built / f"{STEM}-deck.pptx")]) == 0
    out = capsys.readouterr().out
    assert re.search(r"Word memo, \d+ headings, \d+ tables, \d+ footnotes", out)
    assert "page number fields: NUMPAGES, PAGE" in out
    assert re.search(r"^\s+1\. \[[^\]]+\] .+\(marking\)$", out, re.M)


def test_inspect_json_output_matches_outline(built, memo_outline, capsys):
    assert main(["inspect", "--json", str(built / f"{STEM}-memo.docx")]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["kind"] == "docx"
    assert [h["text"] for h in data["headings"]] == [h.text for h in memo_outline.headings]
    assert data["footnotes"] == memo_outline.footnotes
    assert data["page_number_fields"] == ["NUMPAGES", "PAGE"]


def test_inspect_not_an_office_file_exits_1(tmp_path, capsys):
    bogus = tmp_path / "memo.docx"
    bogus.write_text("not a zip", "utf-8")
    assert main(["inspect", str(bogus)]) == 1
    assert "not a valid Word or PowerPoint file" in capsys.readouterr().err


def test_inspect_format_outline_marks_slides_without_marking():
    outline = DeckOutline("deck.pptx", marking="SECRET")
    from briefgen.inspect import SlideOutline

    outline.slides.append(SlideOutline(1, "Title Only", "Risks", "", marking=False))
    assert "(NO MARKING)" in format_outline(outline)
