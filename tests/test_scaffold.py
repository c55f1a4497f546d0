"""`briefgen init` and `briefgen templates export`."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from briefgen.cli import main
from briefgen.errors import EXIT_INVALID, EXIT_OK, EXIT_USAGE
from briefgen.facts import load_facts
from briefgen.facts.models import Briefing
from briefgen.facts.schema import SCHEMA_FILENAME
from briefgen.scaffold import MODELINE_PREFIX, builtin_files, init_briefing, scaffold_text
from tests.conftest import EXAMPLE, FIXTURES


def test_init_writes_a_file_that_check_passes_with_placeholder_warnings(tmp_path, capsys):
    assert main(["init", "new-brief", "--dir", str(tmp_path)]) == EXIT_OK
    target = tmp_path / "new-brief.yaml"
    assert target.exists()
    capsys.readouterr()
    assert main(["check", str(target)]) == EXIT_OK
    _out, err = capsys.readouterr()
    # Valid as written; every value still holding the starter text is a located warning.
    warnings = [line for line in err.splitlines() if ": warning: " in line]
    assert warnings and all("still the scaffold's text" in line for line in warnings)


def test_init_first_line_points_at_the_schema_written_beside_it(tmp_path):
    done = init_briefing("a", tmp_path)
    first = done.facts.read_text(encoding="utf-8").splitlines()[0]
    assert first == f"{MODELINE_PREFIX}{SCHEMA_FILENAME}"
    ref = first.removeprefix(MODELINE_PREFIX)
    schema = json.loads((done.facts.parent / ref).read_text(encoding="utf-8"))
    assert schema["title"] == "briefgen fact file"


def test_init_has_every_section_with_a_comment(tmp_path):
    text = scaffold_text("a", today=date(2024, 5, 1))
    lines = text.splitlines()
    for name in Briefing.model_fields:
        at = next(i for i, ln in enumerate(lines) if ln.startswith((f"{name}:", f"# {name}:")))
        assert lines[at - 1].startswith("# "), f"{name} has no comment above it"
    assert "# Allowed: certain, possible, unlikely." in text or "Allowed: certain, possible, unlikely" in text
    assert "# through:" in text  # an optional key the starter leaves out is shown, commented


def test_init_refuses_to_overwrite_without_force(tmp_path, capsys):
    (tmp_path / "a.yaml").write_text("keep me\n", encoding="utf-8")
    assert main(["init", "a", "--dir", str(tmp_path)]) == EXIT_USAGE
    assert "--force" in capsys.readouterr().err
    assert (tmp_path / "a.yaml").read_text(encoding="utf-8") == "keep me\n"
    assert main(["init", "a", "--dir", str(tmp_path), "--force"]) == EXIT_OK
    assert (tmp_path / "a.yaml").read_text(encoding="utf-8").startswith(MODELINE_PREFIX)


@pytest.mark.parametrize("name", ["../escape", "sub/dir", "", ".hidden"])
def test_init_rejects_names_that_are_not_plain_file_names(tmp_path, name):
    assert main(["init", name, "--dir", str(tmp_path)]) == EXIT_USAGE
    assert list(tmp_path.iterdir()) == []


def test_init_from_copies_an_existing_briefing(tmp_path):
    done = init_briefing("copy", tmp_path, source=EXAMPLE)
    text = done.facts.read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith(MODELINE_PREFIX)
    assert text.splitlines()[1:] == EXAMPLE.read_text(encoding="utf-8").splitlines()
    assert load_facts(done.facts).briefing.title == load_facts(EXAMPLE).briefing.title
    again = init_briefing("copy2", tmp_path, source=done.facts)  # one modeline, not two
    assert again.facts.read_text(encoding="utf-8").count(MODELINE_PREFIX) == 1


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        (lambda t: t.replace("facts: [trade-growth]", "facts: [trade-grow]"), "unknown fact id 'trade-grow'"),
        (lambda t: t.replace("title: Minimal briefing\n", ""), "title"),
        (lambda t: t.replace("likelihood: 3", "likelihood: 9"), "likelihood"),
        (lambda t: "- just\n- a list\n", "must be a mapping"),
    ],
)
def test_init_from_an_invalid_briefing_reports_it_located_and_writes_nothing(tmp_path, capsys, edit, said):
    source = tmp_path / "older.yaml"
    source.write_text(edit((FIXTURES / "minimal.yaml").read_text("utf-8")), "utf-8")
    folder = tmp_path / "new"
    assert main(["init", "copy", "-d", str(folder), "--from", str(source)]) == EXIT_INVALID
    err = capsys.readouterr().err
    assert said in err and re.search(rf"{re.escape(str(source))}:\d+:\d+: ", err), err
    assert "Traceback" not in err
    assert not folder.exists()  # neither the fact file nor the schema
    # After the problems, one line says what was refused and why, counting the errors shown.
    errors = len(re.findall(rf"^{re.escape(str(source))}:\d+:\d+: (?!warning:)", err, re.MULTILINE))
    noun = "error" if errors == 1 else "errors"
    assert errors >= 1
    assert err.splitlines()[-1] == f"error: {folder / 'copy.yaml'} not created: {source} has {errors} {noun}"


def test_init_from_keeps_a_valid_briefing_with_warnings(tmp_path):
    source = tmp_path / "older.yaml"
    text = (FIXTURES / "minimal.yaml").read_text("utf-8")
    unused = "  - id: unused\n    title: U\n    publisher: P\n    date: 2024-01\n    reference: File 1\n"
    source.write_text(text.replace("sources:\n", "sources:\n" + unused), "utf-8")
    assert load_facts(source).warnings  # an unused source
    done = init_briefing("copy", tmp_path / "new", source=source)
    assert done.facts.read_text("utf-8").splitlines()[1:] == source.read_text("utf-8").splitlines()


def test_init_from_a_missing_file_is_a_usage_error(tmp_path):
    assert main(["init", "x", "--dir", str(tmp_path), "--from", str(tmp_path / "none.yaml")]) == EXIT_USAGE


def test_templates_export_copies_templates_and_references(tmp_path):
    dest = tmp_path / "mine"
    assert main(["templates", "export", str(dest)]) == EXIT_OK
    names = sorted(p.name for p in dest.iterdir())
    assert {"memo.md.j2", "deck.md.j2", "reference.docx", "reference.pptx"} <= set(names)
    for original in builtin_files():
        assert (dest / original.name).read_bytes() == original.read_bytes()


def test_templates_export_refuses_to_overwrite_without_force(tmp_path, capsys):
    (tmp_path / "memo.md.j2").write_text("mine", encoding="utf-8")
    assert main(["templates", "export", str(tmp_path)]) == EXIT_USAGE
    assert "memo.md.j2" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["memo.md.j2"]  # nothing copied
    assert main(["templates", "export", str(tmp_path), "--force"]) == EXIT_OK
    assert (tmp_path / "memo.md.j2").read_text(encoding="utf-8") != "mine"


def test_templates_export_then_shadow_renders(tmp_path, capsys):
    dest = tmp_path / "mine"
    main(["templates", "export", str(dest)])
    memo = dest / "memo.md.j2"
    heading = '# {{ lowest_portion() }}{{ _("Summary") }} {#summary}'
    text = memo.read_text(encoding="utf-8").replace(heading, "# {{ lowest_portion() }}Bottom line {#summary}")
    memo.write_text(text, encoding="utf-8")
    from briefgen.templating import TemplateSet

    text = TemplateSet(Path(dest)).render("memo", load_facts(EXAMPLE).briefing)
    assert "# Bottom line {#summary}" in text


def test_init_from_a_case_with_warnings_counts_only_its_errors_in_the_refusal(tmp_path, capsys):
    text = (FIXTURES / "minimal.yaml").read_text("utf-8")
    text = text.replace("facts: [trade-growth]", "facts: [trade-grow]")
    source = tmp_path / "older.yaml"
    source.write_text(text.replace("title: Minimal briefing", "title: Minimal\fbriefing"), "utf-8")
    assert main(["init", "copy.yaml", "-d", str(tmp_path / "new"), "--from", str(source)]) == EXIT_INVALID
    lines = capsys.readouterr().err.splitlines()
    assert any(": warning: title: removed form feed" in line for line in lines), lines
    assert lines[-1] == f"error: {tmp_path / 'new' / 'copy.yaml'} not created: {source} has 1 error"
