"""The review Markdown (`--format md`): clean CommonMark written from the document model, read
back with markdown-it-py (and converted with pandoc where installed)."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

from briefgen.cli import main
from briefgen.markup import read_markdown
from briefgen.model import (
    Cell,
    Div,
    Document,
    FootnoteRef,
    Heading,
    LineBreak,
    Link,
    ListBlock,
    ListItem,
    Meta,
    Paragraph,
    RiskMatrix,
    RiskPoint,
    Table,
    TableOfContents,
    Text,
    Timeline,
    TimelineEvent,
    plain_text,
)
from briefgen.writers.markdown import MarkdownOptions, heading_slug, write_markdown
from tests.conftest import EXAMPLE, MEMO_SECTIONS


def _commonmark() -> MarkdownIt:
    """A plain CommonMark reader with GFM tables and footnotes: what a code-hosting site reads."""
    return MarkdownIt("commonmark").enable("table").use(footnote_plugin)


def _text_of(tokens) -> str:
    """The visible text of inline tokens."""
    out = []
    for token in tokens:
        if token.type in ("text", "code_inline"):
            out.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            out.append("\n")
        elif token.children:
            out.append(_text_of(token.children))
    return "".join(out)


def _doc(*blocks, footnotes=None, marking="OFFICIAL-SENSITIVE", kind="memo") -> Document:
    return Document(Meta(title="T", marking=marking, kind=kind), tuple(blocks), footnotes or {})


def _write(document: Document, **options) -> str:
    data, warnings = write_markdown(document, MarkdownOptions(**options))
    assert warnings == []
    return data.decode("utf-8")


@pytest.fixture(scope="module")
def example_md(tmp_path_factory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("md")
    assert main(["build", str(EXAMPLE), "-o", str(out), "--format", "md"]) == 0
    return {kind: (out / f"{EXAMPLE.stem}-{kind}.md").read_text("utf-8") for kind in ("memo", "deck")}


@pytest.mark.parametrize("kind", ["memo", "deck"])
def test_markdown_example_has_banner_first_and_last_and_no_internal_markup(example_md, kind):
    text = example_md[kind]
    lines = text.splitlines()
    assert lines[0] == "**UNCLASSIFIED**" and lines[-1] == "**UNCLASSIFIED**"
    assert text.endswith("\n") and not text.endswith("\n\n")
    assert not text.startswith("---")  # no front matter
    for internal in ("{.", "{#", ":::", "```", '"title":', '"risks":', '"events":', "{{", "[^seed-report]"):
        assert internal not in text, internal
    # Nothing the reader would take for an attribute list or a div survives either.
    assert not re.search(r"\{[#.][\w-]+", text)


def test_markdown_memo_reads_back_as_headings_lists_tables_and_footnotes(example_md):
    tokens = _commonmark().parse(example_md["memo"])
    h1 = [
        _text_of([tokens[i + 1]]) for i, t in enumerate(tokens) if t.type == "heading_open" and t.tag == "h1"
    ]
    assert h1 == ["MEETING BRIEF", *MEMO_SECTIONS]
    types = {t.type for t in tokens}
    assert {"table_open", "bullet_list_open", "ordered_list_open", "blockquote_open"} <= types
    assert "footnote_block_open" in types
    # Every footnote reference resolves to a definition (markdown-it leaves unresolved ones as text).
    inline_text = "".join(_text_of(t.children or []) for t in tokens if t.type == "inline")
    assert "[^" not in inline_text
    refs = [c for t in tokens if t.type == "inline" for c in t.children or [] if c.type == "footnote_ref"]
    # One note per cited passage (or run of passages), numbered in order, each defined once.
    assert refs and [c.meta["id"] for c in refs] == list(range(len(refs)))
    # The risk register's RAG column reads as words, not internal spans.
    html = _commonmark().render(example_md["memo"])
    assert '<td style="text-align:center">RED</td>' in html and "rag-red" not in html


def test_markdown_memo_same_text_as_the_model(example_md):
    """Every heading and table cell of the document model is in the review copy, as text."""
    from briefgen.facts import load_facts
    from briefgen.templating import TemplateSet, render_templates

    loaded = load_facts(EXAMPLE)
    source = render_templates(loaded.briefing, TemplateSet(), ("memo",))["memo"]
    model = read_markdown(source, typography=loaded.briefing.output.language)  # as the pipeline reads it
    tokens = _commonmark().parse(example_md["memo"])
    headings = [_text_of([tokens[i + 1]]) for i, t in enumerate(tokens) if t.type == "heading_open"]
    expected = [plain_text(b.content) for b in _all_blocks(model.blocks) if isinstance(b, Heading)]
    assert headings == expected
    cells = [_text_of([tokens[i + 1]]) for i, t in enumerate(tokens) if t.type in ("td_open", "th_open")]
    for table in (b for b in _all_blocks(model.blocks) if isinstance(b, Table)):
        for row in (*table.header, *table.body):
            for cell in row:
                assert plain_text(cell.content).strip() in cells


def _all_blocks(blocks):
    for block in blocks:
        yield block
        if isinstance(block, Div):
            yield from _all_blocks(block.blocks)
        if isinstance(block, ListBlock):
            for item in block.items:
                yield from _all_blocks(item.blocks)


def test_markdown_deck_notes_are_quotes_and_risk_matrix_a_table(example_md):
    text = example_md["deck"]
    assert "> **Speaker notes**" in text
    tokens = _commonmark().parse(text)
    html = _commonmark().render(text)
    assert re.search(r"<th[^>]*>Likelihood</th>", html) and "Impact 5: Severe" in html
    # The timeline is a dated list with the meeting itself in bold.
    assert re.search(r"^- \*\*13 Aug 2018: Lavrov", text, re.M)
    slides = [t for t in tokens if t.type == "heading_open" and t.tag == "h2"]
    assert len(slides) >= 8


def test_markdown_internal_links_point_at_github_heading_ids():
    doc = _doc(
        TableOfContents(levels=(1,), title="Contents"),
        Heading(1, (Text("Annex A: Background, by issue"),), anchor="annex-a"),
        Heading(1, (Text("Annex A: Background, by issue"),), anchor="again"),
        Paragraph(
            (Link("#annex-a", (Text("see Annex A"),)), Text(" and "), Link("#again", (Text("again"),)))
        ),
    )
    text = _write(doc, banner="")
    assert "- [Annex A: Background, by issue](#annex-a-background-by-issue)" in text
    assert "- [Annex A: Background, by issue](#annex-a-background-by-issue-1)" in text
    assert "[see Annex A](#annex-a-background-by-issue) and [again](#annex-a-background-by-issue-1)" in text


def test_markdown_heading_slug_follows_github():
    used: dict[str, int] = {}
    assert heading_slug("Risks and key judgments", used) == "risks-and-key-judgments"
    assert (
        heading_slug("1. Syria, the Astana process (certain)", used) == "1-syria-the-astana-process-certain"
    )
    assert heading_slug("Çavuşoğlu’s visit", used) == "çavuşoğlus-visit"
    assert heading_slug("Risks and key judgments", used) == "risks-and-key-judgments-1"


def test_markdown_footnotes_numbered_in_order_of_first_reference():
    notes = {
        "b+c": (Paragraph((Text("Second source."),)),),
        "a": (
            Paragraph(
                (Text("First source, "), Link("https://example.org/x", (Text("https://example.org/x"),)))
            ),
        ),
        "unused": (Paragraph((Text("Never cited."),)),),
    }
    doc = _doc(
        Paragraph((Text("One"), FootnoteRef("a"), Text(" two"), FootnoteRef("b+c"), FootnoteRef("a"))),
        footnotes=notes,
    )
    text = _write(doc, banner="")
    assert "One[^1] two[^2][^1]" in text
    assert "[^1]: First source, <https://example.org/x>" in text
    assert "[^2]: Second source." in text and "Never cited" not in text
    html = _commonmark().render(text)
    assert html.count('class="footnote-item"') == 2


def test_markdown_banner_option_overrides_and_empty_omits():
    doc = _doc(Paragraph((Text("Body."),)), marking="SECRET//NOFORN")
    assert _write(doc) == "**SECRET//NOFORN**\n\nBody.\n\n**SECRET//NOFORN**\n"
    assert _write(doc, banner="TOP SECRET").splitlines()[0] == "**TOP SECRET**"
    assert _write(doc, banner="") == "Body.\n"


def test_markdown_lists_nest_and_stay_tight_or_loose():
    inner = ListBlock(False, (ListItem((Paragraph((Text("inner"),)),)),))
    doc = _doc(
        ListBlock(
            True,
            (
                ListItem((Paragraph((Text("first"),)),)),
                ListItem((Paragraph((Text("second"),)), inner)),
            ),
            start=3,
        ),
    )
    text = _write(doc, banner="")
    assert text == "3. first\n\n4. second\n\n   - inner\n"
    tokens = _commonmark().parse(text)
    assert [t.type for t in tokens if t.type.endswith("list_open")] == [
        "ordered_list_open",
        "bullet_list_open",
    ]


def test_markdown_table_escapes_pipes_and_keeps_alignment():
    table = Table(
        header=((Cell((Text("Name"),)), Cell((Text("Score"),))),),
        body=((Cell((Text("a | b"),)), Cell((Text("4×5 = 20"), LineBreak(), Text("red")))),),
        aligns=("left", "right"),
    )
    text = _write(_doc(table), banner="")
    assert text.splitlines()[1] == "| :--- | ---: |"
    tokens = _commonmark().parse(text)
    cells = [_text_of([tokens[i + 1]]) for i, t in enumerate(tokens) if t.type in ("td_open", "th_open")]
    assert cells == ["Name", "Score", "a | b", "4×5 = 20 red"]


def test_markdown_table_with_two_header_rows_warns():
    row = (Cell((Text("x"),)),)
    data, warnings = write_markdown(_doc(Table(header=(row, row), body=(row,))), MarkdownOptions(banner=""))
    assert len(warnings) == 1 and "header rows" in warnings[0].message
    assert warnings[0].severity == "warning"
    assert data.decode().count("| x |") == 3


def test_markdown_risk_matrix_places_each_risk_in_its_cell():
    matrix = RiskMatrix(
        risks=(RiskPoint("a", "Assault", 4, 5, 20, "red"), RiskPoint("b", "Slip", 2, 3, 6, "amber"))
    )
    tokens = _commonmark().parse(_write(_doc(matrix), banner=""))
    rows: list[list[str]] = []
    for i, token in enumerate(tokens):
        if token.type == "tr_open":
            rows.append([])
        elif token.type in ("td_open", "th_open"):
            rows[-1].append(_text_of([tokens[i + 1]]))
    assert rows[0][0] == "Likelihood" and len(rows) == 6
    likely = next(r for r in rows if r[0] == "4: Likely")
    assert likely[5] == "Assault (RED)" and likely[1:5] == ["", "", "", ""]
    assert next(r for r in rows if r[0] == "2: Unlikely")[3] == "Slip (AMBER)"


def test_markdown_timeline_is_a_list_with_highlight_bold():
    timeline = Timeline(
        (TimelineEvent("Jan 2017", "Talks *launched*"), TimelineEvent("13 Aug", "Meeting", True))
    )
    assert _write(_doc(timeline), banner="") == "- Jan 2017: Talks \\*launched\\*\n- **13 Aug: Meeting**\n"


# Text a fact may hold: Markdown punctuation, block starters, HTML, entities, odd spaces.
_TRICKY = st.text(
    alphabet=st.sampled_from([*list("ab 1.-+#>*_`[]()!|\\<>&;{}~^$:="), "é", "\xa0", "Ж"]),
    min_size=1,
    max_size=30,
)


@settings(max_examples=150, deadline=None)
@given(_TRICKY, st.booleans(), st.booleans())
def test_markdown_any_text_reads_back_literally(text, bold, italic):
    """Whatever a run of text holds, a CommonMark reader gets exactly that text back."""
    expected = text.strip()  # a reader drops white space at the ends of a block
    if not expected:
        return
    doc = _doc(
        Paragraph((Text(text, bold=bold, italic=italic),)),
        ListBlock(False, (ListItem((Paragraph((Text(text),)),)),)),
        Table(header=((Cell((Text("h"),)),),), body=((Cell((Text(text),)),),)),
        Heading(2, (Text(text),)),
        marking="",
    )
    tokens = _commonmark().parse(_write(doc))
    inlines = [t for t in tokens if t.type == "inline"]
    assert [t.type for t in tokens if t.type.endswith("_open")][:1] == ["paragraph_open"]
    texts = [_text_of(t.children or []).strip() for t in inlines]
    assert texts == [expected, expected, "h", expected, expected]


@settings(max_examples=150, deadline=None)
@given(_TRICKY, _TRICKY, st.sampled_from(["bold", "italic", "code"]), st.booleans())
def test_markdown_styled_run_beside_plain_text_keeps_text_and_style(styled, plain, style, first):
    """Emphasis or code next to any text: the text reads back whole and the styled part keeps
    its style (CommonMark's flanking rules would otherwise leave `**TO:**x` unbolded)."""
    if not (styled + plain).strip():
        return
    run = Text(styled, bold=style == "bold", italic=style == "italic", code=style == "code")
    other = Text(plain)
    doc = _doc(Paragraph((run, other) if first else (other, run)), marking="")
    text = _write(doc)
    tokens = _commonmark().parse(text)
    inline = next(t for t in tokens if t.type == "inline")
    whole = (styled + plain) if first else (plain + styled)
    assert _text_of(inline.children).strip() == whole.strip()
    kinds = {"bold": "strong_open", "italic": "em_open", "code": "code_inline"}
    if any(c.isalnum() for c in styled):
        assert any(c.type == kinds[style] for c in inline.children), text


@pytest.mark.skipif(shutil.which("pandoc") is None, reason="pandoc is not installed")
def test_markdown_pandoc_converts_the_review_copy_to_a_readable_docx(example_md, tmp_path):
    from docx import Document as open_docx

    source = tmp_path / "memo.md"
    source.write_text(example_md["memo"], "utf-8")
    target = tmp_path / "memo.docx"
    done = subprocess.run(
        ["pandoc", "-f", "gfm", str(source), "-o", str(target)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0 and done.stderr == ""
    word = open_docx(target)
    headings = [p.text for p in word.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["MEETING BRIEF", *MEMO_SECTIONS]
    assert word.paragraphs[0].text == "UNCLASSIFIED" and word.paragraphs[-1].text == "UNCLASSIFIED"
    assert len(word.tables) >= 6
    body = "\n".join(p.text for p in word.paragraphs)
    assert "{." not in body and ":::" not in body and "[^" not in body
    with zipfile.ZipFile(target) as package:
        notes = package.read("word/footnotes.xml").decode("utf-8")
    assert "shared/seed/ankara-2018-news-report.txt" in notes  # a real Word footnote
    # pandoc's own Markdown reader sees the same document (no attributes or spans to misread).
    html = subprocess.run(
        ["pandoc", "-f", "markdown", "-t", "html", str(source)], capture_output=True, text=True, timeout=120
    ).stdout
    assert "MEETING BRIEF" in html and "{." not in html
