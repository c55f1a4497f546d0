"""Font metrics: the cached JSON matches the bundled fonts, and wrapping measures real widths."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen import metrics


@pytest.mark.parametrize(
    "face", ["Carlito-Regular", "Carlito-Bold", "LiberationSans-Regular", "LiberationSans-Bold"]
)
def test_metrics_json_matches_the_font_file(face):
    from_json = metrics._load(face)
    from_font = metrics._read_font(face)
    assert from_json == from_font, "run scripts/make_font_metrics.py after changing a font"


def test_metrics_calibri_maps_to_carlito_and_arial_to_liberation():
    assert metrics.resolve_family("Calibri") == "Carlito"
    assert metrics.resolve_family("Arial") == "LiberationSans"
    assert metrics.resolve_family("Some Unknown Font") == "Carlito"


def test_metrics_bold_is_wider_and_width_scales_with_size():
    regular = metrics.font_metrics("Calibri")
    bold = metrics.font_metrics("Calibri", bold=True)
    text = "Lavrov–Çavuşoğlu meeting in Ankara"
    assert bold.width(text, 11) > regular.width(text, 11)
    assert regular.width(text, 22) == pytest.approx(2 * regular.width(text, 11))


def test_metrics_wrap_keeps_every_word_and_fits_the_width():
    face = metrics.font_metrics("Calibri")
    text = "Turkey says Idlib is a red line, and if Assad continues attacks, the Astana talks will fail."
    lines = metrics.wrap(text, 120, face, 11)
    assert len(lines) > 1
    assert " ".join(lines).split() == text.split()
    assert all(face.width(line, 11) <= 120 for line in lines)


def test_metrics_wrap_breaks_an_overlong_word():
    face = metrics.font_metrics("Calibri")
    lines = metrics.wrap("https://example.org/" + "x" * 80, 100, face, 11)
    assert len(lines) > 1 and all(face.width(line, 11) <= 100 for line in lines)
    assert "".join(lines) == "https://example.org/" + "x" * 80


@pytest.mark.parametrize("joiner", ["\u00a0", "\u202f", "\u2007"])
def test_metrics_wrap_never_breaks_at_a_no_break_space(joiner):
    face = metrics.font_metrics("Calibri")
    width = face.width("Minister Sergey", 11) + 1
    assert metrics.wrap("Minister Sergey Lavrov", width, face, 11) == ["Minister Sergey", "Lavrov"]
    name = f"Sergey{joiner}Lavrov"
    assert metrics.wrap(f"Minister {name}", width, face, 11) == ["Minister", name]


def test_pagination_column_widths_keep_a_no_break_phrase_whole():
    """A memo column must be wide enough for `Sergey Lavrov` joined by a no-break space, which
    Word will not break, though each half alone would fit the narrower column it gets otherwise."""
    from briefgen.page_layout import FONT, TABLE_SIZE
    from briefgen.table_layout import column_widths

    phrase = "Sergey\u00a0Lavrov"
    needed = metrics.font_metrics(FONT).width(phrase, TABLE_SIZE) * 20  # twips
    long_notes = "A long note " * 60
    joined = column_widths([["Name", "Notes"], [f"{phrase} Ivanovich Petrov", long_notes]], 9000)
    apart = column_widths([["Name", "Notes"], ["Sergey Lavrov Ivanovich Petrov", long_notes]], 9000)
    assert apart[0] < needed <= joined[0]


def test_metrics_no_break_space_is_as_wide_as_a_space():
    for family in ("Calibri", "Arial"):
        face = metrics.font_metrics(family)
        assert face.width("a\u00a0b", 11) == face.width("a b", 11)


# Scripts the Latin fonts lack are measured in the Noto font the writers set for them.
NOTO_ARABIC = Path("/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf")


def test_metrics_cjk_is_measured_one_em_per_ideograph():
    from briefgen.metrics import font_metrics

    face = font_metrics("Calibri")
    assert face.width("双方应当在本次会谈中", 10) == pytest.approx(100.0)
    assert face.width("両国は", 10) == pytest.approx(30.0)


def test_metrics_arabic_and_hebrew_are_measured_in_their_noto_font():
    from briefgen.joining import shape
    from briefgen.metrics import font_metrics, script_advance

    face = font_metrics("Calibri")
    text = "يجب على الطرفين"
    letters = [ch for ch in shape(text) if ch != " "]  # as the joined forms drawn
    expected = sum(script_advance(ord(ch)) for ch in letters) * 10 + face.width(" ", 10) * 2
    assert face.width(text, 10) == pytest.approx(expected, abs=0.05)  # rounded to font units
    # Narrower than the em the planner used to assume for every missing glyph.
    assert face.width(text, 10) < 10 * len(text) * 0.8
    assert script_advance(ord("ש")) is not None
    assert script_advance(ord("\u16a0")) is None  # a runic letter: no Noto data, measured as an em
    assert face.width("\u16a0", 10) == pytest.approx(10.0)


@pytest.mark.skipif(not NOTO_ARABIC.exists(), reason="fonts-noto-core is not installed")
def test_metrics_bundled_noto_advances_match_the_installed_fonts():
    from fontTools.ttLib import TTFont

    from briefgen.metrics import script_advance

    font = TTFont(NOTO_ARABIC, lazy=True)
    cmap, hmtx, upem = font.getBestCmap(), font["hmtx"].metrics, font["head"].unitsPerEm
    for ch in "ابتثجحخدذرزسشصضطظعغفقكلمنهوي،؟":
        assert script_advance(ord(ch)) == pytest.approx(round(hmtx[cmap[ord(ch)]][0] * 1000 / upem) / 1000)


def test_metrics_line_height_is_the_tallest_font_on_the_line():
    """A line is as tall as the highest ascent plus the deepest descent of the fonts on it (Word
    and LibreOffice): Carlito's 1.22 em alone; with Arabic, Noto Sans Arabic's 1.374 + 0.738 em;
    with CJK, Noto Sans CJK's 1.160 + 0.288 em; with Hebrew, Noto Sans Hebrew's ascent (1.068)
    over Carlito's descent and line gap."""
    face = metrics.font_metrics("Calibri")
    latin = (1536 + 512 + 452) / 2048 * 11
    assert face.line_height(11) == pytest.approx(latin)
    assert face.line_height(11, "Lavrov–Çavuşoğlu, Сергей Лавров") == pytest.approx(latin)
    assert face.line_height(11, "يزور لافروف أنقرة") == pytest.approx((1.374 + 0.738) * 11)
    assert face.line_height(11, "Lavrov (لافروف) visits") == pytest.approx((1.374 + 0.738) * 11)
    assert face.line_height(10, "双方应当在本次会谈中") == pytest.approx((1.160 + 0.288) * 10)
    assert face.line_height(10, "両国は河川条約") == pytest.approx((1.160 + 0.288) * 10)
    assert face.line_height(11, "שלום") == pytest.approx((1.068 + max(0.292, 512 / 2048)) * 11)
    # A font known to be on the line (a right-to-left document's complex-script font).
    arabic = metrics.family_extent("Noto Sans Arabic")
    assert arabic is not None
    assert face.line_height(11, "2018", also=arabic) == pytest.approx((1.374 + 0.738) * 11)
    assert metrics.family_extent("Noto Sans CJK TC") == metrics.family_extent("Noto Sans CJK SC")
    assert metrics.family_extent("Some Unknown Font") is None


