"""What the command line prints agrees with itself: one rounding of the page estimate, warnings
counted and located wherever a briefing ends (built, up to date or failed), -q under --strict."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from briefgen.cli import main
from briefgen.errors import EXIT_INVALID, EXIT_OK
from briefgen.pagination import shown_pages
from tests.conftest import EXAMPLE, FIXTURES

MINIMAL = FIXTURES / "minimal.yaml"


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, "utf-8")
    return path


def _over_budget(folder: Path) -> Path:
    """The worked example with a page budget of 1: a warning from the plan step."""
    text = EXAMPLE.read_text("utf-8")
    assert "page_budget: 2" in text
    return _write(folder, "over.yaml", text.replace("page_budget: 2", "page_budget: 1"))


def _failing_with_warnings(folder: Path) -> Path:
    """One error (an unknown fact id) and warnings (a raw form feed, an unused source)."""
    text = MINIMAL.read_text("utf-8")
    text = text.replace("summary: Bottom line in one sentence.", "summary: Bottom line\fin one sentence.")
    text = text.replace("facts: [trade-growth]", "facts: [trade-growt]")
    text += "  - id: unused\n    title: Unused\n    publisher: P\n    date: 2024-01\n    reference: R\n"
    return _write(folder, "failing.yaml", text)


def _warning_lines(err: str) -> int:
    return len(re.findall(r"^\S.*: warning: ", err, flags=re.M))


def test_shown_pages_rounds_up_to_the_tenth_without_float_noise() -> None:
    assert shown_pages(2.0) == 2.0
    assert shown_pages(2.2) == 2.2  # 2.2 * 10 is 22.000000000000004 in floating point
    assert shown_pages(2.201) == 2.3
    assert shown_pages(2.26) == 2.3
    assert shown_pages(0.04) == 0.1


def test_check_prints_one_page_estimate_in_the_warning_the_line_and_json(tmp_path: Path, capsys) -> None:
    facts = _over_budget(tmp_path)
    assert main(["check", str(facts)]) == EXIT_OK
    out, err = capsys.readouterr()
    warned = re.search(r"the memo body is about (\d+\.\d) pages", err)
    line = re.search(r"memo about (\d+\.\d) of 1 pages", out)
    assert warned and line, (out, err)
    assert warned.group(1) == line.group(1)
    assert main(["check", str(facts), "--message-format", "json"]) == EXIT_OK
    entry = json.loads(capsys.readouterr().out)["files"][0]
    assert f"{entry['pages']:.1f}" == warned.group(1)
    assert entry["pages"] > entry["page_budget"] == 1


def test_check_strict_quiet_still_prints_the_warnings_that_fail_it(tmp_path: Path, capsys) -> None:
    facts = _over_budget(tmp_path)
    assert main(["check", "-q", str(facts)]) == EXIT_OK
    assert capsys.readouterr() == ("", "")  # -q: errors only, and warnings are not errors
    assert main(["check", "--strict", "-q", str(facts)]) == EXIT_INVALID
    out, err = capsys.readouterr()
    # At the budget the fact file sets (`page_budget: 1`), as every located warning.
    assert re.search(rf"^{re.escape(str(facts))}:\d+:\d+: warning: the memo body is about", err, re.M), err
    assert "(--strict)" in err and "ok" not in out


def test_build_counts_the_warnings_of_a_failed_briefing(tmp_path: Path, capsys) -> None:
    facts = _failing_with_warnings(tmp_path / "facts")
    report = tmp_path / "report.json"
    assert main(["build", str(facts), "-d", str(tmp_path / "out"), "-j", "1", "--report", str(report)]) == 1
    err = capsys.readouterr().err
    printed = _warning_lines(err)
    assert printed == 2, err  # the form feed and the unused source
    assert f"failed: {facts} (1 error, 2 warnings)" in err
    assert re.search(r"failed 1, 2 warnings in \d+\.\d s$", err.strip()), err
    data = json.loads(report.read_text("utf-8"))
    assert data["summary"]["warnings"] == 2 and "2 warnings" in data["summary"]["text"]
    entry = data["briefings"][0]
    assert entry["status"] == "failed" and len(entry["warnings"]) == 2
    assert all(w["severity"] == "warning" and w["file"] == str(facts) for w in entry["warnings"])
    assert [p["severity"] for p in entry["problems"]].count("error") == 1


def test_build_strict_failure_counts_the_warnings_that_failed_it(tmp_path: Path, capsys) -> None:
    facts = _over_budget(tmp_path)
    report = tmp_path / "report.json"
    args = ["build", str(facts), "-d", str(tmp_path / "out"), "--format", "md", "--strict"]
    args += ["--report", str(report)]
    assert main(args) == EXIT_INVALID
    err = capsys.readouterr().err
    count = _warning_lines(err)
    assert count >= 1 and "over its budget" in err
    noun = "warning" if count == 1 else "warnings"
    assert re.search(rf"failed 1, {count} {noun} in \d+\.\d s$", err.strip()), err
    data = json.loads(report.read_text("utf-8"))
    assert data["summary"]["warnings"] == count == len(data["briefings"][0]["warnings"])
    assert not list((tmp_path / "out").glob("*.md"))


def test_warnings_found_before_a_failing_template_are_printed_and_counted(tmp_path: Path, capsys) -> None:
    """A briefing whose facts warn and whose template then fails keeps those warnings."""
    text = MINIMAL.read_text("utf-8")
    text = text.replace("summary: Bottom line in one sentence.", "summary: Bottom\fline.")
    facts = _write(tmp_path / "facts", "brief.yaml", text)
    templates = _write(tmp_path / "templates", "memo.md.j2", "# {{ briefing.no_such_field.x }}\n").parent
    out = tmp_path / "out"
    assert main(["build", str(facts), "-d", str(out), "--templates", str(templates), "--format", "docx"]) == 1
    err = capsys.readouterr().err
    assert "memo.md.j2" in err and f"{facts}:9:16: warning: summary: removed form feed" in err, err
    assert re.search(r"failed 1, 1 warning in", err), err
    assert main(["check", str(facts), "--templates", str(templates)]) == EXIT_INVALID
    err = capsys.readouterr().err
    assert "memo.md.j2" in err and "removed form feed" in err


def _long_source_line(folder: Path) -> Path:
    """A slide whose source line cannot fit the slide foot (a warning of the deck planner)."""
    text = MINIMAL.read_text("utf-8")
    title = " ".join(["Trade statistics of the year 2023 by sector and partner"] * 12)
    text = text.replace("title: Trade statistics 2023", f"title: {title}")
    risks = "    risks: [talks-fail]\n"
    text = text.replace(risks, risks + "    background: [trade-growth]\n")
    return _write(folder, "long-source.yaml", text)


@pytest.mark.parametrize("how", ["text", "json", "github"])
def test_every_warning_about_a_briefing_names_its_fact_file(tmp_path: Path, capsys, how: str) -> None:
    facts = _long_source_line(tmp_path)
    assert main(["check", str(facts), "--message-format", how]) == EXIT_OK
    out, err = capsys.readouterr()
    if how == "json":
        problems = json.loads(out)["problems"]
        assert any("source line is too long" in p["message"] for p in problems), problems
        assert all(p["file"] for p in problems)
    elif how == "github":
        lines = [ln for ln in out.splitlines() if ln.startswith("::warning")]
        assert any("source line is too long" in ln for ln in lines), out
        assert all(ln.startswith(f"::warning file={facts}") for ln in lines), out
    else:
        lines = [ln for ln in err.splitlines() if "warning:" in ln]
        assert any("source line is too long" in ln for ln in lines), err
        assert all(ln.startswith(f"{facts}: warning: ") or ln.startswith(f"{facts}:") for ln in lines)


def test_build_prints_up_to_date_as_the_summary_spells_it(tmp_path: Path, capsys) -> None:
    facts = _write(tmp_path / "facts", "brief.yaml", MINIMAL.read_text("utf-8"))
    out, report = tmp_path / "out", tmp_path / "report.json"
    assert main(["build", str(facts), "-d", str(out), "--format", "md"]) == EXIT_OK
    capsys.readouterr()
    again = ["build", str(facts), "-d", str(out), "--format", "md", "--report", str(report)]
    assert main(again) == EXIT_OK
    err = capsys.readouterr().err
    assert f"[1/1] up to date: {facts}" in err and "up-to-date" not in err
    assert "built 0, up to date 1, failed 0" in err
    assert json.loads(report.read_text("utf-8"))["briefings"][0]["status"] == "up-to-date"  # an identifier
