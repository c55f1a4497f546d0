"""The incremental layer: which files a briefing's outputs depend on, and the key over them.

An output is up to date when the manifest (`briefgen.manifest`) records, for its name, the
input key of the current inputs and the bytes still on disk. The key covers the facts bytes,
every template in use, the reference files, briefgen's code and library versions and the
settings that change bytes. `dependencies` gives the same set of files as paths, for
`briefgen watch` to know which briefings a saved file affects.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.metadata
import json
import time
import zlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from briefgen import __version__
from briefgen.config import BuildOptions, Environment, reference_path
from briefgen.errors import Problem
from briefgen.facts.output import Output
from briefgen.manifest import Manifest, sha256_file
from briefgen.pipeline import output_names, output_stem
from briefgen.resources import bundled_reference_files, package_folder
from briefgen.templating import TemplateSet

# Libraries whose version can change the bytes written.
_LIBRARIES = (
    "python-docx", "python-pptx", "lxml", "Jinja2", "markdown-it-py", "mdit-py-plugins",
    "pydantic", "PyYAML", "fonttools",
)


@dataclass(frozen=True)
class FileRecord:
    """An input or output file: where, what role, how big, which SHA-256."""

    path: str
    role: str
    sha256: str | None
    size: int = 0


@dataclass(frozen=True)
class InputContext:
    """What every briefing of a batch shares: the templates in use, the bundled reference files,
    and a fingerprint of code, libraries and settings that change output bytes."""

    templates: tuple[FileRecord, ...]
    bundled: tuple[FileRecord, ...]
    fingerprint: str
    soffice: str | None = None  # BRIEFGEN_SOFFICE: a PDF's key names the LibreOffice it is made with


@dataclass(frozen=True)
class Current:
    """A briefing whose outputs the manifest shows current: what the batch reports for it."""

    key: str
    inputs: list[FileRecord]
    files: list[FileRecord]
    warnings: list[Problem]
    references: dict[str, str | None]
    seconds: float


@cache
def _code_digest() -> str:
    """SHA-256 over briefgen's own files: a code change invalidates outputs even when the
    version number has not moved (editable installs, development)."""
    root = package_folder()
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _library_versions() -> dict[str, str]:
    found = {}
    for name in _LIBRARIES:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = ""
    return found


def input_context(options: BuildOptions, templates: TemplateSet, environment: Environment) -> InputContext:
    """Hash the inputs shared by a batch (once per batch), with the batch's `environment`
    (`briefgen.config.read_environment`)."""
    template_files = tuple(
        FileRecord(str(p), "template", sha256_file(p), _size(p)) for p in templates.paths()
    )
    bundled = tuple(
        FileRecord(str(p), "bundled reference", sha256_file(p), _size(p)) for p in bundled_reference_files()
    )
    epoch = environment.source_date_epoch
    fingerprint = json.dumps(
        {
            "briefgen": __version__,
            "code": _code_digest(),
            "libraries": _library_versions(),
            "zlib": zlib.ZLIB_RUNTIME_VERSION,
            "templates": [(Path(r.path).name, r.sha256) for r in template_files],
            "bundled": [(Path(r.path).name, r.sha256) for r in bundled],
            "source_date_epoch": epoch.isoformat() if epoch else None,
            "layouts": sorted((options.layouts or {}).items()),
            # A --since build adds a changes slide: its outputs are not those of a plain build.
            "since": options.since,
            "redline_author": options.redline_author,
        },
        sort_keys=True,
    )
    return InputContext(template_files, bundled, fingerprint, environment.soffice)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def references_of(output: Output) -> dict[str, str | None]:
    """The reference files as the facts' `output` section names them: {"docx": …, "pptx": …}."""
    return {"docx": output.reference_docx, "pptx": output.reference_pptx}


def reference_records(
    options: BuildOptions, raw: dict[str, str | None], facts_path: Path
) -> list[FileRecord]:
    """The reference files in force for one briefing, hashed."""
    records = []
    for kind, cli_value in (("docx", options.reference_docx), ("pptx", options.reference_pptx)):
        path = reference_path(cli_value, raw.get(kind), facts_path, templates=options.templates, kind=kind)
        if path is not None:
            records.append(FileRecord(str(path), f"reference {kind}", sha256_file(path), _size(path)))
    return records


