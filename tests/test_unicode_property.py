"""Issue 16: a property of the whole pipeline over the whole of Unicode.

Fact text is drawn from every code point (controls, bidirectional marks, noncharacters,
private use, unassigned, astral), weighted towards what breaks document generators: Markdown and
markup characters (`* _ # | < > & [ ] { } ^ ~ \\` and backticks), control characters pasted from
Word, bidi controls, and characters beyond U+FFFF written as JSON-style surrogate escapes
(`"\\ud83d\\ude00"`). The text is written into a fact file as a YAML double-quoted scalar (so
every code point can be spelt), built into a memo and a deck, and then:

- the build exits 0, or 1 with every error located (`file:line:col: …`), never a traceback;
- both files have 0 schema errors (the `ooxml` fixture: ../shared/ooxml/validate.py);
- each text reads back from both files unchanged, apart from the documented replacements:
  control characters become spaces (the loader's located warning says so, docs/troubleshooting
  .md), surrogate escape pairs become the one character they encode, runs of white space read
  as one space (Markdown and layout collapse them), and the memo's typography (docs/markup.md:
  curly quotation marks, dashes for `--` and spaced hyphens, no-break spaces) is folded back.

`make test` runs a few examples; `make fuzz` runs many (HYPOTHESIS_PROFILE=long).
"""

from __future__ import annotations

import copy
import os
import re
import unicodedata
import zipfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lxml import etree

from briefgen.cli import main

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = yaml.safe_load((ROOT / "tests" / "fixtures" / "minimal.yaml").read_text(encoding="utf-8"))
LONG = os.environ.get("HYPOTHESIS_PROFILE") == "long"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"

# The fields tried, and where each must read back: (path in the facts, in memo, in deck).
FIELDS = {
    ("title",): (True, True),
    ("summary",): (True, True),
    ("context",): (True, True),  # the deck: in the notes
    ("agenda", 0, "position"): (True, True),
    ("agenda", 0, "points", 0, "text"): (True, True),
    ("facts", 0, "statement"): (True, False),
    ("sources", 0, "title"): (True, True),
}

MARKUP = [*"*_#|<>&[]{}^~\\`", "**", "__", "[^1]", "{#x}", "<b>", "&amp;", "\\*", "```", "{{ 1 }}", "{% x %}"]
CONTROLS = [*(chr(c) for c in (*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0))), "\ufffe", "\uffff"]
BIDI = ["\u200e", "\u200f", "\u061c", *map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A))]
SEPARATORS = ["\u2028", "\u2029", "\u00a0", "\u3000", "\u200b", "\ufeff"]


class Surrogates(str):
    """An astral character to be written in the YAML as a UTF-16 surrogate escape pair."""


_piece = st.one_of(
    st.characters(exclude_categories=["Cs"]),  # every code point but surrogates
    st.sampled_from(MARKUP),
    st.sampled_from(CONTROLS),
    st.sampled_from(BIDI + SEPARATORS),
    st.characters(min_codepoint=0x10000).map(Surrogates),
    st.sampled_from(["Ankara", "talks", "2018", "—", "é", "ﺍ", "中文"]),
)
_texts = st.lists(_piece, min_size=1, max_size=12)


def _yaml_scalar(pieces: list[str]) -> str:
    """A YAML double-quoted scalar spelling `pieces` exactly (every code point escaped that a
    YAML reader would otherwise refuse or fold)."""
    out = ['"']
    for piece in pieces:
        if isinstance(piece, Surrogates):
            units = piece.encode("utf-16-be")
            out.append("".join(f"\\u{units[i]:02x}{units[i + 1]:02x}" for i in range(0, len(units), 2)))
            continue
        for char in piece:
            code = ord(char)
            if char in '"\\':
                out.append("\\" + char)
            elif unicodedata.category(char) in ("Cc", "Zl", "Zp") or char in "\ufeff\ufffe\uffff":
                out.append(f"\\u{code:04x}" if code > 0xFF else f"\\x{code:02x}")
            else:
                out.append(char)
    out.append('"')
    return "".join(out)


