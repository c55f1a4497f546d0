"""Writing outputs safely: atomic replacement, no partial files, no escaping the output folder."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from briefgen.errors import OutputProblem


def write_atomic(path: Path, data: bytes, *, on_replace: Callable[[], None] | None = None) -> Path:
    """Write `data` to `path` through a temporary file in the same folder, fsync, rename.

    Readers see either the old complete file or the new complete file, never a partial one; on
    any failure the temporary file is removed and the old file is untouched.
    """
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputProblem(f"{folder}: cannot create output folder: {exc.strerror}") from None
    tmp_name = ""
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp_name, 0o644)
        if on_replace:
            on_replace()
        os.replace(tmp_name, path)
        tmp_name = ""
    except OSError as exc:
        raise OutputProblem(f"{path}: cannot write output: {exc.strerror or exc}") from None
    finally:
        if tmp_name:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
    return path