def dependencies(facts_path: Path, output: Output | None, options: BuildOptions) -> set[Path]:
    """Every file (resolved) the outputs of the briefing at `facts_path` are built from, except
    the templates: its facts, the reference files in force and the bundled ones. With `output`
    None (the facts do not load) the references come from the command line alone."""
    raw = references_of(output) if output is not None else {}
    refs = {Path(r.path).resolve() for r in reference_records(options, raw, facts_path)}
    return {facts_path.resolve(), *refs, *(p.resolve() for p in bundled_reference_files())}


def input_key(facts_sha: str | None, references: list[FileRecord], context: InputContext) -> str:
    """The SHA-256 that identifies everything an output is built from."""
    payload = json.dumps([context.fingerprint, facts_sha, [(r.role, r.sha256) for r in references]])
    return hashlib.sha256(payload.encode()).hexdigest()


def output_key(name: str, key: str, soffice: str | None = None) -> str:
    """The key recorded for one output: a PDF also depends on the LibreOffice that made it (the
    program `soffice` names, else the one on PATH), so upgrading LibreOffice rebuilds PDFs (and
    only them)."""
    if not name.endswith(".pdf"):
        return key
    from briefgen.writers.pdf import libreoffice_identity

    return hashlib.sha256(f"{key}\0{libreoffice_identity(soffice)}".encode()).hexdigest()


def input_records(facts: FileRecord, refs: list[FileRecord], context: InputContext) -> list[FileRecord]:
    """Every input of one briefing, as the build report lists them."""
    return [facts, *context.templates, *refs, *context.bundled]


def facts_record(path: Path, sha256: str | None) -> FileRecord:
    return FileRecord(str(path), "facts", sha256, _size(path))


def up_to_date(
    path: Path, stem: str, options: BuildOptions, context: InputContext, manifest: Manifest
) -> Current | None:
    """What the manifest records for a briefing whose every output is current; else None."""
    if options.since:
        # The earlier version behind --since (HEAD~1, a branch) moves without the fact file
        # changing: a redline build is never taken as up to date.
        return None
    started = time.perf_counter()
    entry = manifest.briefings.get(stem)
    facts_sha = sha256_file(path)
    if not entry or facts_sha is None or entry.get("facts_sha256") != facts_sha:
        return None
    stored = entry.get("references")
    raw: dict[str, str | None] = (
        {k: v for k, v in stored.items() if isinstance(v, str)} if isinstance(stored, dict) else {}
    )
    refs = reference_records(options, raw, path)
    if any(r.sha256 is None for r in refs):
        return None
    key = input_key(facts_sha, refs, context)
    names = output_names(stem, options.formats)
    if not all(manifest.is_current(name, output_key(name, key, context.soffice)) for name in names):
        return None
    files = []
    for name in names:
        recorded = manifest.outputs[name]
        size = recorded.get("size")
        files.append(
            FileRecord(
                str(options.out_dir / name),
                name.rsplit(".", 1)[1],
                str(recorded["sha256"]),
                size if isinstance(size, int) else 0,
            )
        )
    stored_warnings = entry.get("warnings")
    if not isinstance(stored_warnings, list):
        stored_warnings = []
    warnings = [_problem(w) for w in stored_warnings if isinstance(w, dict)]
    return Current(
        key=key,
        inputs=input_records(facts_record(path, facts_sha), refs, context),
        files=files,
        warnings=warnings,
        references=raw,
        seconds=time.perf_counter() - started,
    )


def _problem(data: dict[str, Any]) -> Problem:
    """A warning as the manifest stored it (`dataclasses.asdict`), fields it does not know
    (from an older or newer briefgen) left out."""
    names = {f.name for f in dataclasses.fields(Problem)}
    return Problem(**{k: v for k, v in data.items() if k in names})


def record(
    manifest: Manifest,
    facts: Path,
    key: str,
    inputs: list[FileRecord],
    files: list[FileRecord],
    references: dict[str, str | None],
    warnings: list[Problem],
    soffice: str | None = None,
) -> None:
    """Enter a briefing just built, and each of its outputs, into the manifest (`soffice`: the
    LibreOffice program its PDFs were made with, as `InputContext.soffice`)."""
    stem = output_stem(facts)
    facts_input = next((r for r in inputs if r.role == "facts"), None)
    for output in files:
        name = Path(output.path).name
        manifest.record_output(name, output_key(name, key, soffice), stem, output.sha256, output.size)
    manifest.record_briefing(
        stem,
        {
            "facts": facts.as_posix(),
            "facts_sha256": facts_input.sha256 if facts_input else None,
            "references": references,
            "warnings": [dataclasses.asdict(w) for w in warnings],
        },
    )
