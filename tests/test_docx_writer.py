"""The Word memo writer: read the .docx back (python-docx, zip + lxml) and check its structure."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import docx
import pytest
from lxml import etree

from briefgen import styles as S
from briefgen.config import References
from briefgen.errors import Problem
from briefgen.markup import read_markdown
from briefgen.model import (
    Document,
    FootnoteRef,
    Heading,
    ListBlock,
    ListItem,
    Meta,
    PageBreak,
    Paragraph,
    Text,
)
from briefgen.pagination import estimate_body_pages
from briefgen.writers.docx import bookmark_name, write_docx
from briefgen.writers.docx_state import DocxOptions
from briefgen.writers.pdf import convert_to_pdf
from tests.conftest import OoxmlValidator

HERE = Path(__file__).resolve().parent
FIXTURE = HERE / "fixtures" / "docx" / "memo.md"
ALT_REFERENCE = HERE / "reference-alt.docx"
STAMP = datetime(2018, 8, 12, 9, 30)
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


@pytest.fixture(scope="module")
def memo() -> Document:
    return read_markdown(FIXTURE.read_text(encoding="utf-8"), source=str(FIXTURE))


def _docx_warned(memo: Document, reference: Path | None = None) -> tuple[bytes, list[Problem]]:
    """The writer's bytes and warnings, the reference read and vetted as a build does."""
    ref = References().get("docx", reference)
    return write_docx(memo, DocxOptions(stamp=STAMP, reference_name=ref.name), ref.data)


def _docx(memo: Document, reference: Path | None = None) -> bytes:
    return _docx_warned(memo, reference)[0]


@pytest.fixture(scope="module")
def memo_bytes(memo: Document) -> bytes:
    return _docx(memo)


def _part(data: bytes, name: str) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return etree.fromstring(zf.read(name))


def _text(node: etree._Element) -> str:
    return "".join(t.text or "" for t in node.iter(_w("t")))


def _body_paragraphs(data: bytes) -> list[etree._Element]:
    return _part(data, "word/document.xml").findall("w:body/w:p", NS)


def _style_ids(data: bytes) -> dict[str, str]:
    """styleId → name."""
    styles = _part(data, "word/styles.xml")
    return {s.get(_w("styleId")): s.find("w:name", NS).get(_w("val")) for s in styles.findall("w:style", NS)}


# ---------------------------------------------------------------------------------------------


def test_docx_writer_headings_use_builtin_styles_in_order(memo_bytes: bytes) -> None:
    document = docx.Document(io.BytesIO(memo_bytes))
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [
        ("Heading 1", "Summary"),
        ("Heading 1", "Points to make"),
        ("Heading 2", "Syria and Idlib"),
        ("Heading 2", "Risks"),
        ("Heading 1", "Annexes"),
        ("Heading 1", "Annex A: Background"),
        ("Heading 2", "Chronology"),
        ("Heading 1", "Annex B: Risk matrix"),
    ]
    titles = [p.text for p in document.paragraphs if p.style.name == "Title"]
    assert titles == ["MEETING BRIEF"]


