"""The PowerPoint writer: decks read back with python-pptx and lxml, rendered with LibreOffice."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from lxml import etree
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from briefgen import styles
from briefgen.config import References
from briefgen.errors import Problem
from briefgen.markup import read_markdown
from briefgen.model import Document, Heading, ListBlock, ListItem, Meta, Paragraph, Text
from briefgen.slides import plan_deck
from briefgen.slides.reference import check_reference, read_geometry
from briefgen.writers.pdf import convert_to_pdf
from briefgen.writers.pptx import PptxOptions, write_pptx
from tests.conftest import OoxmlValidator
from tests.reference_corpus import without_layout_type

HERE = Path(__file__).resolve().parent
ALT_REFERENCE = HERE / "reference-alt.pptx"
STAMP = datetime(2018, 8, 12, 9, 30)
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"

DECK_MD = """---
{"title": "Lavrov–Çavuşoğlu meeting, Ankara", "kind": "deck", "marking": "UNCLASSIFIED",
 "as_of": "12 August 2018", "author": "Türkiye desk", "language": "en-GB",
 "keywords": ["Turkey", "Russia"], "subject": "Meeting brief"}
---

# Meeting of Foreign Ministers Lavrov and Çavuşoğlu {.title}

Ankara, 13–14 August 2018

# Agenda items {.section}

## Press for a ceasefire in Idlib and keep the Astana format together

- Turkey and Russia have co-guaranteed the Astana process since January 2017.
- Nine rounds of talks have been held; the process complements Geneva.

[Source: news report, 13 August 2018]{.source}

::: notes
- Open with thanks for hosting.
:::

## Our aims and theirs differ on Idlib {.two-column}

::: left
- A ceasefire in Idlib.
:::

::: right
- S-400 deliveries on time.
:::

::: notes
Contrast the aims.
:::

## Risks are concentrated on Idlib {.risk-map}

```risk-matrix
{"risks": [
  {"id": "R1", "title": "Offensive on Idlib", "likelihood": 4, "impact": 5, "score": 20, "rag": "red"},
  {"id": "R2", "title": "S-400 sanctions", "likelihood": 3, "impact": 3, "score": 9, "rag": "amber"},
  {"id": "R3", "title": "Quartet delayed", "likelihood": 1, "impact": 2, "score": 2, "rag": "green"}],
 "red_from": 12, "amber_from": 5}
```

::: notes
Walk through the red risk first.
:::

## The meeting follows a year of Astana diplomacy {.timeline}

```timeline
{"events": [{"date": "January 2017", "label": "Astana process launched"},
            {"date": "December 2017", "label": "Turkey agrees to buy the S-400"},
            {"date": "July 2018", "label": "Tenth round of Astana talks in Sochi"},
            {"date": "13 August 2018", "label": "Lavrov and Çavuşoğlu meet in Ankara", "highlight": true}]}
```

::: notes
The chronology.
:::

## Risk register {.table}

::: risks
| ID | Risk | Score | Mitigation |
|---|---|---|---|
| R1 | Offensive on Idlib | [20]{.rag-red} | Press for a ceasefire |
| R2 | S-400 sanctions | [9]{.rag-amber} | Keep to agreed lines |
:::

