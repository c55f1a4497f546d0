"""A new user's first hour: the README's quick start, `make demo`'s last words, and the commands
a desk officer types first, checked as that user would meet them."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess

import pytest

from briefgen.cli import main
from tests.conftest import ROOT


def _demo_echoes() -> list[str]:
    """What `make demo` prints after the build (its echo lines), without running it."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    done = subprocess.run(
        ["make", "--no-print-directory", "-n", "demo"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    lines = []
    for line in done.stdout.splitlines():
        if line.startswith("echo "):
            lines.append(shlex.split(line)[1] if len(shlex.split(line)) > 1 else "")
    return lines


def test_first_hour_make_demo_ends_with_the_exact_next_command(tmp_path, monkeypatch):
    lines = _demo_echoes()
    assert lines[-1].startswith("Next: .venv/bin/briefgen ")
    # The environment is named, with both ways to run briefgen.
    text = "\n".join(lines)
    assert ".venv/bin/briefgen" in text and ". .venv/bin/activate" in text
    # The command printed works as printed (here in a scratch folder).
    command = shlex.split(lines[-1].removeprefix("Next: "))
    assert command[0] == ".venv/bin/briefgen"
    monkeypatch.chdir(tmp_path)
    assert main(command[1:]) == 0
    assert (tmp_path / "facts" / f"{command[-1]}.yaml").is_file()


def test_first_hour_readme_quick_start_shows_venv_path_and_activation():
    readme = (ROOT / "README.md").read_text("utf-8")
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert ".venv/bin/briefgen" in quick
    assert re.search(r"^\. \.venv/bin/activate", quick, re.M)
    assert "not on your `PATH`" in quick


# ---------------------------------------------------------------------------------------------
# Template errors: located like YAML errors, with the nearest name, no Python class names


def _memo_with(tmp_path, old: str, new: str):
    """A copy of the built-in memo template with one change; returns (folder, changed line)."""
    from briefgen.resources import builtin_template_dir

    folder = tmp_path / "tpl"
    folder.mkdir()
    source = (builtin_template_dir() / "memo.md.j2").read_text("utf-8")
    assert old in source
    changed = source.replace(old, new, 1)
    (folder / "memo.md.j2").write_text(changed, "utf-8")
    line = changed[: changed.index(new)].count("\n") + 1
    return folder, line, changed.splitlines()[line - 1]


TEMPLATE_SLIPS = [
    # (old, new, message pattern, the text the caret must be under)
    ("{{ b.prepared_for | md }}", "{{ b.prepared_fro | md }}",
     r"the briefing has no field 'prepared_fro' \(did you mean 'prepared_for'\?\)", "prepared_fro"),
    ("{{ b.title | md }}", "{{ titel }}",
     r"'titel' is not defined in this template \(did you mean 'b\.title'\?\)", "titel"),
    ("{{ b.title | md }}", "{{ b.meeting.cty }}",
     r"a meeting has no field 'cty' \(did you mean 'city'\?\)", "cty"),
    ("{{ b.prepared_for | md }}", "{{ b.prepared_for | mdd }}",
     r"no filter named 'mdd' \(did you mean 'md'\?\)", "mdd"),
    ("{{ b.title | md }}", "{% iff b.title %}", r"unknown tag 'iff' \(did you mean 'if'\?\)", "iff"),
    ("{{ b.title | md }}", "{{ b.title | md }", r"a single '\}' closes nothing", "}"),
    ("{{ b.title | md }}", "{{ b.title | md ", r"\{\{ is not closed with \}\} on its line", "{{"),
    ("{% if b.through %}", "{% if b.through ", r"\{% is not closed with %\} on its line", "{%"),
    ("{% if b.through %}", "{% if b.through %}{% if b.through %}",
     r"\{% if %\} is never closed: add \{% endif %\}", "{% if"),
    ("{{ b.title | md }}", "{{ b.title + 3 }}", r"template failed: can only concatenate", "{{"),
]


@pytest.mark.parametrize(
    ("old", "new", "pattern", "under"), TEMPLATE_SLIPS, ids=[s[1] for s in TEMPLATE_SLIPS]
)
def test_first_hour_template_error_is_located_with_excerpt_caret_and_suggestion(
    tmp_path, capsys, old, new, pattern, under
):
    from tests.conftest import EXAMPLE

    folder, line, text = _memo_with(tmp_path, old, new)
    assert main(["check", str(EXAMPLE), "--templates", str(folder)]) == 1
    err = capsys.readouterr().err
    first, excerpt, caret, *_ = err.splitlines()
    match = re.match(r"^(?P<file>.+memo\.md\.j2):(?P<line>\d+):(?P<col>\d+): (?P<message>.*)$", first)
    assert match, err
    assert match["file"] == str(folder / "memo.md.j2")
    assert int(match["line"]) == line, err
    assert re.search(pattern, match["message"]), err
    # The excerpt is the template line, and the caret stands under the offending text.
    assert excerpt.rstrip().endswith(text.rstrip()) and f"{line} | " in excerpt
    col = int(match["col"])
    assert text[col - 1 :].startswith(under), (text, col)
    assert caret.index("^") - caret.index("|") - 2 == col - 1
    for python in ("briefgen.", "object'", "Error:", "Traceback", "jinja2"):
        assert python not in err, err


def test_first_hour_unclosed_brace_is_reported_on_its_own_line_not_where_jinja_stops(tmp_path, capsys):
    """A missing `}` on line N is reported at line N even when the parser runs on to N+2."""
    from tests.conftest import EXAMPLE

    folder = tmp_path / "tpl"
    folder.mkdir()
    lines = ["# Memo", "", *(f"Line {n}" for n in range(3, 15))]
    lines += ["{{ b.title | md }", "", "{{ b.summary | md }}"]
    (folder / "memo.md.j2").write_text("\n".join(lines) + "\n", "utf-8")
    assert main(["check", str(EXAMPLE), "--templates", str(folder)]) == 1
    assert ":15:" in capsys.readouterr().err.splitlines()[0]


# ---------------------------------------------------------------------------------------------
# templates export DIR → --templates DIR: the exported references are used


def test_first_hour_exported_references_in_templates_dir_are_used(tmp_path, capsys):
    import json
    import zipfile

    from docx import Document as open_docx

    from tests.conftest import EXAMPLE

    folder = tmp_path / "house"
    assert main(["templates", "export", str(folder)]) == 0
    reference = open_docx(folder / "reference.docx")
    reference.styles["Normal"].font.name = "Georgia"
    reference.save(folder / "reference.docx")
    out = tmp_path / "out"
    report = tmp_path / "report.json"
    args = ["build", str(EXAMPLE), "-o", str(out), "--templates", str(folder), "--report", str(report)]
    assert main(args) == 0
    with zipfile.ZipFile(out / f"{EXAMPLE.stem}-memo.docx") as package:
        styles = package.read("word/styles.xml").decode("utf-8")
    assert 'w:ascii="Georgia"' in styles
    inputs = {(i["path"], i["role"]) for i in json.loads(report.read_text())["briefings"][0]["inputs"]}
    assert (str(folder / "reference.docx"), "reference docx") in inputs
    assert (str(folder / "reference.pptx"), "reference pptx") in inputs
    # Editing the exported reference again rebuilds; the command line's reference still wins.
    reference.styles["Normal"].font.name = "Garamond"
    reference.save(folder / "reference.docx")
    capsys.readouterr()
    assert main(args) == 0
    with zipfile.ZipFile(out / f"{EXAMPLE.stem}-memo.docx") as package:
        assert 'w:ascii="Garamond"' in package.read("word/styles.xml").decode("utf-8")
    from briefgen.resources import builtin_template_dir

    bundled = builtin_template_dir() / "reference.docx"
    assert main([*args, "--reference-docx", str(bundled), "--force"]) == 0
    with zipfile.ZipFile(out / f"{EXAMPLE.stem}-memo.docx") as package:
        assert "Garamond" not in package.read("word/styles.xml").decode("utf-8")


# ---------------------------------------------------------------------------------------------
# init placeholders: a located warning in check and build, an error with --strict


def _string_leaves(node, loc=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _string_leaves(value, (*loc, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _string_leaves(value, (*loc, index))
    elif isinstance(node, str):
        yield loc, node


def test_first_hour_every_starter_text_is_known_as_a_placeholder():
    """The starter's prose and names are all recognised (ids, dates and allowed words are not
    placeholders: a real briefing uses the same ones)."""
    from datetime import date

    from briefgen.facts.checks import _placeholders
    from briefgen.scaffold import starter

    data = starter(date(2024, 5, 1))
    flagged = {f.loc for f in _placeholders(data, ())}
    for loc, text in _string_leaves(data):
        prose = " " in text or text.startswith(("http", "Example", "Capital"))
        kept = loc[-1] in ("role", "kind", "language", "level", "lexicon", "likelihood", "confidence")
        if prose and not kept:
            assert loc in flagged, (loc, text)
    assert all(isinstance(loc[-1], (str, int)) for loc in flagged)


def test_first_hour_placeholders_warn_in_check_and_build_and_fail_strict(tmp_path, capsys):
    import yaml

    assert main(["init", "brief", "--dir", str(tmp_path)]) == 0
    target = tmp_path / "brief.yaml"
    text = target.read_text("utf-8")
    # The author has written their own title; the rest is still the starter's.
    text = text.replace("title: Meeting with the Foreign Minister of Example", "title: Talks in Ankara", 1)
    target.write_text(text, "utf-8")
    capsys.readouterr()
    assert main(["check", str(target)]) == 0
    err = capsys.readouterr().err
    node = yaml.compose(text)
    summary = next(v for k, v in node.value if k.value == "summary")
    where = f"{target}:{summary.start_mark.line + 1}:{summary.start_mark.column + 1}: warning: summary: "
    assert where + "still the scaffold's text ('Replace with the bottom line" in err
    assert ": warning: title: " not in err
    assert main(["check", "--strict", str(target)]) == 1
    capsys.readouterr()
    out = tmp_path / "out"
    assert main(["build", str(target), "-o", str(out), "--format", "md"]) == 0
    assert "still the scaffold's text" in capsys.readouterr().err
    assert main(["build", str(target), "-o", str(tmp_path / "strict"), "--format", "md", "--strict"]) == 1
    assert not (tmp_path / "strict" / "brief-memo.md").exists()
