"""The on-disk cache of compiled templates (Jinja2 bytecode), read and written as briefgen
reads and writes every file."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import jinja2


def bytecode_cache(cache_dir: Path | None) -> jinja2.BytecodeCache | None:
    """Compiled templates cached on disk, so that a cold process skips Jinja2's parse and
    compile (about 70 ms for memo + deck). Jinja2 checks each entry against the template
    source's checksum; the file names carry what else the compiled code depends on. The cache
    lives in `cache_dir`/templates, briefgen's cache folder from the environment
    (`briefgen.config.Environment.cache_dir`: $XDG_CACHE_HOME/briefgen, ~/.cache/briefgen);
    None (BRIEFGEN_NO_CACHE=1) turns it off, and an unwritable cache folder just means no cache."""
    if cache_dir is None:
        return None
    from briefgen import __version__

    folder = cache_dir / "templates"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return None
    if not os.access(folder, os.W_OK | os.X_OK):
        return None
    return _BytecodeCache(str(folder), pattern=f"{__version__}-jinja{jinja2.__version__}-i18n-%s.cache")


class _BytecodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja2's file cache, reading and writing as briefgen reads and writes every file: a cache
    entry is read only if it is a regular file (`briefgen.intake`), and written through
    `briefgen.outputs` (atomically). A cache that cannot be used is no cache, never an error."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        import io

        from briefgen.intake import TEMPLATE_LIMIT, InputRefused, read_bytes

        try:
            data = read_bytes(Path(self._get_cache_filename(bucket)), 8 * TEMPLATE_LIMIT, "cache entry")
        except InputRefused:
            return
        bucket.load_bytecode(io.BytesIO(data))

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        import io

        from briefgen.errors import OutputProblem
        from briefgen.outputs import write_atomic

        out = io.BytesIO()
        bucket.write_bytecode(out)
        with contextlib.suppress(OutputProblem):
            write_atomic(Path(self._get_cache_filename(bucket)), out.getvalue())
