"""Issue 16, kind 6: whatever an output cannot carry is rendered another way or warned about by
name, and empty sections are left out, not printed empty.

- Speaker notes keep bold, italic and links (PowerPoint notes can carry them).
- A footnote cited on a slide (body, table cell or notes) is shown as its mark "[n]", and its
  text is put in the speaker notes (a slide has no footnotes).
- A link inside a deck table cell (cells carry text only) shows its address in brackets.
- A briefing without people prints no participants annex, table or row; a table with a header
  and no rows is left out with a warning naming it.
"""

from __future__ import annotations

import copy
import re
import zipfile
from pathlib import Path

import docx
import yaml
from lxml import etree

from briefgen.cli import main
from briefgen.markup import read_markdown
from briefgen.model import Table

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = yaml.safe_load((ROOT / "tests" / "fixtures" / "minimal.yaml").read_text(encoding="utf-8"))
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PR = "http://schemas.openxmlformats.org/package/2006/relationships"

DECK = """---
{{ meta_json }}
---

# {{ b.title | md }} {.title}

Prepared for {{ b.prepared_for | md }}

## Talking points {.content}

- The treaty expires in June.[^treaty]

| Document | Where |
|:--|:--|
| Treaty text[^annex] | [the registry](https://example.org/registry?id=<7>) |

::: notes
Say this **firmly** and *calmly*; the [treaty text](https://example.org/t?v=<full>) is public.

- a point with **bold** in a list
  - and a nested one
:::

[^treaty]: Example Office, "Treaty text", 2020.

[^annex]: Registry of treaties, entry 7.
"""


def _write_brief(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "brief.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _build(args: list[str], capsys) -> str:
    capsys.readouterr()
    code = main(["build", *args, "-j", "1", "--force"])
    err = capsys.readouterr().err
    assert code == 0, err
    return err


def _slide_parts(deck: Path, number: int) -> tuple[etree._Element, etree._Element, dict[str, str]]:
    """Slide `number`'s XML, its notes' XML and the notes' relationship targets."""
    with zipfile.ZipFile(deck) as zf:
        slide = etree.fromstring(zf.read(f"ppt/slides/slide{number}.xml"))
        rels = etree.fromstring(zf.read(f"ppt/slides/_rels/slide{number}.xml.rels"))
        notes_name = next(
            r.get("Target")
            for r in rels.iter(f"{{{PR}}}Relationship")
            if r.get("Type").endswith("/notesSlide")
        )
        notes_path = "ppt/notesSlides/" + notes_name.rsplit("/", 1)[-1]
        notes = etree.fromstring(zf.read(notes_path))
        notes_rels = etree.fromstring(
            zf.read(notes_path.replace("notesSlides/", "notesSlides/_rels/") + ".rels")
        )
    targets = {r.get("Id"): r.get("Target") for r in notes_rels.iter(f"{{{PR}}}Relationship")}
    return slide, notes, targets


def _text(root: etree._Element) -> str:
    return "\n".join("".join(t.text or "" for t in p.iter(f"{{{A}}}t")) for p in root.iter(f"{{{A}}}p"))


def test_pptx_notes_keep_bold_italic_and_links_and_slides_show_footnotes(tmp_path, capsys):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "deck.md.j2").write_text(DECK, encoding="utf-8")
    facts = _write_brief(tmp_path, MINIMAL)
    out = tmp_path / "out"
    _build([str(facts), "-o", str(out), "--format", "pptx", "--templates", str(templates)], capsys)
    slide, notes, targets = _slide_parts(out / "brief-deck.pptx", 2)
    table_slide, table_notes, _ = _slide_parts(out / "brief-deck.pptx", 3)  # the continuation
    runs = {"".join(t.text or "" for t in r.iter(f"{{{A}}}t")): r for r in notes.iter(f"{{{A}}}r")}
    assert runs["firmly"].find(f"{{{A}}}rPr").get("b") == "1"
    assert runs["calmly"].find(f"{{{A}}}rPr").get("i") == "1"
    assert runs["bold"].find(f"{{{A}}}rPr").get("b") == "1"
    link = runs["treaty text"].find(f"{{{A}}}rPr/{{{A}}}hlinkClick")
    assert targets[link.get(f"{{{R}}}id")] == "https://example.org/t?v=%3Cfull%3E"
    notes_text = _text(notes)
    assert "• a point with bold in a list" in notes_text and "– and a nested one" in notes_text
    # The footnotes: marks on the slide (bullet and table cell), texts in the notes.
    slide_text = _text(slide) + "\n" + _text(table_slide)
    assert "The treaty expires in June.[1]" in slide_text
    assert "Treaty text[2]" in slide_text
    for text in (notes_text, _text(table_notes)):  # every part's notes explain every mark
        assert '[1] Example Office, "Treaty text", 2020.' in text
        assert "[2] Registry of treaties, entry 7." in text
    # A link in a table cell: its address in brackets after its text.
    assert "the registry (https://example.org/registry?id=%3C7%3E)" in slide_text


