"""Source notes: one note per cited passage, formatted by a CSL style through citeproc-py."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefgen.citations import NoteCitations, load_style, tidy_punctuation
from briefgen.errors import ReferenceFileProblem
from briefgen.facts import load_facts
from briefgen.markup import read_markdown
from briefgen.model import FootnoteRef, Paragraph, plain_text
from briefgen.templating import TemplateSet
from tests.conftest import EXAMPLE

HERE = Path(__file__).resolve().parent
MINIMAL = HERE / "fixtures" / "minimal.yaml"

SOURCES = [
    {
        "id": "aa",
        "title": "Turkey, Russia FMs meet in Ankara",
        "short_title": "FMs meet in Ankara",
        "publisher": "Anadolu Agency",
        "date": "2018-08-14",
        "url": "https://www.aa.com.tr/en/example",
        "grade": "B2",
    },
    {
        "id": "cable",
        "title": "Idlib: state of play.",
        "publisher": "Embassy Damascus",
        "date": "2018-08-10",
        "reference": "DAMASCUS 2018-0117.",
        "type": "diplomatic",
    },
    {
        "id": "q",
        "title": "Is Idlib next?",
        "publisher": "Reuters",
        "date": "2017-05-04",
        "reference": "Filed 4 May 2017.",
    },
]
FACTS = [
    {"id": "one", "statement": "One.", "sources": ["aa"]},
    {"id": "two", "statement": "Two.", "sources": ["cable", "aa"]},
    {"id": "three", "statement": "Three.", "sources": ["q"]},
    {"id": "four", "statement": "Four.", "sources": ["aa", "cable", "q"]},
]


def _briefing(tmp_path: Path, **output: object):  # type: ignore[no-untyped-def]
    data = yaml.safe_load(MINIMAL.read_text(encoding="utf-8"))
    data["sources"] = SOURCES
    data["facts"] = FACTS
    data["agenda"][0]["points"] = [{"text": "Trade.", "facts": ["one"]}]
    data["objectives"]["ours"] = [{"text": "Agree next steps.", "facts": ["one"]}]
    data["output"] = {"language": "en-GB", **output}
    path = tmp_path / "brief.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_facts(path).briefing


def test_citations_full_note_first_then_short_form_and_no_ibid(tmp_path: Path) -> None:
    notes = NoteCitations(_briefing(tmp_path), load_style(None, "en-GB"))
    first = notes.format(["aa"])
    again = notes.format(["aa"])
    assert first == (
        "Anadolu Agency, ‘Turkey, Russia FMs meet in Ankara’, 14 August 2018, grade B2, "
        "[https://www.aa.com.tr/en/example](<https://www.aa.com.tr/en/example>)."  # a link
    )
    assert again == "Anadolu Agency, ‘FMs meet in Ankara’."  # the short title, not "Ibid."


def test_citations_one_note_names_every_source_of_a_passage(tmp_path: Path) -> None:
    notes = NoteCitations(_briefing(tmp_path), load_style(None, "en-GB"))
    assert notes.cite(["two", "one"]) == "[^1]"  # two facts, two sources: one note
    assert notes.cite(["four"]) == "[^2]"
    first, second = notes.notes
    # Sources in first-cited order; a full stop that ends a field does not double the separator.
    assert first == (
        "Embassy Damascus, ‘Idlib: state of play’, 10 August 2018, DAMASCUS 2018-0117; "
        "Anadolu Agency, ‘Turkey, Russia FMs meet in Ankara’, 14 August 2018, grade B2, "
        "[https://www.aa.com.tr/en/example](<https://www.aa.com.tr/en/example>)."  # a link
    )
    # Sources in the order the document first cited them; short forms for sources cited before,
    # the full form for the new one; a title ending in a question mark takes no comma after it.
    assert second == (
        "Embassy Damascus, ‘Idlib: state of play’; Anadolu Agency, ‘FMs meet in Ankara’; "
        "Reuters, ‘Is Idlib next?’ 4 May 2017, Filed 4 May 2017."
    )
    assert ".." not in second and ".;" not in first + second and ",," not in first + second


def test_citations_cite_each_shares_one_note_per_run_of_same_sources(tmp_path: Path) -> None:
    notes = NoteCitations(_briefing(tmp_path), load_style(None, "en-GB"))
    refs = notes.cite_each(["one", "one", "three", "one", "two"])
    assert refs == ["", "[^1]", "[^2]", "[^3]", "[^4]"]
    assert notes.cite_each([]) == []


@pytest.mark.parametrize(
    ("raw", "tidy"),
    [
        ("A, 4 May 2017..", "A, 4 May 2017."),
        ("Cable 25-0117.; Exercise cell", "Cable 25-0117; Exercise cell"),
        ("‘Is it over?’, Reuters.", "‘Is it over?’ Reuters."),
        ("Acme Inc., report.", "Acme Inc., report."),  # an abbreviation keeps its stop
        ("U.S., report.", "U.S., report."),
        ("Title …, more", "Title …, more"),
        ("a ,b ;c", "a,b;c"),
        ("‘Report one.’, two", "‘Report one’, two"),
    ],
)
def test_citations_tidy_punctuation_for_any_field_ending(raw: str, tidy: str) -> None:
    assert tidy_punctuation(raw) == tidy


def test_citations_punctuation_moves_inside_double_quotes_in_american_usage() -> None:
    assert tidy_punctuation("“Title.”, Reuters.", punctuation_in_quote=True) == "“Title,” Reuters."


IBID_STYLE = """<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="note" version="1.0">
  <info><title>Test ibid</title><id>test-ibid</id><updated>2026-01-01T00:00:00+00:00</updated></info>
  <citation>
    <layout suffix="." delimiter="; ">
      <choose>
        <if position="ibid"><text term="ibid"/></if>
        <else><text variable="title"/></else>
      </choose>
    </layout>
  </citation>