def test_docx_writer_footnotes_one_per_reference_holding_its_definition(
    memo: Document, memo_bytes: bytes
) -> None:
    document_xml = _part(memo_bytes, "word/document.xml")
    refs = document_xml.findall(".//w:footnoteReference", NS)
    expected = sum(1 for _ in _footnote_refs(memo.blocks))
    assert len(refs) == expected == 6
    footnotes = _part(memo_bytes, "word/footnotes.xml")
    notes = {int(n.get(_w("id"))): n for n in footnotes.findall("w:footnote", NS)}
    assert notes[-1].get(_w("type")) == "separator"
    assert notes[0].get(_w("type")) == "continuationSeparator"
    texts = [_text(notes[int(r.get(_w("id")))]).strip() for r in refs]
    # The writer prints each definition as it stands: the citation style (briefgen.citations)
    # has already chosen full or short forms, so no "Ibid." is invented here.
    full_aa = (
        "Anadolu Agency, 'Turkey, Russia FMs meet in Ankara', 14 August 2018, "
        "https://www.aa.com.tr/en/example, grade B2."
    )
    full_rt = "Reuters, 'Astana talks open', 23 January 2017."
    assert texts == [full_aa, full_aa, full_aa, full_rt, full_aa, full_rt]
    assert not any("Ibid" in t for t in texts)
    # The URL is a real hyperlink through a relationship of the footnotes part.
    link = footnotes.find(".//w:hyperlink", NS)
    rels = _part(memo_bytes, "word/_rels/footnotes.xml.rels")
    rid = link.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
    targets = {r.get("Id"): r.get("Target") for r in rels}
    assert targets[rid] == "https://www.aa.com.tr/en/example"
    settings = _part(memo_bytes, "word/settings.xml")
    assert [f.get(_w("id")) for f in settings.findall("w:footnotePr/w:footnote", NS)] == ["-1", "0"]


def _footnote_refs(blocks):  # type: ignore[no-untyped-def]
    for block in blocks:
        for value in getattr(block, "content", ()) or ():
            if isinstance(value, FootnoteRef):
                yield value
        for attr in ("blocks", "items"):
            for child in getattr(block, attr, ()) or ():
                yield from _footnote_refs([child])
        for row in (*getattr(block, "header", ()), *getattr(block, "body", ())):
            for cell in row:
                yield from (n for n in cell.content if isinstance(n, FootnoteRef))


def test_docx_writer_marks_every_header_and_footer_with_page_fields(memo_bytes: bytes) -> None:
    document = docx.Document(io.BytesIO(memo_bytes))
    with zipfile.ZipFile(io.BytesIO(memo_bytes)) as zf:
        for section in document.sections:
            for part in (section.header, section.footer):
                assert not part.is_linked_to_previous
                assert "OFFICIAL-SENSITIVE" in [p.text for p in part.paragraphs]
            footer_xml = etree.tostring(section.footer._element).decode()
            assert " PAGE " in footer_xml and " NUMPAGES " in footer_xml
            assert "Information as of 10 August 2018" in footer_xml
        furniture = [n for n in zf.namelist() if n.startswith(("word/header", "word/footer"))]
        assert len(furniture) >= 2, zf.namelist()  # at least one header and one footer
        for name in furniture:
            root = etree.fromstring(zf.read(name))
            marking = [p for p in root.findall("w:p", NS) if _text(p) == "OFFICIAL-SENSITIVE"]
            assert marking and marking[0].find("w:pPr/w:pStyle", NS) is not None


def test_docx_writer_toc_entries_link_to_existing_bookmarks(memo_bytes: bytes) -> None:
    body = _part(memo_bytes, "word/document.xml")
    bookmarks = {b.get(_w("name")) for b in body.iter(_w("bookmarkStart"))}
    ids = _style_ids(memo_bytes)
    toc = [p for p in body.iter(_w("p")) if ids.get(_pstyle(p), "").startswith("toc ")]
    entries = [(_text(p), p.find("w:hyperlink", NS).get(_w("anchor"))) for p in toc]
    # Each entry: the title, a dotted tab, and a PAGEREF to the heading's bookmark whose cached
    # value is the layout's page (the annexes start on page 2 of this short memo).
    assert [t for t, _ in entries] == ["Annex A: Background2", "Chronology2", "Annex B: Risk matrix2"]
    assert all(anchor in bookmarks for _, anchor in entries)
    instr = "".join(i.text for i in body.iter(_w("instrText")))
    assert 'TOC \\o "1-2" \\h \\z \\u' in instr
    for p, (_, anchor) in zip(toc, entries, strict=True):
        assert f"PAGEREF {anchor} \\h" in "".join(i.text for i in p.iter(_w("instrText")))
        assert p.find("w:pPr/w:tabs/w:tab", NS).get(_w("leader")) == "dot"
    kinds = [f.get(_w("fldCharType")) for p in toc for f in p.iter(_w("fldChar"))]
    # The TOC field around everything, one PAGEREF field nested in each entry.
    assert kinds == ["begin", "separate", *["begin", "separate", "end"] * len(entries), "end"]
    assert _part(memo_bytes, "word/settings.xml").find("w:updateFields", NS) is None


