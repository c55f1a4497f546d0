"""The worked example's memo as a reader gets it: tables that read well, typeset text, notes that
do not crowd the page. Reads the built .docx back with zip + lxml."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from lxml import etree

from briefgen import metrics
from briefgen.cli import main
from briefgen.markup import read_markdown
from briefgen.page_layout import TABLE_SIZE
from briefgen.rag import score_expression
from briefgen.table_layout import column_widths
from tests.conftest import EXAMPLE

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
STEM = EXAMPLE.stem


@pytest.fixture(scope="module")
def memo(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    out = tmp_path_factory.mktemp("out")
    assert main(["build", str(EXAMPLE), "-o", str(out), "--format", "docx"]) == 0
    return (out / f"{STEM}-memo.docx").read_bytes()


def part(data: bytes, name: str) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return etree.fromstring(zf.read(name))


def text(node: etree._Element) -> str:
    return "".join(t.text or "" for t in node.iter(f"{W}t"))


def cell_text(node: etree._Element) -> str:
    """A cell's text with its line breaks (w:br) as newlines."""
    return "".join("\n" if e.tag == f"{W}br" else (e.text or "") for e in node.iter(f"{W}t", f"{W}br"))


def test_memo_layout_no_table_row_splits_across_pages(memo: bytes) -> None:
    rows = list(part(memo, "word/document.xml").iter(f"{W}tr"))
    assert rows and all(tr.find(f"{W}trPr/{W}cantSplit") is not None for tr in rows)


def test_memo_layout_header_rows_repeat(memo: bytes) -> None:
    body = part(memo, "word/document.xml")
    for tbl in body.iter(f"{W}tbl"):
        first = tbl.find(f"{W}tr")
        borderless = tbl.find(f"{W}tblPr/{W}tblBorders/{W}top") is not None and (
            tbl.find(f"{W}tblPr/{W}tblBorders/{W}top").get(f"{W}val") == "nil"
        )
        if not borderless:  # the heading block has no header row
            assert first.find(f"{W}trPr/{W}tblHeader") is not None, text(first)


def test_memo_layout_prints_no_ids(memo: bytes) -> None:
    from briefgen.facts import load_facts

    briefing = load_facts(EXAMPLE).briefing
    body = text(part(memo, "word/document.xml")).replace("\u00a0", " ")
    ids = [r.id for r in briefing.risks] + [p.id for p in briefing.people] + [s.id for s in briefing.sources]
    hyphenated = [i for i in ids if "-" in i]
    assert hyphenated and not [i for i in hyphenated if i in body]
    assert not re.search(r"\((?:{})\)".format("|".join(map(re.escape, ids))), body)
    assert not re.search(r"\b(?:ours|theirs|third-party)\b", body)


def test_memo_layout_heat_map_is_captioned_and_kept_with_its_heading(memo: bytes) -> None:
    children = list(part(memo, "word/document.xml").find(f"{W}body"))
    matrix = next(
        i
        for i, c in enumerate(children)
        if c.tag == f"{W}tbl" and "each number is a risk" in text(children[i - 1])
    )
    caption, heading = children[matrix - 1], children[matrix - 2]
    assert "each number is a risk" in text(caption)
    for p in (heading, caption):
        keep = p.find(f"{W}pPr/{W}keepNext")
        style = p.find(f"{W}pPr/{W}pStyle").get(f"{W}val")
        assert keep is not None or style.startswith("Heading"), text(p)
    # Every row but the last keeps with the next: the heat map moves to a page whole.
    rows = children[matrix].findall(f"{W}tr")
    assert all(r.find(f".//{W}keepNext") is not None for r in rows[:-1])


def test_memo_layout_names_never_break_inside(memo: bytes) -> None:
    body = part(memo, "word/document.xml")
    people = next(t for t in body.iter(f"{W}tbl") if "Biography" in text(t))
    names = [text(tr.find(f"{W}tc")) for tr in people.findall(f"{W}tr")[1:]]
    assert names
    for name in names:
        # No breakable space inside the Latin name; hyphens are Word's non-breaking ones.
        latin = name.split(" (")[0]
        assert " " not in latin and "-" not in latin, name
    assert people.find(f".//{W}noBreakHyphen") is not None  # "al-Assad"


def test_memo_layout_text_is_typeset(memo: bytes) -> None:
    body = text(part(memo, "word/document.xml"))
    notes = text(part(memo, "word/footnotes.xml"))
    assert "'" not in body and '"' not in body
    assert "’" in body and "“" in body
    assert "2.5\u00a0million" in body  # a number and its unit stay on one line
    assert '"' not in notes


