"""A new user's first hour: the README's quick start, `make demo`'s last words, and the commands
a desk officer types first, checked as that user would meet them."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess

import click
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


# ---------------------------------------------------------------------------------------------
# The command line: help at 80 columns, one meaning per flag, -q/-v, colour, old spellings


def _commands():
    from briefgen.cli import cli

    found = [((), cli)]
    for name, command in cli.commands.items():
        found.append(((name,), command))
        for sub, inner in getattr(command, "commands", {}).items():
            found.append(((name, sub), inner))
    return found


@pytest.mark.parametrize("path", [p for p, _ in _commands()], ids=lambda p: " ".join(p) or "briefgen")
def test_first_hour_help_reads_cleanly_at_80_columns(path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    assert main([*path, "--help"]) == 0
    text = capsys.readouterr().out
    long = [line for line in text.splitlines() if len(line) > 80]
    assert long == [], long
    # Nothing cut with "..." (the usage line's `[FACTS]...` is click's notation for "several").
    assert not [line for line in text.splitlines() if "..." in line and not line.startswith("Usage:")]
    if path:
        assert "Exit codes:" in text


def test_first_hour_every_command_takes_quiet_verbose_and_color():
    for path, command in _commands():
        if not path or getattr(command, "commands", None):
            continue
        names = {n for p in command.params for n in p.opts}
        assert {"-q", "--quiet", "-v", "--verbose", "--color"} <= names, path


def test_first_hour_one_meaning_per_flag_across_commands():
    """A visible flag means one thing everywhere (pandoc, Quarto and git conventions): `-o` is
    an output file, `-d/--output-dir` an output folder, `--format` output formats."""
    meanings: dict[str, set[str]] = {}
    for _path, command in _commands():
        for param in command.params:
            if isinstance(param, click.Option) and not param.hidden:
                for opt in param.opts:
                    meanings.setdefault(opt, set()).add(param.name or "")
    shared = {opt: names for opt, names in meanings.items() if len(names) > 1}
    assert shared == {}, shared
    assert meanings["-o"] == {"output"} and meanings["--output-dir"] == {"out_dir"}
    assert meanings["--format"] == {"formats"}


def test_first_hour_old_spellings_still_work(tmp_path, capsys):
    from tests.conftest import EXAMPLE

    out = tmp_path / "out"
    assert main(["build", str(EXAMPLE), "-o", str(out), "--format", "md"]) == 0
    assert (out / f"{EXAMPLE.stem}-memo.md").is_file()
    assert main(["build", str(EXAMPLE), f"--out={tmp_path / 'b'}", "--format", "md"]) == 0
    assert (tmp_path / "b" / f"{EXAMPLE.stem}-deck.md").is_file()
    capsys.readouterr()
    assert main(["check", str(EXAMPLE), "--format", "json"]) == 0
    assert capsys.readouterr().out.lstrip().startswith("{")
    assert main(["check", str(EXAMPLE), "--message-format=github"]) == 0
    assert main(["init", "old-style", "--dir", str(tmp_path / "f")]) == 0
    assert (tmp_path / "f" / "old-style.yaml").is_file()
    # The old spellings are not in the help.
    assert main(["build", "--help"]) == 0
    text = capsys.readouterr().out
    assert "--out " not in text and "-o," not in text and "--output-dir" in text


@pytest.mark.parametrize(
    ("args", "env", "coloured"),
    [
        ([], {}, False),  # not a terminal
        (["--color", "always"], {}, True),
        (["--color=always"], {"NO_COLOR": "1"}, True),  # the flag wins over the variable
        (["--color", "never"], {}, False),
        (["--color", "auto"], {"NO_COLOR": "1"}, False),
    ],
)
def test_first_hour_colour_follows_flag_terminal_and_no_color(
    tmp_path, capsys, monkeypatch, args, env, coloured
):
    import briefgen.problems

    monkeypatch.setattr(briefgen.problems, "COLOUR", None)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    broken = tmp_path / "x.yaml"
    broken.write_text("title: [\n", "utf-8")
    assert main(["check", str(broken), *args]) == 1
    assert ("\x1b[" in capsys.readouterr().err) is coloured


def test_first_hour_quiet_and_verbose(tmp_path, capsys):
    from tests.conftest import EXAMPLE

    assert main(["check", "-q", str(EXAMPLE)]) == 0
    assert capsys.readouterr() == ("", "")
    out = tmp_path / "out"
    assert main(["build", "-q", str(EXAMPLE), "--output-dir", str(out), "--format", "md"]) == 0
    assert capsys.readouterr() == ("", "")
    assert main(["build", "-v", str(EXAMPLE), "-d", str(out), "--format", "md", "--force"]) == 0
    captured = capsys.readouterr()
    assert f"wrote {out / (EXAMPLE.stem + '-memo.md')}" in captured.out
    assert re.search(r"render \d+\.\d\d s", captured.err)


@pytest.fixture(autouse=True)
def _reset_output():
    """-q/-v/--color last for one run of main (as in a process); tests run many."""
    import briefgen.problems
    from briefgen.console import Output

    yield
    Output.verbosity = 0
    briefgen.problems.COLOUR = None


# ---------------------------------------------------------------------------------------------
# What the commands say: check's measures, build's lines and summary, diff, inspect, PDF


def test_first_hour_check_success_prints_memo_length_and_slide_count(tmp_path, capsys):
    from pptx import Presentation

    from tests.conftest import EXAMPLE

    assert main(["check", str(EXAMPLE)]) == 0
    line = capsys.readouterr().out.strip()
    shown = re.escape(str(EXAMPLE))
    match = re.fullmatch(rf"{shown}: ok: memo about (\d+\.\d) of 2 pages, deck (\d+) slides", line)
    assert match, line
    assert 0.5 < float(match[1]) < 4
    # The slide count is the deck's as built.
    assert main(["build", str(EXAMPLE), "-d", str(tmp_path), "-q", "--format", "pptx"]) == 0
    deck = Presentation(str(tmp_path / f"{EXAMPLE.stem}-deck.pptx"))
    assert len(deck.slides) == int(match[2])


def test_first_hour_build_one_line_per_briefing_and_summary_with_counts(tmp_path, capsys):
    from tests.conftest import FIXTURES

    folder = tmp_path / "facts"
    folder.mkdir()
    good = (FIXTURES / "minimal.yaml").read_text("utf-8")
    placeholder = good.replace("summary: Bottom line in one sentence.", "summary: Replace with x.")
    (folder / "a.yaml").write_text(placeholder, "utf-8")
    (folder / "b.yaml").write_text(good.replace("summary: Bottom line in one sentence.\n", ""), "utf-8")
    (folder / "c.yaml").write_text(good, "utf-8")
    assert main(["build", str(folder), "-d", str(tmp_path / "out"), "--format", "md", "-j", "1"]) == 1
    err = capsys.readouterr().err.splitlines()
    lines = [line for line in err if line.startswith("[")]
    assert [re.match(r"\[\d/3\] (\S+): .*/(\w)\.yaml", line).groups() for line in lines] == [
        ("built", "a"), ("failed", "b"), ("built", "c")
    ]
    assert lines[0].endswith("1 warning)") and lines[1].endswith("(1 error)")
    assert err[-2] == f"failed: {folder / 'b.yaml'}"
    assert re.fullmatch(r"built 2, up to date 0, failed 1, 1 warning in \d+\.\d s", err[-1])


def test_first_hour_diff_shows_the_differing_part_of_a_long_text(tmp_path, capsys):
    from tests.conftest import EXAMPLE

    text = EXAMPLE.read_text("utf-8")
    long = "context: " + "The background runs on at length. " * 12 + "The talks will fail."
    old = tmp_path / "old.yaml"
    new = tmp_path / "new.yaml"
    import yaml

    data = yaml.safe_load(text)
    data["context"] = long.removeprefix("context: ")
    old.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    data["context"] = data["context"].replace("will fail", "will succeed")
    new.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    assert main(["diff", str(old), str(new)]) == 0
    out = capsys.readouterr().out
    change = next(line for line in out.splitlines() if "context:" in line)
    assert "will fail" in change and "will succeed" in change
    assert change.count("…") >= 2 and len(change) < 250


def test_first_hour_diff_exit_codes_like_git_and_stdin(tmp_path, capsys, monkeypatch):
    import io

    from tests.conftest import EXAMPLE

    changed = tmp_path / "changed.yaml"
    changed.write_text(EXAMPLE.read_text("utf-8").replace("likelihood: 4", "likelihood: 3", 1), "utf-8")
    broken = tmp_path / "broken.yaml"
    broken.write_text("title: [\n", "utf-8")
    assert main(["diff", "--exit-code", str(EXAMPLE), str(EXAMPLE)]) == 0
    assert main(["diff", "--exit-code", str(EXAMPLE), str(changed)]) == 1
    assert main(["diff", str(EXAMPLE), str(changed)]) == 0  # without --exit-code: a report
    capsys.readouterr()
    assert main(["diff", "-q", str(EXAMPLE), str(changed)]) == 1  # git: --quiet implies it
    assert capsys.readouterr().out == ""
    assert main(["diff", "--exit-code", str(EXAMPLE), str(broken)]) == 2
    assert main(["diff", str(EXAMPLE), str(tmp_path / "missing.yaml")]) == 2
    # '-' reads standard input.
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(EXAMPLE.read_bytes())))
    capsys.readouterr()
    assert main(["diff", "--exit-code", "-", str(changed)]) == 1
    assert capsys.readouterr().out.startswith("<stdin> → ")


def test_first_hour_check_reads_standard_input_with_located_excerpts(capsys, monkeypatch):
    import io

    from tests.conftest import EXAMPLE

    text = EXAMPLE.read_text("utf-8").replace("likelihood: 4", "likelihood: high", 1)
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8"))))
    assert main(["check", "-"]) == 1
    err = capsys.readouterr().err.splitlines()
    line = text[: text.index("likelihood: high")].count("\n") + 1
    assert err[0].startswith(f"<stdin>:{line}:17: risks[0].likelihood: 'high' is not a likelihood rating")
    assert err[1].endswith("likelihood: high") and err[2].strip().endswith("^~~~")
    assert main(["check", "-", str(EXAMPLE)]) == 2  # '-' stands alone


def test_first_hour_inspect_json_keeps_notes_whole(tmp_path, capsys):
    import json

    from pptx import Presentation

    from tests.conftest import EXAMPLE

    assert main(["build", str(EXAMPLE), "-d", str(tmp_path), "--format", "pptx", "-q"]) == 0
    from briefgen.inspect import NOTES_EXCERPT

    deck = tmp_path / f"{EXAMPLE.stem}-deck.pptx"
    slides = Presentation(str(deck)).slides
    notes = [s.notes_slide.notes_text_frame.text if s.has_notes_slide else "" for s in slides]
    assert max(map(len, notes)) > NOTES_EXCERPT  # long enough that an excerpt would cut it
    assert main(["inspect", "--json", str(deck)]) == 0
    data = json.loads(capsys.readouterr().out)
    for slide, full in zip(data["slides"], notes, strict=True):
        # Every word of the notes, none cut off.
        assert slide["notes"].split()[-1:] == full.split()[-1:] and not slide["notes"].endswith("…")
        assert len(slide["notes"]) >= len(" ".join(full.split()))
    assert main(["inspect", str(deck)]) == 0
    assert "…" in capsys.readouterr().out  # the text outline still cuts them


def test_first_hour_docx_and_pdf_without_libreoffice_writes_the_docx(tmp_path, capsys, monkeypatch):
    from tests.conftest import EXAMPLE

    monkeypatch.setenv("BRIEFGEN_SOFFICE", str(tmp_path / "no-such-soffice"))
    out = tmp_path / "out"
    assert main(["build", str(EXAMPLE), "-d", str(out), "--format", "docx,pdf"]) == 4
    written = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    assert written == [f"{EXAMPLE.stem}-memo.docx"]
    err = capsys.readouterr().err
    assert "LibreOffice" in err and "failed 1" in err
    # A PDF alone still fails as a whole (there is nothing else to write).
    assert main(["build", str(EXAMPLE), "-d", str(tmp_path / "pdf"), "--format", "pdf"]) == 4
    assert not [p for p in (tmp_path / "pdf").glob("*") if not p.name.startswith(".")]


def test_first_hour_check_json_carries_the_measures(capsys):
    import json

    from tests.conftest import EXAMPLE

    assert main(["check", "--json", str(EXAMPLE)]) == 0
    (entry,) = json.loads(capsys.readouterr().out)["files"]
    assert entry["ok"] and entry["page_budget"] == 2 and entry["slides"] > 5 and 0.5 < entry["pages"] < 4
