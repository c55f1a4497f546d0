"""Writing outputs safely: atomic replacement, no partial files, no escaping the output folder.

Every file goes through a temporary file in its own folder (same file system, so the rename is
atomic), is flushed and fsynced, then renamed over the old one. Temporary files still on disk
are tracked so that a signal handler (`briefgen.cli`) can remove them before exiting.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from briefgen.errors import OutputProblem

TEMP_SUFFIX = ".tmp"
# Windows device names, reserved with any extension ("con.docx") on every Windows file system.
RESERVED_NAMES = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{dev}{n}" for dev in ("COM", "LPT") for n in (*"123456789", "¹", "²", "³")}
)
MAX_NAME_BYTES = 200  # file systems allow 255 bytes; keep room for the temporary name
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')

_pending: set[str] = set()
_pending_lock = threading.Lock()


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


def write_atomic(path: Path, data: bytes, *, on_replace: Callable[[], None] | None = None) -> Path:
    """Write `data` to `path` through a temporary file in the same folder, fsync, rename.

    Readers see either the old complete file or the new complete file, never a partial one; on
    any failure (or a signal) the temporary file is removed and the old file is untouched.
    """
    tmp = _write_temp(path, data)
    try:
        if on_replace:
            on_replace()
        _commit(tmp, path)
    finally:
        discard(tmp)
    _sync_folder(path.parent)
    return path


def write_all(out_dir: Path, files: Mapping[str, bytes]) -> list[Path]:
    """Write several outputs as one step: every file is written and fsynced to a temporary file
    first, and only when all succeeded are they renamed into place.

    A failure while writing (disk full, permissions, a signal) therefore leaves every earlier
    output as it was — never a new memo beside an old deck — and no temporary files.
    """
    paths = [output_path(out_dir, name) for name in files]
    temps: list[str] = []
    try:
        for path, data in zip(paths, files.values(), strict=True):
            temps.append(_write_temp(path, data))
        for tmp, path in zip(temps, paths, strict=True):
            _commit(tmp, path)
    finally:
        for tmp in temps:
            discard(tmp)
    _sync_folder(out_dir)
    return paths


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
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputProblem(f"{folder}: cannot create output folder: {exc.strerror or exc}") from None
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
        raise OutputProblem(f"{path}: cannot write output: {exc.strerror or exc}") from None
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
        raise OutputProblem(f"{path}: cannot write output: {exc.strerror or exc}") from None


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
