"""Outputs: atomic writes, failures (full disk, SIGTERM) leave earlier outputs intact and no
temporary files, concurrent builds never corrupt a file, names cannot leave the output folder."""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pytest

import briefgen.outputs as outputs
from briefgen.cli import main
from briefgen.errors import EXIT_INTERRUPTED, EXIT_OUTPUT, OutputProblem
from briefgen.outputs import check_output_name, output_path, write_all, write_atomic
from briefgen.pipeline import output_stem

ROOT = Path(__file__).resolve().parents[1]
GOOD = ROOT / "tests" / "bad_inputs" / "good.yaml"


def _temps(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") and p.name.endswith(".tmp"))


# ---------------------------------------------------------------------------------------------
# Atomic writes


def test_write_atomic_replaces_the_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "memo.docx"
    target.write_bytes(b"old")
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert _temps(tmp_path) == []
    assert target.stat().st_mode & 0o777 == 0o644


def test_write_atomic_writes_through_a_temporary_in_the_same_folder(tmp_path):
    target = tmp_path / "memo.docx"
    seen: list[list[str]] = []
    write_atomic(target, b"new", on_replace=lambda: seen.append(_temps(tmp_path)))
    [names] = seen
    assert len(names) == 1 and names[0].startswith(".memo.docx.")
    assert not target.exists() or target.read_bytes() == b"new"


def test_write_atomic_disk_full_keeps_the_old_file_and_removes_the_temporary(tmp_path, monkeypatch):
    target = tmp_path / "memo.docx"
    target.write_bytes(b"old")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(outputs.os, "fsync", full)
    with pytest.raises(OutputProblem, match="No space left on device") as caught:
        write_atomic(target, b"new" * 1000)
    assert caught.value.exit_code == EXIT_OUTPUT
    assert target.read_bytes() == b"old"
    assert _temps(tmp_path) == []
    assert outputs._pending == set()


def test_write_all_failure_on_a_later_file_leaves_every_earlier_output_intact(tmp_path, monkeypatch):
    (tmp_path / "a-memo.docx").write_bytes(b"old memo")
    (tmp_path / "a-deck.pptx").write_bytes(b"old deck")
    real_fdopen = os.fdopen
    calls = []

    def fdopen(fd, *args, **kwargs):
        calls.append(fd)
        if len(calls) == 2:
            os.close(fd)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_fdopen(fd, *args, **kwargs)

    monkeypatch.setattr(outputs.os, "fdopen", fdopen)
    with pytest.raises(OutputProblem):
        write_all(tmp_path, {"a-memo.docx": b"new memo", "a-deck.pptx": b"new deck"})
    assert (tmp_path / "a-memo.docx").read_bytes() == b"old memo"  # not a new memo beside an old deck
    assert (tmp_path / "a-deck.pptx").read_bytes() == b"old deck"
    assert _temps(tmp_path) == []


def test_remove_pending_deletes_temporaries_still_on_disk(tmp_path):
    tmp = outputs._write_temp(tmp_path / "x.md", b"data")
    assert Path(tmp).exists()
    assert outputs.remove_pending() == [tmp]
    assert not Path(tmp).exists() and _temps(tmp_path) == []


@contextlib.contextmanager
def _tiny_tmpfs(path: Path, size: str):
    path.mkdir()
    if sys.platform != "linux" or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs Linux and root")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode(errors='replace').strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def test_write_all_on_a_really_full_disk_keeps_earlier_outputs(tmp_path):
    with _tiny_tmpfs(tmp_path / "disk", "64k") as disk:
        (disk / "a-memo.md").write_bytes(b"old memo")
        (disk / "a-deck.md").write_bytes(b"old deck")
        with pytest.raises(OutputProblem, match="No space left on device"):
            write_all(disk, {"a-memo.md": b"m" * 20_000, "a-deck.md": b"d" * 80_000})
        assert (disk / "a-memo.md").read_bytes() == b"old memo"
        assert (disk / "a-deck.md").read_bytes() == b"old deck"
        assert _temps(disk) == []


def test_build_on_a_really_full_disk_exits_3_without_partial_files(tmp_path, capsys):
    with _tiny_tmpfs(tmp_path / "disk", "20k") as disk:
        old = {f"good-{k}.md": f"old {k}".encode() for k in ("memo", "deck")}
        for name, data in old.items():
            (disk / name).write_bytes(data)
        code = main(["build", str(GOOD), "-o", str(disk), "--format", "md,docx", "-j", "1", "--force"])
        err = capsys.readouterr().err
        assert code == EXIT_OUTPUT, err
        assert "No space left on device" in err
        assert _temps(disk) == []
        # A briefing's outputs are renamed into place together, only after all were written:
        # the earlier pair is intact and no new file appeared beside it.
        for name, data in old.items():
            assert (disk / name).read_bytes() == data
        assert not (disk / "good-memo.docx").exists()


# ---------------------------------------------------------------------------------------------
# SIGTERM in the middle of a build


def _terminate_and_expect_clean_exit(child: subprocess.Popen[str], out: Path, timeout: float) -> None:
    """Send SIGTERM to a running build; it must exit 130, say so without a traceback, and
    leave no temporary file in `out` (the child is killed if it does not end in time)."""
    try:
        child.send_signal(signal.SIGTERM)
        _, err = child.communicate(timeout=timeout)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == EXIT_INTERRUPTED, err
    assert "interrupted" in err and "Traceback" not in err
    assert _temps(out) == []


def test_build_sigterm_mid_write_exits_130_and_leaves_old_outputs_and_no_temporaries(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    old = {"good-memo.md": b"old memo", "good-deck.md": b"old deck"}
    for name, data in old.items():
        (out / name).write_bytes(data)
    marker = tmp_path / "writing"
    # The child blocks inside the first fsync (a temporary file is on disk) until it is killed.
    code = textwrap.dedent(
        f"""
        import os, sys, time
        from pathlib import Path
        import briefgen.outputs as outputs

        def slow_fsync(fd):
            Path({str(marker)!r}).write_text("x")
            time.sleep(60)

        outputs.os.fsync = slow_fsync
        from briefgen.cli import main
        sys.exit(main(["build", {str(GOOD)!r}, "-o", {str(out)!r}, "--format", "md", "-j", "1"]))
        """
    )
    child = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(marker.exists, child)  # the build is inside its first fsync
        assert _temps(out), "a temporary file should be on disk while writing"
    except BaseException:
        child.kill()
        raise
    _terminate_and_expect_clean_exit(child, out, timeout=30)
    for name, data in old.items():
        assert (out / name).read_bytes() == data


def _worker_probe(folder: Path) -> Path:
    """A sitecustomize that makes every briefgen process (the workers too) mark, in
    $BRIEFGEN_TEST_MARKS, when it starts rendering templates and when a briefing is done."""
    probe = folder / "probe"
    probe.mkdir()
    (probe / "sitecustomize.py").write_text(
        textwrap.dedent(
            """
            import os
            from pathlib import Path

            marks = os.environ.get("BRIEFGEN_TEST_MARKS")
            if marks:
                import briefgen.workers as workers
                import briefgen.pipeline as pipeline

                render, build_one = pipeline.render_templates, workers.build_one

                def marked_render(*args, **kwargs):
                    (Path(marks) / f"render-{os.getpid()}").touch()
                    return render(*args, **kwargs)

                def marked_build_one(path, *args, **kwargs):
                    try:
                        return build_one(path, *args, **kwargs)
                    finally:
                        (Path(marks) / f"done-{path.stem}").touch()

                pipeline.render_templates = marked_render
                workers.build_one = marked_build_one
            """
        ),
        encoding="utf-8",
    )
    return probe


def _wait_for(condition, child: subprocess.Popen[str], limit: float = 120) -> None:
    """Wait until `condition()` holds, failing at once if the child exits first; `limit` only
    bounds a test that would otherwise hang."""
    deadline = time.monotonic() + limit
    while not condition():
        assert child.poll() is None, child.stderr.read() if child.stderr else ""
        assert time.monotonic() < deadline, "the event never came"
        time.sleep(0.02)


@pytest.mark.parametrize(
    "briefings",
    [
        ("one", "two", "three"),  # both workers busy, a third briefing queued
        ("a-broken", "one"),  # one worker idle after the broken file failed at once
    ],
)
def test_build_sigterm_with_parallel_workers_stops_them_at_once(tmp_path, briefings):
    """SIGTERM reaches only briefgen itself: it must stop the workers' briefings in progress (here
    templates that would loop for ten minutes), not wait for them or start a queued one, and
    leave no temporaries; an idle worker leaves quietly."""
    facts = tmp_path / "facts"
    facts.mkdir()
    for name in briefings:
        broken = name.endswith("broken")
        (facts / f"{name}.yaml").write_bytes(b"title: [unclosed\n" if broken else GOOD.read_bytes())
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "memo.md.j2").write_text(
        "# Memo\n{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    out.mkdir()
    (out / "one-memo.md").write_bytes(b"old memo")
    command = [sys.executable, "-m", "briefgen", "build", str(facts), "-o", str(out)]
    command += ["--templates", str(templates), "--format", "md", "-j", "2"]
    marks = tmp_path / "marks"
    marks.mkdir()
    env = {
        **os.environ,
        "BRIEFGEN_RENDER_TIMEOUT": "600",
        "PYTHONPATH": os.pathsep.join([str(_worker_probe(tmp_path)), str(ROOT)]),
        "BRIEFGEN_TEST_MARKS": str(marks),
    }
    child = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    # The event, not a guess at a time: every good briefing a worker took is rendering, and a
    # broken one has finished (its worker is idle).
    good = [n for n in briefings if not n.endswith("broken")][:2]
    broken = [n for n in briefings if n.endswith("broken")]
    try:
        _wait_for(
            lambda: len(list(marks.glob("render-*"))) == len(good)
            and all((marks / f"done-{n}").exists() for n in broken),
            child,
        )
    except BaseException:
        child.kill()
        raise
    _terminate_and_expect_clean_exit(child, out, timeout=60)  # far less than ten minutes
    assert (out / "one-memo.md").read_bytes() == b"old memo"


# ---------------------------------------------------------------------------------------------
# Two builds into the same folder at once


def test_build_two_processes_into_one_folder_never_corrupt_a_file(tmp_path):
    # Two different briefings with the same file name give the same output names with
    # different content: each output must be exactly one of the two, never a mixture.
    out = tmp_path / "out"
    sources = []
    for i, title in enumerate(("First briefing", "Second briefing")):
        folder = tmp_path / f"team{i}"
        folder.mkdir()
        text = GOOD.read_text(encoding="utf-8").replace("title: Minimal briefing", f"title: {title}")
        (folder / "brief.yaml").write_text(text, encoding="utf-8")
        sources.append(folder / "brief.yaml")
    # Each process builds into the shared folder several times, then once into a folder of its
    # own: that last build, made by the same code in the same process, is its reference output
    # (other engineers may edit the writers while the suite runs, so no build from here).
    script = textwrap.dedent(
        """
        import sys
        from briefgen.cli import main
        src, shared, solo = sys.argv[1:]
        for out in [shared] * 4 + [solo]:
            argv = ["build", src, "-o", out, "--format", "md,docx", "-j", "1", "--force"]
            code = main(argv)
            if code:
                sys.exit(code)
        """
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(src), str(out), str(tmp_path / f"solo{i}")],
            cwd=ROOT,
            stderr=subprocess.PIPE,
        )
        for i, src in enumerate(sources)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode(errors="replace")
    expected: dict[str, set[bytes]] = {}
    for i in range(2):
        for f in (tmp_path / f"solo{i}").iterdir():
            if not f.name.startswith("."):
                expected.setdefault(f.name, set()).add(f.read_bytes())
    assert expected and all(len(v) == 2 for v in expected.values()), "the two briefings must differ"
    assert _temps(out) == []
    for name, versions in expected.items():
        data = (out / name).read_bytes()
        assert data in versions, f"{name} is neither build's output"
        if name.endswith(".docx"):
            assert zipfile.ZipFile(out / name).testzip() is None


# ---------------------------------------------------------------------------------------------
# Names cannot leave the output folder


@pytest.mark.parametrize(
    "name",
    [
        "../memo.docx",
        "/etc/passwd",
        "a/b.docx",
        "a\\b.docx",
        "..",
        ".",
        "",
        ".hidden.docx",
        "CON",
        "con.docx",
        "Lpt1.pptx",
        "COM¹.md",
        "memo.docx.",
        "memo.docx ",
        "nul .md",
        "x\x00.md",
        "a:b.md",
        "界" * 100 + ".docx",
    ],
)
def test_check_output_name_refuses_names_that_escape_or_misbehave(name):
    with pytest.raises(OutputProblem):
        check_output_name(name)


def test_output_path_is_always_a_direct_child(tmp_path):
    assert output_path(tmp_path, "brief-memo.docx") == tmp_path / "brief-memo.docx"
    with pytest.raises(OutputProblem):
        output_path(tmp_path, "../brief-memo.docx")


@pytest.mark.parametrize(
    "facts, stem",
    [
        ("../../etc/passwd.yaml", "passwd"),
        ("/abs/path/brief.yaml", "brief"),
        ("CON.yaml", "briefing-CON"),
        ("con.txt.yaml", "briefing-con.txt"),
        (".hidden.yaml", "hidden"),
        ("..yaml", "briefing"),
        ("a b?c*.yaml", "a-b-c"),
        ("Çavuşoğlu–Лавров.yaml", "Çavuşoğlu-Лавров"),
    ],
)
def test_output_stem_gives_safe_names(facts, stem):
    got = output_stem(Path(facts))
    assert got == stem
    for suffix in ("-memo.docx", "-deck.pptx", "-memo.md"):
        check_output_name(got + suffix)


def test_output_stem_long_non_latin_name_fits_the_file_system():
    check_output_name(output_stem(Path("界" * 120 + ".yaml")) + "-memo.docx")


def test_build_output_names_stay_in_the_output_folder(tmp_path):
    odd = tmp_path / "in" / "CON.yaml"
    odd.parent.mkdir()
    odd.write_text(GOOD.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", f"{tmp_path}/in/../in/CON.yaml", "-o", str(out), "--format", "md", "-j", "1"]) == 0
    written = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    assert written == ["briefing-CON-deck.md", "briefing-CON-memo.md"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "out"]
