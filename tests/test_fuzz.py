"""Property-based tests: whatever the YAML and whatever the Unicode, briefgen either builds files
that validate and read back with the same text, or fails with a briefgen error — nothing else.

Profiles: "ci" (the default, bounded: well under a minute) and "long" for a run by hand:

    HYPOTHESIS_PROFILE=long .venv/bin/python -m pytest tests/test_fuzz.py

(docs/troubleshooting.md, "Fuzzing").
"""

from __future__ import annotations

import copy
import os
import re
import unicodedata
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from briefgen.checking import check_briefing
from briefgen.cli import main
from briefgen.errors import BriefgenError
from briefgen.facts import load_facts
from briefgen.templating import TemplateSet

settings.register_profile(
    "ci", max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.register_profile(
    "long", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
_CI = os.environ.get("HYPOTHESIS_PROFILE", "ci") == "ci"

ROOT = Path(__file__).resolve().parents[1]
GOOD = ROOT / "tests" / "bad_inputs" / "good.yaml"
GOOD_TEXT = GOOD.read_text(encoding="utf-8")
GOOD_DATA = yaml.safe_load(GOOD_TEXT)
TEMPLATES = TemplateSet()


# ---------------------------------------------------------------------------------------------
# Arbitrary YAML documents: load_facts raises only briefgen errors

_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=20))
_documents = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.one_of(st.text(max_size=10), st.sampled_from(sorted(GOOD_DATA))), inner, max_size=5
        ),
    ),
    max_leaves=25,
)


def _spliced(draw_text: str, at: int) -> str:
    """The good file with some text inserted at a position: near-valid YAML, the common case."""
    at = at % (len(GOOD_TEXT) + 1)
    return GOOD_TEXT[:at] + draw_text + GOOD_TEXT[at:]


_yaml_texts = st.one_of(
    st.text(max_size=200),
    _documents.map(lambda d: yaml.safe_dump(d, allow_unicode=True)),
    st.builds(_spliced, st.text(max_size=12), st.integers(min_value=0)),
    st.builds(
        _spliced,
        st.sampled_from(
            [
                "\t",
                "'",
                '"',
                ": ",
                "- ",
                "&a ",
                "*a",
                "<<: *a\n",
                "{",
                "[",
                "---\n",
                "\x0b",
                "\x00",
                "\ufeff",
                "\\",
                "!!binary ",
                "? ",
            ]
        ),
        st.integers(min_value=0),
    ),
)


@given(text=_yaml_texts)
@example(text="")
@example(text="a: &a [*a]")
@example(text=GOOD_TEXT.replace("  ", "\t", 1))
def test_fuzz_load_facts_arbitrary_yaml_fails_only_with_briefgen_errors(text, tmp_path_factory):
    path = tmp_path_factory.mktemp("fuzz") / "brief.yaml"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    _assert_loads_or_fails_located(path)


@given(data=st.binary(max_size=300))
def test_fuzz_load_facts_arbitrary_bytes_fail_only_with_briefgen_errors(data, tmp_path_factory):
    path = tmp_path_factory.mktemp("fuzz") / "brief.yaml"
    path.write_bytes(data)
    _assert_loads_or_fails_located(path)


def _assert_loads_or_fails_located(path: Path) -> None:
    """The invariant: a fact file either loads into a briefing with a title, which then checks
    cleanly or fails with listed problems; or it fails with a briefgen error listing problems,
    each naming the file and saying something. Any other exception fails the test."""
    try:
        loaded = load_facts(path)
    except BriefgenError as exc:
        event("refused")
        _assert_listed(exc, path)
        return
    event("loaded")
    assert loaded.briefing.title.strip()
    # A document that loads must also render: templates and Markdown, without writers (cheap).
    try:
        check_briefing(path, TEMPLATES)
    except BriefgenError as exc:
        _assert_listed(exc, path, located_in_facts=False)  # may be located in a template