def test_memo_and_deck_without_people_print_no_empty_participants_section(tmp_path, capsys):
    data = copy.deepcopy(MINIMAL)
    del data["people"]
    del data["meeting"]["participants"]
    facts = _write_brief(tmp_path, data)
    out = tmp_path / "out"
    err = _build([str(facts), "-o", str(out), "--format", "docx,pptx"], capsys)
    assert "no rows" not in err  # the built-in templates leave the sections out themselves
    word = docx.Document(str(out / "brief-memo.docx"))
    texts = [p.text for p in word.paragraphs]
    assert not any("Participants" in t for t in texts), texts
    for table in word.tables:
        first_cells = [row.cells[0].text for row in table.rows]
        assert "Participants" not in first_cells and "Name" not in first_cells
        assert len(table.rows) > 1 or table.style is None  # no header-only table
    with zipfile.ZipFile(out / "brief-deck.pptx") as zf:
        slides = [n for n in zf.namelist() if re.fullmatch(r"ppt/slides/slide\d+\.xml", n)]
        deck_text = "\n".join(_text(etree.fromstring(zf.read(n))) for n in slides)
    assert "Participants" not in deck_text and "Who is who" not in deck_text


def test_markup_header_only_table_is_left_out_with_a_warning_naming_it():
    warnings: list = []
    document = read_markdown(
        "# Annex\n\n| Name | Role |\n|:--|:--|\n\nAfter.\n", source="memo.md", warnings=warnings
    )
    assert not any(isinstance(b, Table) for b in document.blocks)
    (warning,) = warnings
    assert warning.severity == "warning" and "(Name | Role)" in warning.message and warning.line == 3
    kept = read_markdown("| Name | Role |\n|:--|:--|\n| Ana | Minister |\n", warnings=[])
    assert isinstance(kept.blocks[0], Table)


def test_docx_footnote_cited_inside_a_footnote_prints_its_text_in_brackets(tmp_path, capsys):
    # Word has no footnotes inside footnotes: the inner one's text must not simply vanish.
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "memo.md.j2").write_text(
        "---\n{{ meta_json }}\n---\n\n# Summary\n\nThe treaty expires in June.[^a]\n\n"
        "[^a]: Treaty text, article 4.[^b]\n\n[^b]: Registry of treaties, entry 7.\n",
        encoding="utf-8",
    )
    facts = _write_brief(tmp_path, MINIMAL)
    out = tmp_path / "out"
    _build([str(facts), "-o", str(out), "--format", "docx", "--templates", str(templates)], capsys)
    with zipfile.ZipFile(out / "brief-memo.docx") as zf:
        notes = etree.fromstring(zf.read("word/footnotes.xml"))
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    texts = ["".join(t.text or "" for t in n.iter(f"{w}t")) for n in notes.iter(f"{w}footnote")]
    assert any("Treaty text, article 4. (Registry of treaties, entry 7.)" in t for t in texts), texts


def test_slides_title_footnote_and_link_are_shown_not_dropped():
    from briefgen.slides.reading import read_specs

    document = read_markdown(
        "## Talks resume[^n] on [the treaty](https://example.org/t) {.content}\n\n- A point.\n\n"
        "[^n]: Agreed on 3 May.\n"
    )
    (spec,) = read_specs(document, [])
    assert spec.title == "Talks resume[1] on the treaty (https://example.org/t)"
    assert [p.text for p in spec.footnotes] == ["[1] Agreed on 3 May."]
