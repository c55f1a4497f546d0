"""Right-to-left and East Asian text in the memo and the deck, read back from the files: the
direction, complex-script and font properties Word and PowerPoint need (docx_scripts,
pptx_scripts)."""

from __future__ import annotations

import unicodedata
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from briefgen.cli import main
from briefgen.languages import (
    direction_classes,
    has_rtl,
    language_of,
    script_counts,
    script_of_char,
    scripts_in,
)
from briefgen.writers.docx_scripts import apply_scripts
from briefgen.writers.docx_xml import W_NS, el, qn, run
from tests.conftest import EXAMPLE, FIXTURES

W = f"{{{W_NS}}}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
P = "{http://schemas.openxmlformats.org/presentationml/2006/main}"
LANGUAGES = FIXTURES / "languages"


def build(facts: Path, out: Path, language: str | None = None) -> tuple[Path, Path]:
    if language:
        text = facts.read_text(encoding="utf-8").replace("  language: ar\n", f"  language: {language}\n")
        facts = out.parent / f"{facts.stem}-{language}.yaml"
        facts.write_text(text, encoding="utf-8")
    assert main(["build", str(facts), "-o", str(out), "--format", "docx,pptx"]) == 0
    return out / f"{facts.stem}-memo.docx", out / f"{facts.stem}-deck.pptx"


