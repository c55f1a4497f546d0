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
    from briefgen.metrics import font_metrics, script_advance

    face = font_metrics("Calibri")
    text = "يجب على الطرفين"
    letters = [ch for ch in text if ch != " "]
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
