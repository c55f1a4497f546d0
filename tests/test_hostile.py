"""Nothing outside its place is ever touched (issue 20) and special files are never read as
inputs (issue 16, kind 7): output targets that are devices, pipes or links; one vetting of every
input; the kernel's memory limit on templates; one lock per output folder; safe messages."""

from __future__ import annotations

import ast
import faulthandler
import json
import os
import re
import socket
import stat
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest

from briefgen.batch import BatchOptions, build_many
from briefgen.cli import main
from briefgen.errors import EXIT_INVALID, EXIT_OK, EXIT_OUTPUT, EXIT_USAGE, OutputProblem, TemplateProblem
from briefgen.facts import load_facts
from briefgen.facts.schema import schema_text
from briefgen.manifest import MANIFEST_NAME
from briefgen.outputs import folder_lock, write_atomic
from briefgen.pipeline import BuildOptions
from briefgen.problems import excerpt, safe_text
from briefgen.templating import TemplateSet

ROOT = Path(__file__).resolve().parents[1]
GOOD = ROOT / "tests" / "bad_inputs" / "good.yaml"
REFERENCE_DOCX = ROOT / "templates" / "reference.docx"
REFERENCE_PPTX = ROOT / "templates" / "reference.pptx"


@pytest.fixture(autouse=True)
def _no_hang():
    """A test here that blocks on a pipe is a failure, not a stuck suite: dump and exit."""
    faulthandler.dump_traceback_later(120, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _read_fifo_in_background(path: Path) -> tuple[threading.Thread, list[bytes]]:
    """A reader that opens `path` (a FIFO) and reads it to the end, in a thread."""
    got: list[bytes] = []

    def read() -> None:
        with open(path, "rb") as fh:
            got.append(fh.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    return reader, got


def _char_device(path: Path) -> Path:
    """A character device node like /dev/null (1, 3); skip where mknod is not permitted."""
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, AttributeError) as exc:
        pytest.skip(f"cannot make a device node here: {exc}")
    return path


# ---------------------------------------------------------------------------------------------
# Writes: a device, pipe or link is never replaced


def test_write_atomic_into_a_character_device_writes_through_and_keeps_the_device(tmp_path):
    device = _char_device(tmp_path / "null")
    write_atomic(device, b"data")
    assert stat.S_ISCHR(device.stat().st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["null"]


def test_report_and_schema_into_a_device_node_keep_it_a_device(tmp_path, capsys):
    device = _char_device(tmp_path / "null")
    out = tmp_path / "out"
    assert main(["build", str(GOOD), "-o", str(out), "--format", "md", "--report", str(device)]) == EXIT_OK
    assert stat.S_ISCHR(device.stat().st_mode)
    assert main(["schema", "-o", str(device)]) == EXIT_OK
    assert stat.S_ISCHR(device.stat().st_mode)


def test_report_through_a_link_to_dev_null_leaves_dev_null_a_device(tmp_path):
    link = tmp_path / "report.json"
    link.symlink_to("/dev/null")
    out = tmp_path / "out"
    assert main(["build", str(GOOD), "-o", str(out), "--format", "md", "--report", str(link)]) == EXIT_OK
    assert link.is_symlink() and os.readlink(link) == "/dev/null"
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_schema_into_a_link_to_dev_full_exits_3_and_keeps_the_device(tmp_path, capsys):
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    link = tmp_path / "schema.json"
    link.symlink_to("/dev/full")
    assert main(["schema", "-o", str(link)]) == EXIT_OUTPUT
    assert "No space left on device" in capsys.readouterr().err
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode) and link.is_symlink()


def test_schema_into_a_named_pipe_writes_through_to_its_reader(tmp_path):
    pipe = _fifo(tmp_path / "schema.pipe")
    reader, got = _read_fifo_in_background(pipe)
    # The reader may not have opened the pipe yet: then the write is refused (exit 3), never
    # replaces the pipe, and is tried again.
    while main(["schema", "-o", str(pipe)]) != EXIT_OK:
        assert stat.S_ISFIFO(pipe.stat().st_mode)
    reader.join(timeout=60)
    assert got == [schema_text().encode("utf-8")]
    assert stat.S_ISFIFO(pipe.stat().st_mode)


def test_report_into_a_named_pipe_nobody_reads_exits_3_at_once(tmp_path, capsys):
    pipe = _fifo(tmp_path / "report.pipe")
    out = tmp_path / "out"
    code = main(["build", str(GOOD), "-o", str(out), "--format", "md", "--report", str(pipe)])
    assert code == EXIT_OUTPUT
    assert "named pipe that nobody is reading" in capsys.readouterr().err
    assert stat.S_ISFIFO(pipe.stat().st_mode)


def test_build_output_that_is_a_named_pipe_is_refused_not_replaced(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    pipe = _fifo(out / "good-memo.md")
    assert main(["build", str(GOOD), "-o", str(out), "--format", "md"]) == EXIT_OUTPUT
    assert stat.S_ISFIFO(pipe.stat().st_mode)
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("kind", ["socket", "folder"])
def test_write_atomic_refuses_a_socket_or_folder_with_exit_3(tmp_path, kind):
    target = tmp_path / "target"
    if kind == "socket":
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(target))
    else:
        target.mkdir()
    with pytest.raises(OutputProblem) as caught:
        write_atomic(target, b"x")
    assert caught.value.exit_code == EXIT_OUTPUT
    assert target.is_socket() if kind == "socket" else target.is_dir()


def test_write_atomic_through_a_link_replaces_its_target_and_keeps_the_link(tmp_path):
    real = tmp_path / "real" / "report.json"
    real.parent.mkdir()
    real.write_bytes(b"old")
    link = tmp_path / "report.json"
    link.symlink_to(real)
    chain = tmp_path / "chain.json"
    chain.symlink_to(link)
    write_atomic(chain, b"new")
    assert chain.is_symlink() and link.is_symlink()
    assert real.read_bytes() == b"new" and not real.is_symlink()
    assert sorted(p.name for p in real.parent.iterdir()) == ["report.json"]


def test_write_atomic_through_a_dangling_link_creates_its_target(tmp_path):
    link = tmp_path / "schema.json"
    link.symlink_to(tmp_path / "made.json")
    write_atomic(link, b"{}")
    assert link.is_symlink() and (tmp_path / "made.json").read_bytes() == b"{}"


def test_write_atomic_never_reads_its_target(tmp_path, monkeypatch):
    """`schema -o` used to read the target first (hanging on a pipe to itself)."""
    target = tmp_path / "schema.json"
    target.write_text(schema_text(), encoding="utf-8")
    real_open = os.open

    def no_reading(path, flags, *args, **kwargs):
        assert flags & (os.O_WRONLY | os.O_RDWR) or Path(path) != target, "the target was read"
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", no_reading)
    monkeypatch.setattr(Path, "read_text", lambda *a, **k: pytest.fail("an output target was read"))
    monkeypatch.setattr(Path, "read_bytes", lambda *a, **k: pytest.fail("an output target was read"))
    assert main(["schema", "-o", str(target)]) == EXIT_OK


def test_schema_to_dev_stdout_prints_the_schema_and_exits_0():
    done = subprocess.run(
        [sys.executable, "-m", "briefgen", "schema", "-o", "/dev/stdout"],
        capture_output=True, cwd=ROOT, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == json.loads(schema_text())


def test_build_out_naming_an_existing_file_exits_3_as_documented(tmp_path, capsys):
    a_file = tmp_path / "out"
    a_file.write_text("not a folder")
    assert main(["build", str(GOOD), "-o", str(a_file), "--format", "md"]) == EXIT_OUTPUT
    assert "cannot create output folder" in capsys.readouterr().err
    assert a_file.read_text() == "not a folder"
    troubleshooting = (ROOT / "docs" / "troubleshooting.md").read_text(encoding="utf-8")
    documented = r"cannot create output folder: a file of that name is in the way` \(exit 3\)"
    assert re.search(documented, troubleshooting)


# Calls that open a file for writing. Allowed in briefgen/outputs.py alone.
_WRITING_CALLS = {
    "write_bytes", "write_text", "copyfile", "copy", "copy2", "mkstemp", "NamedTemporaryFile", "mkfifo",
}


def _opens_for_writing(node: ast.Call) -> bool:
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    if name in _WRITING_CALLS:
        return True
    if name == "open":
        for arg in [*node.args[1:2], *(k.value for k in node.keywords if k.arg == "mode")]:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and set(arg.value) & set("wax+"):
                return True
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "os":
            return any("WRONLY" in ast.unparse(a) or "RDWR" in ast.unparse(a) for a in node.args[1:])
    if name == "ZipFile":  # into memory (BytesIO) only
        first = ast.unparse(node.args[0]) if node.args else ""
        mode = ast.unparse(node.args[1]) if len(node.args) > 1 else ""
        return "w" in mode and "BytesIO" not in first and first not in ("out", "buffer", "buf")
    return False


def test_outputs_module_is_the_only_place_that_opens_a_file_for_writing():
    offenders = []
    for path in sorted((ROOT / "briefgen").rglob("*.py")):
        if path.name == "outputs.py" and path.parent.name == "briefgen":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _opens_for_writing(node):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)[:80]}")
    assert offenders == []
    # The scan itself finds such calls.
    sample = ast.parse("p.write_text('x')\nopen(p, 'wb')\nos.open(p, os.O_WRONLY)\nshutil.copyfile(a, b)")
    assert sum(_opens_for_writing(n) for n in ast.walk(sample) if isinstance(n, ast.Call)) == 4


