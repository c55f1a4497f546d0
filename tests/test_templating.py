"""Templates render the briefing to Markdown the markup reader accepts."""

from __future__ import annotations

import signal

import pytest

from briefgen import template_limits
from briefgen.errors import TemplateProblem
from briefgen.facts import load_facts
from briefgen.markup import read_markdown
from briefgen.model import Div, FootnoteRef, Heading, ListBlock, Paragraph, RiskMatrix, Table, plain_text
from briefgen.template_functions import format_date, format_when
from briefgen.templating import TemplateSet
from tests.conftest import EXAMPLE, MEMO_SECTIONS


@pytest.fixture(scope="module")
def example():
    return load_facts(EXAMPLE).briefing


@pytest.fixture(scope="module")
def memo(example):
    return read_markdown(TemplateSet().render("memo", example), source="memo.md")


@pytest.fixture(scope="module")
def deck(example):
    return read_markdown(TemplateSet().render("deck", example), source="deck.md")


def headings(doc, level):
    return [plain_text(b.content) for b in doc.blocks if isinstance(b, Heading) and b.level == level]


def test_render_memo_sections_follow_the_trade_order(memo):
    assert headings(memo, 1) == ["MEETING BRIEF", *MEMO_SECTIONS]


def test_render_memo_orders_agenda_by_certainty(memo):
    points = [h for h in headings(memo, 2) if h[:2] in ("1.", "2.", "3.", "4.")]
    assert points[-1] == "4. The humanitarian situation in Idlib (possible)"  # the only 'possible' item


def test_render_memo_metadata_and_marking(memo, example):
    assert memo.meta.marking == "UNCLASSIFIED"
    assert memo.meta.as_of == "10 August 2018"
    assert memo.meta.language == "en-GB"
    assert "Sergey Lavrov" in memo.meta.keywords


def test_render_memo_risk_table_rows_carry_rag_classes(memo, example):
    body_table, annex_table = [b for b in memo.blocks if isinstance(b, Table) and "risks" in b.classes]
    ranked = sorted(example.risks, key=lambda r: -r.score)
    numbered = [f"{k}. {r.title}" for k, r in enumerate(ranked, start=1)]
    assert [plain_text(row[0].content) for row in body_table.body] == numbered
    assert [row[4].content[0].classes for row in body_table.body] == [(f"rag-{r.rag}",) for r in ranked]
    # The annex register numbers the risks as the body does (the heat map shows the numbers),
    # and prints no ids.
    assert [plain_text(row[0].content) for row in annex_table.body] == numbered
    annex_text = " ".join(plain_text(c.content) for row in annex_table.body for c in row)
    assert not any(f"({r.id})" in annex_text for r in ranked)
    assert "idlib-offensive" not in annex_text and "s400-allies" not in annex_text
    assert plain_text(annex_table.body[0][4].content).startswith(ranked[0].mitigation)


def test_render_memo_judgments_print_range_and_separate_confidence(memo):
    idx = next(
        i
        for i, b in enumerate(memo.blocks)
        if isinstance(b, Heading) and plain_text(b.content) == "Key judgments"
    )
    items = memo.blocks[idx + 1]
    assert isinstance(items, ListBlock)
    first = plain_text(items.items[0].blocks[0].content)
    assert first.startswith("Likely (55–80%): ")
    # Confidence is its own sentence, not the likelihood sentence.
    assert first.endswith("Confidence: moderate.")


def test_render_memo_cites_only_defined_footnotes(memo):
    refs = [node.label for block in memo.blocks for node in _inlines(block) if isinstance(node, FootnoteRef)]
    # One note per reference, numbered in document order, each defined.
    assert refs == [str(k) for k in range(1, len(refs) + 1)]
    assert set(memo.footnotes) == set(refs)


def test_render_memo_risk_matrix_matches_scores(memo, example):
    [matrix] = [b for b in memo.blocks if isinstance(b, RiskMatrix)]
    assert {(p.id, p.score, p.rag) for p in matrix.risks} == {(r.id, r.score, r.rag) for r in example.risks}


def test_render_deck_has_a_slide_per_agenda_item_with_notes(deck, example):
    slides = [b for b in deck.blocks if isinstance(b, Heading) and b.level == 2]
    titles = [plain_text(h.content) for h in slides]
    for item in example.agenda:
        assert item.headline in titles
    notes = [b for b in deck.blocks if isinstance(b, Div) and "notes" in b.classes]
    assert len(notes) >= len(example.agenda)