def _expected(pieces: list[str]) -> str:
    """The documented reading of a value: controls (and U+FFFE, U+FFFF) as spaces, white space
    collapsed."""
    text = "".join(pieces)
    cleaned = "".join(" " if unicodedata.category(c) == "Cc" or c in "\ufffe\uffff" else c for c in text)
    return _collapse(cleaned)


_QUOTE_MARKS = str.maketrans({c: "'" for c in "\"“”„‟«»‹›‘’‚‛「」『』"})


def _collapse(text: str) -> str:
    """White space collapsed, and the memo's typography folded: every quotation mark read as
    one kind, every dash or run of hyphens as one hyphen."""
    text = " ".join(text.translate(_QUOTE_MARKS).split())
    return re.sub(r"[-–—]+", "-", text)


def _docx_text(path: Path) -> str:
    parts = []
    with zipfile.ZipFile(path) as zf:
        for name in ("word/document.xml", "word/footnotes.xml"):
            if name in zf.namelist():
                for p in etree.fromstring(zf.read(name)).iter(f"{{{W}}}p"):
                    pieces = []
                    # The writer sets U+2011 as Word's own non-breaking hyphen (briefgen.writers.docx_xml).
                    for node in p.iter(f"{{{W}}}t", f"{{{W}}}tab", f"{{{W}}}br", f"{{{W}}}noBreakHyphen"):
                        if node.tag == f"{{{W}}}t":
                            pieces.append(node.text or "")
                        else:
                            pieces.append("\u2011" if node.tag == f"{{{W}}}noBreakHyphen" else " ")
                    parts.append("".join(pieces))
    return "\n".join(parts)


def _pptx_text(path: Path) -> str:
    parts = []
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if re.fullmatch(r"ppt/(slides/slide|notesSlides/notesSlide)\d+\.xml", name):
                for p in etree.fromstring(zf.read(name)).iter(f"{{{A}}}p"):
                    parts.append(
                        "".join(
                            (n.text or "") if n.tag == f"{{{A}}}t" else " "
                            for n in p.iter(f"{{{A}}}t", f"{{{A}}}br")
                        )
                    )
    return "\n".join(parts)


def _facts_text(values: dict[tuple, list[str]]) -> str:
    data = copy.deepcopy(MINIMAL)
    data["agenda"][0]["background"] = [data["facts"][0]["id"]]  # so the fact prints (Annex A)
    for number, path in enumerate(values):
        node = data
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = f"PLACEHOLDER{number}X"
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    for number, pieces in enumerate(values.values()):
        text = text.replace(f"PLACEHOLDER{number}X", _yaml_scalar(pieces), 1)
    return text


@settings(
    max_examples=300 if LONG else 6,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    print_blob=True,
)
@given(values=st.fixed_dictionaries({path: _texts for path in FIELDS}))
@example(values={path: ["emoji ", Surrogates("😀"), " *_#|<>&[]{}^~\\` \x0c \u202e."] for path in FIELDS})
def test_property_any_unicode_builds_valid_memo_and_deck_that_read_back(
    values, tmp_path_factory, capsys, ooxml
):
    folder = tmp_path_factory.mktemp("unicode")
    facts = folder / "brief.yaml"
    facts.write_text(_facts_text(values), encoding="utf-8")
    out = folder / "out"
    capsys.readouterr()
    code = main(["build", str(facts), "-o", str(out), "--format", "docx,pptx", "-j", "1", "--force"])
    err = capsys.readouterr().err
    assert "Traceback" not in err and "internal error" not in err, err
    if code != 0:
        assert code == 1, err
        errors = [line for line in err.splitlines() if ": " in line and "warning:" not in line]
        located = [line for line in errors if re.match(rf"{re.escape(str(facts))}:\d+:\d+: ", line)]
        assert located, err  # at least one located error, and it is why the build failed
        return
    memo, deck = out / "brief-memo.docx", out / "brief-deck.pptx"
    ooxml(memo, deck)
    memo_text, deck_text = _collapse(_docx_text(memo)), _collapse(_pptx_text(deck))
    for path, (in_memo, in_deck) in FIELDS.items():
        expected = _expected(values[path])
        if not expected:
            continue
        if in_memo:
            assert expected in memo_text, (path, expected)
        if in_deck:
            assert expected in deck_text, (path, expected)
