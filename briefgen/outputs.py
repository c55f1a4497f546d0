"""Writing files safely: the one place briefgen opens a file for writing.

Every file briefgen writes (the memo, deck, review text and PDFs, the manifest, `--report`,
`schema -o`, `init`, `templates export`, the template cache) goes through this module, and what
happens depends on what the target is:

- a regular file, or a new path: written to a temporary file in the target's folder (same file
  system, so the rename is atomic), flushed and fsynced, then renamed over the old one. Readers
  see the old complete file or the new complete one, never a partial one;
- a symbolic link: resolved, and its final target written atomically as above (the link stays);
- a character device or a named pipe (`/dev/null`, `/dev/stdout`, a FIFO a script reads):
  written through, never replaced. A pipe that nobody reads, a block device (a disk), a socket or
  a folder is refused with `OutputProblem` (exit 3).

Nothing is ever read from an output target. Temporary files still on disk are tracked so that a
signal handler (`briefgen.cli`) can remove them before exiting.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import signal
import stat
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from briefgen.errors import OutputProblem

TEMP_SUFFIX = ".tmp"
LOCK_NAME = ".briefgen.lock"
# Windows device names, reserved with any extension ("con.docx") on every Windows file system.
RESERVED_NAMES = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{dev}{n}" for dev in ("COM", "LPT") for n in (*"123456789", "¹", "²", "³")}
)
MAX_NAME_BYTES = 200  # file systems allow 255 bytes; keep room for the temporary name
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')

_pending: set[str] = set()
_pending_lock = threading.RLock()  # re-entered by a signal handler that interrupts its holder


def check_output_name(name: str) -> str:
    """Return `name` if it is a plain file name that is safe on every platform; else raise.

    Refused: path separators or parent references (escaping the output folder), absolute paths,
    names starting with '.' (hidden, and our temporary files), Windows reserved device names,
    characters Windows forbids, trailing dots or spaces, names too long for the file system.
    """
    problem = ""
    if not name or name in (".", ".."):
        problem = "is empty"
    elif _UNSAFE_NAME.search(name):
        problem = "contains a path separator or a character file systems forbid"
    elif name.startswith("."):
        problem = "starts with '.' (hidden file)"
    elif name.rstrip(". ") != name:
        problem = "ends with a dot or space"
    elif name.split(".")[0].rstrip(" ").upper() in RESERVED_NAMES:
        problem = "is a reserved device name on Windows"
    elif len(name.encode("utf-8")) > MAX_NAME_BYTES:
        problem = f"is longer than {MAX_NAME_BYTES} bytes"
    if problem:
        raise OutputProblem(f"output name {name!r} {problem}")
    return name


def output_path(out_dir: Path, name: str) -> Path:
    """`out_dir / name` for a checked plain name; it can only be a direct child of out_dir."""
    path = out_dir / check_output_name(name)
    if path.parent != out_dir:  # belt and braces: the checks above already ensure it
        raise OutputProblem(f"output name {name!r} would leave the output folder {out_dir}")
    return path


# ---------------------------------------------------------------------------------------------
# What a target is


class _Target:
    """Where the bytes for `path` go: `final` (a regular file or a new path, symbolic links
    resolved) is replaced atomically; a special file (`through`) is written through."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.through = False
        try:
            mode = os.stat(path).st_mode  # follows links: the kind of what finally gets written
        except FileNotFoundError:
            mode = None
        except OSError as exc:  # a link loop, a path through a file, no permission
            raise OutputProblem(f"{_shown(path)}: cannot write output: {exc.strerror or exc}") from None
        if mode is None or stat.S_ISREG(mode):
            # A dangling link names the file to create; `realpath` follows every link, so the
            # temporary file is made beside the real target and the rename replaces it, not the link.
            self.final = Path(os.path.realpath(path)) if path.is_symlink() else path
            return
        self.final = path
        if stat.S_ISDIR(mode):
            raise OutputProblem(f"{_shown(path)}: cannot write output: it is a folder")
        if stat.S_ISBLK(mode):
            raise OutputProblem(
                f"{_shown(path)}: refused: it is a block device (a disk); briefgen writes only "
                "files, character devices and named pipes"
            )
        if not (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)):
            raise OutputProblem(f"{_shown(path)}: refused: it is a socket or other special file, not a file")
        self.through = True


def _shown(path: Path | str) -> str:
    from briefgen.problems import safe_text

    return safe_text(str(path))