::: notes
The register.
:::
"""

EXPECTED_TITLES = [
    "Meeting of Foreign Ministers Lavrov and Çavuşoğlu",
    "Agenda items",
    "Press for a ceasefire in Idlib and keep the Astana format together",
    "Our aims and theirs differ on Idlib",
    "Risks are concentrated on Idlib",
    "The meeting follows a year of Astana diplomacy",
    "Risk register",
]


@pytest.fixture(scope="module")
def document() -> Document:
    return read_markdown(DECK_MD)


def _pptx_warned(
    document: Document, reference: Path | None = None, layouts: dict[str, str] | None = None
) -> tuple[bytes, list[Problem]]:
    """The deck's three steps as a build runs them (read the reference's geometry, plan, draw)
    with the reference read and vetted as a build does: the bytes and every warning."""
    ref = References().get("pptx", reference)
    warnings: list[Problem] = []
    geometry = read_geometry(ref.data, name=ref.name, layouts=layouts, warnings=warnings)
    deck = plan_deck(document, geometry, warnings)
    data, drawn = write_pptx(deck, PptxOptions(stamp=STAMP, reference_name=ref.name), ref.data)
    return data, warnings + drawn


def _pptx(document: Document, reference: Path | None = None) -> bytes:
    return _pptx_warned(document, reference)[0]


def _lacks(reference: Path | None, layouts: dict[str, str] | None = None) -> list[Problem]:
    ref = References().get("pptx", reference)
    return check_reference(ref.data, ref.name, layouts)


@pytest.fixture(scope="module")
def deck_bytes(document: Document) -> bytes:
    return _pptx(document)


@pytest.fixture(scope="module")
def prs(deck_bytes: bytes):  # type: ignore[no-untyped-def]
    return Presentation(io.BytesIO(deck_bytes))


def _pt(emu: int) -> float:
    return emu / 12700


def _title(slide) -> str:  # type: ignore[no-untyped-def]
    return slide.shapes.title.text_frame.text if slide.shapes.title is not None else ""


def _shape(slide, name: str):  # type: ignore[no-untyped-def]
    return next(s for s in slide.shapes if s.name == name)


def test_pptx_writer_writes_slides_titles_and_layouts(prs) -> None:  # type: ignore[no-untyped-def]
    assert (prs.slide_width, prs.slide_height) == (12192000, 6858000)  # 16:9
    assert [_title(s) for s in prs.slides] == EXPECTED_TITLES
    assert [s.slide_layout.name for s in prs.slides] == [
        "Title Slide",
        "Section Header",
        "Title and Content",
        "Two Content",
        "Title Only",
        "Title Only",
        "Title Only",
    ]
    # The title is the first shape: screen readers read it first.
    assert all(s.shapes[0] == s.shapes.title for s in prs.slides)


def test_pptx_writer_title_slide_has_subtitle_and_as_of(prs) -> None:  # type: ignore[no-untyped-def]
    subtitle = prs.slides[0].placeholders[1].text_frame.text
    assert subtitle.splitlines() == ["Ankara, 13–14 August 2018", "Information as of 12 August 2018"]


def test_pptx_writer_puts_notes_on_every_content_slide(prs) -> None:  # type: ignore[no-untyped-def]
    for slide in list(prs.slides)[2:]:
        assert slide.has_notes_slide, _title(slide)
        assert slide.notes_slide.notes_text_frame.text.strip(), _title(slide)
    notes = prs.slides[2].notes_slide.notes_text_frame.text
    assert "• Open with thanks for hosting." in notes
    assert "Source: news report, 13 August 2018" in notes and "Sources: Source" not in notes


def test_pptx_writer_marks_every_slide_top_and_bottom(prs) -> None:  # type: ignore[no-untyped-def]
    height = _pt(prs.slide_height)
    for slide in prs.slides:
        top, bottom = _shape(slide, "Marking (top)"), _shape(slide, "Marking (bottom)")
        assert top.text_frame.text == bottom.text_frame.text == "UNCLASSIFIED"
        assert _pt(top.top + top.height) <= 26
        assert _pt(bottom.top) >= height - 26
        for marking in (top, bottom):
            centre = _pt(marking.left + marking.width / 2)
            assert abs(centre - _pt(prs.slide_width) / 2) < 1
            assert marking.text_frame.paragraphs[0].alignment == 2  # PP_ALIGN.CENTER


def test_pptx_writer_numbers_every_slide(prs) -> None:  # type: ignore[no-untyped-def]
    for n, slide in enumerate(prs.slides, 1):
        number = _shape(slide, "Slide Number")
        fld = number._element.find(f".//{A}fld")
        assert fld is not None and fld.get("type") == "slidenum"
        assert number.text_frame.text == str(n)


def test_pptx_writer_source_line_sits_at_the_slide_foot(prs) -> None:  # type: ignore[no-untyped-def]
    source = _shape(prs.slides[2], "Source")
    assert source.text_frame.text == "Source: news report, 13 August 2018"
    body = prs.slides[2].placeholders[1]
    assert source.top >= body.top + body.height


def test_pptx_writer_text_has_explicit_sizes_and_no_autofit(deck_bytes: bytes) -> None:
    prs = Presentation(io.BytesIO(deck_bytes))
    shape_bodies = 0
    for slide in prs.slides:
        for body_pr in slide._element.iter(f"{A}bodyPr"):
            if body_pr.getparent().tag.endswith("txBody") and body_pr.getparent().getparent().tag.endswith(
                "}sp"
            ):
                shape_bodies += 1
                assert body_pr.find(f"{A}noAutofit") is not None
                assert body_pr.get("wrap") == "square"
        for rpr in slide._element.iter(f"{A}rPr"):
            assert rpr.get("sz") is not None
        for ppr in slide._element.iter(f"{A}pPr"):
            spacing = ppr.find(f"{A}lnSpc/{A}spcPts")
            assert spacing is not None or ppr.getparent().find(f"{A}fld") is not None
    assert shape_bodies >= len(prs.slides)  # every slide has text shapes: the loop checked them


def test_pptx_writer_heat_map_colours_and_places_risks(prs) -> None:  # type: ignore[no-untyped-def]
    slide = prs.slides[4]
    frame = _shape(slide, "Risk heat map")
    assert frame.has_table
    descr = frame._element.find(".//{*}cNvPr").get("descr")
    assert descr.startswith("Risk heat map") and "1, Offensive on Idlib" in descr and "R1" not in descr
    table = frame.table
    assert (len(table.rows), len(table.columns)) == (6, 6)
    placed = {"1": (4, 5), "2": (3, 3), "3": (1, 2)}
    for r in range(5):
        likelihood = 5 - r
        assert table.cell(r, 0).text.startswith(str(likelihood))
        for c in range(1, 6):
            cell = table.cell(r, c)
            score = likelihood * c
            rag = "red" if score >= 12 else "amber" if score >= 5 else "green"
            fill = cell._tc.find(f".//{A}tcPr/{A}solidFill/{A}srgbClr").get("val")
            assert fill == styles.RAG_FILL[rag], (likelihood, c)
            expected = [rid for rid, pos in placed.items() if pos == (likelihood, c)]
            assert cell.text == ", ".join(expected)
    assert [table.cell(5, c).text.split()[0] for c in range(1, 6)] == ["1", "2", "3", "4", "5"]
    legend = [_shape(slide, f"Legend: {rag}").text_frame.text for rag in ("red", "amber", "green")]
    assert legend == ["Red: score ≥ 12", "Amber: score 5–10", "Green: score ≤ 4"]
    key = _shape(slide, "Risk key").text_frame.text.splitlines()
    assert [line.split()[0] for line in key] == ["1", "2", "3"]
    assert key[0].startswith("1  Offensive on Idlib (red")


def test_pptx_writer_timeline_shapes_in_order(prs) -> None:  # type: ignore[no-untyped-def]
    slide = prs.slides[5]
    group = next(s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.GROUP)
    assert group._element.find(".//{*}cNvPr").get("descr").startswith("Timeline, oldest first: January 2017")
    shapes = list(group.shapes)
    assert len(shapes) == 1 + 3 * 4  # the axis, then marker, date and label per event
    assert shapes[0].name == "Timeline axis"
    dates = ["January 2017", "December 2017", "July 2018", "13 August 2018"]
    assert [s.name for s in shapes[1:]] == [
        f"{kind}: {d}" for d in dates for kind in ("Marker", "Date", "Event")
    ]
    markers = shapes[1::3]
    xs = [m.left + m.width / 2 for m in markers]
    assert xs == sorted(xs)
    fills = [m._element.find(f".//{A}solidFill/{A}srgbClr").get("val") for m in markers]
    assert fills == [styles.PPTX_TIMELINE] * 3 + [styles.PPTX_HIGHLIGHT]
    assert markers[3].width > markers[0].width
    labels = shapes[3::3]
    axis_y = shapes[0].top
    assert [lab.top + lab.height <= axis_y for lab in labels] == [True, False, True, False]  # alternating


def test_pptx_writer_table_slide_colours_rag_cells(prs) -> None:  # type: ignore[no-untyped-def]
    frame = _shape(prs.slides[6], "Table")
    table = frame.table
    assert [c.text for c in table.rows[0].cells] == ["ID", "Risk", "Score", "Mitigation"]
    red = table.cell(1, 2)._tc.find(f".//{A}tcPr/{A}solidFill/{A}srgbClr").get("val")
    assert red == styles.RAG_FILL["red"]


def test_pptx_writer_graphics_have_alt_text(prs) -> None:  # type: ignore[no-untyped-def]
    graphics = [
        shape
        for slide in prs.slides
        for shape in slide.shapes
        if shape.shape_type in (MSO_SHAPE_TYPE.GROUP, MSO_SHAPE_TYPE.TABLE, MSO_SHAPE_TYPE.PICTURE)
        or (shape.has_graphic_frame if hasattr(shape, "has_graphic_frame") else False)
    ]
    assert graphics  # the deck has a table, the heat map and the timeline
    for shape in graphics:
        descr = shape._element.find(".//{*}cNvPr").get("descr") or ""
        assert len(descr) > 10, shape.name
        assert "/" not in descr.split()[0] and not descr.endswith((".png", ".jpg"))


def test_pptx_writer_sets_core_properties(prs) -> None:  # type: ignore[no-untyped-def]
    props = prs.core_properties
    assert props.title == "Lavrov–Çavuşoğlu meeting, Ankara"
    assert props.author == "Türkiye desk"
    assert props.subject == "Meeting brief"
    assert props.keywords == "Turkey, Russia"
    assert props.created == props.modified == STAMP
    assert props.revision == 1
    assert props.language == "en-GB"


def test_pptx_writer_is_deterministic(document: Document, deck_bytes: bytes) -> None:
    assert _pptx(document) == deck_bytes


def test_pptx_writer_alternate_reference_changes_the_look(document: Document, prs) -> None:  # type: ignore[no-untyped-def]
    data, warnings = _pptx_warned(document, ALT_REFERENCE)
    alt = Presentation(io.BytesIO(data))
    assert [_title(s) for s in alt.slides] == EXPECTED_TITLES
    # Its section layout is called "Divider": found by its type (secHead), without a warning.
    assert alt.slides[1].slide_layout.name == "Divider"
    assert not any("'Section Header'" in w.message for w in warnings)

    def theme(p) -> tuple[str, str]:  # type: ignore[no-untyped-def]
        from pptx.opc.constants import RELATIONSHIP_TYPE as RT

        root = etree.fromstring(p.slide_master.part.part_related_by(RT.THEME).blob)
        font = root.find(f".//{A}minorFont/{A}latin").get("typeface")
        return font, root.find(f".//{A}accent1/{A}srgbClr").get("val")

    assert theme(prs) == ("Calibri", "1F3A5F")
    assert theme(alt) == ("Arial", "0E5E6F")


def test_pptx_writer_missing_layout_falls_back_with_a_warning(document: Document, tmp_path: Path) -> None:
    reference = without_layout_type(ALT_REFERENCE, "secHead", tmp_path / "no-section.pptx")
    data, warnings = _pptx_warned(document, reference)
    alt = Presentation(io.BytesIO(data))
    messages = [w.message for w in warnings]
    assert any("'Section Header'" in m and "'Title Only'" in m for m in messages), messages
    assert all(w.severity == "warning" for w in warnings)
    assert alt.slides[1].slide_layout.name == "Title Only"


def test_pptx_writer_layout_mapping_overrides_the_default(document: Document) -> None:
    data, warnings = _pptx_warned(document, ALT_REFERENCE, {"section": "Divider"})
    alt = Presentation(io.BytesIO(data))
    assert alt.slides[1].slide_layout.name == "Divider"
    assert warnings == []


def test_pptx_writer_removes_slides_of_the_reference(document: Document, tmp_path: Path) -> None:
    ref = Presentation(str(HERE.parents[0] / "templates" / "reference.pptx"))
    slide = ref.slides.add_slide(ref.slide_layouts[1])
    slide.shapes.title.text = "Template sample slide"
    path = tmp_path / "with-slide.pptx"
    ref.save(str(path))
    out = Presentation(io.BytesIO(_pptx(document, path)))
    assert "Template sample slide" not in [_title(s) for s in out.slides]
    assert len(out.slides) == len(EXPECTED_TITLES)


def test_pptx_writer_is_linear_in_slides() -> None:
    """500 agenda items → 1000 slides: every slide costs the same (no O(n) scan per slide)."""
    blocks: list = []
    for i in range(500):
        blocks.append(Heading(2, (Text(f"Agenda item {i}"),)))
        items = tuple(ListItem((Paragraph((Text(f"Point {j} of item {i}."),)),)) for j in range(3))
        blocks.append(ListBlock(False, items))
        blocks.append(Heading(2, (Text(f"Agenda item {i}: background"),)))
        blocks.append(Paragraph((Text("Background."),)))
    doc = Document(Meta(title="Big", marking="OFFICIAL"), tuple(blocks))
    prs = Presentation(io.BytesIO(_pptx(doc)))
    assert len(prs.slides) == 1000
    ids = [s.slide_id for s in prs.slides]
    assert len(set(ids)) == 1000
    assert _title(prs.slides[999]) == "Agenda item 499: background"


def test_check_reference_reports_what_the_pptx_template_lacks(tmp_path: Path) -> None:
    assert _lacks(None) == []
    assert not any("'Section Header'" in p.message for p in _lacks(ALT_REFERENCE))
    untyped = without_layout_type(ALT_REFERENCE, "secHead", tmp_path / "no-section.pptx")
    assert any("'Section Header'" in p.message for p in _lacks(untyped))
    assert _lacks(ALT_REFERENCE, {"section": "Divider"}) == []
    # Bytes that vetting would refuse are reported, not raised, by the check itself.
    [problem] = check_reference(b"plain text", "notes.pptx")
    assert problem.severity == "error" and problem.message.startswith("notes.pptx: cannot open")


def test_pptx_writer_output_validates(
    deck_bytes: bytes, document: Document, tmp_path: Path, ooxml: OoxmlValidator
) -> None:
    paths = [tmp_path / "deck.pptx", tmp_path / "alt.pptx"]
    paths[0].write_bytes(deck_bytes)
    paths[1].write_bytes(_pptx(document, ALT_REFERENCE))
    ooxml(*paths)


# ---------------------------------------------------------------------------------------------
# LibreOffice render: every word drawn inside the box of the shape that holds it


def _text_boxes(shapes, out: list) -> list:  # type: ignore[no-untyped-def]
    for shape in shapes:
        if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
            _text_boxes(shape.shapes, out)
            continue
        if shape.has_text_frame:
            text = shape.text_frame.text
        elif getattr(shape, "has_table", False) and shape.has_table:
            text = " ".join(c.text for row in shape.table.rows for c in row.cells)
        else:
            continue
        if text.strip():
            box = (
                _pt(shape.left),
                _pt(shape.top),
                _pt(shape.left + shape.width),
                _pt(shape.top + shape.height),
            )
            out.append((box, " ".join(text.split())))
    return out


def _words_outside(pptx: Path, tmp_path: Path) -> list[tuple[int, str]]:
    pdf = tmp_path / f"{pptx.stem}.pdf"
    pdf.write_bytes(convert_to_pdf(pptx.read_bytes(), pptx.name, timeout=300))
    html = tmp_path / "bbox.html"
    subprocess.run(["pdftotext", "-bbox-layout", str(tmp_path / f"{pptx.stem}.pdf"), str(html)], check=True)
    pages = etree.parse(str(html), etree.HTMLParser(encoding="utf-8")).findall(".//page")
    slides = list(Presentation(str(pptx)).slides)
    assert len(pages) == len(slides)
    outside = []
    for number, (page, slide) in enumerate(zip(pages, slides, strict=True), 1):
        boxes = _text_boxes(slide.shapes, [])
        for word in page.iter("word"):
            x0, y0, x1, y1 = (float(word.get(k)) for k in ("xmin", "ymin", "xmax", "ymax"))
            # Glyph boxes reach above the ascender and below the descender: allow that much.
            slack_y = max(1.5, 0.15 * (y1 - y0))
            key = (word.text or "").strip("•–.,")
            if key.isdigit() and (word.text or "").endswith("."):
                continue  # an automatic list number: drawn by the renderer, not in the text
            if not any(
                b[0] - 1.5 <= x0
                and x1 <= b[2] + 1.5
                and b[1] - slack_y <= y0
                and y1 <= b[3] + slack_y
                and key in text
                for b, text in boxes
            ):
                outside.append((number, word.text or ""))
    return outside


@pytest.mark.parametrize("reference", [None, ALT_REFERENCE], ids=["bundled", "alt"])
def test_pptx_writer_render_keeps_every_word_in_its_box(reference: Path | None, tmp_path: Path) -> None:
    if shutil.which("soffice") is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice (soffice) or pdftotext (poppler-utils) is not installed")
    long_points = "\n".join(
        f"- Point {n}: both sides agreed in principle that a negotiated settlement remains the only "
        "route, and that humanitarian access must be restored first."
        for n in range(1, 25)
    )
    table = "\n".join(
        f"| R{n} | Risk {n} could escalate quickly if not handled | Engage partners early |"
        for n in range(1, 21)
    )
    markdown = DECK_MD + (
        "\n## The Minister should press for an immediate and verifiable ceasefire in Idlib while keeping the "
        "Astana format alive and preparing an Istanbul summit with all partners present this year\n\n"
        f"{long_points}\n\n## Long register {{.table}}\n\n"
        f"| ID | Risk | Mitigation |\n|---|---|---|\n{table}\n"
    )
    path = tmp_path / "deck.pptx"
    path.write_bytes(_pptx(read_markdown(markdown), reference))
    assert _words_outside(path, tmp_path) == []


# ---------------------------------------------------------------------------------------------
# Issue 13: legible and accessible, read back from the worked example's deck


@pytest.fixture(scope="module")
def example_deck(tmp_path_factory):  # type: ignore[no-untyped-def]
    from briefgen.pipeline import BuildOptions, Step, run

    facts = HERE.parents[0] / "facts" / "lavrov-cavusoglu-ankara-2018.yaml"
    out = tmp_path_factory.mktemp("example")
    result = run(facts, BuildOptions(formats=("pptx",), out_dir=out), until=Step.WRITE)
    [data] = [v for k, v in result.files.items() if k.endswith(".pptx")]
    return Presentation(io.BytesIO(data))


def _fill_of(element) -> str:  # type: ignore[no-untyped-def]
    """The fill a run sits on: its table cell's, else white (the slide)."""
    for ancestor in element.iterancestors():
        if ancestor.tag == f"{A}tc":
            fill = ancestor.find(f"{A}tcPr/{A}solidFill/{A}srgbClr")
            return fill.get("val") if fill is not None else "FFFFFF"
    return "FFFFFF"


