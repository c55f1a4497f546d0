"""Measure a memo as LibreOffice lays it out: the page each heading lands on and how many pages
the body fills. Used by the layout tests to compare `briefgen.pagination` with a real render."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from briefgen.languages import has_rtl

FOOTNOTE_BOX = 12.5  # points: a text line box lower than this is a 9 pt footnote line


@dataclass
class Line:
    page: int
    top: float
    bottom: float
    text: str


def available() -> bool:
    return bool(shutil.which("soffice") and shutil.which("pdftotext"))


def render_lines(docx: bytes) -> tuple[list[Line], float]:
    """Every text line of the rendered PDF (page, top, bottom in points, text) and the page
    height in points."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "memo.docx"
        source.write_bytes(docx)
        subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{folder}/profile", "--headless",
             "--convert-to", "pdf", "--outdir", folder, str(source)],
            check=True, capture_output=True, timeout=180,
        )  # fmt: skip
        html = Path(folder) / "memo.html"
        subprocess.run(
            ["pdftotext", "-bbox-layout", str(Path(folder) / "memo.pdf"), str(html)],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        text = html.read_text(encoding="utf-8")
    lines: list[Line] = []
    height = 0.0
    for number, page in enumerate(text.split("<page ")[1:], start=1):
        found = re.search(r'height="([\d.]+)"', page)
        height = float(found.group(1)) if found else height
        for m in re.finditer(
            r'<line xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">(.*?)</line>', page, re.S
        ):
            words = re.findall(r">([^<]*)</word>", m.group(3))
            lines.append(Line(number, float(m.group(1)), float(m.group(2)), " ".join(words)))
    return lines, height


def heading_pages(lines: list[Line], titles: list[str]) -> dict[str, int]:
    """The page of each title's heading: the last line that reads the title and nothing else
    (its entry in the contents comes before it, with a dotted leader and a page number)."""
    pages: dict[str, int] = {}
    for title in titles:
        found = [ln.page for ln in lines if same_text(ln.text, title)]
        if found:
            pages[title] = found[-1]
    return pages


def same_text(line: str, text: str) -> bool:
    """Whether a rendered line reads `text`, spaces aside (pdftotext puts one between Chinese and
    Latin letters). It gives a right-to-left line in visual order with its ligatures (lam-alef)
    kept whole, so such a line is compared by its letters."""
    line, text = line.replace(" ", "").replace("\u00a0", ""), text.replace(" ", "").replace("\u00a0", "")
    if line == text:
        return True
    return has_rtl(text) and sorted(line) == sorted(text)


def body_pages(lines: list[Line], page_height: float, top: float, bottom: float, first_annex: str) -> float:
    """Pages the body fills before the page where `first_annex` starts, the last one measured
    from the top margin to its last body line, plus the footnote block at its foot."""
    start = next(ln.page for ln in lines if same_text(ln.text, first_annex))
    last = start - 1
    foot = page_height - bottom + 2
    area = sorted(
        (ln for ln in lines if ln.page == last and top - 2 <= ln.top and ln.bottom <= foot),
        key=lambda ln: ln.top,
    )
    # The notes: the run of small line boxes that ends the text area (a note mark in the body
    # is small too; pdftotext gives it a line of its own in right-to-left text).
    split = len(area)
    while split and area[split - 1].bottom - area[split - 1].top < FOOTNOTE_BOX:
        split -= 1
    body, notes = area[:split], area[split:]
    used = max((ln.bottom for ln in body), default=top) - top
    if notes:
        used += (page_height - bottom) - min(ln.top for ln in notes) + 12.0  # separator
    return last - 1 + min(used / (page_height - top - bottom), 1.0)


def notes_heights(lines: list[Line], page_height: float, top: float, bottom: float) -> dict[int, float]:
    """Per page, the height the footnotes take at its foot (their block and separator): the run
    of small line boxes that ends the text area."""
    heights: dict[int, float] = {}
    for page in sorted({ln.page for ln in lines}):
        foot = page_height - bottom + 2
        area = sorted(
            (ln for ln in lines if ln.page == page and top - 2 <= ln.top and ln.bottom <= foot),
            key=lambda ln: ln.top,
        )
        block_top = None
        for ln in reversed(area):
            if ln.bottom - ln.top >= FOOTNOTE_BOX:
                break
            block_top = ln.top
        if block_top is not None:
            heights[page] = (page_height - bottom) - block_top + 12.0  # with the separator
    return heights
