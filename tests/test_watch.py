"""`briefgen watch`: what a change rebuilds, with warm templates, and a real short-lived loop."""

from __future__ import annotations

import io
import shutil
import sys
import threading

import pytest

from briefgen.config import BuildOptions
from briefgen.errors import EXIT_TOOL, ToolProblem
from briefgen.resources import builtin_template_dir
from briefgen.watch import Rebuilder, report, watch
from tests.conftest import FIXTURES


@pytest.fixture
def project(tmp_path):
    """facts/ with two small briefings, an empty templates/ folder and an out/ folder."""
    facts = tmp_path / "facts"
    facts.mkdir()
    for name in ("one", "two"):
        shutil.copy(FIXTURES / "minimal.yaml", facts / f"{name}.yaml")
    (tmp_path / "templates").mkdir()
    return tmp_path


def rebuilder(project, **kw) -> Rebuilder:
    options = BuildOptions(out_dir=project / "out", formats=("md",), templates=project / "templates", **kw)
    return Rebuilder([project / "facts"], options)


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_watch_first_build_writes_every_briefing(project):
    outcomes = rebuilder(project).build_all()
    assert [o.facts.name for o in outcomes] == ["one.yaml", "two.yaml"]
    assert not any(o.failed for o in outcomes)
    assert sorted(p.name for p in (project / "out").iterdir() if not p.name.startswith(".")) == [
        "one-deck.md", "one-memo.md", "two-deck.md", "two-memo.md",
    ]


def test_watch_fact_change_rebuilds_only_that_briefing(project):
    r = rebuilder(project)
    r.build_all()
    edit(project / "facts" / "one.yaml", "likelihood: certain", "likelihood: possible")
    outcomes = r.handle([project / "facts" / "one.yaml"])
    assert [o.facts.name for o in outcomes] == ["one.yaml"]
    assert "possible" in (project / "out" / "one-memo.md").read_text(encoding="utf-8")


def test_watch_unchanged_output_is_not_rewritten(project):
    r = rebuilder(project)
    r.build_all()
    memo = project / "out" / "one-memo.md"
    before = memo.stat().st_mtime_ns
    outcome = r.handle([project / "facts" / "one.yaml"])[0]
    assert outcome.outputs == []
    assert memo in outcome.unchanged
    assert memo.stat().st_mtime_ns == before


def test_watch_template_change_invalidates_the_cache_and_rebuilds_all(project):
    r = rebuilder(project)
    r.build_all()
    env = r.templates.env
    assert any("memo.md.j2" in str(key) for key in list(env.cache.keys()))  # parsed once, kept warm
    shadow = project / "templates" / "memo.md.j2"
    shutil.copy(builtin_template_dir() / "memo.md.j2", shadow)
    shadow.write_text(shadow.read_text(encoding="utf-8") + "\nWATCH-MARKER\n", encoding="utf-8")
    outcomes = r.handle([shadow])
    assert sorted(o.facts.name for o in outcomes) == ["one.yaml", "two.yaml"]
    assert r.templates.env is env  # the same environment, only its cache was cleared
    assert "WATCH-MARKER" in (project / "out" / "two-memo.md").read_text(encoding="utf-8")


def test_watch_reference_change_rebuilds_the_briefings_using_it(project):
    reference = project / "house.docx"
    shutil.copy(builtin_template_dir() / "reference.docx", reference)
    r = rebuilder(project, reference_docx=reference)
    r.build_all()
    assert reference.parent.resolve() in r.roots()
    outcomes = r.handle([reference])
    assert sorted(o.facts.name for o in outcomes) == ["one.yaml", "two.yaml"]


def test_watch_broken_save_reports_and_keeps_outputs(project):
    r = rebuilder(project)
    r.build_all()
    memo = project / "out" / "one-memo.md"
    good = memo.read_bytes()
    edit(project / "facts" / "one.yaml", "likelihood: certain", "likelihood: sure")
    (outcome,) = r.handle([project / "facts" / "one.yaml"])
    assert outcome.failed
    assert any(p.line > 0 and "sure" in p.message for p in outcome.problems)
    assert memo.read_bytes() == good
    err = io.StringIO()
    report([outcome], io.StringIO(), err)
    assert "failed" in err.getvalue() and "^" in err.getvalue()


def test_watch_ignores_outputs_and_editor_files(project):
    r = rebuilder(project)
    r.build_all()
    noise = [
        project / "out" / "one-memo.md",
        project / "facts" / ".one.yaml.swp",
        project / "facts" / "one.yaml~",
        project / "facts" / "notes.txt",
    ]
    assert r.handle(noise) == []


def test_watch_new_and_deleted_fact_files(project):
    r = rebuilder(project)
    r.build_all()
    new = project / "facts" / "three.yaml"
    shutil.copy(FIXTURES / "minimal.yaml", new)
    assert [o.facts.name for o in r.handle([new])] == ["three.yaml"]
    (project / "facts" / "two.yaml").unlink()
    (outcome,) = r.handle([project / "facts" / "two.yaml"])
    assert outcome.removed
    out = io.StringIO()
    report([outcome], out, io.StringIO())
    assert "removed" in out.getvalue()


def test_watch_loop_rebuilds_on_save_then_stops(project):
    pytest.importorskip("watchfiles")
    r = rebuilder(project)
    seen: list[list] = []
    ready = threading.Event()
    thread = threading.Thread(
        target=watch, kwargs={"rebuilder": r, "on_outcomes": seen.append, "max_rebuilds": 1,
                              "on_ready": ready.set},
        daemon=True,
    )
    thread.start()
    assert ready.wait(30)  # set once the file watcher runs
    edit(project / "facts" / "two.yaml", "likelihood: certain", "likelihood: possible")
    thread.join(30)
    assert not thread.is_alive()
    assert [o.facts.name for o in seen[0]] == ["one.yaml", "two.yaml"]  # the first build
    assert [o.facts.name for o in seen[1]] == ["two.yaml"]


def test_watch_without_watchfiles_says_how_to_install(project, monkeypatch):
    monkeypatch.setitem(sys.modules, "watchfiles", None)
    with pytest.raises(ToolProblem, match=r"briefgen\[watch\]") as info:
        watch(rebuilder(project), on_outcomes=lambda _o: None)
    assert info.value.exit_code == EXIT_TOOL


def test_watch_command_without_watchfiles_exits_4(project, monkeypatch, capsys):
    from briefgen.cli import main

    monkeypatch.setitem(sys.modules, "watchfiles", None)
    assert main(["watch", str(project / "facts"), "-o", str(project / "out")]) == EXIT_TOOL
    assert "pip install" in capsys.readouterr().err
    assert not (project / "out").exists()  # nothing built before the check