def _pstyle(p: etree._Element) -> str:
    node = p.find("w:pPr/w:pStyle", NS)
    return "" if node is None else node.get(_w("val"))


def test_docx_writer_internal_link_targets_bookmark(memo_bytes: bytes) -> None:
    body = _part(memo_bytes, "word/document.xml")
    bookmarks = {b.get(_w("name")) for b in body.iter(_w("bookmarkStart"))}
    links = [h.get(_w("anchor")) for h in body.iter(_w("hyperlink")) if _text(h) == "summary"]
    assert links == ["summary"] and "summary" in bookmarks


def test_docx_writer_bookmark_names_follow_word_rules() -> None:
    used: set[str] = set()
    names = [bookmark_name(a, used) for a in ("annex-a", "9-lives", "x" * 60, "x" * 60, "Çavuşoğlu")]
    assert names[0] == "annex_a"
    assert names[1][0].isalpha()
    assert len(names[2]) <= 40 and len(names[3]) <= 40 and names[2] != names[3]
    assert all(n.replace("_", "").isalnum() and n.isascii() for n in names)


def test_docx_writer_rag_cells_are_shaded_and_headers_repeat(memo_bytes: bytes) -> None:
    body = _part(memo_bytes, "word/document.xml")
    ids = _style_ids(memo_bytes)
    risks = next(t for t in body.iter(_w("tbl")) if _text(t).startswith("IDRisk"))
    style = risks.find("w:tblPr/w:tblStyle", NS).get(_w("val"))
    assert ids[style] == S.DOCX_TABLE
    rows = risks.findall("w:tr", NS)
    assert rows[0].find("w:trPr/w:tblHeader", NS) is not None
    assert all(r.find("w:trPr/w:tblHeader", NS) is None for r in rows[1:])
    for row, rag in zip(rows[1:], ("red", "amber", "green"), strict=True):
        cell = row.findall("w:tc", NS)[-1]
        assert cell.find("w:tcPr/w:shd", NS).get(_w("fill")) == S.RAG_FILL[rag]
        colors = {c.get(_w("val")) for c in cell.iter(_w("color"))}
        assert colors == {S.RAG_TEXT[rag]}
    # Widths are consistent and fit the text width; the numeric columns are the narrow ones.
    grid = [int(g.get(_w("w"))) for g in risks.findall("w:tblGrid/w:gridCol", NS)]
    assert int(risks.find("w:tblPr/w:tblW", NS).get(_w("w"))) == sum(grid) <= 9070
    first_row = [int(tc.find("w:tcPr/w:tcW", NS).get(_w("w"))) for tc in rows[0].findall("w:tc", NS)]
    assert first_row == grid
    assert max(grid[2:5]) < grid[1]
    # Every table in the memo repeats its header row (the heading block has none).
    tables = [
        t for t in body.iter(_w("tbl")) if t.find("w:tblPr/w:tblCaption", NS).get(_w("val")) != "Memo details"
    ]
    assert len(tables) >= 3  # the risk register, the chronology, the heat map at least
    for tbl in tables:
        assert tbl.find("w:tr/w:trPr/w:tblHeader", NS) is not None


