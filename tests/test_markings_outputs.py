"""Markings in the built files, read back: with portion marks on, no unmarked portion in the
memo, the deck (titles, bullets, tables, source lines, speaker notes), footnotes; banners on
every header and footer, every slide, every notes page and the review Markdown; the authority
block on the memo's first page and the title slide. The worked example unmarked stays so."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
import yaml
from docx import Document as WordDocument
from lxml import etree
from pptx import Presentation

from briefgen.cli import main
from tests.conftest import EXAMPLE
from tests.test_facts_markings import secret_noforn_variant

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
P = "{http://schemas.openxmlformats.org/presentationml/2006/main}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
# A US portion mark at the start of a text: (U), (C), (S//NF), (S//REL TO USA, TUR), …
MARK = re.compile(r"^\((U|CUI|C|S|TS)(//[A-Z][A-Z0-9 ,/]*)?\) ")
BANNER = "SECRET//NOFORN"
AUTHORITY = ("Classified By: J. Smith, Director", "Derived From: Multiple Sources", "Declassify On: 20431231")


def marked(text: str) -> bool:
    """A portion mark leads the text (after a bullet or a list number: '1. (C) …')."""
    return bool(MARK.match(re.sub(r"^(•|\d+\.)\s*", "", text.strip())))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The SECRET//NOFORN variant built to docx, pptx and md."""
    folder = tmp_path_factory.mktemp("secret")
    facts = folder / "secret.yaml"
    facts.write_text(
        yaml.safe_dump(secret_noforn_variant(), allow_unicode=True, sort_keys=False, width=200),
        encoding="utf-8",
    )
    assert main(["build", str(facts), "-o", str(folder / "out"), "--format", "docx,pptx,md", "-j", "1"]) == 0
    return folder / "out"


# ---------------------------------------------------------------------------------------------
# Memo


def test_markings_memo_every_body_paragraph_is_marked(built: Path) -> None:
    doc = WordDocument(str(built / "secret-memo.docx"))
    unmarked = []
    for para in doc.paragraphs:
        text = para.text.strip()
        style = para.style.name if para.style is not None else ""
        # Not portions: the document title, the contents heading, the authority block.
        if not text or style in ("Title", "TOC Heading") or text.startswith(AUTHORITY[0]):
            continue
        if not marked(text):
            unmarked.append(f"{style}: {text[:60]}")
    assert not unmarked, unmarked
    headings = [p.text for p in doc.paragraphs if p.style is not None and p.style.name.startswith("Heading")]
    assert "(U) Summary" in headings and "(U) 1. Syria, the Astana process and Idlib (certain)" in headings


def test_markings_memo_subject_line_and_authority_on_page_one(built: Path) -> None:
    doc = WordDocument(str(built / "secret-memo.docx"))
    fields = {row.cells[0].text.strip(): row.cells[-1].text.strip() for row in doc.tables[0].rows}
    assert fields["SUBJECT:"].startswith("(U) Meeting with Russian Foreign Minister")
    body = doc.element.body
    # The authority block stands before the first section heading (so on the first page).
    texts = ["".join(t.text or "" for t in p.iter(f"{W}t")) for p in body.iter(f"{W}p")]
    authority = next(i for i, t in enumerate(texts) if t.startswith(AUTHORITY[0]))
    summary = texts.index("(U) Summary")
    assert authority < summary
    for line in AUTHORITY:
        assert line in texts[authority]


DATA_TABLES = ("If raised", "Risk", "Name", "Date", "Source")


def test_markings_memo_tables_mark_their_header_and_rows(built: Path) -> None:
    doc = WordDocument(str(built / "secret-memo.docx"))
    checked = 0
    for node in doc.element.body.iter(f"{W}tbl"):
        caption_el = node.find(f"{W}tblPr/{W}tblCaption")
        caption = caption_el.get(f"{W}val") if caption_el is not None else ""
        if caption in ("Memo details", "Risk matrix: likelihood by impact"):
            continue  # the heading block; the heat map (its caption paragraph is marked)
        rows = node.findall(f"{W}tr")
        header = "".join(t.text or "" for t in rows[0].find(f"{W}tc").iter(f"{W}t"))
        # The header row is the table's title: it carries the highest mark in the table.
        assert marked(header), header
        if MARK.sub("", header) in DATA_TABLES:
            for row in rows[1:]:
                first = "".join(t.text or "" for t in row.find(f"{W}tc").iter(f"{W}t"))
                assert marked(first), f"{header}: {first[:50]}"
            checked += 1
    assert checked >= 6