def _assert_listed(exc: BriefgenError, path: Path, located_in_facts: bool = True) -> None:
    assert exc.problems or str(exc).strip(), "a briefgen error must say what is wrong"
    for problem in exc.problems:
        assert problem.message.strip(), problem
    if located_in_facts:
        assert all(p.file in ("", str(path)) for p in exc.problems), exc.problems
        assert any(p.file == str(path) for p in exc.problems) or str(path) in str(exc)


# ---------------------------------------------------------------------------------------------
# Arbitrary Unicode in every text field: build, validate, read back


# Text fields of good.yaml: (path, where the text must be found after a build).
TEXT_FIELDS: dict[tuple, str] = {
    ("title",): "memo",
    ("prepared_for",): "memo",
    ("prepared_by",): "memo",
    ("summary",): "memo",
    ("context",): "memo",
    ("meeting", "title"): "deck",
    ("meeting", "city"): "memo",
    ("people", 0, "name"): "",
    ("people", 0, "role"): "",
    ("people", 1, "name"): "",
    ("people", 1, "native_name"): "",
    ("objectives", "ours", 0): "memo",
    ("agenda", 0, "title"): "",
    ("agenda", 0, "position"): "memo",
    ("agenda", 0, "points", 0, "text"): "memo",
    ("facts", 0, "statement"): "",
    ("risks", 0, "title"): "",
    ("risks", 0, "description"): "",
    ("risks", 0, "rationale"): "",
    ("risks", 0, "mitigation"): "",
    ("sources", 0, "title"): "",
    ("sources", 0, "publisher"): "",
}


def _set(data: dict, path: tuple, value: str) -> None:
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value


_QUOTE_MARKS = str.maketrans({c: "'" for c in "\"“”„‟«»‹›‘’‚‛「」『』"})


def _normal(text: str) -> str:
    """What a field's text becomes on its way into a document: control characters removed by
    the loader, surrounding and repeated white space collapsed (Markdown and layout do), and
    the memo's typography folded (docs/markup.md: every quotation mark read as one kind, every
    dash or run of hyphens as one hyphen)."""
    cleaned = "".join(" " if unicodedata.category(c) == "Cc" and c not in "\t\n\r" else c for c in text)
    return re.sub(r"[-–—]+", "-", " ".join(cleaned.translate(_QUOTE_MARKS).split()))


_QUOTES_FOLDED = str.maketrans({c: '"' for c in "“”„‟«»‹›「」『』‘’‚‛'"})


def _typeset_fold(text: str) -> str:
    """Text with the memo's typography undone the same way on both sides of a comparison:
    every quotation mark one character, every run of hyphens and dashes one hyphen, no-break
    and narrow no-break spaces plain ones (README: the memo is typeset as it is read)."""
    text = text.translate(_QUOTES_FOLDED).replace("\u00a0", " ").replace("\u202f", " ")
    text = re.sub(r"[-–—]+", "-", text)
    return " ".join(text.split())


_any_text = st.text(
    st.characters(exclude_categories=["Cs"]),  # lone surrogates cannot be written as UTF-8
    min_size=1,
    max_size=30,
).filter(lambda s: _normal(s) != "")  # an empty field is (rightly) an error: test the building


def _docx_text(path: Path) -> str:
    import docx

    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def _pptx_text(path: Path) -> str:
    from pptx import Presentation

    parts = []
    for slide in Presentation(str(path)).slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
            if getattr(shape, "has_table", False) and shape.has_table:
                parts.extend(c.text for row in shape.table.rows for c in row.cells)
        if slide.has_notes_slide:
            parts.append(slide.notes_slide.notes_text_frame.text)
    return "\n".join(parts)


def _build(data: dict, folder: Path, capsys) -> tuple[int, str, Path]:
    facts = folder / "brief.yaml"
    facts.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    out = folder / "out"
    capsys.readouterr()
    code = main(["build", str(facts), "-o", str(out), "--format", "docx,pptx", "-j", "1", "--force"])
    return code, capsys.readouterr().err, out