def test_memo_layout_typography_follows_the_language() -> None:
    german = read_markdown('Er sagte "nein" am 10 Oktober.', typography="de")
    assert german.blocks[0].content[0].text == "Er sagte „nein“ am 10\u00a0Oktober."
    french = read_markdown('Il a dit "non" - 15-20 km.', typography="fr")
    assert french.blocks[0].content[0].text == "Il a dit «\u202fnon\u202f» – 15–20\u00a0km."
    # A file reference keeps its hyphen; without typography text reads back literally.
    assert read_markdown("Cable 2018-0117 - \"x\"", typography="en").blocks[0].content[0].text == (
        "Cable 2018-0117 – “x”"
    )
    assert read_markdown('Say "x" - 15-20 km').blocks[0].content[0].text == 'Say "x" - 15-20 km'


def test_memo_layout_short_columns_spare_titles_from_wrapping() -> None:
    """The risk register: a column of short bold titles next to long prose gets enough width
    that no title is the tallest cell of its row (the prose sets the row's height), and a score
    never breaks."""
    from briefgen.facts import load_facts

    risks = sorted(load_facts(EXAMPLE).briefing.risks, key=lambda r: -r.score)
    rows = [["Risk", "Score", "RAG", "Rationale", "Mitigation and owner"]] + [
        [f"{k}. {r.title}", score_expression(r.likelihood, r.impact, r.score), r.rag.upper(),
         r.rationale or "–", f"{r.mitigation} Owner: {r.owner}."]
        for k, r in enumerate(risks, start=1)
    ]  # fmt: skip
    widths = column_widths(rows, 9070)
    assert sum(widths) == 9070
    face = metrics.font_metrics("Calibri", bold=True)

    def lines(row: list[str], c: int) -> int:
        return len(metrics.wrap(row[c], (widths[c] - 170) / 20, face, TABLE_SIZE))

    for row in rows[1:]:
        assert lines(row, 0) <= max(lines(row, 3), lines(row, 4)), row[0]
        assert lines(row, 1) == 1, row[1]


def test_memo_layout_notes_take_at_most_a_tenth_of_a_body_page(memo: bytes) -> None:
    """At most one note per cited passage in the body, and the notes of the two body pages fit in
    a tenth of them (a note line is about 12 pt; an A4 page 842 pt)."""
    body = part(memo, "word/document.xml")
    refs_before_annexes = 0
    for p in body.iter(f"{W}p"):
        if p.find(f"{W}pPr/{W}pageBreakBefore") is not None:
            break
        refs_before_annexes += len(p.findall(f".//{W}footnoteReference"))
    notes = {n.get(f"{W}id"): text(n) for n in part(memo, "word/footnotes.xml")}
    body_notes = [t for k, t in notes.items() if k.isdigit() and 0 < int(k) <= refs_before_annexes]
    lines = sum(max(1, round(len(t) / 110 + 0.49)) for t in body_notes)
    assert lines * 12 <= 2 * 84, (refs_before_annexes, lines)


# The heat map's axis labels (issue 14's leftover: on A5 the impact labels broke mid-word)

HEAT_MAP_CASES = [
    (None, "en-GB"),
    (None, "de"),
    (None, "ru"),
    ("a5", "en-GB"),
    ("a5", "de"),
    ("a5", "ru"),
    ("a5", "tr"),
    ("landscape", "ru"),
]


def heat_map_memo(folder, kind: str | None, language: str) -> bytes:  # type: ignore[no-untyped-def]
    from tests.test_deck_plan import in_language
    from tests.test_pagination import build_memo, make_reference

    reference = make_reference(folder, kind) if kind else None
    code, memo = build_memo(folder / "out", in_language(language, folder), reference)
    assert code == 0 and memo
    return memo


def heat_map_table(memo: bytes) -> etree._Element:
    """The heat map: the table of six columns whose five body rows are the likelihood rows."""
    body = part(memo, "word/document.xml")
    return next(
        t
        for t in body.iter(f"{W}tbl")
        if len(t.findall(f"{W}tblGrid/{W}gridCol")) == 6
        and len([r for r in t.findall(f"{W}tr") if r.find(f"{W}trPr/{W}tblHeader") is None]) == 5
    )


def label_words(label: str) -> list[str]:
    """Where Word may break a label: at spaces (not no-break ones), after hyphens and slashes."""
    return [w for w in re.split(r"[ \t\n]+|(?<=[-/])", label) if w]


