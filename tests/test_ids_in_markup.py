"""Issue 16, kind 4: nothing taken from the facts is pasted into the markup's attribute or
directive syntax unescaped. Every character the id rules allow (lower-case letters, digits, `.`,
`_`, `-`, a digit first) is tried in every kind of id the templates print or build anchors and
footnote labels from."""

from __future__ import annotations

import copy
from pathlib import Path

import docx
import pytest
import yaml

from briefgen.cli import main
from briefgen.facts import load_facts
from briefgen.markup import read_markdown
from briefgen.model import Div, Document, Heading, ListBlock, Paragraph, Table, plain_text
from briefgen.template_functions import heading_anchor
from briefgen.templating import TemplateSet, render_templates

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT.parent / "shared" / "cases"
MINIMAL = yaml.safe_load((ROOT / "tests" / "fixtures" / "minimal.yaml").read_text(encoding="utf-8"))
TEMPLATES = TemplateSet()

# Ids the rules allow whose characters mean something in Markdown or in attribute lists:
# a dot (ends the {#id} shorthand, starts a class), a digit and a dot (an ordered-list marker),
# underscores (emphasis), hyphens (a list marker, pandoc's "-" = .unnumbered), runs of them.
IDS = ["river.treaty", "1.", "2024.1", "a..b", "x__y__", "a_b_", "z-", "9-1", "0", "a.b_c-d."]


def _briefing_with(tmp_path: Path, ident: str) -> Path:
    data = copy.deepcopy(MINIMAL)
    data["agenda"][0]["id"] = ident
    data["agenda"][0]["background"] = [ident]
    data["agenda"][0]["points"][0]["facts"] = [ident]
    data["agenda"][0]["risks"] = [ident]
    data["facts"][0]["id"] = ident
    data["risks"][0]["id"] = ident
    data["sources"][0]["id"] = ident
    data["sources"][0]["note"] = "A note on the source."
    data["facts"][0]["sources"] = [ident]
    data["people"][0]["id"] = ident
    data["meeting"]["participants"] = [ident, "counterpart"]
    path = tmp_path / "brief.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _walk(blocks):
    for block in blocks:
        yield block
        if isinstance(block, Div):
            yield from _walk(block.blocks)
        elif isinstance(block, ListBlock):
            for item in block.items:
                yield from _walk(item.blocks)


def _texts(document: Document) -> list[str]:
    out = []
    for block in _walk(document.blocks):
        if isinstance(block, Heading | Paragraph):
            out.append(plain_text(block.content))
        elif isinstance(block, Table):
            out.extend(plain_text(c.content) for row in block.header + block.body for c in row)
    return out


def _documents(path: Path) -> tuple[Document, Document, list]:
    warnings: list = []
    loaded = load_facts(path)
    markdown = render_templates(loaded.briefing, TEMPLATES, ("memo", "deck"))
    memo = read_markdown(markdown["memo"], source="memo.md", warnings=warnings)
    deck = read_markdown(markdown["deck"], source="deck.md", warnings=warnings)
    return memo, deck, warnings


@pytest.mark.parametrize("ident", IDS)
def test_templates_every_allowed_id_becomes_an_anchor_never_heading_text(ident, tmp_path):
    memo, deck, warnings = _documents(_briefing_with(tmp_path, ident))
    assert warnings == []  # e.g. no footnote label broken by the id
    headings = [b for b in _walk(memo.blocks) if isinstance(b, Heading)]
    anchors = {h.anchor: plain_text(h.content) for h in headings if h.anchor}
    assert anchors[f"agenda-{ident}"] == "1. Trade (certain)"
    assert anchors[f"background-{ident}"] == "Trade"
    for text in _texts(memo) + _texts(deck):
        assert "{" not in text and "id=" not in text, text
    # The deck prints no ids (issue 13: ids are for authors); what they name reads back whole.
    deck_text = "\n".join(_texts(deck))
    assert "Talks fail" in deck_text and "A note on the source." in deck_text
    if any(c.isalpha() for c in ident):
        assert ident not in deck_text
    # Footnotes: the label built from the source id resolves to the citation.
    assert memo.footnotes and all(memo.footnotes.values())


@pytest.mark.parametrize(
    ("ident", "expected"),
    [
        ("river.treaty", '{id="agenda-river.treaty"}'),
        ('a"b', '{id="agenda-a%22b"}'),
        ("a}b{", '{id="agenda-a%7Db%7B"}'),
        ("a b\\", '{id="agenda-a%20b%5C"}'),
        ("50%", '{id="agenda-50%25"}'),
    ],
)
def test_templating_heading_anchor_quotes_and_encodes(ident, expected):
    assert heading_anchor(ident, "agenda") == expected
    document = read_markdown(f"## Title {expected}\n")
    heading = document.blocks[0]
    assert isinstance(heading, Heading) and plain_text(heading.content) == "Title"
    assert heading.anchor == expected[len('{id="') : -2]


def test_build_case_18_agenda_id_with_dot_gives_bookmarked_headings(tmp_path, capsys):
    case = CASES / "18-agenda-id-with-dot.yaml"
    if not case.exists():
        pytest.skip("../shared/cases is not beside this clone")
    out = tmp_path / "out"
    assert main(["build", str(case), "-o", str(out), "--format", "docx", "-j", "1"]) == 0, capsys.readouterr()
    word = docx.Document(str(out / f"{case.stem}-memo.docx"))
    texts = [p.text for p in word.paragraphs]
    assert "1. The river treaty (certain)" in texts and "The river treaty" in texts
    assert not any("{" in t or "agenda-" in t for t in texts)
    body = word.element.body
    names = {b.get(docx.oxml.ns.qn("w:name")) for b in body.iter(docx.oxml.ns.qn("w:bookmarkStart"))}
    assert {"agenda_river_treaty", "background_river_treaty"} <= names