NOTO = Path("/usr/share/fonts")


@pytest.mark.skipif(not NOTO_ARABIC.exists(), reason="fonts-noto-core is not installed")
@pytest.mark.parametrize(
    ("family", "path", "index"),
    [
        ("Noto Sans Arabic", "truetype/noto/NotoSansArabic-Regular.ttf", 0),
        ("Noto Sans Hebrew", "truetype/noto/NotoSansHebrew-Regular.ttf", 0),
        ("Noto Sans CJK SC", "opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ],
)
def test_metrics_bundled_noto_vertical_metrics_match_the_installed_fonts(family, path, index):
    """The bundled extents are the fonts' (hhea, which LibreOffice reads), and Word's (OS/2
    winAscent and winDescent) agree with them."""
    from fontTools.ttLib import TTFont

    if not (NOTO / path).exists():
        pytest.skip(f"{path} is not installed")
    font = TTFont(NOTO / path, fontNumber=index, lazy=True)
    upem, hhea, os2 = font["head"].unitsPerEm, font["hhea"], font["OS/2"]
    extent = metrics.family_extent(family)
    assert extent is not None
    assert extent.ascent == pytest.approx((hhea.ascent + hhea.lineGap) / upem, abs=0.001)
    assert extent.descent == pytest.approx(-hhea.descent / upem, abs=0.001)
    assert (os2.usWinAscent, os2.usWinDescent) == (hhea.ascent, -hhea.descent)


def test_metrics_arabic_is_measured_by_its_joined_forms():
    """A word is as wide as the forms a shaper draws: an isolated beh is about three times a
    medial one, so measuring isolated letters made Arabic text half again too wide."""
    face = metrics.font_metrics("Calibri")
    word = "بلدإ"
    isolated = sum(metrics.script_advance(ord(ch)) or 0.0 for ch in word) * 11
    assert face.width(word, 11) < 0.8 * isolated
    # beh initial, lam medial, dal final, alef with hamza below isolated
    joined = "".join(chr(cp) for cp in (0xFE91, 0xFEE0, 0xFEAA, 0xFE87))
    assert face.width(word, 11) == pytest.approx(face.width(joined, 11))


def test_wrap_repeated_gives_the_same_lines_and_a_list_of_its_own():
    """`wrap` is memoised per face: a second call answers from the cache, and what a caller does
    with its list does not change what the next caller gets."""
    face = metrics.font_metrics("Calibri")
    text = "Russia and Turkey agreed a further round of talks on Idlib before the summit."
    first = metrics.wrap(text, 120.0, face, 11)
    assert len(first) > 1 and all(metrics.FontMetrics.width(face, line, 11) <= 120.0 for line in first)
    first.append("changed by the caller")
    second = metrics.wrap(text, 120.0, face, 11)
    assert second == first[:-1]
    assert metrics.wrap(text, 400.0, face, 11) != second  # the width is part of the key


def test_width_of_a_word_is_the_sum_of_its_characters_when_cached():
    face = metrics.font_metrics("Calibri")
    once = face.width("Çavuşoğlu", 11)
    again = face.width("Çavuşoğlu", 11)
    assert once == again == sum(face.width(ch, 11) for ch in "Çavuşoğlu")
