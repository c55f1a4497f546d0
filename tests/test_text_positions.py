"""Issue 16, kinds 1 and 2: positions mean the same line to the parser and to the excerpt, and a
fact file means the same thing with or without libyaml.

Kind 1: every place that maps a position to text (the excerpt under a problem, the loader's
control-character warnings, decode errors, `init --from`) cuts lines where the parser does:
YAML breaks at CR LF, CR, LF, U+0085, U+2028 and U+2029 and not at U+000B or U+000C; Jinja2 and
Markdown at CR LF, CR and LF only.

Kind 2: JSON-style surrogate escapes (`"\\ud83d\\ude00"`) are joined into one character, a lone
one is refused with one located error, and every result (data or error, message and position)
is the same whichever YAML backend reads the file.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
import yaml

from briefgen.errors import InvalidFacts
from briefgen.facts import yaml_reader
from briefgen.facts.loader import load_facts
from briefgen.linebreaks import JINJA_BREAKS, YAML_BREAKS, LineIndex, breaks_for, split_lines
from briefgen.problems import SourceLines, print_problems

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT.parent / "shared" / "cases"
MINIMAL = (ROOT / "tests" / "fixtures" / "minimal.yaml").read_text(encoding="utf-8")


def _printed(problems) -> str:
    out = io.StringIO()
    print_problems(problems, out, colour=False)
    return out.getvalue()


def _problems_of(path: Path):
    try:
        return load_facts(path).warnings
    except InvalidFacts as exc:
        return exc.problems


def _excerpt_line(printed: str, head: str) -> str:
    """The source line printed under the problem whose first line contains `head`."""
    lines = printed.splitlines()
    index = next(i for i, line in enumerate(lines) if head in line)
    return lines[index + 1]


def _typo(text: str) -> str:
    """The minimal briefing with an unknown fact id on the line of the point's `facts:`."""
    return text.replace("facts: [trade-growth]", "facts: [trade-growht]")


# ---------------------------------------------------------------------------------------------
# Kind 1: what a line is


def test_linebreaks_split_lines_follows_yaml_not_str_splitlines():
    text = "a\x0bb\x0cc\x1cd\r\ne\rf\x85g\u2028h\u2029i\nj"
    assert split_lines(text, YAML_BREAKS) == ["a\x0bb\x0cc\x1cd", "e", "f", "g", "h", "i", "j"]
    assert split_lines(text, JINJA_BREAKS) == ["a\x0bb\x0cc\x1cd", "e", "f\x85g\u2028h\u2029i", "j"]
    assert len(text.splitlines()) != len(split_lines(text, YAML_BREAKS))  # the bug's cause


def test_linebreaks_line_index_round_trips_offsets():
    text = "ab\r\ncd\x85e\u2028\nf"
    index = LineIndex(text)
    for offset in range(len(text)):
        line, col = index.position(offset)
        assert index.offset(line, col) == offset
    assert index.position(text.index("f")) == (5, 1)
    assert breaks_for("memo.md.j2") is JINJA_BREAKS and breaks_for("facts/x.yaml") is YAML_BREAKS


def test_problems_case_01_raw_form_feed_excerpt_shows_the_reported_line():
    case = CASES / "01-raw-formfeed-shifts-error-excerpt.yaml"
    if not case.exists():
        pytest.skip("../shared/cases is not beside this clone")
    problems = _problems_of(case)
    error = next(p for p in problems if "f1-typo" in p.message)
    assert (error.line, error.col) == (29, 17)
    assert "facts: [f1-typo]" in _excerpt_line(_printed(problems), "f1-typo")