# capsys is read and cleared on every example, so sharing it between examples is safe.
@settings(max_examples=12 if _CI else 300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.fixed_dictionaries({path: _any_text for path in TEXT_FIELDS}))
def test_fuzz_build_any_unicode_in_every_text_field_builds_valid_files_or_fails_cleanly(
    values, tmp_path_factory, capsys, ooxml
):
    data = copy.deepcopy(GOOD_DATA)
    for path, value in values.items():
        _set(data, path, value)
    code, err, out = _build(data, tmp_path_factory.mktemp("fuzz"), capsys)
    assert "Traceback" not in err and "internal error" not in err, err
    event(f"exit {code}")
    if code != 0:
        assert code == 1, err
        assert any(line.startswith(str(out.parent)) or ".yaml" in line for line in err.splitlines()), err
        return
    memo, deck = out / "brief-memo.docx", out / "brief-deck.pptx"
    ooxml(memo, deck)
    memo_text, deck_text = _normal(_docx_text(memo)), _normal(_pptx_text(deck))
    typeset_memo = _typeset_fold(memo_text)
    for path, where in TEXT_FIELDS.items():
        expected = _normal(values[path])
        if where == "memo":
            assert _typeset_fold(expected) in typeset_memo, (path, expected)
        elif where == "deck":
            assert expected in deck_text, (path, expected)


# ---------------------------------------------------------------------------------------------
# Scripts round-trip exactly (no Hypothesis: named, readable cases)

SCRIPTS = {
    "arabic": "بشار الأسد يلتقي الوفد في دمشق",
    "hebrew": "שר החוץ נפגש עם עמיתו בירושלים",
    "cyrillic": "Сергей Лавров, министр иностранных дел",
    "cjk": "外交部长在北京会见了代表团",
    "combining": "Çavuşoğlu Ṩ e\u0301 a\u0308 n\u0303 (decomposed marks)",
    "emoji": "Handshake 🤝 flag 🇹🇷 family 👨‍👩‍👧 skin 👍🏽",
    "mixed-bidi": "Talks with وزير الخارجية on 13 August",
}


def test_build_scripts_round_trip_exactly_into_memo_and_deck(tmp_path, capsys, ooxml):
    data = copy.deepcopy(GOOD_DATA)
    data["context"] = SCRIPTS["arabic"]
    data["agenda"][0]["position"] = SCRIPTS["hebrew"]
    data["agenda"][0]["points"][0]["text"] = SCRIPTS["cyrillic"]
    data["objectives"]["ours"][0] = SCRIPTS["cjk"]
    data["summary"] = SCRIPTS["combining"]
    data["prepared_by"] = SCRIPTS["emoji"]
    data["title"] = SCRIPTS["mixed-bidi"]
    data["meeting"]["title"] = SCRIPTS["cyrillic"] + " " + SCRIPTS["emoji"]
    code, err, out = _build(data, tmp_path, capsys)
    assert code == 0, err
    memo, deck = out / "brief-memo.docx", out / "brief-deck.pptx"
    ooxml(memo, deck)
    memo_text, deck_text = _docx_text(memo), _pptx_text(deck)
    # The memo's typography joins a number and its unit with a no-break space ("13 August");
    # nothing else is changed.
    memo_text = memo_text.replace("\u00a0", " ")
    for name, text in SCRIPTS.items():
        assert text in memo_text, (name, text)  # exact: no normalisation, no lost marks
    assert SCRIPTS["cyrillic"] + " " + SCRIPTS["emoji"] in deck_text
    assert SCRIPTS["combining"] in deck_text  # the bottom line slide


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_load_facts_keeps_scripts_unnormalised(name, tmp_path):
    data = copy.deepcopy(GOOD_DATA)
    data["context"] = SCRIPTS[name]
    path = tmp_path / "brief.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert load_facts(path).briefing.context == SCRIPTS[name]
