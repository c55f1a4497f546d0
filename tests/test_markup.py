"""Tests for briefgen.markup: the template Markdown dialect (docs/markup.md) → document model."""

from __future__ import annotations

import re
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefgen.errors import TemplateProblem
from briefgen.markup import escape_markdown, read_markdown
from briefgen.model import (
    Cell,
    Div,
    Document,
    FootnoteRef,
    Heading,
    LineBreak,
    Link,
    ListBlock,
    Meta,
    PageBreak,
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


def read(markdown: str, source: str = "memo.md") -> Document:
    return read_markdown(textwrap.dedent(markdown).lstrip("\n"), source=source)


def only(doc: Document) -> object:
    assert len(doc.blocks) == 1, doc.blocks
    return doc.blocks[0]


def content(markdown: str) -> tuple:
    block = only(read(markdown))
    assert isinstance(block, Paragraph)
    return block.content


def problem(markdown: str, source: str = "memo.md") -> TemplateProblem:
    with pytest.raises(TemplateProblem) as caught:
        read(markdown, source)
    return caught.value


# ---------------------------------------------------------------------------------------------
# Front matter


def test_markup_front_matter_fills_meta_and_extra():
    doc = read(
        """
        ---
        {"title": "Meeting brief", "subject": "Ankara", "author": "Desk", "keywords": ["Turkey", "Russia"],
         "description": "d", "language": "en-US", "marking": "OFFICIAL", "as_of": "2018-08-10",
         "date": "2018-08-11", "kind": "deck", "classification_scheme": "uk", "pages": 2, "draft": true}
        ---
        Body.
        """
    )
    assert doc.meta == Meta(
        title="Meeting brief",
        subject="Ankara",
        author="Desk",
        keywords=("Turkey", "Russia"),
        description="d",
        language="en-US",
        marking="OFFICIAL",
        as_of="2018-08-10",
        date="2018-08-11",
        kind="deck",
        extra=(("classification_scheme", "uk"), ("pages", "2"), ("draft", "true")),
    )
    assert doc.blocks == (Paragraph((Text("Body."),)),)


def test_markup_missing_front_matter_gives_empty_title():
    doc = read("# Heading\n")
    assert doc.meta == Meta(title="")
    assert isinstance(doc.blocks[0], Heading)


def test_markup_front_matter_invalid_json_names_source_and_line():
    err = problem(
        """
        ---
        {"title": "x",
         "subject": }
        ---
        """,
        source="memo.md",
    )
    assert str(err).startswith("memo.md:3: front matter: invalid JSON: Expecting value")
    assert err.problems[0].file == "memo.md" and err.problems[0].line == 3


def test_markup_front_matter_wrong_type_points_at_key_line():
    err = problem('---\n{"title": "x",\n "keywords": "one"}\n---\n')
    assert str(err) == "memo.md:3: front matter: keywords: expected a list, got a string"


def test_markup_front_matter_after_blank_lines_is_still_front_matter():
    # Jinja2 block tags leave blank lines above the front matter; line numbers still count them.
    doc = read_markdown('\n  \n---\n{"title": "T"}\n---\nBody.\n')
    assert doc.meta.title == "T"
    assert doc.blocks == (Paragraph((Text("Body."),)),)
    with pytest.raises(TemplateProblem, match=r"^m\.md:4: front matter: title: expected a string"):
        read_markdown('\n\n---\n{"title": 1}\n---\n', source="m.md")


def test_markup_front_matter_must_be_an_object_of_known_kind():
    assert "expected a JSON object" in str(problem("---\n[1, 2]\n---\n"))
    assert "kind: 'book'" in str(problem('---\n{"kind": "book"}\n---\n'))


# ---------------------------------------------------------------------------------------------
# Headings and their pandoc attributes


def test_markup_heading_attributes_give_anchor_classes_attrs():
    heading = only(read('## Annex *A* {#annex-a .annex .wide lang=tr note="two words"}\n'))
    assert heading == Heading(
        level=2,
        content=(Text("Annex "), Text("A", italic=True)),
        anchor="annex-a",
        classes=("annex", "wide"),
        attrs=(("lang", "tr"), ("note", "two words")),
    )


def test_markup_heading_without_attributes_keeps_defaults():
    assert only(read("### Plain title\n")) == Heading(3, (Text("Plain title"),))


@pytest.mark.parametrize(
    "line, text",
    [
        ("# Total {{ 7*7 }}", "Total {{ 7*7 }}"),  # not an attribute list
        ("# A {brace} in the middle", "A {brace} in the middle"),
        ("# A {#x} in the middle", "A {#x} in the middle"),  # attributes only count at the end
        ("# Escaped \\{#x}", "Escaped {#x}"),
        ("# Glued{#x}", "Glued{#x}"),  # pandoc needs a space before the attributes
        ("# Empty {}", "Empty {}"),
        ("# Bad {#x !}", "Bad {#x !}"),
    ],
)
def test_markup_heading_braces_that_are_not_attributes_stay_text(line, text):
    heading = only(read(line + "\n"))
    assert heading == Heading(1, (Text(text),))


def test_markup_heading_final_span_is_a_span_not_heading_attributes():
    heading = only(read("## Status [RED]{.rag-red}\n"))
    assert heading == Heading(2, (Text("Status "), Text("RED", classes=("rag-red",))))


def test_markup_heading_title_class_and_unnumbered_shorthand():
    assert only(read("# Ankara {.title}\n")).classes == ("title",)
    assert only(read("# Sources {-}\n")).classes == ("unnumbered",)
    assert only(read("Setext {#s}\n======\n")) == Heading(1, (Text("Setext"),), anchor="s")


# ---------------------------------------------------------------------------------------------
# Paragraph inlines


def test_markup_nested_emphasis_is_flattened_to_runs():
    assert content("Plain *italic **both** italic* __bold__ ***all***.\n") == (
        Text("Plain "),
        Text("italic ", italic=True),
        Text("both", bold=True, italic=True),
        Text(" italic", italic=True),
        Text(" "),
        Text("bold", bold=True),
        Text(" "),
        Text("all", bold=True, italic=True),
        Text("."),
    )


def test_markup_code_links_autolinks_and_breaks():
    assert content("Use `x | y` at [the *annex*](#annex-a) or <https://example.org/a>  \nnext\nline\n") == (
        Text("Use "),
        Text("x | y", code=True),
        Text(" at "),
        Link("#annex-a", (Text("the "), Text("annex", italic=True))),
        Text(" or "),
        Link("https://example.org/a", (Text("https://example.org/a"),)),
        LineBreak(),
        Text("next line"),
    )


def test_markup_internal_link_matches_non_ascii_anchor():
    doc = read("## Çavuşoğlu {#çavuşoğlu}\n\nSee [him](#çavuşoğlu).\n")
    heading, paragraph = doc.blocks
    assert paragraph.content[1] == Link(f"#{heading.anchor}", (Text("him"),))


def test_markup_backslash_hard_break_is_a_line_break():
    assert content("one\\\ntwo\n") == (Text("one"), LineBreak(), Text("two"))


def test_markup_escapes_and_raw_html_are_literal_text():
    assert content("\\*not\\* \\[x\\] \\{y\\} <b>bold?</b> &amp; <!-- c -->\n") == (
        Text("*not* [x] {y} <b>bold?</b> & <!-- c -->"),
    )


def test_markup_html_block_is_literal_text():
    assert content("<div>\n*x*\n</div>\n") == (Text("<div> "), Text("x", italic=True), Text(" </div>"))


def test_markup_adjacent_runs_with_same_format_are_merged():
    # text, escapes, entities and soft breaks arrive as separate tokens; one run comes out
    assert content("a \\* b\nc &copy; d\n") == (Text("a * b c © d"),)


@pytest.mark.parametrize(
    "text",
    [
        "Mevlüt Çavuşoğlu and Сергей Лавров",
        "أنقرة وموسكو",  # Arabic
        "ירושלים",  # Hebrew
        "安卡拉会谈 / 앙카라",
        "e\u0301 (combining acute) and \u200d joiner",
        "🇹🇷🇷🇺 👩🏽‍💼",
    ],
)
def test_markup_unicode_round_trips_unchanged(text):
    assert content(text + "\n") == (Text(text),)


# ---------------------------------------------------------------------------------------------
# Spans


def test_markup_span_gives_text_with_classes_inside_formatting():
    assert content("RAG: [**Red** *now*]{.rag-red .strong} done\n") == (
        Text("RAG: "),
        Text("Red", bold=True, classes=("rag-red", "strong")),
        Text(" ", classes=("rag-red", "strong")),
        Text("now", italic=True, classes=("rag-red", "strong")),
        Text(" done"),
    )


def test_markup_nested_spans_and_link_attributes_accumulate_classes():
    assert content("[(U) [x]{.inner}]{.portion} [site](https://e.org){.source}\n") == (
        Text("(U) ", classes=("portion",)),
        Text("x", classes=("portion", "inner")),
        Text(" "),
        Link("https://e.org", (Text("site", classes=("source",)),)),
    )


def test_markup_paragraph_of_one_span_takes_its_classes():
    block = only(read("[Source: FCO, 2018]{.source}\n"))
    assert block == Paragraph((Text("Source: FCO, 2018", classes=("source",)),), classes=("source",))
    two = only(read("[a]{.x}[b]{.y}\n"))
    assert two.classes == ()


# ---------------------------------------------------------------------------------------------
# Footnotes


def test_markup_footnote_refs_keep_original_labels_per_occurrence():
    doc = read(
        """
        Claim[^TASS-2018] and again[^TASS-2018], plus[^2].

        [^TASS-2018]: TASS, *13 August 2018*.

            Second paragraph of the note.

        [^2]: Reuters.
        """
    )
    assert doc.blocks == (
        Paragraph(
            (
                Text("Claim"),
                FootnoteRef("TASS-2018"),
                Text(" and again"),
                FootnoteRef("TASS-2018"),
                Text(", plus"),
                FootnoteRef("2"),
                Text("."),
            )
        ),
    )
    assert doc.footnotes == {
        "TASS-2018": (
            Paragraph((Text("TASS, "), Text("13 August 2018", italic=True), Text("."))),
            Paragraph((Text("Second paragraph of the note."),)),
        ),
        "2": (Paragraph((Text("Reuters."),)),),
    }


def test_markup_footnote_inside_table_cell_and_list():
    doc = read(
        """
        - item[^a]

        | h |
        |---|
        | cell[^a] |

        [^a]: Source.
        """
    )
    listing, table = doc.blocks
    assert listing.items[0].blocks[0].content == (Text("item"), FootnoteRef("a"))
    assert table.body[0][0] == Cell((Text("cell"), FootnoteRef("a")))
    assert set(doc.footnotes) == {"a"}


# ---------------------------------------------------------------------------------------------
# Lists


def test_markup_nested_lists_and_ordered_start():
    listing = only(
        read(
            """
            3. Third
               - sub *one*
               - sub two
            4. Fourth
            """
        )
    )
    assert isinstance(listing, ListBlock) and listing.ordered and listing.start == 3
    first, second = listing.items
    assert first.blocks[0] == Paragraph((Text("Third"),))
    nested = first.blocks[1]
    assert isinstance(nested, ListBlock) and not nested.ordered and nested.start == 1
    assert [plain_text(i.blocks[0].content) for i in nested.items] == ["sub one", "sub two"]
    assert second.blocks == (Paragraph((Text("Fourth"),)),)


# ---------------------------------------------------------------------------------------------
# Tables


def test_markup_pipe_table_header_body_and_alignment():
    table = only(
        read(
            """
            | Risk | Score | Owner | Note |
            |:-----|:-----:|------:|------|
            | **R1** | 12 | Desk | a \\| b |
            | R2 | [5]{.rag-amber} | | |
            """
        )
    )
    assert table == Table(
        header=(
            (Cell((Text("Risk"),)), Cell((Text("Score"),)), Cell((Text("Owner"),)), Cell((Text("Note"),))),
        ),
        body=(
            (
                Cell((Text("R1", bold=True),)),
                Cell((Text("12"),)),
                Cell((Text("Desk"),)),
                Cell((Text("a | b"),)),
            ),
            (Cell((Text("R2"),)), Cell((Text("5", classes=("rag-amber",)),)), Cell(()), Cell(())),
        ),
        aligns=("left", "center", "right", None),
    )


# ---------------------------------------------------------------------------------------------
# Fenced divs


def test_markup_named_and_braced_divs():
    doc = read(
        """
        ::: notes
        Say this.
        :::

        ::: {.bluf .boxed #b}
        Bottom line.
        :::
        """
    )
    assert doc.blocks == (
        Div(("notes",), (Paragraph((Text("Say this."),)),)),
        Div(("bluf", "boxed"), (Paragraph((Text("Bottom line."),)),)),
    )


def test_markup_div_holding_only_a_table_becomes_the_table():
    table = only(
        read(
            """
            ::: {.risks}
            | A | B |
            |---|---|
            | 1 | 2 |
            :::
            """
        )
    )
    assert isinstance(table, Table)
    assert table.classes == ("risks",)
    assert table.body == ((Cell((Text("1"),)), Cell((Text("2"),))),)


def test_markup_div_with_table_and_more_stays_a_div():
    div = only(read("::: sources\nIntro.\n\n| A |\n|---|\n| 1 |\n:::\n"))
    assert isinstance(div, Div) and div.classes == ("sources",)
    assert [type(b) for b in div.blocks] == [Paragraph, Table]


def test_markup_nested_divs_with_equal_fences():
    doc = read(
        """
        ::: left
        ::: notes
        Inner.
        :::
        Still left.
        :::

        After.
        """
    )
    assert doc.blocks == (
        Div(("left",), (Div(("notes",), (Paragraph((Text("Inner."),)),)), Paragraph((Text("Still left."),)))),
        Paragraph((Text("After."),)),
    )


def test_markup_bare_colons_and_bad_div_headers_are_text():
    assert only(read("::: two words\n")) == Paragraph((Text("::: two words"),))
    assert only(read(":::\n")) == Paragraph((Text(":::"),))


# ---------------------------------------------------------------------------------------------
# Page breaks and special fenced blocks


def test_markup_thematic_breaks_are_page_breaks():
    doc = read("Body.\n\n***\n\n# Annex A\n\n---\n\nEnd.\n")
    assert [type(b) for b in doc.blocks] == [Paragraph, PageBreak, Heading, PageBreak, Paragraph]


def test_markup_toc_block_with_and_without_json():
    doc = read('```toc\n```\n\n```toc\n{"levels": [1], "title": "Annexes"}\n```\n')
    assert doc.blocks == (TableOfContents(), TableOfContents(levels=(1,), title="Annexes"))


def test_markup_toc_wrong_field_type_is_located():
    err = problem('Intro.\n\n```toc\n{"levels": "1"}\n```\n', source="deck.md")
    assert str(err) == "deck.md:3: toc block: levels: expected a list, got a string"


RISK_JSON = """\
{"risks": [
  {"id": "R1", "title": "Sanctions spill-over", "likelihood": 4, "impact": 4, "score": 16, "rag": "red"},
  {"id": "R2", "title": "Press leak", "likelihood": 2, "impact": 3, "score": 6, "rag": "amber"}
 ],
 "red_from": 15, "amber_from": 6}
"""


def test_markup_risk_matrix_block():
    matrix = only(read_markdown("```risk-matrix\n" + RISK_JSON + "```\n"))
    assert matrix == RiskMatrix(
        risks=(
            RiskPoint("R1", "Sanctions spill-over", 4, 4, 16, "red"),
            RiskPoint("R2", "Press leak", 2, 3, 6, "amber"),
        ),
        red_from=15,
        amber_from=6,
    )


def test_markup_risk_matrix_invalid_json_reports_line():
    text = '# Risks\n\nIntro.\n\n```risk-matrix\n{"risks": [\n  {"id": "R1" "title": "x"}\n]}\n```\n'
    with pytest.raises(TemplateProblem) as caught:
        read_markdown(text, source="memo.md")
    message = str(caught.value)
    assert message.startswith("memo.md:7: risk-matrix block: invalid JSON: Expecting ',' delimiter")
    assert caught.value.problems[0].line == 7


@pytest.mark.parametrize(
    "risk, expected",
    [
        (
            '{"id": "R1", "title": "t", "likelihood": "4", "impact": 1, "score": 4, "rag": "green"}',
            "risks[0].likelihood: expected an integer, got a string",
        ),
        (
            '{"id": "R1", "title": "t", "likelihood": 6, "impact": 1, "score": 6, "rag": "amber"}',
            "risks[0].likelihood: 6 is not between 1 and 5",
        ),
        (
            '{"id": "R1", "title": "t", "likelihood": true, "impact": 1, "score": 1, "rag": "green"}',
            "risks[0].likelihood: expected an integer, got a boolean",
        ),
        (
            '{"id": "R1", "title": "t", "likelihood": 1, "impact": 1, "score": 1, "rag": "RED"}',
            "risks[0].rag: 'RED' is not one of red, amber, green",
        ),
        (
            '{"id": "R1", "title": "t", "likelihood": 1, "impact": 1, "score": 1}',
            "risks[0]: missing field 'rag'",
        ),
    ],
)
def test_markup_risk_matrix_wrong_fields_are_rejected(risk, expected):
    err = problem(f'Text.\n\n```risk-matrix\n{{"risks": [{risk}]}}\n```\n')
    assert str(err) == f"memo.md:3: risk-matrix block: {expected}"


def test_markup_timeline_block():
    block = only(
        read(
            """
            ```timeline
            {"events": [{"date": "2018-08-10", "label": "Lira falls 16%", "highlight": true},
                        {"date": "2018-08-13", "label": "Çavuşoğlu meets Лавров"}]}
            ```
            """
        )
    )
    assert block == Timeline(
        (
            TimelineEvent("2018-08-10", "Lira falls 16%", True),
            TimelineEvent("2018-08-13", "Çavuşoğlu meets Лавров"),
        )
    )


def test_markup_timeline_errors_are_located():
    err = problem('# Chronology\n\n```timeline\n{"events": [{"date": "2018", "label": 3}]}\n```\n')
    assert str(err) == "memo.md:3: timeline block: events[0].label: expected a string, got a number"
    err = problem('```timeline\n{"events": [\n{"date": "2018",\n"label": "x",}]}\n```\n')
    assert re.match(r"memo\.md:4: timeline block: invalid JSON: ", str(err))


def test_markup_other_code_blocks_become_code_lines():
    doc = read("```python\nx = 1\n\n  y = 2\n```\n\n    indented\n")
    code = Paragraph((Text("x = 1", code=True), LineBreak(), LineBreak(), Text("  y = 2", code=True)))
    assert doc.blocks == (code, Paragraph((Text("indented", code=True),)))


def test_markup_blockquote_and_image_keep_their_text():
    doc = read("> quoted *x*\n\n![Map of Ankara](map.png)\n")
    assert doc.blocks == (
        Div(("blockquote",), (Paragraph((Text("quoted "), Text("x", italic=True))),)),
        Paragraph((Text("Map of Ankara"),)),
    )


# ---------------------------------------------------------------------------------------------
# escape_markdown


@pytest.mark.parametrize(
    "text",
    [
        "*bold* _it_ `code` [link](x) ![img](y) <https://x> <b>",
        "{{ 7*7 }} {% raw %} {#id .c}",
        "::: notes",
        "- not a list",
        "1. not a list",
        "# not a heading",
        "> not a quote",
        "---",
        "| not | a | table |",
        "[^1] not a footnote",
        "[x]{.rag-red}",
        "&amp; &copy;",
        "back\\slash\\",
        "    four spaces",
        "tab\tinside",
    ],
)
def test_markup_escape_markdown_reads_back_literally(text):
    doc = read_markdown(escape_markdown(text))
    assert doc.blocks == (Paragraph((Text(text.strip()),)),)


def test_markup_escape_markdown_joins_lines_and_keeps_letters():
    assert escape_markdown("line one\r\nline two\nthree") == "line one line two three"
    assert escape_markdown("Çavuşoğlu — Лавров") == "Çavuşoğlu — Лавров"


def test_markup_escaped_text_in_heading_with_attributes_and_list():
    doc = read_markdown(f"## {escape_markdown('Cost {high}')} {{#cost}}\n\n- {escape_markdown('- x {.y}')}\n")
    heading, listing = doc.blocks
    assert heading == Heading(2, (Text("Cost {high}"),), anchor="cost")
    assert listing.items[0].blocks == (Paragraph((Text("- x {.y}"),)),)


def _normalised(text: str) -> str:
    """What a Markdown paragraph keeps of `text`: newlines become spaces, ends are trimmed."""
    return re.sub(r"\r\n|\r|\n", " ", text).replace("\0", "\ufffd").strip()


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_markup_escape_markdown_paragraph_round_trip(text):
    doc = read_markdown(escape_markdown(text))
    expected = _normalised(text)
    if not expected:
        assert doc.blocks == ()
        return
    block = only(doc)
    assert isinstance(block, Paragraph)
    assert plain_text(block.content) == expected
    assert all(
        isinstance(node, Text) and not (node.bold or node.italic or node.code) for node in block.content
    )


@settings(max_examples=300, deadline=None)
@given(st.text(), st.text())
def test_markup_escape_markdown_table_cell_round_trip(first, second):
    markdown = f"| A | B |\n|---|---|\n| {escape_markdown(first)} | {escape_markdown(second)} |\n"
    table = only(read_markdown(markdown))
    assert isinstance(table, Table)
    assert len(table.body) == 1
    assert [plain_text(cell.content) for cell in table.body[0]] == [_normalised(first), _normalised(second)]


def test_read_markdown_unclosed_div_is_a_located_error():
    text = "## Slide\n\n::: notes\nTalking points.:::\n\n## Next slide\n"
    with pytest.raises(TemplateProblem) as caught:
        read_markdown(text, source="deck.md")
    [problem] = caught.value.problems
    assert (problem.file, problem.line) == ("deck.md", 3)
    assert "fenced div '::: notes' is never closed" in problem.message


def test_read_markdown_undefined_footnote_reference_is_a_located_warning():
    text = textwrap.dedent(
        """\

        Intro cites [^seed] properly.

        Then [^seeed] by mistake, twice: [^seeed].

        Escaped \\[^literal] and `[^code]` are meant as text.

        [^seed]: The report.
        """
    )
    warnings: list = []
    document = read_markdown(text, source="x-memo.md", warnings=warnings)
    assert [(w.file, w.line, w.severity) for w in warnings] == [("x-memo.md", 4, "warning")]
    assert "[^seeed] has no definition" in warnings[0].message
    # The document is unchanged by the warning: the reference stays literal text.
    second = document.blocks[1]
    assert isinstance(second, Paragraph) and "[^seeed]" in "".join(
        node.text for node in second.content if isinstance(node, Text)
    )


def test_read_markdown_without_sink_still_reads_undefined_references_as_text():
    document = read_markdown("A [^missing] note.\n")
    [paragraph] = document.blocks
    assert isinstance(paragraph, Paragraph) and paragraph.content[0].text == "A [^missing] note."