def test_docx_writer_risk_matrix_shades_cells_by_rating(memo_bytes: bytes) -> None:
    body = _part(memo_bytes, "word/document.xml")
    matrix = next(t for t in body.iter(_w("tbl")) if _text(t).startswith("Likelihood / impact"))
    rows = matrix.findall("w:tr", NS)
    assert len(rows) == 6
    by_text = {
        _text(tc): tc.find("w:tcPr/w:shd", NS).get(_w("fill"))
        for r in rows
        for tc in r.findall("w:tc", NS)
        if _text(tc).strip()
        and tc.find("w:tcPr/w:shd", NS) is not None
        and r is not rows[0]
        and tc is not r.find("w:tc", NS)
    }
    # Risks print as their numbers in the risk tables (block order), never their ids.
    assert by_text == {"1": S.RAG_FILL["red"], "2": S.RAG_FILL["amber"]}
    assert "R1" not in _text(matrix) and "R2" not in _text(matrix)


def test_docx_writer_heading_block_is_borderless_two_column_table(memo_bytes: bytes) -> None:
    body = _part(memo_bytes, "word/document.xml")
    fields = body.find("w:body/w:tbl", NS)
    assert fields.find("w:tblPr/w:tblBorders/w:insideV", NS).get(_w("val")) == "nil"
    labels = [_text(r.find("w:tc", NS)) for r in fields.findall("w:tr", NS)]
    assert labels == ["TO:", "FROM:", "SUBJECT:"]
    assert all(r.find("w:tc", NS).find(".//w:b", NS) is not None for r in fields.findall("w:tr", NS))


def test_docx_writer_page_break_starts_annexes_without_empty_paragraphs(memo_bytes: bytes) -> None:
    paragraphs = _body_paragraphs(memo_bytes)
    annexes = next(p for p in paragraphs if _text(p) == "Annexes")
    assert annexes.find("w:pPr/w:pageBreakBefore", NS) is not None
    empty = [p for p in paragraphs if not _text(p) and p.find(".//w:footnoteReference", NS) is None]
    assert empty == []


def test_docx_writer_numbered_lists_restart_and_bullets_use_list_styles(memo_bytes: bytes) -> None:
    document = docx.Document(io.BytesIO(memo_bytes))
    styles = [p.style.name for p in document.paragraphs if p.style.name.startswith("List")]
    assert styles == ["List Bullet", "List Bullet", "List Number", "List Number"]
    bullet = next(p for p in document.paragraphs if p.style.name == "List Bullet")
    assert bullet.text.startswith("(U) Idlib")


def test_docx_writer_sets_language_and_core_properties(memo_bytes: bytes) -> None:
    document = docx.Document(io.BytesIO(memo_bytes))
    props = document.core_properties
    assert props.title == "Meeting with Sergey Lavrov, Ankara"
    assert props.subject == "Meeting brief"
    assert props.author == props.last_modified_by == "Russia Desk"
    assert props.keywords == "Ankara, Mevlüt Çavuşoğlu"
    assert props.comments == "Small memo for the Word writer tests"
    assert props.language == "en-GB"
    assert props.created == props.modified == STAMP.replace(tzinfo=UTC)
    assert props.revision == 1
    styles = _part(memo_bytes, "word/styles.xml")
    assert styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:lang", NS).get(_w("val")) == "en-GB"
    assert _part(memo_bytes, "word/settings.xml").find("w:themeFontLang", NS).get(_w("val")) == "en-GB"
    assert b"python-docx" not in _zip_text(memo_bytes, "docProps/core.xml")