def test_render_fact_text_is_data_not_template_code(write_facts, minimal_yaml):
    text = minimal_yaml.replace("Trade grew last year.", "'{{ 7*7 }} and {% raw %} *stars* [x]{.y}'")
    briefing = load_facts(write_facts(text)).briefing
    doc = read_markdown(TemplateSet().render("memo", briefing))
    texts = [plain_text(b.items[0].blocks[0].content) for b in doc.blocks if isinstance(b, ListBlock)]
    assert "{{ 7*7 }} and {% raw %} *stars* [x]{.y}" in texts


def test_render_user_template_shadows_builtin(tmp_path, write_facts, minimal_yaml):
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "memo.md.j2").write_text(
        '---\n{"title": "x"}\n---\n\n# Custom {{ b.title | md }}\n', encoding="utf-8"
    )
    briefing = load_facts(write_facts(minimal_yaml)).briefing
    doc = read_markdown(TemplateSet(tmp_path / "tpl").render("memo", briefing))
    assert headings(doc, 1) == ["Custom Minimal briefing"]
    # The deck still comes from the built-in template.
    assert "Bottom line" in TemplateSet(tmp_path / "tpl").render("deck", briefing)


def test_render_undefined_name_names_template_and_line(tmp_path, write_facts, minimal_yaml):
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "memo.md.j2").write_text("line one\n{{ b.no_such_field }}\n", encoding="utf-8")
    briefing = load_facts(write_facts(minimal_yaml)).briefing
    with pytest.raises(TemplateProblem) as caught:
        TemplateSet(tmp_path / "tpl").render("memo", briefing)
    assert "memo.md.j2:2" in str(caught.value)
    assert "no_such_field" in str(caught.value)


def test_render_endless_loop_is_stopped_at_its_line(tmp_path, write_facts, minimal_yaml):
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "memo.md.j2").write_text(
        "# Memo\n\n{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}\n",
        encoding="utf-8",
    )
    briefing = load_facts(write_facts(minimal_yaml)).briefing
    previous = signal.getsignal(signal.SIGALRM)
    with pytest.raises(TemplateProblem) as caught:
        TemplateSet(tmp_path / "tpl").render("memo", briefing, timeout=0.3)
    assert "memo.md.j2:3: template stopped after 0.3 s" in str(caught.value)
    # No alarm is left running and the previous handler is back.
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is previous
    # The deck, rendered after the stopped memo, is not cut short.
    assert "Bottom line" in TemplateSet(tmp_path / "tpl").render("deck", briefing)


def test_render_runaway_output_is_stopped_by_memory_at_its_line(
    tmp_path, write_facts, minimal_yaml, monkeypatch
):
    """A loop that prints (here from inside a macro, which gathers its output in a list) fills
    memory long before the time limit: it is stopped when the process has grown too much."""
    monkeypatch.setattr(template_limits, "MAX_RENDER_GROWTH", 64 << 20)
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "loops.md.j2").write_text(
        "{% macro spin() %}\n{% for i in range(100000) %}{% for j in range(100000) %}{{ j }}\n"
        "{% endfor %}{% endfor %}{% endmacro %}\n",
        encoding="utf-8",
    )
    (tmp_path / "tpl" / "memo.md.j2").write_text(
        '# Memo\n\n{% from "loops.md.j2" import spin %}\n{{ spin() }}\n', encoding="utf-8"
    )
    briefing = load_facts(write_facts(minimal_yaml)).briefing
    with pytest.raises(TemplateProblem) as caught:
        TemplateSet(tmp_path / "tpl").render("memo", briefing, timeout=600)
    assert "loops.md.j2:2: template stopped at the memory limit" in str(caught.value)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_render_compiled_templates_are_cached_in_the_cache_folder_given(tmp_path, example):
    TemplateSet(cache_dir=tmp_path / "cache").render("memo", example)
    entries = list((tmp_path / "cache" / "templates").glob("*.cache"))
    assert entries  # memo.md.j2 and the macros it imports
    # A second set (a new process, in effect) reads them back: the same Markdown.
    cached = TemplateSet(cache_dir=tmp_path / "cache")
    assert cached.render("memo", example) == TemplateSet().render("memo", example)
    assert sorted((tmp_path / "cache" / "templates").glob("*.cache")) == sorted(entries)


def test_render_portion_marks_when_marking_asks(write_facts, minimal_yaml):
    text = minimal_yaml.replace("  level: OFFICIAL", "  level: OFFICIAL\n  portion_marks: true")
    briefing = load_facts(write_facts(text)).briefing
    doc = read_markdown(TemplateSet().render("memo", briefing))
    bluf = next(b for b in doc.blocks if isinstance(b, Div) and "bluf" in b.classes)
    first = bluf.blocks[0]
    assert isinstance(first, Paragraph)
    assert first.content[0].text == "(O)" and first.content[0].classes == ("portion",)