def part(path: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(path) as zf:
        return etree.fromstring(zf.read(name))


def parts(path: Path, prefix: str) -> list[tuple[str, etree._Element]]:
    with zipfile.ZipFile(path) as zf:
        names = sorted(n for n in zf.namelist() if n.startswith(prefix) and n.endswith(".xml"))
        return [(n, etree.fromstring(zf.read(n))) for n in names]


def text_of(node: etree._Element, tag: str) -> str:
    return "".join(t.text or "" for t in node.iter(tag))


@pytest.fixture(scope="module")
def arabic(tmp_path_factory) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("ar") / "out"
    return build(LANGUAGES / "arabic.yaml", out)


# ---------------------------------------------------------------------------------------------
# Memo, right-to-left document


def test_memo_rtl_every_paragraph_section_and_table_is_right_to_left(arabic, ooxml):
    memo, _ = arabic
    ooxml(memo)
    document = part(memo, "word/document.xml")
    paragraphs = list(document.iter(f"{W}p"))
    assert paragraphs
    assert [p for p in paragraphs if p.find(f"{W}pPr/{W}bidi") is None] == []
    tables = list(document.iter(f"{W}tbl"))
    assert len(tables) >= 3
    assert all(t.find(f"{W}tblPr/{W}bidiVisual") is not None for t in tables)
    section = document.find(f"{W}body/{W}sectPr")
    assert section.find(f"{W}bidi") is not None


def test_memo_rtl_runs_carry_rtl_and_complex_script_properties(arabic):
    memo, _ = arabic
    document = part(memo, "word/document.xml")
    arabic_runs = [
        r for r in document.iter(f"{W}r") if any("\u0600" <= ch <= "\u06ff" for ch in text_of(r, f"{W}t"))
    ]
    assert len(arabic_runs) > 20
    for r in arabic_runs:
        assert r.find(f"{W}rPr/{W}rtl") is not None
        assert r.find(f"{W}rPr/{W}cs") is not None
    bold = [r for r in arabic_runs if r.find(f"{W}rPr/{W}b") is not None]
    assert bold and all(r.find(f"{W}rPr/{W}bCs") is not None for r in bold)


def test_memo_rtl_header_footer_and_footnotes_read_right_to_left(arabic):
    memo, _ = arabic
    roots = parts(memo, "word/footer") + parts(memo, "word/header") + parts(memo, "word/footnotes")
    assert len(roots) >= 3
    for name, root in roots:
        for p in root.iter(f"{W}p"):
            assert p.find(f"{W}pPr/{W}bidi") is not None, name


def test_memo_rtl_styles_lists_tags_and_fonts(arabic):
    memo, _ = arabic
    styles = part(memo, "word/styles.xml")
    defaults = styles.find(f"{W}docDefaults")
    assert defaults.find(f"{W}pPrDefault/{W}pPr/{W}bidi") is not None
    lang = defaults.find(f"{W}rPrDefault/{W}rPr/{W}lang")
    assert lang.get(f"{W}bidi") == "ar-SA"
    fonts = defaults.find(f"{W}rPrDefault/{W}rPr/{W}rFonts")
    assert fonts.get(f"{W}cs") == "Noto Sans Arabic"
    assert [f for f in styles.iter(f"{W}rFonts") if f.get(f"{W}cstheme")] == []
    # Every size, bold and italic has its complex-script twin (headings are bold and large).
    for rpr in styles.iter(f"{W}rPr"):
        for latin, twin in (("sz", "szCs"), ("b", "bCs"), ("i", "iCs")):
            if rpr.find(f"{W}{latin}") is not None:
                assert rpr.find(f"{W}{twin}") is not None
    numbering = part(memo, "word/numbering.xml")
    levels = [lvl for lvl in numbering.iter(f"{W}lvl") if lvl.find(f"{W}pPr") is not None]
    assert levels and all(lvl.find(f"{W}pPr/{W}bidi") is not None for lvl in levels)
    settings = part(memo, "word/settings.xml")
    assert settings.find(f"{W}themeFontLang").get(f"{W}bidi") == "ar-SA"


@pytest.mark.parametrize(
    ("tag", "bidi_tag", "font"),
    [
        ("he", "he-IL", "Noto Sans Hebrew"),
        ("fa", "fa-IR", "Noto Sans Arabic"),
        ("ur", "ur-PK", "Noto Sans Arabic"),
    ],
)
def test_memo_rtl_other_right_to_left_languages(tmp_path, tag, bidi_tag, font):
    memo, deck = build(LANGUAGES / "arabic.yaml", tmp_path / "out", tag)
    document = part(memo, "word/document.xml")
    assert all(p.find(f"{W}pPr/{W}bidi") is not None for p in document.iter(f"{W}p"))
    lang = part(memo, "word/styles.xml").find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    assert lang.get(f"{W}bidi") == bidi_tag
    fonts = part(memo, "word/styles.xml").find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}rFonts")
    assert fonts.get(f"{W}cs") == font
    slide = part(deck, "ppt/slides/slide2.xml")
    assert all(p.find(f"{A}pPr").get("rtl") == "1" for p in slide.iter(f"{A}p"))


# ---------------------------------------------------------------------------------------------
# Memo, left-to-right document with right-to-left text


def test_memo_ltr_paragraph_in_rtl_script_is_right_to_left(tmp_path, ooxml):
    memo, _ = build(LANGUAGES / "mixed-rtl-in-english.yaml", tmp_path / "out")
    ooxml(memo)
    document = part(memo, "word/document.xml")
    for p in document.iter(f"{W}p"):
        text = text_of(p, f"{W}t").strip()
        if not text:
            continue
        first_strong_rtl = next(
            (("\u0590" <= ch <= "\u06ff") for ch in text if ch.isalpha()), False
        )
        assert (p.find(f"{W}pPr/{W}bidi") is not None) == first_strong_rtl, text[:40]
    assert document.find(f"{W}body/{W}sectPr/{W}bidi") is None