def _zip_text(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.read(name)


def test_docx_writer_output_is_deterministic(memo: Document, memo_bytes: bytes) -> None:
    assert _docx(memo) == memo_bytes


def test_docx_writer_alternative_reference_changes_fonts_and_margins(memo: Document) -> None:
    data = _docx(memo, ALT_REFERENCE)
    document = docx.Document(io.BytesIO(data))
    section = document.sections[0]
    assert round(section.left_margin.cm, 1) == 3.0 and round(section.top_margin.cm, 1) == 2.0
    assert document.styles["Normal"].font.name is None  # fonts come from the document defaults
    defaults = _part(data, "word/styles.xml").find("w:docDefaults/w:rPrDefault/w:rPr/w:rFonts", NS)
    assert defaults.get(_w("ascii")) == "Liberation Serif"
    assert document.styles["Heading 1"].font.color.rgb is not None
    assert str(document.styles["Heading 1"].font.color.rgb) == "7B1E1E"
    default = docx.Document(io.BytesIO(_docx(memo)))
    assert round(default.sections[0].left_margin.cm, 1) == 2.5
    assert str(default.styles["Heading 1"].font.color.rgb) == "1F3864"
    # The reference's own body never leaks into the memo.
    assert [p.text for p in document.paragraphs][:1] == ["MEETING BRIEF"]


def test_docx_writer_warns_about_style_missing_from_reference(
    memo: Document, tmp_path: Path, ooxml: OoxmlValidator
) -> None:
    reference = tmp_path / "org.docx"
    with zipfile.ZipFile(ALT_REFERENCE) as src, zipfile.ZipFile(reference, "w") as dst:
        for info in src.infolist():
            payload = src.read(info)
            if info.filename == "word/styles.xml":
                root = etree.fromstring(payload)
                for style in root.findall("w:style", NS):
                    if style.find("w:name", NS).get(_w("val")) in (S.DOCX_BLUF, "List Bullet"):
                        root.remove(style)
                payload = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            dst.writestr(info, payload)
    data, warnings = _docx_warned(memo, reference)
    messages = [w.message for w in warnings]
    assert any(S.DOCX_BLUF in m for m in messages) and any("List Bullet" in m for m in messages)
    assert all(w.severity == "warning" and w.file == str(reference) for w in warnings)
    # The fallback definitions were copied in, numbering included, so the styles still work.
    document = docx.Document(io.BytesIO(data))
    assert document.styles[S.DOCX_BLUF] is not None
    num_id = document.styles["List Bullet"].element.find("w:pPr/w:numPr/w:numId", NS).get(_w("val"))
    numbering = _part(data, "word/numbering.xml")
    assert numbering.find(f"w:num[@w:numId='{num_id}']", NS) is not None
    _validate(ooxml, data, tmp_path / "org-memo.docx")


def _validate(ooxml: OoxmlValidator, data: bytes, path: Path) -> None:
    path.write_bytes(data)
    ooxml(path)


def test_docx_writer_output_validates(
    memo_bytes: bytes, memo: Document, tmp_path: Path, ooxml: OoxmlValidator
) -> None:
    _validate(ooxml, memo_bytes, tmp_path / "memo.docx")
    _validate(ooxml, _docx(memo, ALT_REFERENCE), tmp_path / "alt.docx")


def test_docx_writer_libreoffice_pages_carry_marking_top_and_bottom(
    memo_bytes: bytes, tmp_path: Path
) -> None:
    if shutil.which("soffice") is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice (soffice) or pdftotext is not installed")
    (tmp_path / "memo.pdf").write_bytes(convert_to_pdf(memo_bytes, "memo.docx", timeout=180))
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "memo.pdf"), "-"], check=True, capture_output=True, text=True
    ).stdout
    pages = [p for p in text.split("\f") if p.strip()]
    assert len(pages) >= 2  # the annexes start on a new page
    for number, page in enumerate(pages, start=1):
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        assert lines[0] == "OFFICIAL-SENSITIVE", f"page {number} top: {lines[0]!r}"
        assert lines[-1] == "OFFICIAL-SENSITIVE", f"page {number} bottom: {lines[-1]!r}"
        assert f"Page {number} of {len(pages)}" in page


