"""RAG (red / amber / green) ratings of risks: one function of the thresholds, used by the
facts (each risk's rating), the templates (every key and legend) and the deck's heat map, so
that a band reads the same on every slide, note and memo key.

A score is likelihood × impact, each rated 1–5, so only the products of two such ratings occur
(1, 2, 3, 4, 5, 6, 8, 9, 10, 12, 15, 16, 20, 25): with red from 12 and amber from 5 the amber band
is printed "5–10", because no score of 11 exists.
"""

from __future__ import annotations

from dataclasses import dataclass

SCORES = tuple(sorted({likelihood * impact for likelihood in range(1, 6) for impact in range(1, 6)}))


def score_expression(likelihood: object, impact: object, score: object) -> str:
    """A risk's score as every key prints it, '4×5 = 20' (likelihood × impact = score), held on
    one line: no-break spaces (U+00A0) around '=', none around '×', as a product of two ratings
    is written ('5×5 matrix'), so that no key breaks it as '4 × 5 =' / '20' and the memo's
    narrow score column stays narrow. The numbers are printed as given: pass them already in
    the language's digits."""
    return f"{likelihood}×{impact}\u00a0=\u00a0{score}"


def rag_of(score: int, red_from: int, amber_from: int) -> str:
    """"red" at or above `red_from`, "amber" at or above `amber_from`, else "green"."""
    if score >= red_from:
        return "red"
    return "amber" if score >= amber_from else "green"


@dataclass(frozen=True, slots=True)
class RagBand:
    """The scores one RAG rating covers, from the scores likelihood × impact can take."""

    rag: str  # "red" | "amber" | "green"
    low: int
    high: int
    top: bool  # the highest band: printed "≥ low"
    bottom: bool  # the lowest band: printed "≤ high"

    @property
    def label(self) -> str:
        """"Red", "Amber", "Green"."""
        return self.rag.capitalize()

    @property
    def scores(self) -> str:
        """'≥ 12', '5–10', '≤ 4', or a single score '6'."""
        if self.top and self.low != self.high:
            return f"≥ {self.low}"
        if self.bottom and self.low != self.high:
            return f"≤ {self.high}"
        return str(self.low) if self.low == self.high else f"{self.low}–{self.high}"

    @property
    def text(self) -> str:
        """'Red: score ≥ 12' style legend text."""
        return f"{self.label}: {self.scores}"


def rag_bands(red_from: int, amber_from: int) -> tuple[RagBand, ...]:
    """The bands, red first, each covering the possible scores its thresholds give it; a band
    no possible score falls in is left out."""
    out: list[RagBand] = []
    for rag in ("red", "amber", "green"):
        scores = [s for s in SCORES if rag_of(s, red_from, amber_from) == rag]
        if scores:
            out.append(RagBand(rag, scores[0], scores[-1], False, False))
    if out:
        out[0] = RagBand(out[0].rag, out[0].low, out[0].high, True, out[0] is out[-1])
        last = out[-1]
        out[-1] = RagBand(last.rag, last.low, last.high, last.top, True)
    return tuple(out)