@pytest.mark.parametrize(("kind", "language"), HEAT_MAP_CASES)
def test_memo_layout_heat_map_labels_never_break_inside_a_word(kind, language, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from briefgen.page_layout import CELL_MARGIN_TW
    from tests.test_deck_plan import LONGEST_IMPACT

    table = heat_map_table(heat_map_memo(tmp_path, kind, language))
    face = metrics.font_metrics("Calibri", bold=True)
    header = [r for r in table.findall(f"{W}tr") if r.find(f"{W}trPr/{W}tblHeader") is not None]
    labels = [tc for r in header for tc in r.findall(f"{W}tc")]
    labels += [r.find(f"{W}tc") for r in table.findall(f"{W}tr")[len(header) :]]
    checked = 0
    for tc in labels:
        inner = (int(tc.find(f"{W}tcPr/{W}tcW").get(f"{W}w")) - 2 * CELL_MARGIN_TW) / 20
        sz = tc.find(f".//{W}rPr/{W}sz")
        size = int(sz.get(f"{W}val")) / 2 if sz is not None else TABLE_SIZE
        assert size >= 8.0  # smaller labels would not be legible in print
        for word in label_words(cell_text(tc)):
            assert face.width(word, size) <= inner, (word, size, inner)
            checked += 1
    assert checked >= 15
    # The impact labels keep their numbers beside them, or all five stand below their numbers.
    impact = [cell_text(tc) for tc in header[-1].findall(f"{W}tc")[1:]]
    assert len({"\n" in t for t in impact}) == 1, impact
    shown = " ".join(text(r) for r in header)
    assert LONGEST_IMPACT[language] in shown  # in its column, or keyed in the row above


@pytest.mark.parametrize(("kind", "language"), [("a5", "en-GB"), ("a5", "ru"), (None, "de")])
def test_memo_layout_render_heat_map_labels_whole(kind, language, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """LibreOffice sets no heat-map label in two pieces: no page shows both halves of a label
    word cut apart ("Insignifi" and "cant"), and the heat map's own words are all drawn."""
    from tests import rendering

    if not rendering.available():
        pytest.skip("LibreOffice (soffice) or pdftotext is not installed")
    memo = heat_map_memo(tmp_path, kind, language)
    table = heat_map_table(memo)
    words = {w for tc in table.iter(f"{W}tc") for w in cell_text(tc).replace("\u00a0", " ").split()}
    words = {w for w in words if w != "·" and not w.isdigit()}
    assert len(words) >= 10
    lines, _height = rendering.render_lines(memo)
    pages: dict[int, set[str]] = {}
    for line in lines:
        pages.setdefault(line.page, set()).update(line.text.replace("\u00a0", " ").split())
    for drawn in pages.values():
        cut = [(w[:k], w[k:]) for w in words for k in range(1, len(w)) if {w[:k], w[k:]} <= drawn]
        assert not cut, cut
    assert any(words <= drawn for drawn in pages.values())


def test_memo_layout_heat_map_layout_chooses_smaller_then_keyed_labels() -> None:
    """Labels a template passes in its risk-matrix block are set by the same rules: the first
    layout when they fit, smaller labels when that is enough, numbers keyed above when not."""
    from briefgen.table_layout import HEAT_MAP_LABEL_TW, heat_map_layout

    likelihood = ["Rare", "Unlikely", "Possible", "Likely", "Almost certain"]
    impact = ["Insignificant", "Minor", "Significant", "Major", "Severe"]
    a4 = heat_map_layout(likelihood, impact, "Likelihood / impact", "Impact", 9070)
    assert a4.widths == (HEAT_MAP_LABEL_TW, *[(9070 - HEAT_MAP_LABEL_TW) // 5] * 5)
    assert (a4.impact_size, a4.scale, a4.impact[0]) == (TABLE_SIZE, "", "1 Insignificant")
    a5 = heat_map_layout(likelihood, impact, "Likelihood / impact", "Impact", 6690)
    assert 8.0 <= a5.impact_size < TABLE_SIZE and not a5.scale and a5.widths[0] < HEAT_MAP_LABEL_TW
    assert sum(a5.widths) <= 6690
    # "Insignificant" wraps below its number at A5: every number then stands above its label.
    assert a5.impact == ("1\nInsignificant", "2\nMinor", "3\nSignificant", "4\nMajor", "5\nSevere")
    # A template's own labels, long and hyphenated: numbers in the columns, the labels keyed.
    long = ["Catastrophic-escalation", "Humanitarian", "Internationalisation", "Major", "Severe"]
    keyed = heat_map_layout(likelihood, long, "Likelihood / impact", "Impact", 6690)
    assert keyed.impact == ("1", "2", "3", "4", "5")
    assert keyed.scale == "Impact: " + " · ".join(f"{n}\u00a0{t}" for n, t in enumerate(long, 1))