def _write_through(path: Path, data: bytes) -> None:
    """Write `data` into an existing character device or named pipe, leaving it in place.

    Opened without creating or truncating and without blocking, so a pipe that nobody reads is
    refused at once instead of hanging; then written with ordinary blocking writes."""
    flags = os.O_WRONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise OutputProblem(
                f"{_shown(path)}: refused: it is a named pipe that nobody is reading"
            ) from None
        raise OutputProblem(f"{_shown(path)}: cannot write output: {exc.strerror or exc}") from None
    try:
        mode = os.fstat(fd).st_mode
        if not (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)):
            # Replaced by something else between the look and the open: never write into a
            # regular file without the temporary-file step.
            raise OutputProblem(f"{_shown(path)}: cannot write output: it changed while being written")
        os.set_blocking(fd, True)
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
    except OSError as exc:
        raise OutputProblem(f"{_shown(path)}: cannot write output: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


# ---------------------------------------------------------------------------------------------
# Writing


def write_atomic(path: Path, data: bytes, *, on_replace: Callable[[], None] | None = None) -> Path:
    """Write `data` to `path`: a regular file (or new path, or the file a symbolic link names)
    through a temporary file in the same folder, fsync, rename; a character device or named pipe
    written through. Returns `path`. Raises `OutputProblem` (exit 3) when it cannot be written.

    On any failure (or a signal) the temporary file is removed and the old file is untouched.
    """
    target = _Target(path)
    if target.through:
        _write_through(target.path, data)
        return path
    tmp = _write_temp(target.final, data)
    try:
        if on_replace:
            on_replace()
        _commit(tmp, target.final)
    finally:
        discard(tmp)
    _sync_folder(target.final.parent)
    return path


def write_all(out_dir: Path, files: Mapping[str, bytes]) -> list[Path]:
    """Write several outputs as one step: every file is written and fsynced to a temporary file
    first, and only when all succeeded are they renamed into place (special files, which cannot
    be replaced, are written through after that).

    A failure while writing (disk full, permissions, a signal) therefore leaves every earlier
    output as it was — never a new memo beside an old deck — and no temporary files.
    """
    paths = [output_path(out_dir, name) for name in files]
    ensure_folder(out_dir)
    targets = [_Target(path) for path in paths]
    temps: list[tuple[str, Path]] = []
    try:
        for target, data in zip(targets, files.values(), strict=True):
            if not target.through:
                temps.append((_write_temp(target.final, data), target.final))
        for tmp, final in temps:
            _commit(tmp, final)
    finally:
        for tmp, _final in temps:
            discard(tmp)
    _sync_folder(out_dir)
    for target, data in zip(targets, files.values(), strict=True):
        if target.through:
            _write_through(target.path, data)
    return paths


def ensure_folder(folder: Path) -> Path:
    """Create the output folder (and its parents) if needed; `OutputProblem` when impossible,
    e.g. when a file stands where the folder should be."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputProblem(
            f"{_shown(folder)}: cannot create output folder: a file of that name is in the way"
        ) from None
    except OSError as exc:
        raise OutputProblem(
            f"{_shown(folder)}: cannot create output folder: {exc.strerror or exc}"
        ) from None
    return folder


@contextlib.contextmanager
def folder_lock(folder: Path, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the output folder's lock (`.briefgen.lock` in it, an OS file lock through the
    filelock library) for the block, so builds into one folder run one after the other and each
    reads the manifest the previous one wrote. `on_wait` is called once if another process holds
    the lock. Raises `OutputProblem` when the lock file cannot be created."""
    import filelock

    ensure_folder(folder)
    lock = filelock.FileLock(str(folder / LOCK_NAME), mode=0o644)
    try:
        try:
            lock.acquire(timeout=0)
        except filelock.Timeout:
            if on_wait:
                on_wait()
            lock.acquire()
    except OSError as exc:
        raise OutputProblem(
            f"{_shown(folder)}: cannot lock the output folder: {exc.strerror or exc}"
        ) from None
    try:
        yield
    finally:
        lock.release()


def discard(tmp: str) -> None:
    """Remove a temporary file if it is still there (after a failure) and stop tracking it."""
    with _pending_lock:
        tracked = tmp in _pending
        _pending.discard(tmp)
    if tracked:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def remove_pending() -> list[str]:
    """Remove every temporary file still on disk (called on SIGTERM/SIGINT); return their names."""
    with _pending_lock:
        names = sorted(_pending)
    for name in names:
        discard(name)
    return names


def _write_temp(path: Path, data: bytes) -> str:
    folder = ensure_folder(path.parent)
    tmp = ""
    try:
        with _signals_deferred():
            # Creating and tracking the file is one step as far as signals are concerned, so a
            # SIGTERM can never leave an untracked temporary file.
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=folder)
            with _pending_lock:
                _pending.add(tmp)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it 0600; outputs are ordinary documents
    except OSError as exc:
        if tmp:
            discard(tmp)
        raise OutputProblem(f"{_shown(path)}: cannot write output: {exc.strerror or exc}") from None
    except BaseException:
        if tmp:
            discard(tmp)
        raise
    return tmp


def _commit(tmp: str, path: Path) -> None:
    try:
        with _signals_deferred():
            os.replace(tmp, path)
            with _pending_lock:
                _pending.discard(tmp)
    except OSError as exc:
        raise OutputProblem(f"{_shown(path)}: cannot write output: {exc.strerror or exc}") from None


def _sync_folder(folder: Path) -> None:
    """fsync the folder so the rename itself survives a crash (POSIX; a no-op elsewhere)."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold SIGINT/SIGTERM for a few statements; they are delivered right after."""
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    held = {signal.SIGINT, signal.SIGTERM}
    old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
