"""Builds for CI: byte-identical rebuilds, batches, the manifest, sharding, the report, PDF."""

from __future__ import annotations

import ast
import datetime as dt_module
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import types
import zipfile
from pathlib import Path

import pytest
from docx import Document as open_docx
from lxml import etree
from pptx import Presentation

from briefgen import batch as builder
from briefgen import builds, pipeline
from briefgen.cli import main
from briefgen.errors import ToolProblem
from briefgen.manifest import MANIFEST_NAME
from tests.conftest import EXAMPLE, FIXTURES, ROOT

MINIMAL = FIXTURES / "minimal.yaml"
FORMATS = "docx,pptx,md"
CP = "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}"
DCTERMS = "{http://purl.org/dc/terms/}"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _facts(folder: Path, name: str, source: Path = MINIMAL, title: str | None = None) -> Path:
    """A copy of a fact file in `folder`, optionally with another title."""
    folder.mkdir(parents=True, exist_ok=True)
    text = source.read_text("utf-8")
    # The fact is background to the agenda item, so its statement is printed (not only cited).
    risks = "    risks: [talks-fail]\n"
    text = text.replace(risks, risks + "    background: [trade-growth]\n")
    if title:
        text = re.sub(r"^title: .*$", f"title: {title}", text, count=1, flags=re.M)
    path = folder / f"{name}.yaml"
    path.write_text(text, "utf-8")
    return path


def _broken(folder: Path, name: str) -> Path:
    """A fact file that fails validation: the required summary is missing."""
    path = _facts(folder, name)
    path.write_text(re.sub(r"^summary: .*\n", "", path.read_text("utf-8"), flags=re.M), "utf-8")
    return path


def _outputs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if not p.name.startswith(".")}


def _report(path: Path) -> dict:
    return json.loads(path.read_text("utf-8"))


def _statuses(report: dict) -> dict[str, str]:
    return {Path(b["facts"]).stem: b["status"] for b in report["briefings"]}


# ---------------------------------------------------------------------------------------------
# Byte-identical rebuilds


def _shift_clocks(monkeypatch: pytest.MonkeyPatch, days: int) -> None:
    """Move every clock python-docx, python-pptx and zipfile can read `days` into the future,
    and the local time zone to the other side of the world."""
    offset = dt_module.timedelta(days=days)
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + offset.total_seconds())
    real = dt_module.datetime

    class AnyDatetime(type):
        def __instancecheck__(cls, obj: object) -> bool:  # real datetimes still pass type checks
            return isinstance(obj, real)

    class Shifted(real, metaclass=AnyDatetime):
        @classmethod
        def now(cls, tz=None):
            return real.now(tz) + offset

        @classmethod
        def utcnow(cls):
            return real.now(dt_module.UTC).replace(tzinfo=None) + offset

        @classmethod
        def today(cls):
            return real.today() + offset

    fake = types.ModuleType("datetime")
    fake.__dict__.update(dt_module.__dict__)
    fake.datetime = Shifted
    for name, module in list(sys.modules.items()):
        if not name.startswith(("docx", "pptx", "zipfile")) or module is None:
            continue
        for attr, value in list(vars(module).items()):
            if value is dt_module:
                monkeypatch.setattr(module, attr, fake)
            elif value is real:
                monkeypatch.setattr(module, attr, Shifted)
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")
    time.tzset()