def test_pptx_writer_every_text_colour_meets_wcag_aa_on_its_fill(example_deck) -> None:  # type: ignore[no-untyped-def]
    checked = 0
    for slide in example_deck.slides:
        for rpr in slide._element.iter(f"{A}rPr"):
            colour = rpr.find(f"{A}solidFill/{A}srgbClr")
            if colour is None:
                continue
            ratio = styles.contrast_ratio(colour.get("val"), _fill_of(rpr))
            assert ratio >= styles.WCAG_AA, (colour.get("val"), _fill_of(rpr), ratio)
            checked += 1
    assert checked > 50  # RAG cells, RAG words, table headers, labels, source lines
    # White on amber, the old failure, is impossible: amber cells carry dark text.
    assert styles.contrast_ratio("FFFFFF", styles.RAG_FILL["amber"]) < styles.WCAG_AA
    assert styles.text_colour_on(styles.RAG_FILL["amber"]) == styles.DARK_TEXT


def test_pptx_writer_titles_are_real_titles_first_in_reading_order(example_deck) -> None:  # type: ignore[no-untyped-def]
    for slide in example_deck.slides:
        assert slide.shapes.title is not None and slide.shapes.title.text.strip()
        first = next(iter(slide.shapes))
        assert first.is_placeholder and first.placeholder_format.type in (1, 3)  # TITLE, CENTER_TITLE