def test_templates_export_and_init_write_through_the_outputs_module(tmp_path):
    dest = tmp_path / "mine"
    dest.mkdir()
    link_target = tmp_path / "elsewhere.j2"
    link_target.write_text("old", encoding="utf-8")
    (dest / "memo.md.j2").symlink_to(link_target)
    assert main(["templates", "export", str(dest), "--force"]) == EXIT_OK
    assert (dest / "memo.md.j2").is_symlink()  # the link stays; its target got the template
    assert "{%" in link_target.read_text(encoding="utf-8") or "{{" in link_target.read_text(encoding="utf-8")
    schema = tmp_path / "facts" / "briefgen.schema.json"
    schema.parent.mkdir()
    schema.symlink_to("/dev/null")
    assert main(["init", "brief", "--dir", str(schema.parent)]) == EXIT_OK
    assert schema.is_symlink() and stat.S_ISCHR(os.stat("/dev/null").st_mode)


# ---------------------------------------------------------------------------------------------
# Inputs: one vetting for every file read (kind 7: special files)


def _facts_with(tmp_path: Path, extra: str, name: str = "brief") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(GOOD.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return path


def _special(tmp_path: Path, kind: str) -> Path:
    if kind == "fifo":
        return _fifo(tmp_path / "special.yaml")
    if kind == "socket":
        path = tmp_path / "special.yaml"
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(path))
        return path
    if kind == "folder":
        path = tmp_path / "special.yaml"
        path.mkdir()
        return path
    return Path("/dev/zero")