def test_build_identical_bytes_in_other_folder_at_other_time(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    first = tmp_path / "one"
    facts = _facts(first / "facts", "brief", EXAMPLE)
    monkeypatch.chdir(first)
    assert main(["build", "facts", "-o", "out", "--format", FORMATS, "-j", "1"]) == 0

    second = tmp_path / "elsewhere" / "two"
    _facts(second / "briefings", "brief", facts)
    monkeypatch.chdir(second)
    try:
        _shift_clocks(monkeypatch, days=400)
        assert main(["build", "briefings", "-o", "result", "--format", FORMATS, "-j", "1"]) == 0
    finally:
        monkeypatch.undo()
        time.tzset()
    one, two = _outputs(first / "out"), _outputs(second / "result")
    assert sorted(one) == ["brief-deck.md", "brief-deck.pptx", "brief-memo.docx", "brief-memo.md"]
    assert one == two


def test_build_identical_bytes_across_processes_hash_seeds_and_jobs(tmp_path):
    """Set iteration order changes with PYTHONHASHSEED; parallel workers must match in-process."""
    runs = []
    for seed, jobs, tz in (("1", "1", "UTC"), ("4242", "2", "Asia/Tokyo")):
        folder = tmp_path / f"run-{seed}"
        _facts(folder / "facts", "alpha", title="Alpha briefing")
        _facts(folder / "facts", "beta", title="Beta briefing")
        env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
        env.update(PYTHONHASHSEED=seed, TZ=tz)
        command = [sys.executable, "-m", "briefgen", "build", "facts", "-o", "out", "--format", FORMATS]
        done = subprocess.run(
            [*command, "-j", jobs],
            cwd=folder, env=env, capture_output=True, text=True, timeout=300,
        )
        assert done.returncode == 0, done.stderr
        runs.append(_outputs(folder / "out"))
    assert len(runs[0]) == 8
    assert runs[0] == runs[1]


def test_build_changed_fact_changes_bytes(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    facts = _facts(tmp_path / "facts", "brief")
    assert main(["build", str(facts), "-o", str(tmp_path / "a"), "--format", FORMATS]) == 0
    facts.write_text(facts.read_text("utf-8").replace("grew by 5%", "grew by 7%"), "utf-8")
    assert main(["build", str(facts), "-o", str(tmp_path / "b"), "--format", FORMATS]) == 0
    facts.write_text(facts.read_text("utf-8").replace("title: Minimal", "title: Small"), "utf-8")
    assert main(["build", str(facts), "-o", str(tmp_path / "c"), "--format", FORMATS]) == 0
    a, b, c = (_outputs(tmp_path / x) for x in "abc")
    # The fact is stated in the memo and among the deck's key facts; the title is on everything.
    assert sorted(n for n in a if a[n] != b[n]) == [
        "brief-deck.md",
        "brief-deck.pptx",
        "brief-memo.docx",
        "brief-memo.md",
    ]
    assert all(b[n] != c[n] for n in b)
    memo = open_docx(str(tmp_path / "b" / "brief-memo.docx"))
    assert any("7%" in p.text for p in memo.paragraphs)


def test_build_stamp_from_source_date_epoch_else_date_prepared(tmp_path, monkeypatch):
    facts = _facts(tmp_path, "brief")
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert main(["build", str(facts), "-o", str(tmp_path / "a")]) == 0
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14T22:13:20Z
    assert main(["build", str(facts), "-o", str(tmp_path / "b")]) == 0
    for folder, created, zipped in (
        ("a", "2024-05-02T00:00:00Z", (2024, 5, 2, 0, 0, 0)),
        ("b", "2023-11-14T22:13:20Z", (2023, 11, 14, 22, 13, 20)),
    ):
        for name in ("brief-memo.docx", "brief-deck.pptx"):
            with zipfile.ZipFile(tmp_path / folder / name) as zf:
                core = etree.fromstring(zf.read("docProps/core.xml"))
                assert {i.date_time for i in zf.infolist()} == {zipped}
            assert core.findtext(f"{DCTERMS}created") == created
            assert core.findtext(f"{DCTERMS}modified") == created


def test_build_bad_source_date_epoch_is_usage_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    assert main(["build", str(_facts(tmp_path, "brief")), "-o", str(tmp_path / "out")]) == 2
    assert "SOURCE_DATE_EPOCH" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["build", "check", "watch"])
def test_build_bad_render_timeout_is_usage_error_reported_with_the_others(
    command, tmp_path, monkeypatch, capsys
):
    """Every command reads the environment once, before any briefing: each bad variable is
    named, together, and nothing is built (watch does not start)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    monkeypatch.setenv("BRIEFGEN_RENDER_TIMEOUT", "soon")
    facts = _facts(tmp_path, "brief")
    out = ["-d", str(tmp_path / "out")] if command != "check" else []
    assert main([command, str(facts), *out]) == 2
    err = capsys.readouterr().err
    assert "SOURCE_DATE_EPOCH='yesterday'" in err
    assert "BRIEFGEN_RENDER_TIMEOUT='soon' is not a time limit in seconds" in err
    assert "0 turns the limit off" in err
    assert not list(tmp_path.glob("out/*.docx"))


def test_build_writers_read_no_clock_and_no_randomness():
    """Output code takes its time from the stamp only; no clock, random ids or uuids."""
    forbidden = {"now", "utcnow", "today", "time", "uuid1", "uuid4", "random", "randint", "urandom",
                 "token_hex", "getrandbits", "choice"}
    package = ROOT / "briefgen"
    pipeline = ["ooxml.py", "model.py", "styles.py", "pagination.py", "page_layout.py", "table_layout.py",
                "metrics.py", "manifest.py",
                *(p.name for p in package.glob("markup*.py")),
                *(p.name for p in package.glob("templat*.py")),
                *(f"slides/{p.name}" for p in (package / "slides").glob("*.py"))]
    files = [*(package / "writers").glob("*.py"), *(package / "facts").glob("*.py"),
             *(package / name for name in pipeline if (package / name).exists())]
    found = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            call = isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            if call and node.func.attr in forbidden:
                found.append(f"{path.name}:{node.lineno}: {ast.unparse(node.func)}")
    assert found == []


# ---------------------------------------------------------------------------------------------
# Batches


def test_build_batch_with_one_broken_builds_the_others_and_exits_1(tmp_path, capsys):
    folder = tmp_path / "facts"
    for name in ("alpha", "charlie"):
        _facts(folder, name, title=f"{name.title()} briefing")
    _broken(folder, "bravo")
    report = tmp_path / "report.json"
    code = main(["build", str(folder), "-o", str(tmp_path / "out"), "-j", "2", "--report", str(report)])
    err = capsys.readouterr().err
    assert code == 1
    assert sorted(_outputs(tmp_path / "out")) == [
        "alpha-deck.pptx", "alpha-memo.docx", "charlie-deck.pptx", "charlie-memo.docx"
    ]
    assert Presentation(str(tmp_path / "out" / "charlie-deck.pptx")).slides[0].shapes.title.text == (
        "Charlie briefing"
    )
    data = _report(report)
    assert _statuses(data) == {"alpha": "built", "bravo": "failed", "charlie": "built"}
    bravo = data["briefings"][1]
    assert bravo["facts"].endswith("bravo.yaml") and bravo["outputs"] == []
    assert any("summary" in p["text"] for p in bravo["problems"])
    assert data["summary"]["failed"] == 1 and data["summary"]["exit_code"] == 1
    assert "bravo.yaml" in err and "summary" in err
    assert re.search(r"built 2, up to date 0, failed 1, \d+ warnings? in \d+\.\d s", err.splitlines()[-1])


def test_build_fail_fast_stops_after_first_failure(tmp_path, capsys):
    folder = tmp_path / "facts"
    _broken(folder, "a-broken")
    _facts(folder, "b-good")
    report = tmp_path / "report.json"
    code = main(["build", str(folder), "-o", str(tmp_path / "out"), "-j", "1", "--fail-fast",
                 "--report", str(report)])
    assert code == 1
    assert _statuses(_report(report)) == {"a-broken": "failed", "b-good": "skipped"}
    assert not (tmp_path / "out" / "b-good-memo.docx").exists()
    assert "skipped 1" in capsys.readouterr().err


def test_build_plain_progress_lines_when_not_a_terminal(tmp_path, capsys):
    folder = tmp_path / "facts"
    _facts(folder, "alpha")
    _facts(folder, "bravo")
    assert main(["build", str(folder), "-o", str(tmp_path / "out"), "-j", "1", "--format", "md"]) == 0
    captured = capsys.readouterr()
    assert "\r" not in captured.err
    assert re.search(r"^\[1/2\] built: .*alpha\.yaml", captured.err, re.M)
    assert re.search(r"^\[2/2\] built: .*bravo\.yaml", captured.err, re.M)
    # One line per briefing; the files written only with -v.
    assert "wrote" not in captured.out
    out = tmp_path / "out"
    assert main(["build", str(folder), "-o", str(out), "-j", "1", "--format", "md", "--force", "-v"]) == 0
    assert f"wrote {out / 'alpha-memo.md'}" in capsys.readouterr().out


def test_build_same_stem_twice_fails_the_second(tmp_path):
    one = _facts(tmp_path / "one", "brief")
    two = _facts(tmp_path / "two", "brief")
    report = tmp_path / "report.json"
    assert main(["build", str(one), str(two), "-o", str(tmp_path / "out"), "--report", str(report)]) == 1
    first, second = _report(report)["briefings"]
    assert first["status"] == "built" and second["status"] == "failed"
    assert "overwrite" in second["problems"][0]["text"]


def _stale_fork_server() -> None:
    """Start the batch's fork server now (if it is not running yet), so that the environment
    the workers start in predates the variables a test sets next."""
    from multiprocessing import forkserver

    from briefgen.workers import _mp_context

    _mp_context()  # the preloads
    forkserver.ensure_running()


def test_build_workers_stop_a_template_at_the_callers_time_limit(tmp_path, monkeypatch):
    _stale_fork_server()
    monkeypatch.setenv("BRIEFGEN_RENDER_TIMEOUT", "0.3")  # the server's environment has 60 s
    templates = tmp_path / "tpl"
    templates.mkdir()
    (templates / "memo.md.j2").write_text(
        "# Memo\n\n{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}\n",
        encoding="utf-8",
    )
    facts = [_facts(tmp_path, name) for name in ("one", "two")]
    options = pipeline.BuildOptions(out_dir=tmp_path / "out", formats=("md",), templates=templates)
    batch = builder.build_many(facts, options, builder.BatchOptions(jobs=2))
    assert [r.status for r in batch.results] == ["failed", "failed"]
    for result in batch.results:
        [problem] = result.problems
        assert "memo.md.j2:3: template stopped after 0.3 s" in problem.format()


@pytest.mark.parametrize("no_cache", ["", "1"])
def test_build_workers_cache_templates_where_the_caller_says(no_cache, tmp_path, monkeypatch):
    _stale_fork_server()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("BRIEFGEN_NO_CACHE", no_cache)
    facts = [_facts(tmp_path, name) for name in ("one", "two")]
    options = pipeline.BuildOptions(out_dir=tmp_path / "out", formats=("md",))
    batch = builder.build_many(facts, options, builder.BatchOptions(jobs=2))
    assert [r.status for r in batch.results] == ["built", "built"]  # both in worker processes
    cached = list((tmp_path / "cache" / "briefgen" / "templates").glob("*.cache"))
    if no_cache:
        assert cached == [] and not (tmp_path / "cache").exists()
    else:
        assert len(cached) >= 3  # memo, deck and their macros


# ---------------------------------------------------------------------------------------------
# Incremental builds


def _build(tmp_path: Path, *extra: str) -> dict:
    report = tmp_path / "report.json"
    args = ["build", str(tmp_path / "facts"), "-o", str(tmp_path / "out"), "--report", str(report), *extra]
    assert main(args) == 0
    return _report(report)


def test_build_second_run_of_unchanged_set_rebuilds_nothing(tmp_path, capsys):
    _facts(tmp_path / "facts", "alpha")
    _facts(tmp_path / "facts", "bravo")
    first = _build(tmp_path, "-j", "1")
    assert set(_statuses(first).values()) == {"built"}
    inodes = {p.name: p.stat().st_ino for p in (tmp_path / "out").iterdir()}
    capsys.readouterr()
    second = _build(tmp_path)
    assert set(_statuses(second).values()) == {"up-to-date"}
    assert {p.name: p.stat().st_ino for p in (tmp_path / "out").iterdir()} == inodes
    captured = capsys.readouterr()
    assert "wrote" not in captured.out
    assert "built 0, up to date 2, failed 0" in captured.err
    # The report still lists each up-to-date output with its real hash.
    for briefing in second["briefings"]:
        for output in briefing["outputs"]:
            assert _sha(Path(output["path"])) == output["sha256"]


def test_build_manifest_records_every_output_hash(tmp_path):
    _facts(tmp_path / "facts", "alpha")
    _build(tmp_path, "--format", FORMATS)
    manifest = json.loads((tmp_path / "out" / MANIFEST_NAME).read_text("utf-8"))
    assert set(manifest["outputs"]) == set(_outputs(tmp_path / "out"))
    for name, entry in manifest["outputs"].items():
        assert entry["sha256"] == _sha(tmp_path / "out" / name)
        assert entry["size"] == (tmp_path / "out" / name).stat().st_size
    assert [p.name for p in (tmp_path / "out").iterdir() if p.name.endswith(".tmp")] == []


def test_build_up_to_date_briefing_still_prints_its_warnings(tmp_path, capsys):
    """An incremental CI run must not hide the warnings the unchanged outputs carry."""
    path = _facts(tmp_path / "facts", "alpha")
    path.write_text(re.sub(r"^(title: .*)$", "\\1\v", path.read_text("utf-8"), count=1, flags=re.M), "utf-8")
    _build(tmp_path, "--format", "md")
    first = capsys.readouterr().err
    assert "removed vertical tab" in first
    assert _statuses(_build(tmp_path, "--format", "md")) == {"alpha": "up-to-date"}
    second = capsys.readouterr()
    assert "removed vertical tab" in second.err and "wrote" not in second.out


def test_build_changed_facts_template_output_or_force_trigger_rebuilds(tmp_path):
    _facts(tmp_path / "facts", "alpha")
    bravo = _facts(tmp_path / "facts", "bravo")
    templates = tmp_path / "templates"
    templates.mkdir()
    shutil.copy(ROOT / "templates" / "memo.md.j2", templates / "memo.md.j2")
    args = ("--templates", str(templates), "--format", "md")
    _build(tmp_path, *args)

    bravo.write_text(bravo.read_text("utf-8").replace("Trade grew", "Trade fell"), "utf-8")
    assert _statuses(_build(tmp_path, *args)) == {"alpha": "up-to-date", "bravo": "built"}

    memo = templates / "memo.md.j2"
    memo.write_text(memo.read_text("utf-8") + "\nReviewed by the desk.\n", "utf-8")
    assert _statuses(_build(tmp_path, *args)) == {"alpha": "built", "bravo": "built"}
    assert "Reviewed by the desk." in (tmp_path / "out" / "alpha-memo.md").read_text("utf-8")

    (tmp_path / "out" / "alpha-deck.md").write_text("edited by hand\n", "utf-8")
    (tmp_path / "out" / "bravo-memo.md").unlink()
    assert _statuses(_build(tmp_path, *args)) == {"alpha": "built", "bravo": "built"}
    assert (tmp_path / "out" / "alpha-deck.md").read_text("utf-8") != "edited by hand\n"

    assert _statuses(_build(tmp_path, *args)) == {"alpha": "up-to-date", "bravo": "up-to-date"}
    assert _statuses(_build(tmp_path, *args, "--force")) == {"alpha": "built", "bravo": "built"}


def test_build_other_format_or_reference_is_not_up_to_date(tmp_path):
    _facts(tmp_path / "facts", "alpha")
    _build(tmp_path, "--format", "md")
    assert _statuses(_build(tmp_path, "--format", "docx")) == {"alpha": "built"}
    assert _statuses(_build(tmp_path, "--format", "md,docx")) == {"alpha": "up-to-date"}
    reference = ROOT / "tests" / "reference-alt.docx"
    assert _statuses(_build(tmp_path, "--format", "docx", "--reference-docx", str(reference))) == {
        "alpha": "built"
    }


def test_build_corrupt_manifest_means_rebuild_not_error(tmp_path):
    _facts(tmp_path / "facts", "alpha")
    _build(tmp_path, "--format", "md")
    (tmp_path / "out" / MANIFEST_NAME).write_text("{not json", "utf-8")
    assert _statuses(_build(tmp_path, "--format", "md")) == {"alpha": "built"}
    assert json.loads((tmp_path / "out" / MANIFEST_NAME).read_text("utf-8"))["schema"] == 1


# ---------------------------------------------------------------------------------------------
# Report


def test_build_report_lists_inputs_outputs_warnings_and_timings(tmp_path):
    facts = _facts(tmp_path / "facts", "alpha")
    (entry,) = _build(tmp_path, "--format", "docx,md")["briefings"]
    assert entry["status"] == "built"
    roles = [i["role"] for i in entry["inputs"]]
    assert roles[0] == "facts" and entry["inputs"][0]["sha256"] == _sha(facts)
    names = {Path(i["path"]).name for i in entry["inputs"] if i["role"] == "template"}
    assert {"memo.md.j2", "deck.md.j2"} <= names
    assert {Path(o["path"]).name: o["format"] for o in entry["outputs"]} == {
        "alpha-memo.md": "md", "alpha-deck.md": "md", "alpha-memo.docx": "docx"
    }
    for output in entry["outputs"]:
        path = Path(output["path"])
        assert output["size"] == path.stat().st_size and output["sha256"] == _sha(path)
    assert {"load", "render", "docx", "write"} <= set(entry["timings"])
    assert isinstance(entry["warnings"], list) and entry["problems"] == []


# ---------------------------------------------------------------------------------------------
# Sharding


def test_build_shards_partition_the_set_exactly():
    paths = [Path(f"facts/{name}.yaml") for name in "gbdfaec"]
    for count in range(1, 9):
        slices = [builder.shard(paths, index, count) for index in range(1, count + 1)]
        flat = [p for s in slices for p in s]
        assert sorted(flat) == sorted(paths) and len(flat) == len(set(flat))
        assert max(map(len, slices)) - min(map(len, slices)) <= 1
    # Stable: the order the paths come in does not change the slices.
    assert builder.shard(list(reversed(paths)), 2, 3) == builder.shard(paths, 2, 3)


@pytest.mark.parametrize("value", ["0/2", "3/2", "1/0", "x", "1-2"])
def test_build_shard_rejects_bad_values(value, tmp_path, capsys):
    assert main(["build", str(_facts(tmp_path, "brief")), "--shard", value]) == 2
    assert "--shard" in capsys.readouterr().err


def test_build_cli_shards_build_disjoint_slices(tmp_path):
    for name in ("alpha", "bravo", "charlie"):
        _facts(tmp_path / "facts", name)
    built = []
    for index in (1, 2):
        out = tmp_path / f"out{index}"
        assert main(["build", str(tmp_path / "facts"), "-o", str(out), "--format", "md",
                     "--shard", f"{index}/2"]) == 0
        built.append({n.split("-")[0] for n in _outputs(out)})
    assert built == [{"alpha", "charlie"}, {"bravo"}]


# ---------------------------------------------------------------------------------------------
# Review text


def test_build_review_markdown_is_stable_and_diff_friendly(tmp_path):
    facts = _facts(tmp_path / "facts", "alpha")
    assert main(["build", str(facts), "-o", str(tmp_path / "a"), "--format", "md"]) == 0
    assert main(["build", str(facts), "-o", str(tmp_path / "b"), "--format", "md"]) == 0
    a, b = _outputs(tmp_path / "a"), _outputs(tmp_path / "b")
    assert a == b and sorted(a) == ["alpha-deck.md", "alpha-memo.md"]
    for data in a.values():
        text = data.decode("utf-8")
        assert "\r" not in text and text.endswith("\n") and not text.endswith("\n\n\n")
    memo = a["alpha-memo.md"].decode("utf-8")
    assert "Trade grew by 5% in 2023." in memo
    # A one-word change in a fact changes only the lines that carry it.
    facts.write_text(facts.read_text("utf-8").replace("grew by 5%", "grew by 6%"), "utf-8")
    assert main(["build", str(facts), "-o", str(tmp_path / "c"), "--format", "md"]) == 0
    new = (tmp_path / "c" / "alpha-memo.md").read_text("utf-8")
    changed = [(x, y) for x, y in zip(memo.splitlines(), new.splitlines(), strict=True) if x != y]
    assert changed and all("6%" in y for _, y in changed)


# ---------------------------------------------------------------------------------------------
# PDF


def test_build_pdf_without_libreoffice_names_the_packages(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BRIEFGEN_SOFFICE", str(tmp_path / "no-such-soffice"))
    from briefgen.writers.pdf import convert_to_pdf

    with pytest.raises(ToolProblem, match="libreoffice-writer-nogui libreoffice-impress-nogui"):
        convert_to_pdf(b"", "memo.docx", soffice=str(tmp_path / "no-such-soffice"))
    facts = _facts(tmp_path, "brief")
    assert main(["build", str(facts), "-o", str(tmp_path / "out"), "--format", "pdf"]) == 4
    assert "libreoffice-impress-nogui" in capsys.readouterr().err
    assert not (tmp_path / "out").exists() or _outputs(tmp_path / "out") == {}


def test_build_pdf_is_rebuilt_after_a_libreoffice_upgrade(tmp_path, monkeypatch):
    """The PDF depends on the LibreOffice that made it: a new `versionrc` beside the program (what
    a package upgrade brings) makes the briefing out of date; nothing else does."""
    from briefgen.writers import pdf

    program = tmp_path / "lo" / "program" / "soffice"
    program.parent.mkdir(parents=True)
    # A stand-in for soffice: writes input.pdf into the --outdir it is given.
    program.write_text(
        "#!/bin/sh\nwhile [ $# -gt 0 ]; do [ \"$1\" = --outdir ] && out=$2; shift; done\n"
        'printf "%%PDF-1.7\\n%%%%EOF\\n" > "$out/input.pdf"\n',
        encoding="utf-8",
    )
    program.chmod(0o755)
    versionrc = program.parent / "versionrc"
    versionrc.write_text("[Version]\nbuildid=1\n", encoding="utf-8")
    monkeypatch.setenv("BRIEFGEN_SOFFICE", str(program))
    pdf.libreoffice_identity.cache_clear()
    _facts(tmp_path / "facts", "alpha")
    assert _statuses(_build(tmp_path, "--format", "pdf,md")) == {"alpha": "built"}
    assert (tmp_path / "out" / "alpha-memo.pdf").read_bytes().startswith(b"%PDF-1.7")
    pdf.libreoffice_identity.cache_clear()
    assert _statuses(_build(tmp_path, "--format", "pdf,md")) == {"alpha": "up-to-date"}
    assert _statuses(_build(tmp_path, "--format", "md")) == {"alpha": "up-to-date"}
    versionrc.write_text("[Version]\nbuildid=2\n", encoding="utf-8")
    pdf.libreoffice_identity.cache_clear()
    assert _statuses(_build(tmp_path, "--format", "md")) == {"alpha": "up-to-date"}
    assert _statuses(_build(tmp_path, "--format", "pdf,md")) == {"alpha": "built"}
    pdf.libreoffice_identity.cache_clear()


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) is not installed")
def test_build_pdf_through_libreoffice(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr(tempfile, "tempdir", None)
    facts = _facts(tmp_path / "facts", "alpha", title="Alpha briefing")
    _facts(tmp_path / "facts", "bravo", title="Bravo briefing")
    report = _build(tmp_path, "--format", "pdf,md", "-j", "2")
    assert set(_statuses(report).values()) == {"built"}
    out = _outputs(tmp_path / "out")
    assert sorted(out) == sorted(
        f"{s}-{k}" for s in ("alpha", "bravo") for k in ("memo.pdf", "deck.pdf", "memo.md", "deck.md")
    )
    for name, data in out.items():
        if name.endswith(".pdf"):
            assert data.startswith(b"%PDF-") and b"%%EOF" in data[-64:]
            assert b"/CreationDate(D:20240502000000" in data
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(tmp_path / "out" / "alpha-memo.pdf"), "-"],
                              capture_output=True, text=True, check=True).stdout
        assert "Trade grew by 5% in 2023." in " ".join(text.split())
    # Same input, same PDF bytes: creation time and file id come from the stamp and content.
    assert main(["build", str(facts), "-o", str(tmp_path / "again"), "--format", "pdf"]) == 0
    assert (tmp_path / "again" / "alpha-memo.pdf").read_bytes() == out["alpha-memo.pdf"]
    # Every conversion's folder and profile removed (multiprocessing's own pymp- folder belongs
    # to the fork server, which outlives the build when this test is the first to start it).
    assert [p for p in scratch.iterdir() if not p.name.startswith("pymp-")] == []


# ---------------------------------------------------------------------------------------------
# Lazy imports


@pytest.mark.parametrize("args", [["--help"], ["build", "--help"], ["check", str(MINIMAL)]])
def test_build_help_and_check_do_not_import_writers(args):
    code = (
        "import sys\nfrom briefgen.cli import main\ncode = main(sys.argv[1:])\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('docx', 'pptx'))\n"
        "print('HEAVY', heavy, code)\n"
    )
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60)
    assert "HEAVY [] 0" in done.stdout, done.stdout + done.stderr


def test_build_progress_bar_on_a_terminal_is_redrawn_and_cleared():
    import io

    from briefgen.report import Progress

    stream = io.StringIO()
    progress = Progress(2, stream=stream, tty=True)
    progress.update(builds.BuildResult(Path("facts/alpha.yaml")), 1)
    progress.line("facts/alpha.yaml: warning: something")
    progress.update(builds.BuildResult(Path("facts/bravo.yaml"), status=builds.UP_TO_DATE), 2)
    progress.close()
    text = stream.getvalue()
    assert "\r" in text and "1/2 built: alpha.yaml" in text and "2/2 up to date: bravo.yaml" in text
    # The message starts on a cleared line, and the bar is cleared at the end.
    assert "\r\x1b[2Kfacts/alpha.yaml: warning: something\n" in text
    assert text.endswith("\r\x1b[2K")


def test_build_output_stem_fits_the_name_limit_in_bytes():
    from briefgen.outputs import check_output_name

    stem = pipeline.output_stem(Path("界" * 120 + ".yaml"))
    assert stem == "界" * 60
    for name in pipeline.output_names(stem, pipeline.FORMATS):
        assert check_output_name(name) == name


def test_build_pdf_with_a_wrong_soffice_variable_names_the_variable(tmp_path, monkeypatch, capsys):
    """A BRIEFGEN_SOFFICE that names nothing is the problem to report, not a missing LibreOffice
    (which may well be on PATH)."""
    wrong = tmp_path / "opt" / "soffice"
    monkeypatch.setenv("BRIEFGEN_SOFFICE", str(wrong))
    facts = _facts(tmp_path, "brief")
    assert main(["build", str(facts), "-d", str(tmp_path / "out"), "--format", "pdf"]) == 4
    err = capsys.readouterr().err
    assert f"BRIEFGEN_SOFFICE='{wrong}' is not a program" in err
    assert "not installed" not in err