def test_markings_memo_if_raised_cells_are_each_marked(built: Path) -> None:
    doc = WordDocument(str(built / "secret-memo.docx"))
    tables = [t for t in doc.tables if MARK.sub("", t.rows[0].cells[0].text.strip()) == "If raised"]
    assert tables
    for table in tables:
        for row in table.rows[1:]:
            question, response = (c.text.strip() for c in row.cells)
            assert question.startswith("(U) ") and response.startswith("(C) ")


def test_markings_memo_footnotes_are_marked(built: Path) -> None:
    with zipfile.ZipFile(built / "secret-memo.docx") as z:
        root = etree.fromstring(z.read("word/footnotes.xml"))
    notes = [n for n in root.iter(f"{W}footnote") if n.get(f"{W}type") is None]
    assert len(notes) > 10
    texts = ["".join(t.text or "" for t in n.iter(f"{W}t")).strip() for n in notes]
    assert all(marked(t) for t in texts), [t for t in texts if not marked(t)]


def test_markings_memo_banner_in_every_header_and_footer(built: Path) -> None:
    with zipfile.ZipFile(built / "secret-memo.docx") as z:
        parts = [n for n in z.namelist() if re.match(r"word/(header|footer)\d+\.xml", n)]
        assert len(parts) >= 2
        for name in parts:
            assert BANNER in "".join(etree.fromstring(z.read(name)).itertext()), name
        settings = z.read("word/document.xml").decode()
    # A distinct first page must have its own header/footer, which carries the banner too.
    if "w:titlePg" in settings:
        assert 'w:type="first"' in settings


def test_markings_memo_points_print_their_own_marks(built: Path) -> None:
    doc = WordDocument(str(built / "secret-memo.docx"))
    texts = [p.text for p in doc.paragraphs]
    assert any(t.startswith("(S//REL TO USA, TUR) ") for t in texts)
    assert any(t.startswith("(C) ") for t in texts)
    summary = next(t for t in texts if "Make clear that Idlib is a red line" in t)
    assert summary.startswith("(S//NF) ")
    press = next(i for i, t in enumerate(texts) if t == "(U) Press line")
    assert texts[press + 1].startswith("(U) The ministers discussed Syria")


# ---------------------------------------------------------------------------------------------
# Deck

CHROME = ("Marking (top)", "Marking (bottom)", "Slide Number")
# Graphics: their slide title is the marked caption.
GRAPHIC = ("Axis", "Legend", "Risk heat map", "Risk key", "Timeline")


def test_markings_deck_every_text_on_every_slide_is_marked(built: Path) -> None:
    prs = Presentation(str(built / "secret-deck.pptx"))
    unmarked = []
    for n, slide in enumerate(prs.slides, 1):
        for shape in slide.shapes:
            if shape.name.startswith(CHROME + GRAPHIC):
                continue
            if n == 1 and shape.name.startswith("Source"):
                continue  # the title slide's foot holds the authority block
            if shape.has_text_frame:
                for para in shape.text_frame.paragraphs:
                    text = "".join(r.text for r in para.runs).strip()
                    if text and not marked(text):
                        unmarked.append(f"slide {n} {shape.name}: {text[:50]}")
    assert not unmarked, unmarked


def test_markings_deck_tables_mark_each_row(built: Path) -> None:
    prs = Presentation(str(built / "secret-deck.pptx"))
    checked = 0
    for slide in prs.slides:
        title = slide.shapes.title.text_frame.text
        for shape in slide.shapes:
            if not shape.has_table or shape.name.startswith(GRAPHIC):
                continue
            assert marked(title)
            header = shape.table.rows[0].cells[0].text.strip()
            assert marked(header), header
            if MARK.sub("", header) not in ("Source", "Risk", "Name", "ID"):
                continue  # keys: rows of one level, the marked title is the caption
            for row in list(shape.table.rows)[1:]:
                assert marked(row.cells[0].text), f"{title}: {row.cells[0].text}"
            checked += 1
    assert checked >= 1


