"""Write briefgen/fonts/<face>.metrics.json from the bundled fonts: the advance widths and
vertical metrics `briefgen.metrics` needs, so that a run never imports fontTools nor parses a
font (about 45 ms of every `check` and cold build). Run again whenever a font file changes;
tests/test_metrics.py should compare the JSON with the font.
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


if __name__ == "__main__":
    main()
