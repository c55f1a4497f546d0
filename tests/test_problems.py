"""How problems are shown: caret excerpts, colour rules, JSON and GitHub annotations."""

from __future__ import annotations

import io
import json

import pytest

from briefgen.cli import main
from briefgen.errors import EXIT_INVALID, EXIT_OK, Problem, TemplateProblem
from briefgen.problems import (
    excerpt,
    format_github,
    format_json,
    format_problem,
    print_problems,
    problems_of,
    use_colour,
)


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def bad_file(write_facts, minimal_yaml):
    """The minimal fixture with a misspelt enum value."""
    text = minimal_yaml.replace("likelihood: certain", "likelihood: certian", 1)
    assert text != minimal_yaml
    return write_facts(text, "bad")


def test_problem_first_line_is_the_located_line_then_caret(tmp_path):
    path = tmp_path / "f.yaml"
    path.write_text("title: x\nmarking:\n  schem: us\n", encoding="utf-8")
    problem = Problem("unknown key 'schem'", file=str(path), line=3, col=3, path="marking.schem",
                      hint="see docs/facts.md")
    lines = format_problem(problem).splitlines()
    assert lines[0] == problem.format() == f"{path}:3:3: marking.schem: unknown key 'schem'"
    assert lines[1] == "    3 |   schem: us"
    assert lines[2] == "      |   ^~~~~"
    assert lines[1].index("schem") == lines[2].index("^")
    assert lines[3] == "  hint: see docs/facts.md"


def test_problem_caret_accounts_for_tabs_and_wide_characters():
    text = "\tname: 中文 oops"
    line, caret = excerpt(text, 1, text.index("oops") + 1)
    assert "\t" not in line
    # Each CJK character takes two columns, so the caret moves right by two per character.
    assert caret.index("^") - line.index("name") == len("name: ") + 2 * 2 + 1


def test_problem_without_readable_file_has_no_excerpt():
    problem = Problem("broken", file="/no/such/file.yaml", line=4, col=2, path="a")
    assert format_problem(problem) == problem.format()
    assert format_problem(Problem("plain message")) == "plain message"


def test_problem_colour_only_on_a_terminal_unless_the_run_says_otherwise(monkeypatch):
    import briefgen.problems

    monkeypatch.setattr(briefgen.problems, "COLOUR", None)  # --color auto, colour allowed
    assert use_colour(Tty()) is True
    assert use_colour(io.StringIO()) is False
    monkeypatch.setattr(briefgen.problems, "COLOUR", False)  # NO_COLOR, TERM=dumb, --color never
    assert use_colour(Tty()) is False
    monkeypatch.setattr(briefgen.problems, "COLOUR", True)  # --color always
    assert use_colour(io.StringIO()) is True


def test_problem_colour_keeps_the_first_line_text(monkeypatch):
    import briefgen.problems

    monkeypatch.setattr(briefgen.problems, "COLOUR", None)  # as a run that allows colour sets it
    stream = Tty()
    problem = Problem("bad", file="f.yaml", line=1, col=1, path="x")
    print_problems([problem], stream)
    first = stream.getvalue().splitlines()[0]
    assert "\033[" in first
    assert first.replace("\033[1m", "").replace("\033[31m", "").replace("\033[0m", "") == problem.format()
    plain = io.StringIO()
    print_problems([problem], plain)
    assert "\033[" not in plain.getvalue()


def test_problem_check_shows_the_yaml_line_and_suggestion(bad_file, capsys):
    assert main(["check", str(bad_file)]) == EXIT_INVALID
    err = capsys.readouterr().err.splitlines()
    at = next(i for i, ln in enumerate(err) if "certian" in ln and ln.startswith(str(bad_file)))
    assert "did you mean 'certain'?" in err[at]
    assert err[at + 1].endswith("likelihood: certian")
    assert err[at + 2].index("^") == err[at + 1].index("certian")


def test_problem_check_json_is_machine_readable(bad_file, example_copy, capsys):
    assert main(["check", "--json", str(bad_file), str(example_copy)]) == EXIT_INVALID
    out = capsys.readouterr().out
    report = json.loads(out)
    files = [{k: f[k] for k in ("file", "ok")} for f in report["files"]]
    assert files == [{"file": str(bad_file), "ok": False}, {"file": str(example_copy), "ok": True}]
    assert set(report["files"][1]) == {"file", "ok", "pages", "page_budget", "slides"}
    assert report["errors"] >= 1
    first = next(p for p in report["problems"] if "certian" in p["message"])
    assert first["file"] == str(bad_file)
    assert first["line"] > 0 and first["col"] > 0
    assert first["path"].endswith("likelihood")
    assert first["severity"] == "error"
    assert first["text"].startswith(f"{bad_file}:{first['line']}:{first['col']}: {first['path']}: ")


def test_problem_check_json_for_a_valid_file_is_empty(example_copy, capsys):
    assert main(["check", "--format", "json", str(example_copy)]) == EXIT_OK
    report = json.loads(capsys.readouterr().out)
    assert report["errors"] == 0
    assert all(p["severity"] == "warning" for p in report["problems"])


def test_problem_github_annotations_escape_their_fields():
    problems = [
        Problem("50% done,\nnext line", file="a,b.yaml", line=3, col=7, path="x:y"),
        Problem("over budget", file="b.yaml", severity="warning"),
        Problem("no location"),
    ]
    lines = format_github(problems).splitlines()
    assert lines[0] == "::error file=a%2Cb.yaml,line=3,col=7,title=x%3Ay::50%25 done,%0Anext line"
    assert lines[1] == "::warning file=b.yaml::over budget"
    assert lines[2] == "::error::no location"


def test_problem_check_github_format(bad_file, capsys):
    assert main(["check", "--format", "github", str(bad_file)]) == EXIT_INVALID
    out = capsys.readouterr().out
    assert out.startswith(f"::error file={bad_file},line=")


def test_problem_format_json_counts_and_extra_keys():
    doc = json.loads(format_json([Problem("a"), Problem("b", severity="warning")], tool="briefgen"))
    assert (doc["tool"], doc["errors"], doc["warnings"], len(doc["problems"])) == ("briefgen", 1, 1, 2)


def test_problem_template_error_keeps_its_located_problems():
    located = Problem("undefined in template: 'x' is undefined", file="my/memo.md.j2", line=12)
    assert problems_of(TemplateProblem(problems=[located])) == [located]
    # Nothing is parsed back out of a message: a bare message stays one problem of the file given.
    bare = "my/memo.md.j2:12: undefined"
    assert problems_of(TemplateProblem(bare), "f.yaml") == [Problem(bare, file="f.yaml")]
    assert problems_of(TemplateProblem("template not found: memo.md.j2"), "f.yaml") == [
        Problem("template not found: memo.md.j2", file="f.yaml")
    ]