@pytest.mark.parametrize(
    "char",
    ["\x0b", "\x0c", "\x1c", "\x1d", "\x1e"],
    ids=["vertical-tab", "form-feed", "file-separator", "group-separator", "record-separator"],
)
def test_problems_control_characters_that_python_splits_at_do_not_shift_the_excerpt(char, write_facts):
    # Each character sits in a fact three lines above the error; Python's splitlines() breaks
    # at all of them, YAML at none.
    text = _typo(MINIMAL).replace("context: Why we meet.", f"context: Why{char}we meet.")
    problems = _problems_of(write_facts(text))
    error = next(p for p in problems if "trade-growht" in p.message)
    assert text.split("\n")[error.line - 1].strip() == "facts: [trade-growht]"
    assert "facts: [trade-growht]" in _excerpt_line(_printed(problems), "trade-growht")


@pytest.mark.parametrize(
    "newline",
    ["\r\n", "\r", "\x85", "\u2028", "\u2029"],
    ids=["crlf", "cr", "nel", "line-separator", "paragraph-separator"],
)
def test_problems_excerpt_and_position_agree_for_every_yaml_line_break(newline, write_facts):
    # The whole file written with one kind of line break (NEL, LS, PS: as some old Mac,
    # mainframe and web editors save); line N is the same line to the parser and the excerpt.
    text = _typo(MINIMAL).replace("\n", newline)
    path = write_facts(text)
    problems = _problems_of(path)
    error = next(p for p in problems if "trade-growht" in p.message)
    lines = MINIMAL.split("\n")
    assert lines[error.line - 1].strip() == "facts: [trade-growth]"
    shown = _excerpt_line(_printed(problems), "trade-growht")
    assert shown.endswith("facts: [trade-growht]") and f"{error.line} |" in shown


def test_loader_control_warning_lines_count_yaml_line_breaks(write_facts):
    # A raw NEL is a line break to YAML: it is left alone (not turned into a space), and a form
    # feed below it is reported on the line the parser and the excerpt see it on.
    text = MINIMAL.replace("prepared_for: Minister\n", "prepared_for: Minister\x85").replace(
        "context: Why we meet.", "context: Why\x0cwe meet."
    )
    loaded = load_facts(write_facts(text))
    warning = next(p for p in loaded.warnings if "U+000C" in p.message)
    assert split_lines(text)[warning.line - 1].startswith("context: Why")
    assert warning.col == len("context: Why") + 1 and warning.path == "context"
    assert loaded.briefing.prepared_for == "Minister"
    assert not any("U+0085" in p.message for p in loaded.warnings)


def test_loader_decode_error_position_counts_carriage_returns(tmp_path):
    path = tmp_path / "brief.yaml"
    path.write_bytes(b"title: a\rsummary: b\rcontext: caf\xe9\r")
    with pytest.raises(InvalidFacts) as caught:
        load_facts(path)
    problem = caught.value.problems[0]
    assert "not valid UTF-8" in problem.message and (problem.line, problem.col) == (3, 13)


def test_problems_template_excerpt_uses_jinja_lines(tmp_path):
    # Jinja2 counts CR, LF and CR LF only: a U+2028 in a template is inside its line.
    template = tmp_path / "memo.md.j2"
    template.write_text("one\u2028still one\ntwo\nthree {{ oops(\n", encoding="utf-8")
    assert SourceLines().line(str(template), 3) == "three {{ oops("


def test_scaffold_init_from_keeps_form_feeds_inside_their_lines(tmp_path, write_facts):
    from briefgen.scaffold import _from_existing

    text = MINIMAL.replace("context: Why we meet.", "context: Why\x0cwe meet.")
    written = _from_existing(write_facts(text), "schema.json")
    assert "context: Why\x0cwe meet.\n" in written
    assert len(split_lines(written)) == len(split_lines(text)) + 1  # the modeline only


# ---------------------------------------------------------------------------------------------
# Kind 2: one meaning, whichever YAML backend


@pytest.fixture(params=["libyaml", "pure-python"])
def backend(request, monkeypatch):
    """Run the loader with libyaml as its accelerator, or as if libyaml were not installed."""
    if request.param == "libyaml":
        if getattr(yaml, "CSafeLoader", None) is None:
            pytest.skip("libyaml is not installed")
        monkeypatch.setattr(yaml_reader, "_FAST_LOADER", yaml.CSafeLoader)
    else:
        monkeypatch.setattr(yaml_reader, "_FAST_LOADER", None)
    return request.param