</style>
"""


def test_citations_output_citation_style_names_another_csl_file(tmp_path: Path) -> None:
    (tmp_path / "styles").mkdir()
    (tmp_path / "styles" / "ibid.csl").write_text(IBID_STYLE, encoding="utf-8")
    briefing = _briefing(tmp_path, citation_style="styles/ibid.csl")
    memo = read_markdown(TemplateSet().render("memo", briefing, facts_dir=tmp_path))
    notes = [b for blocks in memo.footnotes.values() for b in blocks]
    texts = [plain_text(b.content) for b in notes if isinstance(b, Paragraph)]
    # This style calls for "Ibid." on an immediate repeat; the bundled one never does.
    assert texts[0] == "Turkey, Russia FMs meet in Ankara."
    assert "Ibid." in texts


def test_citations_refuses_a_file_that_is_not_a_csl_style(tmp_path: Path) -> None:
    bad = tmp_path / "x.csl"
    bad.write_text("<html/>", encoding="utf-8")
    with pytest.raises(ReferenceFileProblem, match="not a CSL style"):
        load_style(bad, "en-GB")
    dtd = tmp_path / "y.csl"
    doctype = '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    dtd.write_text(doctype + IBID_STYLE[39:], encoding="utf-8")
    with pytest.raises(ReferenceFileProblem, match="DOCTYPE"):
        load_style(dtd, "en-GB")
    with pytest.raises(ReferenceFileProblem, match="no such file"):
        load_style(tmp_path / "missing.csl", "en-GB")


def test_citations_worked_example_footnotes_every_cited_passage_once() -> None:
    briefing = load_facts(EXAMPLE).briefing
    memo = read_markdown(TemplateSet().render("memo", briefing, facts_dir=EXAMPLE.parent))
    labels: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, FootnoteRef):
            labels.append(node.label)
        for attr in ("content", "blocks", "items", "header", "body", "children"):
            for child in getattr(node, attr, ()) or ():
                if isinstance(child, tuple):
                    for cell in child:
                        walk(cell)
                else:
                    walk(child)

    for block in memo.blocks:
        walk(block)
    assert len(labels) == len(set(labels))  # one footnote per note
    texts = [plain_text(memo.footnotes[k][0].content) for k in labels]
    # One source: the first note is full, every later one the short form; never "Ibid.".
    assert texts[0].startswith("Publisher not recorded in the copy held, [News report on the")
    assert set(texts[1:]) == {"Publisher not recorded in the copy held, [News report, Ankara, August 2018]."}
    # Objectives and judgments cite their facts too.
    objectives = memo.blocks[[getattr(b, "anchor", None) for b in memo.blocks].index("objectives-ours") + 1]
    assert any(isinstance(n, FootnoteRef) for item in objectives.items for n in item.blocks[0].content)


_FIELD = st.text(alphabet="wxyz 0123456789-/", min_size=1, max_size=20).map(str.strip)  # no abbreviation
_FIELD = _FIELD.filter(bool)
_ENDING = st.sampled_from(["", ".", "..", "?", "!", ".)", ";", ","])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    fields=st.lists(st.tuples(_FIELD, _ENDING, _FIELD, _ENDING, _FIELD, _ENDING), min_size=1, max_size=4),
    repeats=st.lists(st.integers(min_value=0, max_value=3), max_size=4),
)
def test_citations_punctuation_right_for_any_sources_and_any_reference_text(
    tmp_path: Path, fields: list[tuple[str, str, str, str, str, str]], repeats: list[int]
) -> None:
    sources = [
        {
            "id": f"s{k}",
            "title": title + t_end,
            "publisher": publisher + p_end,
            "date": "2018-08-10",
            "reference": reference + r_end,
            "type": "official",
        }
        for k, (title, t_end, publisher, p_end, reference, r_end) in enumerate(fields)
    ]
    data = yaml.safe_load(MINIMAL.read_text(encoding="utf-8"))
    data["sources"] = sources
    data["facts"] = [{"id": "all", "statement": "All.", "sources": [s["id"] for s in sources]}]
    data["agenda"][0]["points"] = [{"text": "Point.", "facts": ["all"]}]
    path = tmp_path / "brief.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    notes = NoteCitations(load_facts(path).briefing, load_style(None, "en-GB"))
    texts = [notes.format([s["id"] for s in sources])]
    texts += [notes.format([sources[r % len(sources)]["id"]]) for r in repeats]  # short forms
    for text in texts:
        plain = text.replace("\\", "")
        assert plain.rstrip("’”»").endswith((".", "?", "!")), plain  # "‘Is it over?’" ends so
        for bad in ("..", ".;", ".,", ",,", ";;", ";,", ",;", " ,", " ;", " .", "?.", "!.", "?,", "!,", ";."):
            assert bad not in plain.replace("...", "…"), (bad, plain)
    # Every source of the passage is named, separated from the next.
    assert texts[0].replace("\\", "").count("; ") >= len(sources) - 1


def test_citations_arabic_notes_use_the_arabic_comma(tmp_path: Path) -> None:
    notes = NoteCitations(_briefing(tmp_path, language="ar"), load_style(None, "ar"))
    text = notes.format(["cable", "aa"])
    assert "\u060c " in text and "\u061b " in text and ", " not in text


POSITIONS_STYLE = """<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="note" version="1.0">
  <info><title>Positions</title><id>positions</id><updated>2026-01-01T00:00:00+00:00</updated></info>
  <citation>
    <layout suffix="." delimiter="; ">
      <choose>
        <if position="ibid"><text term="ibid"/></if>
        <else-if position="subsequent">
          <text variable="citation-number" prefix="[" suffix="] "/><text variable="title" form="short"/>
        </else-if>
        <else><text variable="citation-number" prefix="[" suffix="] "/><text variable="title"/></else>
      </choose>
    </layout>
  </citation>