def test_markings_deck_every_notes_paragraph_is_marked(built: Path) -> None:
    prs = Presentation(str(built / "secret-deck.pptx"))
    unmarked = []
    for n, slide in enumerate(prs.slides, 1):
        if not slide.has_notes_slide:
            continue
        for para in slide.notes_slide.notes_text_frame.paragraphs:
            text = para.text.strip()
            if text and not marked(text):
                unmarked.append(f"slide {n}: {text[:50]}")
    assert not unmarked, unmarked


def test_markings_deck_banner_on_every_slide_and_notes_page(built: Path) -> None:
    prs = Presentation(str(built / "secret-deck.pptx"))
    for slide in prs.slides:
        names = {s.name: s.text_frame.text for s in slide.shapes if s.has_text_frame}
        assert names["Marking (top)"] == BANNER and names["Marking (bottom)"] == BANNER
        if slide.has_notes_slide:
            kinds = {
                sp.find(f"{P}nvSpPr/{P}nvPr/{P}ph").get("type"): "".join(
                    t.text or "" for t in sp.iter(f"{A}t")
                )
                for sp in slide.notes_slide._element.iter(f"{P}sp")
                if sp.find(f"{P}nvSpPr/{P}nvPr/{P}ph") is not None
            }
            assert kinds.get("hdr") == BANNER and kinds.get("ftr") == BANNER
    master = prs.notes_master._element
    for kind in ("hdr", "ftr"):
        sp = next(
            s
            for s in master.iter(f"{P}sp")
            if (ph := s.find(f"{P}nvSpPr/{P}nvPr/{P}ph")) is not None and ph.get("type") == kind
        )
        assert "".join(t.text or "" for t in sp.iter(f"{A}t")) == BANNER


def test_markings_deck_title_slide_carries_the_authority_block(built: Path) -> None:
    prs = Presentation(str(built / "secret-deck.pptx"))
    first = prs.slides[0]
    text = " ".join(s.text_frame.text for s in first.shapes if s.has_text_frame)
    for line in AUTHORITY:
        assert line in text
    assert first.shapes.title.text_frame.text.startswith("(U) Meeting with Russian Foreign Minister")


# ---------------------------------------------------------------------------------------------
# Review Markdown; the unmarked example


def test_markings_review_markdown_starts_and_ends_with_the_banner(built: Path) -> None:
    for name in ("secret-memo.md", "secret-deck.md"):
        lines = [ln for ln in (built / name).read_text(encoding="utf-8").splitlines() if ln.strip()]
        assert BANNER in lines[0] and BANNER in lines[-1], name


def test_markings_unmarked_example_carries_no_portion_marks(tmp_path: Path) -> None:
    assert main(["build", str(EXAMPLE), "-o", str(tmp_path), "--format", "docx,md", "-j", "1"]) == 0
    doc = WordDocument(str(tmp_path / f"{EXAMPLE.stem}-memo.docx"))
    texts = [p.text for p in doc.paragraphs if p.text.strip()]
    assert not [t for t in texts if MARK.match(t)]
    assert not [t for t in texts if t.startswith("Classified By")]
    assert "Summary" in texts
    md = (tmp_path / f"{EXAMPLE.stem}-memo.md").read_text(encoding="utf-8")
    assert "(U)" not in md and "UNCLASSIFIED" in md.splitlines()[0]


