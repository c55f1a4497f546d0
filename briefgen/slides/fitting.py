"""Measuring and fitting text: wrap with real font metrics, pack paragraphs into boxes-full,
split what does not fit, shrink only as the last resort, fit titles."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import replace

from briefgen.errors import Problem, quoted
from briefgen.metrics import font_metrics, wrap
from briefgen.slides.geometry import (
    _CLAUSE_WORDS,
    _SENTENCE,
    HEIGHT_SLACK,
    SHRINK_STEP,
    WIDTH_SAFETY,
    DeckGeometry,
    LayoutBox,
)
from briefgen.slides.plans import Para, Run, TextPlan


def line_pitch(font: str, size: float) -> float:
    """Baseline-to-baseline distance the plan assumes; the writer sets exactly this line spacing
    (renderers disagree on "single" spacing: LibreOffice uses about 1.25 em for every font)."""
    return round(font_metrics(font).line_height(size), 2)


def _indent(para: Para, geometry: DeckGeometry) -> float:
    """Left margin of the paragraph's text (bullets hang in the last indent step)."""
    return (para.level + (1 if para.bullet else 0)) * geometry.indent


@functools.lru_cache(maxsize=65536)
def _wrapped(text: str, font: str, bold: bool, size: float, width: float) -> tuple[str, ...]:
    return tuple(wrap(text, max(width * WIDTH_SAFETY, size), font_metrics(font, bold), size))


def wrap_lines(text: str, font: str, bold: bool, size: float, width: float) -> list[str]:
    """`text` wrapped into lines for a box `width` points wide (cached: planning re-measures)."""
    return list(_wrapped(text, font, bold, size, width))


def para_height(para: Para, box: LayoutBox, size: float, geometry: DeckGeometry, first: bool) -> float:
    width = box.inner_width - _indent(para, geometry)
    n = len(wrap_lines(para.text, box.font, box.bold or para.bold, size, width))
    return n * line_pitch(box.font, size) + (0.0 if first else geometry.paragraph_space * size)


def text_height(paras: Sequence[Para], box: LayoutBox, size: float, geometry: DeckGeometry) -> float:
    return sum(para_height(p, box, size, geometry, i == 0) for i, p in enumerate(paras))


def capacity(box: LayoutBox) -> float:
    return box.inner_height - HEIGHT_SLACK


def sizes(start: float, stop: float) -> list[float]:
    """Font sizes from `start` down to `stop` in whole steps (both included)."""
    out = [start]
    size = start
    while size - SHRINK_STEP >= stop - 1e-9:
        size = round(size - SHRINK_STEP, 2)
        out.append(size)
    if out[-1] > stop:
        out.append(stop)
    return out


# ---------------------------------------------------------------------------------------------
# Packing text into boxes


def pack(
    paras: Sequence[Para], box: LayoutBox, geometry: DeckGeometry, warnings: list[Problem], where: str
) -> list[TextPlan]:
    """Split paragraphs into as many boxes-full as needed; see the module docstring for the order."""
    base = box.size
    minimum = min(geometry.min_font_pt, base)
    cap = capacity(box)
    out: list[TextPlan] = []
    current: list[Para] = []
    height = 0.0

    def flush() -> None:
        nonlocal current, height
        if current:
            out.append(TextPlan(box, tuple(current), base, height))
        current, height = [], 0.0

    for index, para in enumerate(paras):
        h = para_height(para, box, base, geometry, first=not current)
        if para.optional:
            # Where room allows: on the box being filled, or not at all (the notes hold it).
            # A lead-in is kept only when what it introduces fits after it.
            after = paras[index + 1] if index + 1 < len(paras) else None
            need = h
            if para.lead and after is not None:
                need += para_height(after, box, base, geometry, first=False)
            if height + need <= cap and not (para.lead and after is None):
                current.append(para)
                height += h
            continue
        if height + h <= cap:
            current.append(para)
            height += h
            continue
        # Keep a lead-in line with what it introduces.
        carried: list[Para] = []
        while len(current) > 1 and current[-1].lead:
            carried.insert(0, current.pop())
        if carried:
            height = text_height(current, box, base, geometry)
        flush()
        trial = [*carried, para]
        h = text_height(trial, box, base, geometry)
        if h <= cap:
            current, height = trial, h
            continue
        for lead in carried:  # lead-ins alone on a slide would help nobody; keep them anyway
            current.append(lead)
        if carried:
            height = text_height(current, box, base, geometry)
            if height + para_height(para, box, base, geometry, False) <= cap:
                current.append(para)
                height += para_height(para, box, base, geometry, False)
                continue
            flush()
        # The paragraph does not fit on a slide of its own: shrink, as the last resort.
        for size in sizes(base - SHRINK_STEP, minimum):
            h = para_height(para, box, size, geometry, True)
            if h <= cap:
                out.append(TextPlan(box, (para,), size, h))
                break
        else:
            pieces = _split_para(para, box, minimum, geometry)
            warnings.append(
                Problem(
                    f"{where}: a point is too long for one slide even at {minimum:g} pt; "
                    f"split across {len(pieces)} slides: {quoted(para.text[:60])}…",
                    severity="warning",
                )
            )
            for piece in pieces:
                out.append(TextPlan(box, (piece,), minimum, para_height(piece, box, minimum, geometry, True)))
    flush()
    return out