def test_memo_ltr_mixed_run_is_split_so_brackets_stay_with_the_english():
    """'Bashar al-Assad (بشار الأسد), president': the brackets belong to the English sentence,
    only the Arabic is a right-to-left run (rules N1/N2 of the Unicode bidi algorithm)."""
    body = el("w:body")
    p = el("w:p", body)
    run("Bashar al-Assad (بشار الأسد), president", p, bold=True)
    apply_scripts(language_of("en-GB"), bodies=[body], styles=None, settings=None, section=None)
    runs = p.findall(qn("w:r"))
    assert [text_of(r, qn("w:t")) for r in runs] == ["Bashar al-Assad (", "بشار الأسد", "), president"]
    assert [r.find(f"{W}rPr/{W}rtl") is not None for r in runs] == [False, True, False]
    assert all(r.find(f"{W}rPr/{W}b") is not None for r in runs)  # formatting kept on every piece
    assert runs[1].find(f"{W}rPr/{W}rFonts").get(f"{W}cs") == "Noto Sans Arabic"
    assert p.find(f"{W}pPr/{W}bidi") is None


def test_memo_english_example_stays_left_to_right(tmp_path):
    memo, deck = build(EXAMPLE, tmp_path / "out")
    document = part(memo, "word/document.xml")
    assert document.find(f".//{W}bidi") is None
    assert document.find(f".//{W}bidiVisual") is None
    rtl_runs = [text_of(r, f"{W}t") for r in document.iter(f"{W}r") if r.find(f"{W}rPr/{W}rtl") is not None]
    assert rtl_runs and all(not any(ch.isascii() and ch.isalpha() for ch in t) for t in rtl_runs)
    for _, slide in parts(deck, "ppt/slides/slide"):
        assert [p for p in slide.iter(f"{A}pPr") if p.get("rtl") == "1"] == []


# ---------------------------------------------------------------------------------------------
# Memo and deck, East Asian text


def test_memo_cjk_language_tags_and_fonts(tmp_path, ooxml):
    memo, deck = build(LANGUAGES / "cjk-zh-cn.yaml", tmp_path / "out")
    ooxml(memo, deck)
    styles = part(memo, "word/styles.xml")
    rpr = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
    lang = rpr.find(f"{W}lang")
    assert (lang.get(f"{W}val"), lang.get(f"{W}eastAsia")) == ("en-US", "zh-CN")
    assert rpr.find(f"{W}rFonts").get(f"{W}eastAsia") == "Noto Sans CJK SC"
    assert [f for f in styles.iter(f"{W}rFonts") if f.get(f"{W}eastAsiaTheme")] == []
    assert {n.get(f"{W}eastAsia") for n in styles.iter(f"{W}lang")} == {"zh-CN"}
    # Japanese (kana) inside the Chinese brief: its own font and tag.
    document = part(memo, "word/document.xml")
    japanese = [r for r in document.iter(f"{W}r") if "両国" in text_of(r, f"{W}t")]
    assert japanese
    for r in japanese:
        assert r.find(f"{W}rPr/{W}rFonts").get(f"{W}eastAsia") == "Noto Sans CJK JP"
        assert r.find(f"{W}rPr/{W}lang").get(f"{W}eastAsia") == "ja-JP"
    slide_fonts = {
        ea.get("typeface") for _, slide in parts(deck, "ppt/slides/slide") for ea in slide.iter(f"{A}ea")
    }
    assert {"Noto Sans CJK SC", "Noto Sans CJK JP"} <= slide_fonts


# ---------------------------------------------------------------------------------------------
# Deck


def test_deck_rtl_paragraphs_tables_and_notes_read_right_to_left(arabic, ooxml):
    _, deck = arabic
    ooxml(deck)
    slides = parts(deck, "ppt/slides/slide")
    notes = parts(deck, "ppt/notesSlides/notesSlide")
    assert notes
    for name, root in slides + notes:
        for p in root.iter(f"{A}p"):
            pr = p.find(f"{A}pPr")
            assert pr is not None and pr.get("rtl") == "1", name
        for sp in root.iter(f"{P}sp"):
            if sp.find(f".//{P}cNvPr").get("name") == "Slide Number":
                # Mirrored to the left-hand corner, set flush left there.
                assert {p.get("algn") for p in sp.iter(f"{A}pPr")} == {"l"}
                continue
            assert [p for p in sp.iter(f"{A}pPr") if p.get("algn", "l") == "l"] == [], name
    tables = [t for _, root in slides for t in root.iter(f"{A}tblPr")]
    assert tables and all(t.get("rtl") == "1" for t in tables)
    cs_fonts = {n.get("typeface") for _, root in slides for n in root.iter(f"{A}cs")}
    assert cs_fonts == {"Noto Sans Arabic"}