@pytest.mark.parametrize("kind", ["fifo", "zero", "socket"])
@pytest.mark.parametrize("command", ["build", "check", "diff", "watch-free"])
def test_special_file_as_fact_file_is_refused_by_every_command(kind, command, tmp_path, capsys):
    special = _special(tmp_path, kind)
    out = tmp_path / "out"
    argv = {
        "build": ["build", str(special), "-o", str(out), "-j", "1"],
        "check": ["check", str(special)],
        "diff": ["diff", str(GOOD), str(special)],
        "watch-free": ["build", str(special), "-o", str(out), "-j", "2", "--format", "md"],
    }[command]
    # diff's errors are 2, as in git diff and diff(1) (1 means "they differ").
    assert main(argv) == (EXIT_USAGE if command == "diff" else EXIT_INVALID)
    err = capsys.readouterr().err
    assert f"{special}: " in err and "is not a regular file" in err, err


@pytest.mark.parametrize("kind", ["fifo", "zero", "folder"])
@pytest.mark.parametrize("command", ["build", "check"])
def test_special_file_as_reference_in_the_facts_is_refused_at_its_line(kind, command, tmp_path, capsys):
    special = {"fifo": lambda: _fifo(tmp_path / "house.docx"), "zero": lambda: Path("/dev/zero"),
               "folder": lambda: Path(tmp_path / "house.docx").mkdir() or tmp_path / "house.docx"}[kind]()
    facts = _facts_with(tmp_path, f"output:\n  reference_docx: {special}\n")
    line = len(GOOD.read_text(encoding="utf-8").splitlines()) + 2
    out = tmp_path / "out"
    argv = ["build", str(facts), "-o", str(out), "-j", "1"] if command == "build" else ["check", str(facts)]
    assert main(argv) == EXIT_INVALID
    err = capsys.readouterr().err
    assert f"{facts}:{line}:19: output.reference_docx: {special}: " in err, err
    assert "is not a regular file" in err or "is a directory" in err, err


