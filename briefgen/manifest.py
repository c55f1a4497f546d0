"""The build manifest: what each output in an output folder was built from.

`<out>/.briefgen-manifest.json` records, per output file, the key of its inputs (a SHA-256 over
the facts bytes, every template in use, the reference files, the briefgen code and library
versions and the build settings) and the SHA-256 of the bytes written. An output is up to date
when its recorded key equals the key of the current inputs and the file on disk still has the
recorded hash. The manifest is a cache: an unreadable one is treated as empty, never an error.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from briefgen import intake
from briefgen.errors import OutputProblem
from briefgen.outputs import write_atomic

MANIFEST_NAME = ".briefgen-manifest.json"
SCHEMA = 1


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str | None:
    """The SHA-256 of a regular file, or None when it cannot be read (or is a pipe, device or
    folder: `briefgen.intake` opens it, so hashing never blocks)."""
    return intake.sha256_file(path)


@dataclass
class Manifest:
    """The manifest of one output folder, read once per build and written once at its end."""

    folder: Path
    outputs: dict[str, dict[str, object]] = field(default_factory=dict)
    briefings: dict[str, dict[str, object]] = field(default_factory=dict)

    @property
    def path(self) -> Path:
        return self.folder / MANIFEST_NAME

    @classmethod
    def load(cls, folder: Path) -> Manifest:
        """Read the folder's manifest; a missing, corrupt or foreign one gives an empty manifest."""
        manifest = cls(folder)
        try:
            raw = intake.read_bytes(folder / MANIFEST_NAME, intake.MANIFEST_LIMIT, "manifest")
            data = json.loads(raw.decode("utf-8"))
        except (intake.InputRefused, ValueError):
            return manifest
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            return manifest
        outputs, briefings = data.get("outputs"), data.get("briefings")
        if isinstance(outputs, dict):
            manifest.outputs = {k: v for k, v in outputs.items() if isinstance(v, dict)}
        if isinstance(briefings, dict):
            manifest.briefings = {k: v for k, v in briefings.items() if isinstance(v, dict)}
        return manifest

    def is_current(self, name: str, key: str) -> bool:
        """True when `name` was built from inputs with this key and is unchanged on disk."""
        entry = self.outputs.get(name)
        if not entry or entry.get("key") != key:
            return False
        path = self.folder / name
        try:
            if path.stat().st_size != entry.get("size"):
                return False
        except OSError:
            return False
        return sha256_file(path) == entry.get("sha256")

    def record_output(self, name: str, key: str, stem: str, sha256: str | None, size: int) -> None:
        self.outputs[name] = {"key": key, "stem": stem, "sha256": sha256, "size": size}

    def record_briefing(self, stem: str, info: dict[str, object]) -> None:
        self.briefings[stem] = info

    def save(self) -> None:
        """Write the manifest atomically (sorted, so that it is itself stable)."""
        data = {"schema": SCHEMA, "outputs": self.outputs, "briefings": self.briefings}
        text = json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
        # A manifest that cannot be written only costs a rebuild next time; the outputs stand.
        with contextlib.suppress(OutputProblem):
            write_atomic(self.path, text.encode("utf-8"))