def _with_context(value: str) -> str:
    return MINIMAL.replace("context: Why we meet.", f"context: {value}")


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ('"an emoji \\ud83d\\ude00."', "an emoji \U0001f600."),  # the listed case
        ('"\\uD83C\\uDDF9\\uD83C\\uDDF7 flag"', "\U0001f1f9\U0001f1f7 flag"),  # upper case, two pairs
        ('"math \\U0000d835\\U0000dc00"', "math \U0001d400"),  # the 8-digit form of a pair
        ('"kept \\\\ud83d literally"', "kept \\ud83d literally"),  # an escaped backslash
        ("'single quotes: \\ud83d\\ude00'", "single quotes: \\ud83d\\ude00"),  # no escapes there
        ("plain \\ud83d\\ude00 text", "plain \\ud83d\\ude00 text"),
    ],
    ids=["pair", "two-pairs-upper", "eight-digit-pair", "escaped-backslash", "single-quoted", "plain"],
)
def test_loader_surrogate_pairs_are_joined_by_every_backend(written, expected, backend, write_facts):
    assert load_facts(write_facts(_with_context(written))).briefing.context == expected


@pytest.mark.parametrize(
    ("written", "escape", "col"),
    [
        ('"an emoji \\ud83d."', "\\ud83d", 20),  # high half alone
        ('"an emoji \\ude00."', "\\ude00", 20),  # low half alone
        ('"reversed \\ude00\\ud83d."', "\\ude00", 20),  # low before high: two lone halves
        ('"split \\ud83d \\ude00"', "\\ud83d", 17),  # a space between the halves
    ],
    ids=["high-alone", "low-alone", "reversed", "split"],
)
def test_loader_lone_surrogate_is_one_located_error_with_every_backend(
    written, escape, col, backend, write_facts
):
    path = write_facts(_with_context(written))
    with pytest.raises(InvalidFacts) as caught:
        load_facts(path)
    problems = caught.value.problems
    first = problems[0]
    assert escape in first.message and "surrogate" in first.message
    assert (first.line, first.col, first.path) == (10, col, "context")
    assert "\\U0001F600" in first.hint
    assert all(p.severity == "error" and "surrogate" in p.message for p in problems)
    assert "invalid Unicode character escape" not in _printed(problems)


BROKEN_YAML = {
    "unclosed-flow-list": MINIMAL.replace("participants: [minister, counterpart]", "participants: [minister"),
    "bad-escape": _with_context('"a \\q b"'),
    "bad-indent": MINIMAL.replace("  city: Brussels", " city: Brussels"),
    "unclosed-quote": _with_context('"never closed'),
    "tab-indent": MINIMAL.replace("  city: Brussels", "\tcity: Brussels"),
}


@pytest.mark.parametrize("name", sorted(BROKEN_YAML))
def test_loader_yaml_errors_are_identical_with_and_without_libyaml(name, write_facts, monkeypatch):
    path = write_facts(BROKEN_YAML[name])
    seen = []
    for fast in (getattr(yaml, "CSafeLoader", None), None):
        monkeypatch.setattr(yaml_reader, "_FAST_LOADER", fast)
        with pytest.raises(InvalidFacts) as caught:
            load_facts(path)
        seen.append([(p.line, p.col, p.message, p.hint) for p in caught.value.problems])
    assert seen[0] == seen[1]
    assert seen[0][0][0] > 0  # located


def test_loader_good_file_reads_the_same_with_and_without_libyaml(monkeypatch):
    example = ROOT / "facts" / "lavrov-cavusoglu-ankara-2018.yaml"
    dumps = []
    for fast in (getattr(yaml, "CSafeLoader", None), None):
        monkeypatch.setattr(yaml_reader, "_FAST_LOADER", fast)
        dumps.append(load_facts(example).briefing.model_dump_json())
    assert dumps[0] == dumps[1]
    assert re.search(r"Lavrov", dumps[0])