def _split_para(para: Para, box: LayoutBox, size: float, geometry: DeckGeometry) -> list[Para]:
    """Split a paragraph at sentence, then word, then character boundaries into pieces that
    each fit the box at `size`; pieces after the first carry no bullet (they continue it)."""
    cap = capacity(box)

    def fits(text: str, first_piece: bool) -> bool:
        trial = replace(para, runs=(Run(text, bold=para.bold),), bullet=para.bullet if first_piece else "")
        if not first_piece:
            trial = replace(trial, level=para.level + (1 if para.bullet else 0))
        return para_height(trial, box, size, geometry, True) <= cap

    tokens: list[str] = []
    for sentence in _SENTENCE.split(para.text):
        tokens.append(sentence)
    pieces: list[str] = []
    current = ""
    queue = list(tokens)
    while queue:
        token = queue.pop(0)
        candidate = f"{current} {token}".strip()
        if fits(candidate, not pieces):
            current = candidate
            continue
        if current:
            pieces.append(current)
            current = ""
            queue.insert(0, token)
            continue
        # A single token too big for an empty box: break it finer.
        finer = token.split(" ") if " " in token else [token[: len(token) // 2], token[len(token) // 2 :]]
        if len(finer) == 1:
            pieces.append(token)  # cannot happen for text longer than one character
            continue
        queue[0:0] = _rejoin_halves(finer)
    if current:
        pieces.append(current)
    out = []
    for i, text in enumerate(pieces):
        if i == 0:
            out.append(replace(para, runs=(Run(text, bold=para.bold),)))
        else:
            out.append(
                replace(
                    para,
                    runs=(Run(text, bold=para.bold),),
                    bullet="",
                    level=para.level + (1 if para.bullet else 0),
                    lead=False,
                )
            )
    return out


def _rejoin_halves(words: list[str]) -> list[str]:
    """Group words into two halves (keeps the split loop logarithmic, not word by word)."""
    if len(words) <= 2:
        return words
    mid = len(words) // 2
    return [" ".join(words[:mid]), " ".join(words[mid:])]


# ---------------------------------------------------------------------------------------------
# Titles


def fit_title(text: str, box: LayoutBox, geometry: DeckGeometry, suffix: str = "") -> tuple[str, float, str]:
    """(title, size, spill): the title wrapped to the box at the largest size that fits, or at the
    smallest allowed size with the words that do not fit returned as `spill` for the body."""
    full = text + suffix
    cap = capacity(box)
    smallest = min(box.size, max(geometry.min_title_pt, round(box.size * 0.75)))
    for size in sizes(box.size, smallest):
        lines = wrap_lines(full, box.font, box.bold, size, box.inner_width)
        if len(lines) * line_pitch(box.font, size) <= cap:
            return full, size, ""
    words = text.split(" ")
    keep = len(words)
    while keep > 1:
        keep -= 1
        head = " ".join(words[:keep]) + suffix
        lines = wrap_lines(head, box.font, box.bold, smallest, box.inner_width)
        if len(lines) * line_pitch(box.font, smallest) <= cap:
            break
    # Cut at the last clause boundary that fits, so both halves read as phrases.
    for cut in range(keep, max(keep // 2, 1) - 1, -1):
        if words[cut - 1].endswith((",", ";", ":")) or words[cut].lower() in _CLAUSE_WORDS:
            keep = cut
            break
    return " ".join(words[:keep]).rstrip(",;:") + suffix, smallest, " ".join(words[keep:])
