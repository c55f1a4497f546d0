"""Arabic joining: each letter takes the form a shaper draws, so that Arabic is measured as set."""

from __future__ import annotations

import unicodedata

import pytest

from briefgen.joining import shape


def names(text: str) -> list[str]:
    return [unicodedata.name(ch).removeprefix("ARABIC ") for ch in shape(text)]


@pytest.mark.parametrize(
    ("text", "forms"),
    [
        # Dual-joining letters between joiners are medial; the last letter is final.
        ("بلد", ["LETTER BEH INITIAL FORM", "LETTER LAM MEDIAL FORM", "LETTER DAL FINAL FORM"]),
        # Dal, alef and reh join only the letter before them: what follows starts afresh.
        ("دار", ["LETTER DAL ISOLATED FORM", "LETTER ALEF ISOLATED FORM", "LETTER REH ISOLATED FORM"]),
        # Lam and alef are one ligature, final after a joining letter.
        ("لا", ["LIGATURE LAM WITH ALEF ISOLATED FORM"]),
        (
            "الملاحق",
            [
                "LETTER ALEF ISOLATED FORM",
                "LETTER LAM INITIAL FORM",
                "LETTER MEEM MEDIAL FORM",
                "LIGATURE LAM WITH ALEF FINAL FORM",
                "LETTER HAH INITIAL FORM",
                "LETTER QAF FINAL FORM",
            ],
        ),
        (
            "إلى",
            [
                "LETTER ALEF WITH HAMZA BELOW ISOLATED FORM",
                "LETTER LAM INITIAL FORM",
                "LETTER ALEF MAKSURA FINAL FORM",
            ],
        ),
        # Hamza joins nothing.
        ("ماء", ["LETTER MEEM INITIAL FORM", "LETTER ALEF FINAL FORM", "LETTER HAMZA ISOLATED FORM"]),
        # Marks are transparent: the letters either side still join.
        ("بَب", ["LETTER BEH INITIAL FORM", "FATHA", "LETTER BEH FINAL FORM"]),
        # The tatweel joins on both sides.
        ("بـ", ["LETTER BEH INITIAL FORM", "TATWEEL"]),
        # Persian and Urdu letters have their forms too.
        ("پدر", ["LETTER PEH INITIAL FORM", "LETTER DAL FINAL FORM", "LETTER REH ISOLATED FORM"]),
        ("گل", ["LETTER GAF INITIAL FORM", "LETTER LAM FINAL FORM"]),
    ],
)
def test_joining_letters_take_their_contextual_forms(text: str, forms: list[str]) -> None:
    assert names(text) == forms


def test_joining_words_start_afresh_after_a_space_or_a_zero_width_non_joiner() -> None:
    assert names("بب بب")[2] == "SPACE" and names("بب بب")[3] == "LETTER BEH INITIAL FORM"
    apart = ["LETTER BEH ISOLATED FORM", "ZERO WIDTH NON-JOINER", "LETTER BEH ISOLATED FORM"]
    assert names("ب\u200cب") == apart


def test_joining_leaves_other_scripts_alone() -> None:
    for text in ("Lavrov in Ankara", "Сергей Лавров", "双方应当", "שלום", ""):
        assert shape(text) == text