@pytest.mark.parametrize("command", ["build", "check"])
def test_dev_zero_or_a_pipe_as_reference_on_the_command_line_is_refused(command, tmp_path, capsys):
    pipe = _fifo(tmp_path / "house.pptx")
    for special in ("/dev/zero", str(pipe)):
        out = tmp_path / "out"
        argv = ["build", str(GOOD), "-o", str(out), "-j", "1"] if command == "build" else ["check"]
        assert main([*argv, "--reference-pptx", special]) == EXIT_INVALID
        assert "is not a regular file" in capsys.readouterr().err


def test_template_that_is_a_named_pipe_is_refused_not_read(tmp_path, capsys):
    templates = tmp_path / "tpl"
    templates.mkdir()
    _fifo(templates / "memo.md.j2")
    assert main(["check", str(GOOD), "--templates", str(templates)]) == EXIT_INVALID
    err = capsys.readouterr().err
    assert "memo.md.j2: template file is not a regular file (a named pipe)" in err, err
    out = tmp_path / "out"
    assert main(["build", str(GOOD), "--templates", str(templates), "-o", str(out)]) == EXIT_INVALID


def test_template_over_the_size_limit_is_refused_before_reading(tmp_path, capsys):
    templates = tmp_path / "tpl"
    templates.mkdir()
    with open(templates / "deck.md.j2", "wb") as fh:
        fh.truncate(3 * 1024 * 1024)  # sparse: nothing to read, but 3 MB by its size
    assert main(["check", str(GOOD), "--templates", str(templates)]) == EXIT_INVALID
    assert "a template may be at most 2 MB" in capsys.readouterr().err


@pytest.mark.parametrize("kind", ["fifo", "zero", "socket"])
def test_init_from_a_special_file_is_refused_cleanly(kind, tmp_path, capsys):
    special = _special(tmp_path, kind)
    code = main(["init", "copy", "--dir", str(tmp_path / "facts"), "--from", str(special)])
    assert code == EXIT_INVALID
    err = capsys.readouterr().err
    assert "is not a regular file" in err and "internal error" not in err
    assert not (tmp_path / "facts" / "copy.yaml").exists()