def test_markings_deck_per_slide_banner_carries_the_highest_mark_on_each_slide(tmp_path: Path) -> None:
    from briefgen import marking

    data = secret_noforn_variant()
    data["marking"]["slide_banner"] = "per-slide"
    facts = tmp_path / "perslide.yaml"
    facts.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=200), encoding="utf-8")
    assert main(["build", str(facts), "-o", str(tmp_path / "out"), "--format", "pptx", "-j", "1"]) == 0
    prs = Presentation(str(tmp_path / "out" / "perslide-deck.pptx"))
    pack = marking.parse("us", BANNER)
    banners = []
    for n, slide in enumerate(prs.slides, 1):
        shapes = {s.name: s.text_frame.text for s in slide.shapes if s.has_text_frame}
        banner = marking.parse("us", shapes["Marking (top)"])
        assert shapes["Marking (bottom)"] == shapes["Marking (top)"]
        assert pack.covers(banner)
        frames = [s.text_frame for s in slide.shapes if s.has_text_frame]
        texts = [p.text for frame in frames for p in frame.paragraphs if p.text]
        texts += [c.text for s in slide.shapes if s.has_table for row in s.table.rows for c in row.cells]
        for text in texts:
            found = MARK.match(text.strip())
            if found and n > 1:
                assert banner.covers(marking.parse("us", found.group(0).strip())), (n, text)
        banners.append(banner.banner)
    assert banners[0] == BANNER  # the title slide: the pack's marking
    assert "UNCLASSIFIED" in banners  # the appendix
    assert "SECRET" in banners and BANNER in banners[1:]
    from briefgen.inspect import inspect_file

    outline = inspect_file(tmp_path / "out" / "perslide-deck.pptx")
    assert all(slide.marking for slide in outline.slides)  # inspect finds each slide's own banner


def test_markings_uk_handling_instructions_on_page_one_and_title_slide(tmp_path: Path) -> None:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    data["marking"] = {
        "scheme": "uk",
        "level": "OFFICIAL-SENSITIVE",
        "portion_marks": True,
        "handling": "Not to be shared outside the Russia Desk without the originator's consent.",
    }
    facts = tmp_path / "uk.yaml"
    facts.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=200), encoding="utf-8")
    assert main(["build", str(facts), "-o", str(tmp_path / "out"), "--format", "docx,pptx", "-j", "1"]) == 0
    doc = WordDocument(str(tmp_path / "out" / "uk-memo.docx"))
    texts = [p.text for p in doc.paragraphs]
    handling = next(i for i, t in enumerate(texts) if t.startswith("Handling: Not to be shared"))
    assert handling < texts.index("(O) Summary")
    assert any(t.startswith("(OS) ") for t in texts)
    prs = Presentation(str(tmp_path / "out" / "uk-deck.pptx"))
    first = " ".join(s.text_frame.text for s in prs.slides[0].shapes if s.has_text_frame)
    assert "Handling: Not to be shared outside the Russia Desk" in first
    for slide in prs.slides:
        names = {s.name: s.text_frame.text for s in slide.shapes if s.has_text_frame}
        assert names["Marking (top)"] == "OFFICIAL-SENSITIVE"


def test_markings_citing_a_higher_fact_fails_check_under_strict(tmp_path: Path, capsys) -> None:
    data = secret_noforn_variant()
    point = data["agenda"][0]["points"][0]
    fact_id = point["facts"][0]
    index = next(i for i, f in enumerate(data["facts"]) if f["id"] == fact_id)
    data["facts"][index]["classification"] = "SECRET//NOFORN"
    point["classification"] = "UNCLASSIFIED"
    facts = tmp_path / "cite.yaml"
    facts.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=200), encoding="utf-8")
    assert main(["check", str(facts)]) == 0
    assert main(["check", str(facts), "--strict"]) == 1
    err = capsys.readouterr().err
    assert f"cites fact '{fact_id}' marked SECRET//NOFORN" in err


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")
def test_markings_pdf_pages_carry_the_banner_top_and_bottom(built: Path, tmp_path: Path) -> None:
    facts = built.parent / "secret.yaml"
    assert main(["build", str(facts), "-o", str(tmp_path), "--format", "pdf", "-j", "1"]) == 0
    for name in ("secret-memo.pdf", "secret-deck.pdf"):
        text = subprocess.run(
            ["pdftotext", "-layout", str(tmp_path / name), "-"], capture_output=True, text=True, check=True
        ).stdout
        pages = [p for p in text.split("\f") if p.strip()]
        assert len(pages) > 3
        for page in pages:
            lines = [ln.strip() for ln in page.splitlines() if ln.strip()]
            assert BANNER in lines[0] and BANNER in lines[-1], (name, lines[0], lines[-1])
