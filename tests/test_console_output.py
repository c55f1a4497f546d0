"""What `build` and `check` print for people: one status line per file (check: standard output),
the summary over several files, and `-q` printing only errors (under --strict warnings too)."""

from __future__ import annotations

import re

import pytest

from briefgen.cli import main
from briefgen.errors import EXIT_INVALID, EXIT_OK
from tests.conftest import EXAMPLE, FIXTURES


def _failing(tmp_path, name="failing"):
    """A fact file with one error (an unknown fact id) and two warnings (a form feed pasted into
    the title and a source nothing cites)."""
    text = (FIXTURES / "minimal.yaml").read_text("utf-8")
    text = text.replace("facts: [trade-growth]", "facts: [trade-grow]")
    text = text.replace("title: Minimal briefing", "title: Minimal\fbriefing")
    unused = "  - id: unused\n    title: U\n    publisher: P\n    date: 2024-01\n    reference: File 1\n"
    text = text.replace("sources:\n", "sources:\n" + unused, 1)
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, "utf-8")
    return path


def _with_warnings(tmp_path):
    """A valid fact file with one warning (a form feed in the title)."""
    text = (FIXTURES / "minimal.yaml").read_text("utf-8").replace("title: Minimal briefing", "title: A\fB")
    path = tmp_path / "warned.yaml"
    path.write_text(text, "utf-8")
    return path


def _located(err, path, warning):
    pattern = rf"^{re.escape(str(path))}:\d+:\d+: {'warning: ' if warning else '(?!warning: )'}"
    return re.findall(pattern, err, re.MULTILINE)


def test_failing_fixture_has_one_error_and_two_warnings(tmp_path, capsys):
    failing = _failing(tmp_path)
    assert main(["check", str(failing)]) == EXIT_INVALID
    err = capsys.readouterr().err
    assert len(_located(err, failing, warning=False)) == 1
    assert len(_located(err, failing, warning=True)) == 2, err


def test_check_prints_a_status_line_for_a_failed_file_on_standard_output(tmp_path, capsys):
    failing = _failing(tmp_path)
    assert main(["check", str(failing), str(EXAMPLE)]) == EXIT_INVALID
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{failing}: failed (1 error, 2 warnings)"
    assert out[1].startswith(f"{EXAMPLE}: ok: memo about ")  # the worked example has no warning
    assert out[2] == "checked 2: ok 1, failed 1, 2 warnings"
    assert len(out) == 3


def test_check_of_one_file_prints_no_summary(tmp_path, capsys):
    failing = _failing(tmp_path)
    assert main(["check", str(failing)]) == EXIT_INVALID
    assert capsys.readouterr().out.splitlines() == [f"{failing}: failed (1 error, 2 warnings)"]
    warned = _with_warnings(tmp_path)
    assert main(["check", str(warned)]) == EXIT_OK
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith(f"{warned}: ok (1 warning): memo about ")


def test_check_counts_every_failed_file_in_its_summary(tmp_path, capsys):
    first, second = _failing(tmp_path, "first"), _failing(tmp_path, "second")
    assert main(["check", str(first), str(second)]) == EXIT_INVALID
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"{first}: failed (1 error, 2 warnings)",
        f"{second}: failed (1 error, 2 warnings)",
        "checked 2: ok 0, failed 2, 4 warnings",
    ]


def test_check_json_and_github_print_no_status_lines(tmp_path, capsys):
    failing = _failing(tmp_path)
    assert main(["check", str(failing), str(EXAMPLE), "--message-format", "github"]) == EXIT_INVALID
    out = capsys.readouterr().out.splitlines()
    assert out and all(line.startswith("::") for line in out)


@pytest.mark.parametrize("command", ["check", "build"])
def test_quiet_prints_only_the_errors_of_a_failed_briefing(tmp_path, capsys, command):
    failing = _failing(tmp_path)
    extra = ["-j", "1", "-d", str(tmp_path / "out"), "--format", "md"] if command == "build" else []
    assert main([command, "-q", str(failing), *extra]) == EXIT_INVALID
    captured = capsys.readouterr()
    assert len(_located(captured.err, failing, warning=False)) == 1
    assert "warning:" not in captured.err
    assert captured.out == ""


@pytest.mark.parametrize("command", ["check", "build"])
def test_quiet_strict_prints_the_warnings_too(tmp_path, capsys, command):
    failing = _failing(tmp_path)
    extra = ["-j", "1", "-d", str(tmp_path / "out"), "--format", "md"] if command == "build" else []
    assert main([command, "-q", "--strict", str(failing), *extra]) == EXIT_INVALID
    err = capsys.readouterr().err
    assert len(_located(err, failing, warning=False)) == 1
    assert len(_located(err, failing, warning=True)) == 2


@pytest.mark.parametrize("command", ["check", "build"])
def test_quiet_prints_nothing_for_a_briefing_with_only_warnings(tmp_path, capsys, command):
    warned = _with_warnings(tmp_path)
    extra = ["-j", "1", "-d", str(tmp_path / "out"), "--format", "md"] if command == "build" else []
    assert main([command, "-q", str(warned), *extra]) == EXIT_OK
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", "")


