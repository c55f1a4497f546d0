"""One vetting of every file briefgen reads: fact files, templates, reference documents, the
files `inspect`, `diff` and `init --from` are given, and the output folder's manifest.

Every one is opened the same way, in every command:

- opened without blocking and without becoming the controlling terminal, then checked on the
  open descriptor (no race between a look and the open): it must be a regular file. A named
  pipe, a device (`/dev/zero`), a socket or a folder is refused at once, never read from, so it
  cannot hang a build or fill memory;
- its size is checked against the limit for its kind before anything is read, and the read is
  bounded again (a file that grows while being read is refused too);
- Office packages are then vetted as packages (`briefgen.ooxml`: zip bombs, DTDs, the right
  kind of main part).

A refusal is an `InputRefused` (exit 1) whose message starts with the file's name; where a file
was named by a line of a fact file (`output.reference_docx`), `locate` moves the problem to that
line, so `check` and `build` point at the line to fix.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from pathlib import Path

from briefgen.errors import BriefgenError, Problem

MB = 1024 * 1024
# What each kind of input may weigh on disk. A fact file of 10 MB is hundreds of briefings'
# worth; a template of 2 MB a hundred times the bundled ones; a reference document is a few MB
# at most (the package limits in briefgen.ooxml bound what it expands to).
FACTS_LIMIT = 10 * MB
TEMPLATE_LIMIT = 2 * MB
PACKAGE_LIMIT = 100 * MB
MANIFEST_LIMIT = 64 * MB
_CHUNK = MB


class InputRefused(BriefgenError):
    """A file briefgen was asked to read is missing, unreadable, not a regular file or too big.

    `reason` is the message without the file name (for callers that add their own location);
    `missing` tells a missing file from the others."""

    def __init__(self, path: Path | str, reason: str, *, missing: bool = False) -> None:
        self.path = str(path)
        self.reason = reason
        self.missing = missing
        super().__init__(f"{path}: {reason}")


def kind_of(mode: int) -> str:
    """What a file that is not a regular file is, in words."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def open_regular(path: Path, what: str = "file") -> tuple[int, int]:
    """Open `path` for reading if it is a regular file; return (descriptor, size in bytes).

    Raises `InputRefused` for a missing or unreadable file and for anything but a regular file
    (checked on the open descriptor; opening never blocks, even on a pipe with no writer)."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise InputRefused(path, "no such file", missing=True) from None
    except IsADirectoryError:
        raise InputRefused(path, f"is a directory, not a {what}") from None
    except OSError as exc:
        if exc.errno in (errno.ENXIO, errno.EOPNOTSUPP):  # a socket
            raise InputRefused(path, f"is not a regular file (a socket); name a {what}") from None
        raise InputRefused(path, f"cannot read: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputRefused(path, f"is a directory, not a {what}")
        if not stat.S_ISREG(info.st_mode):
            raise InputRefused(
                path, f"is not a regular file ({kind_of(info.st_mode)}); name a {what}"
            )
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd, info.st_size


def _too_big(size: int, limit: int, what: str) -> str:
    return f"file is {size / MB:.1f} MB; a {what} may be at most {limit // MB} MB"


def read_bytes(path: Path, limit: int, what: str = "file") -> bytes:
    """The bytes of the regular file `path`, at most `limit` of them: the size is checked before
    reading and the read itself is bounded. Raises `InputRefused`."""
    fd, size = open_regular(path, what)
    try:
        if size > limit:
            raise InputRefused(path, _too_big(size, limit, what))
        chunks: list[bytes] = []
        total = 0
        while total <= limit:
            chunk = os.read(fd, min(_CHUNK, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise InputRefused(path, f"cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if total > limit:
        raise InputRefused(path, f"file grew past {limit // MB} MB while being read (the limit for a {what})")
    return b"".join(chunks)


def read_text(path: Path, limit: int, what: str = "file") -> str:
    """`read_bytes` decoded as UTF-8 (a byte-order mark is dropped); `InputRefused` when the
    bytes are not UTF-8 text."""
    data = read_bytes(path, limit, what)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputRefused(
            path, f"is not valid UTF-8 (byte 0x{data[exc.start]:02X} at offset {exc.start}); save it as UTF-8"
        ) from None


def sha256_file(path: Path, limit: int | None = None) -> str | None:
    """The SHA-256 of the regular file `path` (read in chunks), or None when it is missing,
    unreadable, not a regular file or over `limit` bytes: never blocks on a pipe or device."""
    try:
        fd, size = open_regular(path)
    except InputRefused:
        return None
    digest = hashlib.sha256()
    try:
        if limit is not None and size > limit:
            return None
        while chunk := os.read(fd, _CHUNK):
            digest.update(chunk)
    except OSError:
        return None
    finally:
        os.close(fd)
    return digest.hexdigest()


def locate(exc: BriefgenError, file: str, line: int, col: int, path: str) -> BriefgenError:
    """The same error with its problems moved to the line of a fact file that named the input
    (`file:line:col: path: <message>`); the exit code stays."""
    problems = exc.problems or [Problem(str(exc))]
    moved = [
        Problem(p.message, file=file, line=line, col=col, path=path, severity=p.severity, hint=p.hint)
        for p in problems
    ]
    located = BriefgenError(problems=moved)
    located.exit_code = exc.exit_code
    return located
