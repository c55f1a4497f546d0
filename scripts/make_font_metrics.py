"""Write briefgen/fonts/<face>.metrics.json from the bundled fonts: the advance widths and
vertical metrics `briefgen.metrics` needs, so that a run never imports fontTools nor parses a
font (about 45 ms of every `check` and cold build). Run again whenever a font file changes;
tests/test_metrics.py should compare the JSON with the font.

It also writes briefgen/fonts/noto-scripts.metrics.json: the advance widths of the Noto fonts
that draw Arabic, Hebrew and CJK text (`briefgen.languages.SCRIPT_FONTS`), read from Debian's
fonts-noto-core and fonts-noto-cjk (apt-get install them first), as runs of equal advance per
1000 units of the em, each with the index of its face, so the data stays small (the fonts
themselves are not bundled); and each face's vertical metrics (hhea ascender, descender and line
gap per 1000 units; in these fonts the same as OS/2 winAscent/winDescent, which Word uses), from
which the page estimate measures a line set in that face.
"""

from __future__ import annotations

import json
from pathlib import Path

from briefgen import metrics

FONTS = Path(metrics.__file__).resolve().parent / "fonts"


def main() -> None:
    for font in sorted(FONTS.glob("*.ttf")):
        face = metrics._read_font(font.stem)
        points = sorted(face.advances)
        data = {
            "units_per_em": face.units_per_em,
            "ascender": face.ascender,
            "descender": face.descender,
            "line_gap": face.line_gap,
            "code_points": points,
            "advances": [face.advances[p] for p in points],
        }
        target = font.with_suffix(".metrics.json")
        target.write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")
        print(f"wrote {target}")
    write_script_metrics()


NOTO = Path("/usr/share/fonts")
# (family in SCRIPT_FONTS, font file, index in a collection, the code point ranges it draws)
SCRIPT_FACES = (
    ("Noto Sans Arabic", "truetype/noto/NotoSansArabic-{}.ttf", 0,
     ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF))),
    ("Noto Sans Hebrew", "truetype/noto/NotoSansHebrew-{}.ttf", 0, ((0x0590, 0x05FF), (0xFB1D, 0xFB4F))),
    # Index 2 of the collection is Noto Sans CJK SC; ideographs, kana and hangul have the same
    # advances in the JP, KR and TC faces.
    ("Noto Sans CJK SC", "opentype/noto/NotoSansCJK-{}.ttc", 2,
     ((0x1100, 0x11FF), (0x2E80, 0x2FDF), (0x3000, 0x30FF), (0x3100, 0x31FF), (0x3200, 0x33FF),
      (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xAC00, 0xD7AF), (0xF900, 0xFAFF), (0xFF00, 0xFFEF))),
)


def write_script_metrics() -> None:
    from fontTools.ttLib import TTFont

    faces: dict[str, list[list[int]]] = {}
    vertical: list[list[int]] = []
    for weight in ("Regular", "Bold"):
        runs: list[list[int]] = []
        for face, (_family, pattern, index, ranges) in enumerate(SCRIPT_FACES):
            path = NOTO / pattern.format(weight)
            font = TTFont(path, fontNumber=index, lazy=True)
            cmap, hmtx = font.getBestCmap(), font["hmtx"].metrics
            upem = font["head"].unitsPerEm
            if weight == "Regular":
                hhea = font["hhea"]
                vertical.append([round(v * 1000 / upem) for v in (hhea.ascent, hhea.descent, hhea.lineGap)])
            for first, last in ranges:
                for cp in range(first, last + 1):
                    glyph = cmap.get(cp)
                    if glyph is None or glyph not in hmtx:
                        continue
                    advance = round(hmtx[glyph][0] * 1000 / upem)
                    if runs and runs[-1][1] == cp - 1 and runs[-1][2:] == [advance, face]:
                        runs[-1][1] = cp
                    else:
                        runs.append([cp, cp, advance, face])
            font.close()
        faces[weight.lower()] = sorted(runs)  # by first code point: looked up by bisection
    data = {
        "about": "Advance widths (per 1000 units of the em) of the Noto fonts that draw Arabic, "
        "Hebrew and CJK text, as runs [first, last, advance, face] (face: index in families), "
        "and each face's vertical metrics [ascender, descender, line gap] per 1000 units; "
        "from Debian fonts-noto-core and fonts-noto-cjk by scripts/make_font_metrics.py. "
        "Noto fonts: SIL Open Font License 1.1, see Noto-LICENSE.txt.",
        "families": [family for family, *_ in SCRIPT_FACES],
        "vertical": vertical,
        **faces,
    }
    target = FONTS / "noto-scripts.metrics.json"
    target.write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