def test_pagination_estimate_grows_with_content_and_flags_long_memo() -> None:
    meta = Meta(title="Long memo", marking="UNCLASSIFIED")
    sentence = "The regime's forces have shelled the de-escalation zone ahead of an expected assault. "

    def memo_with(items: int) -> Document:
        blocks = []
        for k in range(items):
            blocks.append(Heading(2, (Text(f"Agenda item {k + 1}"),)))
            blocks.append(Paragraph((Text(sentence * 3), FootnoteRef("src"))))
            blocks.append(
                ListBlock(False, tuple(ListItem((Paragraph((Text(sentence),)),)) for _ in range(3)))
            )
        blocks.append(PageBreak())
        blocks.append(Paragraph((Text(sentence * 200),)))  # annexes do not count
        return Document(meta, tuple(blocks), {"src": (Paragraph((Text("Reuters, 'Title', 2018."),)),)})

    short, medium, long = (estimate_body_pages(memo_with(n)) for n in (1, 4, 20))
    assert 0 < short < medium < long
    assert short < 1.0
    assert long > 2.0


def test_docx_writer_marks_first_page_and_even_headers_when_reference_uses_them(
    memo: Document, tmp_path: Path, ooxml: OoxmlValidator
) -> None:
    reference = docx.Document(str(ALT_REFERENCE))
    reference.sections[0].different_first_page_header_footer = True
    reference.settings.odd_and_even_pages_header_footer = True
    path = tmp_path / "first-page.docx"
    reference.save(str(path))
    data = _docx(memo, path)
    section = docx.Document(io.BytesIO(data)).sections[0]
    for part in (
        section.first_page_header,
        section.first_page_footer,
        section.even_page_header,
        section.even_page_footer,
    ):
        assert "OFFICIAL-SENSITIVE" in [p.text for p in part.paragraphs]
    assert " NUMPAGES " in etree.tostring(section.first_page_footer._element).decode()
    _validate(ooxml, data, tmp_path / "first-page-memo.docx")


def test_docx_writer_rejects_reference_that_is_not_a_word_file(memo: Document, tmp_path: Path) -> None:
    from briefgen.errors import ReferenceFileProblem

    bogus = tmp_path / "org.docx"
    bogus.write_text("not a zip", encoding="utf-8")
    with pytest.raises(ReferenceFileProblem, match=r"org\.docx"):
        _docx(memo, bogus)  # refused when read and vetted
    with pytest.raises(ReferenceFileProblem, match=r"org\.docx: cannot be read as a Word document"):
        write_docx(memo, DocxOptions(stamp=STAMP, reference_name="org.docx"), b"not a zip")


def test_docx_writer_warns_when_a_list_is_deeper_than_its_styles() -> None:
    """Issue 13: lists keep their depth, or the memo says it flattened one (once per memo)."""
    deep = "- One\n  - Two\n    - Three\n      - Four deep\n        - Five deep\n"
    _, warnings = _docx_warned(read_markdown('---\n{"title": "T"}\n---\n\n# Lists\n\n' + deep))
    [warning] = [w for w in warnings if "nested" in w.message]
    assert "4 levels deep" in warning.message and "'Four deep'" in warning.message
    _, shallow = _docx_warned(read_markdown('---\n{"title": "T"}\n---\n\n# Lists\n\n- One\n  - Two\n'))
    assert not any("nested" in w.message for w in shallow)


def test_write_pdf_refuses_a_model_and_options_of_different_formats(memo: Document) -> None:
    """A memo goes through the Word writer, a deck plan through PowerPoint's: a mix is a
    programming error, refused before LibreOffice is started (and under `python -O` too: a real
    check, not an assert)."""
    from briefgen.writers.pdf import PdfOptions, write_pdf
    from briefgen.writers.pptx import PptxOptions

    with pytest.raises(TypeError, match="a memo is a Document with DocxOptions"):
        write_pdf(memo, PdfOptions(PptxOptions(stamp=STAMP, reference_name="r.pptx"), "x-memo.pdf"), b"")
    not_a_plan = object()
    with pytest.raises(TypeError, match="a deck a DeckPlan with PptxOptions"):
        write_pdf(not_a_plan, PdfOptions(DocxOptions(stamp=STAMP, reference_name="r.docx"), "x.pdf"), b"")  # type: ignore[arg-type]