def test_format_date_and_range():
    from datetime import date

    assert format_date("2017-01") == "January 2017"
    assert format_date("2018-08-09") == "9 August 2018"
    assert format_date("2017") == "2017"
    # Days, as templates print them (`meeting_when`): a range within a month and across two.
    assert format_when(date(2018, 8, 13), date(2018, 8, 14)) == "13–14 August 2018"
    assert format_when(date(2018, 7, 31), date(2018, 8, 1)) == "31 July – 1 August 2018"


def _inlines(block):
    if isinstance(block, (Paragraph, Heading)):
        yield from block.content
    elif isinstance(block, ListBlock):
        for item in block.items:
            for sub in item.blocks:
                yield from _inlines(sub)
    elif isinstance(block, Div):
        for sub in block.blocks:
            yield from _inlines(sub)
    elif isinstance(block, Table):
        for row in (*block.header, *block.body):
            for cell in row:
                yield from cell.content


def test_render_meeting_when_prints_start_and_end_in_the_meeting_time_zone():
    from datetime import UTC, date, datetime, timedelta, timezone

    from briefgen.template_functions import format_when

    ankara = timezone(timedelta(hours=3))
    start = datetime(2018, 8, 13, 10, 30, tzinfo=ankara)
    assert format_when(start, datetime(2018, 8, 13, 11, 30, tzinfo=ankara)) == (
        "13 August 2018, 10:30–11:30 (UTC+03:00)"
    )
    # An end given in another zone is shown in the meeting's own.
    end_utc = datetime(2018, 8, 13, 8, 30, tzinfo=UTC)
    assert format_when(start, end_utc) == "13 August 2018, 10:30–11:30 (UTC+03:00)"
    assert format_when(start, datetime(2018, 8, 14, 9, 0, tzinfo=ankara)) == (
        "13 August 2018, 10:30 – 14 August 2018, 09:00 (UTC+03:00)"
    )
    assert format_when(start, None) == "13 August 2018, 10:30 (UTC+03:00)"
    assert format_when(date(2018, 8, 13), date(2018, 8, 14)) == "13–14 August 2018"


def test_render_memo_groups_if_raised_lines_under_their_agenda_item(memo, example):
    ordered = sorted(example.agenda, key=lambda a: ("certain", "possible", "unlikely").index(a.likelihood))
    tables = [b for b in memo.blocks if isinstance(b, Table) and "if-raised" in b.classes]
    assert len(tables) == len([a for a in ordered if a.if_raised])
    for item in ordered:
        start = next(
            i for i, b in enumerate(memo.blocks) if isinstance(b, Heading) and b.anchor == f"agenda-{item.id}"
        )
        end = next(i for i, b in enumerate(memo.blocks[start + 1 :], start + 1) if isinstance(b, Heading))
        within = [b for b in memo.blocks[start:end] if isinstance(b, Table) and "if-raised" in b.classes]
        questions = [plain_text(row[0].content) for t in within for row in t.body]
        assert questions == [q.question for q in item.if_raised]


def test_render_memo_participants_show_human_side_labels(memo):
    table = next(b for b in memo.blocks if isinstance(b, Table) and "participants" in b.classes)
    sides = {plain_text(row[2].content).replace("\u00a0", " ") for row in table.body}
    assert sides == {"Our side", "Their side", "Third party"}


@pytest.mark.parametrize(
    ("source", "line", "says"),
    [
        ("line one\n{{ ''.__class__.__mro__ }}\n", 2, "sandbox forbids"),  # SecurityError
        ("# Memo\n\n{% include 'elsewhere.md.j2' %}\n", 3, "template not found"),  # TemplateNotFound
        ("# Memo\n{{ 1 // 0 }}\n", 2, "division or modulo by zero"),  # any exception of an expression
    ],
)
def test_render_template_problem_carries_file_and_line_as_fields(
    source, line, says, tmp_path, write_facts, minimal_yaml
):
    """Every template problem is located in its fields, not only in its message text."""
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "memo.md.j2").write_text(source, encoding="utf-8")
    briefing = load_facts(write_facts(minimal_yaml)).briefing
    with pytest.raises(TemplateProblem) as caught:
        TemplateSet(tmp_path / "tpl").render("memo", briefing)
    [problem] = caught.value.problems
    assert problem.file.endswith("memo.md.j2") and problem.line == line, problem
    assert says in problem.message, problem
    assert problem.format().startswith(f"{problem.file}:{line}:")