def test_init_from_a_file_over_the_fact_file_limit_copies_nothing(tmp_path, capsys):
    big = tmp_path / "big.yaml"
    with open(big, "wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    assert main(["init", "copy", "--dir", str(tmp_path / "facts"), "--from", str(big)]) == EXIT_INVALID
    assert "a fact file may be at most 10 MB" in capsys.readouterr().err
    assert not (tmp_path / "facts" / "copy.yaml").exists()


@pytest.mark.parametrize("kind", ["fifo", "zero"])
def test_inspect_a_special_file_is_refused(kind, tmp_path, capsys):
    special = _special(tmp_path, kind)
    assert main(["inspect", str(special)]) == EXIT_INVALID
    assert "is not a regular file" in capsys.readouterr().err


def test_manifest_that_is_a_named_pipe_is_ignored_not_read(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    _fifo(out / MANIFEST_NAME)
    # Unreadable manifest = empty (a cache); writing it replaces nothing: the pipe is refused.
    code = main(["build", str(GOOD), "-o", str(out), "--format", "md", "-j", "1"])
    assert code == EXIT_OK
    assert (out / "good-memo.md").is_file()


def _bomb_docx(path: Path) -> Path:
    """A small .docx whose main part expands to 300 MB (spaces, compressed ~1000x), written in
    pieces so that this process never holds the 300 MB."""
    with zipfile.ZipFile(REFERENCE_DOCX) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename != "word/document.xml":
                dst.writestr(info.filename, data)
                continue
            head, tail = data.split(b"<w:body>", 1)
            entry = zipfile.ZipInfo(info.filename)
            entry.compress_type = zipfile.ZIP_DEFLATED
            with dst.open(entry, "w") as fh:
                fh.write(head + b"<w:body>")
                for _ in range(300):
                    fh.write(b" " * (1024 * 1024))
                fh.write(tail)
    return path


def test_inspect_a_zip_bomb_stays_under_200_mb(tmp_path):
    bomb = _bomb_docx(tmp_path / "bomb.docx")
    assert bomb.stat().st_size < 2 * 1024 * 1024
    # Measured from a small go-between: a child forked straight from this (large) test process
    # would count this process's pages in its peak.
    runner = (
        "import resource, subprocess, sys; "
        "done = subprocess.run([sys.executable, '-m', 'briefgen', 'inspect', sys.argv[1]], "
        "stdout=subprocess.DEVNULL, stderr=subprocess.PIPE); "
        "sys.stderr.buffer.write(done.stderr); "
        "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    done = subprocess.run(
        [sys.executable, "-c", runner, str(bomb)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    code, peak_kib = map(int, done.stdout.split())
    assert code == EXIT_INVALID, done.stderr
    assert "zip bomb" in done.stderr or "expands" in done.stderr, done.stderr
    assert peak_kib < 200 * 1024, f"inspect took {peak_kib // 1024} MB"


def _bad_references(tmp_path: Path) -> dict[str, tuple[str, Path]]:
    from tests.test_bad_inputs import REFERENCES

    made = {}
    for name in ("dtd-entity", "ratio-bomb", "pptx-as-docx", "truncated", "old-binary"):
        path = tmp_path / f"{name}.docx"
        path.write_bytes(REFERENCES[name]())
        made[name] = ("docx", path)
    made["missing"] = ("docx", tmp_path / "no-such.docx")
    wrong = tmp_path / "memo-as-deck.pptx"
    wrong.write_bytes(REFERENCE_DOCX.read_bytes())
    made["docx-as-pptx"] = ("pptx", wrong)
    return made


def test_check_and_build_agree_on_every_bad_reference_named_in_the_facts(tmp_path, capsys):
    line = len(GOOD.read_text(encoding="utf-8").splitlines()) + 2
    for name, (kind, path) in _bad_references(tmp_path).items():
        facts = _facts_with(tmp_path, f"output:\n  reference_{kind}: {path.name}\n", name="brief")
        assert main(["check", str(facts)]) == EXIT_INVALID, name
        checked = capsys.readouterr().err
        code = main(["build", str(facts), "-o", str(tmp_path / "out"), "-j", "1", "--force"])
        built = capsys.readouterr().err
        assert code == EXIT_INVALID, name
        where = f"{facts}:{line}:"
        for err in (checked, built):
            first = next(ln for ln in err.splitlines() if ln.startswith(where))
            assert f"output.reference_{kind}: " in first and str(path) in first, (name, err)
        assert _first_error(checked) == _first_error(built), name


def _first_error(err: str) -> str:
    return next(ln for ln in err.splitlines() if "output.reference_" in ln)


# ---------------------------------------------------------------------------------------------
# Templates: the kernel's memory limit


SINGLE_CALLS = [
    "{{ 'x'|center(3000000000) }}",
    "{{ '%3000000000s' % 'x' }}",
    "{{ '{:>3000000000}'.format('x') }}",
    "{{ ('x' * 100000).replace('x', 'y' * 100000) }}",
    "{{ ('x' * 100000).join(['y'] * 100000) }}",
    "{{ 'x'|indent(3000000000, true) ~ ('ab' * 50000)|replace('a', 'c' * 90000) }}",
    "{% set s = 'x' * 100000 %}{% for i in range(100000) %}{{ s }}{% endfor %}",
]


@pytest.mark.parametrize("expression", SINGLE_CALLS)
def test_render_single_call_past_the_memory_limit_is_stopped_at_its_line(expression, tmp_path):
    import resource

    before = resource.getrlimit(resource.RLIMIT_AS)
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "memo.md.j2").write_text(f"# Memo\n\nText.\n{expression}\n", encoding="utf-8")
    briefing = load_facts(GOOD).briefing
    with pytest.raises(TemplateProblem) as caught:
        TemplateSet(folder).render("memo", briefing)
    message = str(caught.value)
    where = re.escape(str(folder / "memo.md.j2"))
    assert re.match(rf"{where}:4: template stopped at the memory limit", message)
    assert "loop that does not end" not in message
    assert resource.getrlimit(resource.RLIMIT_AS) == before  # restored after the render
    assert briefing.title in TemplateSet().render("memo", briefing)  # the next render is unhindered


def test_render_memory_limit_holds_in_build_workers(tmp_path, capsys):
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "memo.md.j2").write_text("# Memo\n\n{{ 'x'|center(3000000000) }}\n", encoding="utf-8")
    facts = [_facts_with(tmp_path, "", name=n) for n in ("one", "two")]
    options = BuildOptions(out_dir=tmp_path / "out", formats=("md",), templates=folder)
    batch = build_many(facts, options, BatchOptions(jobs=2))
    assert [r.status for r in batch.results] == ["failed", "failed"]
    for result in batch.results:
        [problem] = result.problems
        assert "memo.md.j2:3: template stopped at the memory limit" in problem.format()


# ---------------------------------------------------------------------------------------------
# Concurrency: builds into one folder take turns


def test_build_two_concurrent_builds_leave_a_complete_manifest(tmp_path):
    out = tmp_path / "out"
    facts = [_facts_with(tmp_path, "", name=n) for n in ("alpha", "beta")]
    script = (
        "import sys; from briefgen.cli import main; "
        "sys.exit(main(['build', sys.argv[1], '-o', sys.argv[2], '--format', 'md,docx', '-j', '1']))"
    )
    with folder_lock(out):
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", script, str(f), str(out)],
                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )
            for f in facts
        ]
        # Both have read nothing yet: each says it waits for the folder (this test holds it).
        for proc in procs:
            assert "waiting for another build into" in proc.stderr.readline()
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    manifest = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert sorted(manifest["briefings"]) == ["alpha", "beta"]
    assert {v["stem"] for v in manifest["outputs"].values()} == {"alpha", "beta"}
    again = build_many(facts, BuildOptions(out_dir=out, formats=("md", "docx")), BatchOptions(jobs=1))
    assert [r.status for r in again.results] == ["up-to-date", "up-to-date"]