def test_pptx_writer_banners_bold_and_at_least_ten_points(example_deck) -> None:  # type: ignore[no-untyped-def]
    for slide in example_deck.slides:
        banners = [s for s in slide.shapes if s.name.startswith("Marking")]
        assert len(banners) == 2
        for banner in banners:
            for run in banner.text_frame.paragraphs[0].runs:
                assert run.font.bold and run.font.size.pt >= 10


def test_pptx_writer_heat_map_and_timeline_have_alt_text(example_deck) -> None:  # type: ignore[no-untyped-def]
    descrs = [
        el.get("descr", "")
        for slide in example_deck.slides
        for el in slide._element.iter("{http://schemas.openxmlformats.org/presentationml/2006/main}cNvPr")
    ]
    assert any(d.startswith("Risk heat map") and "Regime assault on Idlib" in d for d in descrs)
    assert any(d.startswith("Timeline, oldest first") for d in descrs)


def test_pptx_writer_nested_list_levels_and_numbering_restart(tmp_path: Path) -> None:
    markdown = (
        '---\n{"title": "T", "kind": "deck"}\n---\n\n## Nested lists\n\n'
        "1. One\n   1. One-a\n      1. One-a-i\n      2. One-a-ii\n   2. One-b\n2. Two\n"
    )
    prs = Presentation(io.BytesIO(_pptx(read_markdown(markdown))))
    body = next(s for s in prs.slides[0].shapes if s.name == "Text")
    got = []
    for p in body.text_frame.paragraphs:
        ppr = p._p.find(f"{A}pPr")
        auto = ppr.find(f"{A}buAutoNum")
        got.append((p.text, int(ppr.get("lvl", "0")), int(auto.get("startAt"))))
    assert got == [
        ("One", 0, 1),
        ("One-a", 1, 1),
        ("One-a-i", 2, 1),
        ("One-a-ii", 2, 2),
        ("One-b", 1, 2),
        ("Two", 0, 2),
    ]