def _shapes(slide: etree._Element) -> dict[str, int]:
    """Left edge (EMU) of each named top-level shape."""
    out = {}
    for sp in slide.find(f"{P}cSld/{P}spTree"):
        name = sp.find(f".//{P}cNvPr")
        off = sp.find(f".//{A}off")
        if name is not None and off is not None:
            out[name.get("name")] = int(off.get("x"))
    return out


def test_deck_rtl_two_column_slides_and_timeline_are_mirrored(arabic, tmp_path):
    _, deck = arabic
    english = tmp_path / "en.yaml"
    text = (LANGUAGES / "arabic.yaml").read_text(encoding="utf-8")
    english.write_text(text.replace("  language: ar\n", "  language: en-GB\n"), encoding="utf-8")
    _, ltr_deck = build(english, tmp_path / "out")
    rtl_slides = dict(parts(deck, "ppt/slides/slide"))
    ltr_slides = dict(parts(ltr_deck, "ppt/slides/slide"))
    two_column = [n for n, s in rtl_slides.items() if "Text (right)" in _shapes(s)]
    assert two_column
    for name in two_column:
        rtl, ltr = _shapes(rtl_slides[name]), _shapes(ltr_slides[name])
        assert ltr["Text"] < ltr["Text (right)"]
        assert rtl["Text"] > rtl["Text (right)"]  # the first column now stands on the right
    timeline = [n for n, s in rtl_slides.items() if s.find(f".//{P}grpSp") is not None]
    assert timeline
    for name in timeline:
        def markers(slide):
            return [
                int(sp.find(f".//{A}off").get("x"))
                for sp in slide.iter(f"{P}sp")
                if sp.find(f".//{P}cNvPr").get("name", "").startswith("Marker")
            ]
        assert markers(ltr_slides[name]) == sorted(markers(ltr_slides[name]))
        assert markers(rtl_slides[name]) == sorted(markers(rtl_slides[name]), reverse=True)


# ---------------------------------------------------------------------------------------------
# The worked examples in Turkish and Arabic

TURKISH = EXAMPLE.with_name("lavrov-cavusoglu-ankara-2018-tr.yaml")
ARABIC = EXAMPLE.with_name("ankara-2018-arabic-exercise.yaml")
# Fixed words of the English templates and writers that must not appear in a translated pack.
ENGLISH_LABELS = (
    "MEETING BRIEF", "Summary", "Purpose and context", "Points to make", "If raised", "Our position",
    "Likely to be raised", "Confidence", "Annex", "Key judgments", "Press line", "Information as of",
    "Page ", "Sources:", "Prepared for", "Next steps", "Likelihood", "Impact", "Score", "certain",
    "moderate", "rising", "steady",
)


def all_text(path: Path) -> str:
    """Every text of a memo or deck, no-break spaces read as spaces (dates keep day and month
    together with one)."""
    tag, prefix = (f"{W}t", "word/") if path.suffix == ".docx" else (f"{A}t", "ppt/")
    text = "\n".join(text_of(root, tag) for _, root in parts(path, prefix))
    return text.replace("\u00a0", " ").replace("\u202f", " ")


@pytest.fixture(scope="module")
def examples(tmp_path_factory) -> dict[str, tuple[Path, Path]]:
    out = tmp_path_factory.mktemp("examples") / "out"
    return {"tr": build(TURKISH, out), "ar": build(ARABIC, out)}