</style>
"""


class _EveryNoteRendered(NoteCitations):
    """Notes formatted by citeproc-py every time: what the memoised notes must equal."""

    def _state(self, bibliography, citation, source_ids):  # type: ignore[no-untyped-def]
        return None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    style=st.sampled_from(["bundled", "positions", "ibid"]),
    passages=st.lists(
        st.lists(st.sampled_from(["aa", "cable", "q"]), min_size=1, max_size=3), min_size=1, max_size=12
    ),
)
def test_citations_memoised_notes_equal_notes_rendered_each_time(
    tmp_path: Path, style: str, passages: list[list[str]]
) -> None:
    """A note is formatted once per source list and position (first, subsequent, ibid, its
    number): any order of citations gives the text citeproc-py gives when asked every time."""
    briefing = _briefing(tmp_path)
    styles = {"positions": POSITIONS_STYLE, "ibid": IBID_STYLE}
    path = None
    if style in styles:
        path = tmp_path / f"{style}.csl"
        path.write_text(styles[style], encoding="utf-8")
    memoised = NoteCitations(briefing, load_style(path, "en-GB"))
    fresh = _EveryNoteRendered(briefing, load_style(path, "en-GB"))
    for ids in passages + passages:  # the second round finds every note memoised
        assert memoised.format(ids) == fresh.format(ids)