@pytest.mark.parametrize(("kind", "language"), [("resized", "en-GB"), ("default", "ru"), (None, "de")])
def test_pptx_writer_render_heat_map_labels_whole(kind: str | None, language: str, tmp_path: Path) -> None:
    """LibreOffice sets every word of the heat map's axis labels whole on its slide (the 4:3
    deck broke "Insignificant" mid-word); read back from the PDF's words."""
    if shutil.which("soffice") is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice (soffice) or pdftotext (poppler-utils) is not installed")
    from briefgen.pipeline import BuildOptions, Step, run
    from tests.test_deck_plan import _reference, in_language

    reference = _reference(kind, tmp_path) if kind else None
    options = BuildOptions(formats=("pptx",), out_dir=tmp_path / "out", reference_pptx=reference)
    result = run(in_language(language, tmp_path), options, until=Step.WRITE)
    [data] = [v for k, v in result.files.items() if k.endswith(".pptx")]
    prs = Presentation(io.BytesIO(data))
    numbers = [n for n, s in enumerate(prs.slides, 1) if any(sh.name == "Risk heat map" for sh in s.shapes)]
    assert numbers
    labels: set[str] = set()
    for shape in prs.slides[numbers[0] - 1].shapes:
        if shape.name == "Risk heat map":
            table = shape.table
            labels |= {table.cell(r, 0).text for r in range(5)}
            labels |= {table.cell(5, c).text for c in range(1, 6)}
        elif shape.name == "Axis: impact":
            labels |= {p.text for p in shape.text_frame.paragraphs}
    words = {w for label in labels for w in label.replace("\u00a0", " ").split() if w != "·"}
    assert len(words) > 10
    pdf = tmp_path / "deck.pdf"
    pdf.write_bytes(convert_to_pdf(data, "deck.pptx", timeout=300))
    html = tmp_path / "bbox.html"
    subprocess.run(["pdftotext", "-bbox", str(pdf), str(html)], check=True)
    pages = etree.parse(str(html), etree.HTMLParser(encoding="utf-8")).findall(".//page")
    for number in numbers:
        drawn = {(w.text or "").strip() for w in pages[number - 1].iter("word")}
        assert words <= drawn, sorted(words - drawn)