# ---------------------------------------------------------------------------------------------
# Messages: safe for a terminal, cut to a sensible width


def test_problem_file_name_with_escape_and_newline_reaches_the_terminal_escaped(tmp_path, capsys):
    name = "evil\x1b]0;owned\x07\nforged.yaml:1:1: all good\u202e.yaml"
    bad = tmp_path / name
    bad.write_text(GOOD.read_text(encoding="utf-8") + "zzunknown: 1\n", encoding="utf-8")
    for argv in (["check", str(bad)], ["build", str(bad), "-o", str(tmp_path / "out"), "-j", "1"]):
        assert main(argv) == EXIT_INVALID
        captured = capsys.readouterr()
        text = captured.err + captured.out
        assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
        assert "\\x1b]0;owned\\x07\\nforged.yaml" in text
        assert not any(line.startswith("forged.yaml") for line in text.splitlines())


@pytest.mark.parametrize("line", ["zzunknown: " + "k" * (9 * 1024 * 1024), "k" * (9 * 1024 * 1024) + ": 1"])
def test_problem_on_a_9_mb_line_prints_a_short_excerpt(line, tmp_path, capsys):
    bad = _facts_with(tmp_path, f"{line}\n")
    assert main(["check", str(bad)]) == EXIT_INVALID
    err = capsys.readouterr().err
    assert len(err) < 10_000, len(err)
    excerpt_line = next(ln for ln in err.splitlines() if ln.lstrip().startswith("60 | "))
    assert len(excerpt_line) < 120 and "…" in excerpt_line