ARABIC = EXAMPLE.parent / "ankara-2018-arabic-exercise.yaml"


def _budget_warnings(tmp_path, capsys, text, *extra):
    """(line, col) of the page-budget and slide-budget warnings `check --json` reports for a fact
    file of `text` (None when there is none)."""
    import json

    path = tmp_path / "budget.yaml"
    path.write_text(text, "utf-8")
    assert main(["check", "--json", str(path), *extra]) == EXIT_OK
    problems = json.loads(capsys.readouterr().out)["problems"]
    found = {}
    for kind, said in (("pages", "the memo body is about"), ("slides", "the deck is planned at")):
        hits = [(p["line"], p["col"]) for p in problems if p["message"].startswith(said)]
        assert len(hits) <= 1
        found[kind] = hits[0] if hits else None
    return found


def _line_of(text, needle):
    return next(i for i, line in enumerate(text.splitlines(), 1) if line.startswith(needle))


def test_budget_warnings_point_at_the_budgets_the_fact_file_sets(tmp_path, capsys):
    text = EXAMPLE.read_text("utf-8").replace("  page_budget: 2\n", "  page_budget: 1\n  slide_budget: 3\n")
    found = _budget_warnings(tmp_path, capsys, text)
    assert found["pages"] == (_line_of(text, "  page_budget: 1"), len("  page_budget: ") + 1)
    assert found["slides"] == (_line_of(text, "  slide_budget: 3"), len("  slide_budget: ") + 1)


def test_budget_warnings_point_at_output_when_it_sets_no_budget(tmp_path, capsys):
    # The Arabic exercise runs to about 2.7 pages: over the default two without its own budget,
    # and to 14 slides planned on python-pptx's 4:3 reference, over the default twelve.
    from pptx import Presentation

    reference = tmp_path / "r43.pptx"
    Presentation().save(str(reference))
    text = ARABIC.read_text("utf-8").replace("  page_budget: 3\n", "")
    found = _budget_warnings(tmp_path, capsys, text, "--reference-pptx", str(reference))
    assert found == {"pages": (_line_of(text, "output:"), 1), "slides": (_line_of(text, "output:"), 1)}


def test_budget_warnings_point_at_the_top_without_an_output_section(tmp_path, capsys):
    from pptx import Presentation

    reference = tmp_path / "r43.pptx"
    Presentation().save(str(reference))
    text = ARABIC.read_text("utf-8").split("output:\n")[0]
    found = _budget_warnings(tmp_path, capsys, text, "--reference-pptx", str(reference))
    assert found["pages"] == (1, 1)
    text = EXAMPLE.read_text("utf-8").split("output:\n")[0]
    assert _budget_warnings(tmp_path, capsys, text, "--reference-pptx", str(reference))["slides"] == (1, 1)


def test_budget_warning_shows_the_line_it_points_at(tmp_path, capsys):
    text = EXAMPLE.read_text("utf-8").replace("  page_budget: 2\n", "  page_budget: 1\n")
    path = tmp_path / "over.yaml"
    path.write_text(text, "utf-8")
    assert main(["check", str(path)]) == EXIT_OK
    err = capsys.readouterr().err
    line = _line_of(text, "  page_budget: 1")
    assert f"{path}:{line}:16: warning: the memo body is about " in err
    assert f"{line} |   page_budget: 1\n" in err


def test_check_strict_reports_a_file_with_warnings_failed(tmp_path, capsys):
    warned = _with_warnings(tmp_path)
    assert main(["check", "--strict", str(warned), str(EXAMPLE)]) == EXIT_INVALID
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"{warned}: failed (1 warning): memo about ")
    assert out[1].startswith(f"{EXAMPLE}: ok: memo about ")
    assert out[2] == "checked 2: ok 1, failed 1, 1 warning"


def test_check_strict_json_marks_a_file_with_warnings_not_ok(tmp_path, capsys):
    """The JSON says what the status line says: under --strict a warning fails its file."""
    import json

    warned = _with_warnings(tmp_path)
    assert main(["check", "--strict", "--message-format", "json", str(warned), str(EXAMPLE)]) == EXIT_INVALID
    files = {entry["file"]: entry["ok"] for entry in json.loads(capsys.readouterr().out)["files"]}
    assert files == {str(warned): False, str(EXAMPLE): True}
    assert main(["check", "--message-format", "json", str(warned)]) == EXIT_OK
    assert json.loads(capsys.readouterr().out)["files"][0]["ok"] is True  # without --strict: ok


def test_check_json_lists_a_reference_that_cannot_be_used(capsys):
    import json

    presentation = EXAMPLE.parent.parent / "tests" / "reference-alt.pptx"
    assert main(["check", "--json", "--reference-docx", str(presentation)]) == EXIT_INVALID
    data = json.loads(capsys.readouterr().out)
    assert data["files"] == [{"file": str(presentation), "ok": False}]
    assert data["errors"] == 1 and "not a Word document" in data["problems"][0]["message"]