@pytest.mark.parametrize("language", ["tr", "ar"])
def test_examples_every_label_is_translated(examples, language, ooxml):
    memo, deck = examples[language]
    ooxml(memo, deck)
    for path in (memo, deck):
        text = all_text(path)
        assert [label for label in ENGLISH_LABELS if label in text] == [], path.name


def test_examples_turkish_dates_and_headings(examples):
    memo, deck = examples["tr"]
    text = all_text(memo)
    assert "GÖRÜŞME NOTU" in text and "Söylenecek noktalar" in text and "Gündeme gelirse" in text
    assert "13–14 Ağustos 2018" in text and "12 Ağustos 2018" in text
    assert "Olası (%55–80)" in text and "Güven: orta." in text
    footer = "".join(text_of(root, f"{W}t") for _, root in parts(memo, "word/footer")).replace("\u00a0", " ")
    assert "Bilgiler 10 Ağustos 2018 itibarıyla" in footer and "Sayfa " in footer
    assert "masa tarafından" in text  # the facts' translation is the desk's, and says so
    assert "ICD 203 terimleri raporu hazırlayan masanın çevirisidir" in text  # so is the lexicon's
    assert "Bilgiler 10 Ağustos 2018 itibarıyla" in all_text(deck)
    lang = part(memo, "word/styles.xml").find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    assert lang.get(f"{W}val") == "tr"
    assert part(memo, "word/document.xml").find(f".//{W}bidi") is None


def test_examples_arabic_reads_right_to_left_end_to_end(examples):
    memo, deck = examples["ar"]
    text = all_text(memo)
    assert "تمرين" in text  # labelled an exercise
    assert "مذكرة إحاطة للاجتماع" in text and "13–14 أغسطس 2018" in text
    document = part(memo, "word/document.xml")
    assert all(p.find(f"{W}pPr/{W}bidi") is not None for p in document.iter(f"{W}p"))
    assert all(t.find(f"{W}tblPr/{W}bidiVisual") is not None for t in document.iter(f"{W}tbl"))
    for name, root in parts(memo, "word/footnotes") + parts(memo, "word/footer"):
        assert all(p.find(f"{W}pPr/{W}bidi") is not None for p in root.iter(f"{W}p")), name
    for name, root in parts(deck, "ppt/slides/slide"):
        assert all(p.find(f"{A}pPr").get("rtl") == "1" for p in root.iter(f"{A}p")), name


def test_memo_ltr_rtl_list_item_gets_a_right_to_left_list_level(tmp_path):
    """A Hebrew or Arabic bullet in an English brief: its list level is right to left too (a
    twin of the list definition), or LibreOffice keeps the bullet on the left."""
    memo, _ = build(LANGUAGES / "mixed-rtl-in-english.yaml", tmp_path / "out")
    document = part(memo, "word/document.xml")
    numbering = part(memo, "word/numbering.xml")
    rtl_items = [
        p for p in document.iter(f"{W}p")
        if p.find(f"{W}pPr/{W}bidi") is not None and p.find(f"{W}pPr/{W}pStyle") is not None
        and p.find(f"{W}pPr/{W}pStyle").get(f"{W}val").startswith("List")
    ]
    assert len(rtl_items) >= 2  # the two points (and the fact in Annex A)
    for p in rtl_items:
        num_id = p.find(f"{W}pPr/{W}numPr/{W}numId").get(f"{W}val")
        num = numbering.find(f"{W}num[@{W}numId='{num_id}']")
        abstract_id = num.find(f"{W}abstractNumId").get(f"{W}val")
        abstract = numbering.find(f"{W}abstractNum[@{W}abstractNumId='{abstract_id}']")
        levels = abstract.findall(f"{W}lvl")
        assert levels and all(lvl.find(f"{W}pPr/{W}bidi") is not None for lvl in levels)
        assert all(lvl.find(f"{W}pStyle") is None for lvl in levels)
    ltr_items = [
        p for p in document.iter(f"{W}p")
        if p.find(f"{W}pPr/{W}bidi") is None and p.find(f"{W}pPr/{W}numPr") is not None
    ]
    for p in ltr_items:  # the English numbered objective keeps its own list
        num_id = p.find(f"{W}pPr/{W}numPr/{W}numId").get(f"{W}val")
        abstract_id = numbering.find(f"{W}num[@{W}numId='{num_id}']/{W}abstractNumId").get(f"{W}val")
        abstract = numbering.find(f"{W}abstractNum[@{W}abstractNumId='{abstract_id}']")
        assert abstract.find(f".//{W}bidi") is None