def test_problem_message_quoting_megabytes_is_cut_in_the_middle(capsys):
    from briefgen.errors import Problem
    from briefgen.problems import print_problems

    print_problems([Problem("unknown key '" + "k" * 5_000_000 + "'", file="a.yaml", line=3)])
    err = capsys.readouterr().err
    assert len(err) < 5_000 and "characters left out" in err and err.rstrip().endswith("k'")


def test_problem_excerpt_is_a_window_around_the_caret():
    line = "a" * 500 + " key: value " + "b" * 500
    shown, caret = excerpt(line, 7, 502)
    text = shown.split("| ", 1)[1]
    assert len(text) <= 102 and text.startswith("…") and text.endswith("…")
    assert text[caret.index("^") - (len(shown) - len(text))] == "k"
    assert caret.count("~") == len("key") - 1  # the word under the caret, without its colon


def test_safe_text_escapes_every_control_and_override():
    for char in ["\x00", "\x07", "\x1b", "\n", "\r", "\x7f", "\x85", "\x9b", "\u2028", "\u202e", "\u2066"]:
        shown = safe_text(f"a{char}b")
        assert char not in shown and shown.startswith("a\\") and shown.endswith("b")
    assert safe_text("Überschrift 1 — 東京") == "Überschrift 1 — 東京"


@pytest.mark.parametrize("command", ["build", "check"])
def test_special_file_as_citation_style_is_refused_not_read(command, tmp_path, capsys):
    pipe = _fifo(tmp_path / "house.csl")
    facts = _facts_with(tmp_path, f"output:\n  citation_style: {pipe}\n")
    out = tmp_path / "out"
    argv = ["build", str(facts), "-o", str(out), "-j", "1"] if command == "build" else ["check", str(facts)]
    assert main(argv) == EXIT_INVALID
    err = capsys.readouterr().err
    assert "output.citation_style: is not a regular file (a named pipe)" in err, err


@pytest.mark.parametrize("kind", ["fifo", "zero"])
def test_special_file_as_since_is_refused_not_read(kind, tmp_path, capsys):
    special = _special(tmp_path, kind)
    out = tmp_path / "out"
    code = main(["build", str(GOOD), "-o", str(out), "-j", "1", "--format", "docx", "--since", str(special)])
    assert code == EXIT_INVALID
    err = capsys.readouterr().err
    assert f"{special}: is not a regular file" in err, err


def test_template_included_from_a_named_pipe_is_refused_at_the_include_line(tmp_path):
    folder = tmp_path / "tpl"
    folder.mkdir()
    _fifo(folder / "part.md.j2")
    (folder / "memo.md.j2").write_text("# Memo\n\nText.\n{% include 'part.md.j2' %}\n", encoding="utf-8")
    with pytest.raises(TemplateProblem) as caught:
        TemplateSet(folder).render("memo", load_facts(GOOD).briefing)
    message = str(caught.value)
    assert message.startswith(f"{folder / 'memo.md.j2'}:4: ")
    assert "part.md.j2: template file is not a regular file (a named pipe)" in message