def test_deck_ltr_mixed_run_is_split_and_marked_rtl(tmp_path):
    """The English example's 'Bashar al-Assad (بشار الأسد)' on a slide: the Arabic is its own
    a:rtl run with the Arabic font; the brackets stay in the English runs."""
    _, deck = build(EXAMPLE, tmp_path / "out")
    found = []
    for _, slide in parts(deck, "ppt/slides/slide"):
        for p in slide.iter(f"{A}p"):
            runs = p.findall(f"{A}r")
            texts = [text_of(r, f"{A}t") for r in runs]
            for k, text in enumerate(texts):
                if "بشار" in text:
                    found.append((texts[k - 1][-1:], text, texts[k + 1][:1], runs[k]))
    assert found
    for before, text, after, arabic in found:
        assert (before, text, after) == ("(", "بشار الأسد", ")")
        assert arabic.find(f"{A}rPr/{A}rtl").get("val") == "1"
        assert arabic.find(f"{A}rPr/{A}cs").get("typeface") == "Noto Sans Arabic"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40))
def test_scripts_in_and_script_counts_agree_with_script_of_char_and_has_rtl_with_bidi(text):
    """The fast paths (ASCII, each distinct character once) give what the per-character
    definitions give, for any text."""
    assert scripts_in(text) == {s for s in map(script_of_char, text) if s}
    assert has_rtl(text) == any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text)
    if not has_rtl(text):
        assert direction_classes(text, "L") == ["L"] * len(text)
    scripts = [script_of_char(ch) for ch in text]
    kana = "Jpan" in scripts
    expected: dict[str, int] = {}
    for script in scripts:
        script = "Jpan" if script == "Hani" and kana else script
        if script:
            expected[script] = expected.get(script, 0) + 1
    assert script_counts([text, text]) == {s: 2 * n for s, n in expected.items()}


def test_examples_lists_are_joined_with_the_language_separators(examples, tmp_path):
    """The joins the templates and writers make (meeting place, participants, sources, risk
    numbers, bands) read "، " and "؛ " in Arabic, "、", "；" and "，" in Chinese, and stay ", " and
    "; " in Turkish: read back from the memo and the deck."""
    import re

    memo, deck = examples["ar"]
    memo_text, deck_text = all_text(memo), all_text(deck)
    assert "13–14 أغسطس 2018، أنقرة، تركيا" in memo_text
    assert "؛ " in memo_text and "، " in deck_text and "؛ " in deck_text
    # No Latin comma or semicolon is left between Arabic words (the facts use the Arabic ones).
    assert re.findall(r"[\u0600-\u06ff][,;] [\u0600-\u06ff]", memo_text + deck_text) == []
    memo, deck = examples["tr"]
    assert "13–14 Ağustos 2018, Ankara, Türkiye" in all_text(memo)
    assert "\u060c" not in all_text(memo) + all_text(deck)
    memo, deck = build(LANGUAGES / "cjk-zh-cn.yaml", tmp_path / "zh")
    memo_text, deck_text = all_text(memo), all_text(deck)
    assert "日，Capital City" in memo_text  # the date and the place: a phrase, "，"
    assert "Example Office，“Treaty text”" in deck_text or "Example Office，《Treaty text》" in deck_text
    assert ", Capital City" not in memo_text
