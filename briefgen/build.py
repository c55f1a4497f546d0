"""Orchestration: facts → templates → model → writers → files, written atomically.

Every output of a briefing is produced in memory first; only when all succeeded are they
written, each through a temporary file in the output folder that is renamed into place. A failed
build therefore never replaces an earlier good output, nor leaves a partial file behind.

`build_many` builds a batch: briefings whose inputs have not changed since the last build (as
the output folder's manifest records) are skipped, the rest are built in parallel worker
processes (templates parsed once per process), and one failing briefing never stops the others
unless `fail_fast` asks for it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import importlib.metadata
import json
import multiprocessing
import os
import re
import tempfile
import time
import zlib
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from datetime import time as dtime
from functools import cache
from pathlib import Path

from briefgen import GC_THRESHOLDS, __version__
from briefgen.errors import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_INVALID,
    EXIT_OK,
    BriefgenError,
    Problem,
    Terminated,
    UsageProblem,
)
from briefgen.facts import LoadedBriefing, load_facts
from briefgen.manifest import Manifest, sha256_file
from briefgen.model import Document
from briefgen.outputs import write_all
from briefgen.templating import TemplateSet, builtin_template_dir, render_templates

FORMATS = ("docx", "pptx", "md", "pdf")
DEFAULT_FORMATS = ("docx", "pptx")
# Which rendered Markdown each format needs.
FORMAT_KINDS = {"docx": ("memo",), "pptx": ("deck",), "md": ("memo", "deck"), "pdf": ("memo", "deck")}
# The files each format writes, after `<stem>-`.
FORMAT_FILES = {
    "docx": ("memo.docx",),
    "pptx": ("deck.pptx",),
    "md": ("memo.md", "deck.md"),
    "pdf": ("memo.pdf", "deck.pdf"),
}

BUILT = "built"
UP_TO_DATE = "up-to-date"
FAILED = "failed"
SKIPPED = "skipped"  # not started because an earlier briefing failed under --fail-fast

# Libraries whose version can change the bytes written.
_LIBRARIES = (
    "python-docx", "python-pptx", "lxml", "Jinja2", "markdown-it-py", "mdit-py-plugins",
    "pydantic", "PyYAML", "fonttools",
)


@dataclass(frozen=True)
class BuildOptions:
    out_dir: Path = Path("out")
    formats: tuple[str, ...] = DEFAULT_FORMATS
    templates: Path | None = None
    reference_docx: Path | None = None
    reference_pptx: Path | None = None
    layouts: dict[str, str] | None = None


@dataclass(frozen=True)
class BatchOptions:
    jobs: int | None = None  # worker processes; None → the number of CPUs; 1 → in this process
    force: bool = False  # rebuild even when the manifest says the outputs are up to date
    fail_fast: bool = False  # stop starting new briefings after the first failure


@dataclass(frozen=True)
class FileRecord:
    """An input or output file: where, what role, how big, which SHA-256."""

    path: str
    role: str
    sha256: str | None
    size: int = 0


@dataclass
class BuildResult:
    facts: Path
    outputs: list[Path] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    seconds: float = 0.0
    status: str = BUILT
    problems: list[Problem] = field(default_factory=list)  # why it failed
    exit_code: int = EXIT_OK
    inputs: list[FileRecord] = field(default_factory=list)
    files: list[FileRecord] = field(default_factory=list)  # the outputs, with sizes and hashes
    timings: dict[str, float] = field(default_factory=dict)
    key: str = ""  # the input key the outputs were built from (see briefgen.manifest)
    references: dict[str, str | None] = field(default_factory=dict)  # as written in the facts

    @property
    def ok(self) -> bool:
        return self.status in (BUILT, UP_TO_DATE)


@dataclass
class BatchResult:
    results: list[BuildResult]
    seconds: float

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.results)

    @property
    def exit_code(self) -> int:
        """0 when every briefing is built or up to date; else the lowest exit code among the
        failures (1 for invalid inputs wins over 3 for unwritable outputs and 4 for tools)."""
        codes = [r.exit_code or EXIT_INVALID for r in self.results if r.status == FAILED]
        return min(codes) if codes else EXIT_OK


def output_stem(facts_path: Path) -> str:
    """A safe file-name stem from the facts file name: no path parts, no reserved names."""
    stem = re.sub(r"[^\w.-]+", "-", facts_path.stem, flags=re.UNICODE).strip(".-") or "briefing"
    if stem.upper().split(".")[0] in _RESERVED:
        stem = f"briefing-{stem}"
    # At most 120 characters and _STEM_BYTES bytes (UTF-8), so that "<stem>-memo.docx" passes
    # briefgen.outputs.check_output_name on every file system.
    stem = stem[:120]
    while len(stem.encode("utf-8")) > _STEM_BYTES:
        stem = stem[:-1]
    return stem.rstrip(".-") or "briefing"


_STEM_BYTES = 180  # outputs.MAX_NAME_BYTES (200) less the longest suffix, with room


_RESERVED = {
    "CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))
}


def output_names(stem: str, formats: tuple[str, ...]) -> list[str]:
    """The file names a briefing's build writes for these formats."""
    return list(dict.fromkeys(f"{stem}-{suffix}" for fmt in formats for suffix in FORMAT_FILES[fmt]))


def source_date_epoch() -> datetime | None:
    """SOURCE_DATE_EPOCH as a naive UTC datetime, or None when unset."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return None
    try:
        return datetime.fromtimestamp(int(epoch), UTC).replace(tzinfo=None)
    except (ValueError, OverflowError, OSError):
        raise UsageProblem(f"SOURCE_DATE_EPOCH={epoch!r} is not a Unix timestamp") from None


def build_stamp(loaded: LoadedBriefing) -> datetime:
    """The timestamp written into outputs: SOURCE_DATE_EPOCH when set, else the date prepared."""
    return source_date_epoch() or datetime.combine(loaded.briefing.date_prepared, dtime(0, 0))


def _reference(cli_value: Path | None, facts_value: str | None, facts_path: Path) -> Path | None:
    if cli_value is not None:
        return cli_value
    if facts_value:
        return (facts_path.parent / facts_value).resolve()
    return None


def render_outputs(
    loaded: LoadedBriefing,
    options: BuildOptions,
    templates: TemplateSet | None = None,
    timings: dict[str, float] | None = None,
) -> tuple[dict[str, bytes], list[Problem]]:
    """Produce every requested output of one briefing in memory: {file name: bytes}."""
    clock = _Clock(timings if timings is not None else {})
    templates = templates or TemplateSet(options.templates)
    briefing = loaded.briefing
    stem = output_stem(loaded.path)
    warnings: list[Problem] = list(loaded.warnings)
    kinds = tuple(dict.fromkeys(k for f in options.formats for k in FORMAT_KINDS[f]))
    with clock("render"):
        markdown = render_templates(briefing, templates, kinds)
    stamp = build_stamp(loaded)
    files: dict[str, bytes] = {}

    from briefgen.markup import read_markdown

    documents: dict[str, Document] = {}

    def document(kind: str) -> Document:
        """Each kind is read once, so its warnings are reported once however many formats use it."""
        if kind not in documents:
            documents[kind] = read_markdown(markdown[kind], source=f"{stem}-{kind}.md", warnings=warnings)
        return documents[kind]

    if "md" in options.formats:
        with clock("md"):
            from briefgen.writers.markdown import MarkdownOptions, write_markdown

            for kind in ("memo", "deck"):
                data, found = write_markdown(document(kind), MarkdownOptions())
                files[f"{stem}-{kind}.md"] = data
                warnings.extend(found)
    if "docx" in options.formats or "pdf" in options.formats:
        with clock("docx"):
            from briefgen.writers.docx import DocxOptions, write_docx

            memo = document("memo")
            ref = _reference(options.reference_docx, briefing.output.reference_docx, loaded.path)
            files[f"{stem}-memo.docx"] = write_docx(
                memo, DocxOptions(stamp=stamp, reference=ref, warnings=warnings)
            )
    if "pptx" in options.formats or "pdf" in options.formats:
        with clock("pptx"):
            from briefgen.writers.pptx import PptxOptions, write_pptx

            deck = document("deck")
            ref = _reference(options.reference_pptx, briefing.output.reference_pptx, loaded.path)
            files[f"{stem}-deck.pptx"] = write_pptx(
                deck, PptxOptions(stamp=stamp, reference=ref, layouts=options.layouts, warnings=warnings)
            )
    if "pdf" in options.formats:
        with clock("pdf"):
            from briefgen.writers.pdf import convert_to_pdf

            for name in (f"{stem}-memo.docx", f"{stem}-deck.pptx"):
                files[name.rsplit(".", 1)[0] + ".pdf"] = convert_to_pdf(files[name], name, stamp=stamp)
            for fmt, kind in (("docx", "memo"), ("pptx", "deck")):
                if fmt not in options.formats:
                    del files[f"{stem}-{kind}.{fmt}"]
    return files, warnings


def build_briefing(
    facts_path: Path, options: BuildOptions, templates: TemplateSet | None = None
) -> BuildResult:
    """Build one briefing's outputs into `options.out_dir`; nothing is written unless all succeed.

    Raises the briefgen error on failure; does not consult or update the manifest.
    """
    started = time.perf_counter()
    loaded = load_facts(facts_path)
    files, warnings = render_outputs(loaded, options, templates)
    outputs = write_all(options.out_dir, files)
    return BuildResult(facts_path, outputs, warnings, time.perf_counter() - started)


def parse_shard(value: str) -> tuple[int, int]:
    """'2/4' → (2, 4); raise UsageProblem unless 1 ≤ I ≤ N."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", value)
    if not match:
        raise UsageProblem(f"--shard {value!r}: expected I/N, e.g. 1/4")
    index, count = int(match.group(1)), int(match.group(2))
    if count < 1 or not 1 <= index <= count:
        raise UsageProblem(f"--shard {value!r}: I must be between 1 and N (N ≥ 1)")
    return index, count


def shard(paths: list[Path], index: int, count: int) -> list[Path]:
    """The `index`-th (1-based) of `count` slices: round-robin over the paths sorted by their
    POSIX spelling, so every machine cuts the same slices and the slices partition the set."""
    ordered = sorted(paths, key=lambda p: p.as_posix())
    return ordered[index - 1 :: count]


# ---------------------------------------------------------------------------------------------
# Input keys


@dataclass(frozen=True)
class InputContext:
    """What every briefing of a batch shares: the templates in use, the bundled reference files,
    and a fingerprint of code, libraries and settings that change output bytes."""

    templates: tuple[FileRecord, ...]
    bundled: tuple[FileRecord, ...]
    fingerprint: str


@cache
def _code_digest() -> str:
    """SHA-256 over briefgen's own files: a code change invalidates outputs even when the
    version number has not moved (editable installs, development)."""
    root = Path(__file__).resolve().parent
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


def input_context(options: BuildOptions, templates: TemplateSet) -> InputContext:
    """Hash the inputs shared by a batch (once per batch)."""
    template_files = tuple(
        FileRecord(str(p), "template", sha256_file(p), _size(p)) for p in templates.paths()
    )
    builtin = builtin_template_dir()
    bundled = tuple(
        FileRecord(str(p), "bundled reference", sha256_file(p), _size(p))
        for p in sorted(builtin.iterdir())
        if p.suffix in (".docx", ".pptx")
    )
    epoch = source_date_epoch()
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
        },
        sort_keys=True,
    )
    return InputContext(template_files, bundled, fingerprint)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _reference_records(
    options: BuildOptions, raw: dict[str, str | None], facts_path: Path
) -> list[FileRecord]:
    records = []
    for kind, cli_value in (("docx", options.reference_docx), ("pptx", options.reference_pptx)):
        path = _reference(cli_value, raw.get(kind), facts_path)
        if path is not None:
            records.append(FileRecord(str(path), f"reference {kind}", sha256_file(path), _size(path)))
    return records


def input_key(facts_sha: str | None, references: list[FileRecord], context: InputContext) -> str:
    """The SHA-256 that identifies everything an output is built from."""
    payload = json.dumps([context.fingerprint, facts_sha, [(r.role, r.sha256) for r in references]])
    return hashlib.sha256(payload.encode()).hexdigest()


def output_key(name: str, key: str) -> str:
    """The key recorded for one output: a PDF also depends on the LibreOffice that made it, so
    upgrading LibreOffice rebuilds PDFs (and only them)."""
    if not name.endswith(".pdf"):
        return key
    from briefgen.writers.pdf import libreoffice_identity

    return hashlib.sha256(f"{key}\0{libreoffice_identity()}".encode()).hexdigest()


def _inputs(facts: FileRecord, refs: list[FileRecord], context: InputContext) -> list[FileRecord]:
    return [facts, *context.templates, *refs, *context.bundled]


# ---------------------------------------------------------------------------------------------
# One briefing of a batch


class _Clock:
    """Adds the seconds spent in each named stage to a timings dict."""

    def __init__(self, timings: dict[str, float]) -> None:
        self.timings = timings

    def __call__(self, stage: str) -> _Clock:
        self.stage = stage
        return self

    def __enter__(self) -> None:
        self.started = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        spent = time.perf_counter() - self.started
        self.timings[self.stage] = round(self.timings.get(self.stage, 0.0) + spent, 4)


def _up_to_date(
    path: Path, stem: str, options: BuildOptions, context: InputContext, manifest: Manifest
) -> BuildResult | None:
    """An up-to-date result when the manifest shows every output current; else None."""
    started = time.perf_counter()
    entry = manifest.briefings.get(stem)
    facts_sha = sha256_file(path)
    if not entry or facts_sha is None or entry.get("facts_sha256") != facts_sha:
        return None
    raw = entry.get("references")
    raw = {k: v for k, v in raw.items() if isinstance(v, str)} if isinstance(raw, dict) else {}
    refs = _reference_records(options, raw, path)
    if any(r.sha256 is None for r in refs):
        return None
    key = input_key(facts_sha, refs, context)
    names = output_names(stem, options.formats)
    if not all(manifest.is_current(name, output_key(name, key)) for name in names):
        return None
    files = [
        FileRecord(
            str(options.out_dir / name),
            name.rsplit(".", 1)[1],
            str(manifest.outputs[name]["sha256"]),
            int(manifest.outputs[name]["size"]),  # type: ignore[call-overload]
        )
        for name in names
    ]
    warnings = [_problem(w) for w in entry.get("warnings", []) if isinstance(w, dict)]  # type: ignore[union-attr]
    return BuildResult(
        path,
        outputs=[options.out_dir / name for name in names],
        warnings=warnings,
        status=UP_TO_DATE,
        inputs=_inputs(FileRecord(str(path), "facts", facts_sha, _size(path)), refs, context),
        files=files,
        key=key,
        seconds=time.perf_counter() - started,
        references=raw,  # type: ignore[arg-type]
    )


def _problem(data: dict[str, object]) -> Problem:
    names = {f.name for f in dataclasses.fields(Problem)}
    return Problem(**{k: v for k, v in data.items() if k in names})  # type: ignore[arg-type]


def _build_one(
    path: Path, options: BuildOptions, context: InputContext, templates: TemplateSet
) -> BuildResult:
    """Build one briefing; every failure becomes a failed result, never an exception."""
    started = time.perf_counter()
    result = BuildResult(path)
    clock = _Clock(result.timings)
    try:
        facts_sha = sha256_file(path)  # hashed before reading: a later edit shows as a change
        with clock("load"):
            loaded = load_facts(path)
        output = loaded.briefing.output
        result.references = {"docx": output.reference_docx, "pptx": output.reference_pptx}
        refs = _reference_records(options, result.references, path)
        result.key = input_key(facts_sha, refs, context)
        result.inputs = _inputs(FileRecord(str(path), "facts", facts_sha, _size(path)), refs, context)
        files, result.warnings = render_outputs(loaded, options, templates, result.timings)
        with clock("write"):
            # All of a briefing's outputs are renamed into place together, after every one of
            # them was written: never a new memo beside an old deck.
            result.outputs.extend(write_all(options.out_dir, files))
            for name, data in files.items():
                result.files.append(
                    FileRecord(
                        str(options.out_dir / name),
                        name.rsplit(".", 1)[1],
                        hashlib.sha256(data).hexdigest(),
                        len(data),
                    )
                )
    except BriefgenError as exc:
        result.status = FAILED
        result.exit_code = exc.exit_code
        result.problems = exc.problems or [Problem(str(exc), file=str(path))]
    except Exception as exc:  # a bug in one briefing's build must not stop the batch
        if os.environ.get("BRIEFGEN_DEBUG"):
            raise
        result.status = FAILED
        result.exit_code = EXIT_INTERNAL
        result.problems = [
            Problem(
                f"internal error: {type(exc).__name__}: {exc}",
                file=str(path),
                hint="this is a bug in briefgen; please report it with the facts file",
            )
        ]
    result.seconds = time.perf_counter() - started
    return result


def _raise_terminated(signum: int, frame: object) -> None:
    import signal

    # Once: a second SIGTERM (the pool's own clean-up sends one) must not cut short the removal
    # of temporary files that the first set going.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if not _WORKER_BUSY:
        os._exit(EXIT_INTERRUPTED)  # between briefings: nothing to clean up, and no traceback
    raise Terminated()


_WORKER_BUSY = False  # whether this worker process is building a briefing now


# Worker processes keep their template set (parsed templates) from one briefing to the next.
_WORKER_TEMPLATES: dict[str, TemplateSet] = {}


def _init_worker(template_dir: Path | None) -> None:
    import gc
    import signal

    gc.set_threshold(*GC_THRESHOLDS)
    # SIGTERM (from `_interrupt_workers`, or a CI runner) becomes `Terminated`, a
    # KeyboardInterrupt, so that a write in progress removes its temporary file, as in the
    # main process. Not SIGINT: a briefgen started with SIGINT ignored passes that on.
    signal.signal(signal.SIGTERM, _raise_terminated)
    _WORKER_TEMPLATES["set"] = TemplateSet(template_dir)


def _worker_build(
    path: Path, options: BuildOptions, context: InputContext, environ: dict[str, str]
) -> BuildResult:
    global _WORKER_BUSY
    try:
        _WORKER_BUSY = True  # inside the try: a SIGTERM just after it still ends in the except
        # A fork-server worker inherits the server's environment, which may predate changes the
        # caller made (SOURCE_DATE_EPOCH, TMPDIR, BRIEFGEN_SOFFICE): build in the caller's.
        if environ != os.environ:
            for name in set(os.environ) - set(environ):
                del os.environ[name]
            os.environ.update(environ)
            tempfile.tempdir = None
        templates = _WORKER_TEMPLATES.get("set") or TemplateSet(options.templates)
        return _build_one(path, options, context, templates)
    except Terminated:
        # The briefing in progress has cleaned up on the way out. Leave the pool rather than
        # take the next briefing already queued for this worker: the pool, finding a worker
        # gone, stops the others too.
        os._exit(EXIT_INTERRUPTED)
    finally:
        _WORKER_BUSY = False


def _mp_context() -> multiprocessing.context.BaseContext:
    """Fork-server where the platform has it (fast, and safe with threads), spawn elsewhere;
    the server preloads the pipeline so that each worker starts warm."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["briefgen.build", "briefgen.markup"])
        return ctx
    return multiprocessing.get_context("spawn")


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


# ---------------------------------------------------------------------------------------------
# A batch


def build_many(
    paths: list[Path],
    options: BuildOptions,
    batch: BatchOptions | None = None,
    on_result: Callable[[BuildResult, int, int], None] | None = None,
) -> BatchResult:
    """Build every briefing in `paths`, skipping those whose outputs are up to date.

    `on_result(result, done, total)` is called as each briefing finishes (in completion order);
    the returned results are in the order of `paths`. The manifest in `options.out_dir` is
    updated for every briefing built and written once, atomically, at the end.
    """
    batch = batch or BatchOptions()
    started = time.perf_counter()
    source_date_epoch()  # a bad SOURCE_DATE_EPOCH is a usage error for the whole batch
    templates = TemplateSet(options.templates)
    context = input_context(options, templates)
    manifest = Manifest.load(options.out_dir)
    total = len(paths)
    results: dict[int, BuildResult] = {}
    changed = False

    def finish(index: int, result: BuildResult) -> None:
        nonlocal changed
        results[index] = result
        if result.status == BUILT:
            _record(manifest, result)
            changed = True
        if on_result:
            on_result(result, len(results), total)

    todo: list[tuple[int, Path]] = []
    stems: dict[str, Path] = {}
    for index, path in enumerate(paths):
        stem = output_stem(path)
        if stem in stems:
            finish(index, _collision(path, stems[stem], stem))
            continue
        stems[stem] = path
        current = None if batch.force else _up_to_date(path, stem, options, context, manifest)
        if current is not None:
            finish(index, current)
        else:
            todo.append((index, path))

    jobs = batch.jobs or default_jobs()
    try:
        if batch.fail_fast and any(r.status == FAILED for r in results.values()):
            pass
        elif jobs <= 1 or len(todo) <= 1:
            for index, path in todo:
                finish(index, _build_one(path, options, context, templates))
                if batch.fail_fast and results[index].status == FAILED:
                    break
        else:
            _build_parallel(todo, options, context, min(jobs, len(todo)), batch.fail_fast, finish)
    finally:
        for index, path in todo:
            if index not in results:
                results[index] = BuildResult(path, status=SKIPPED)
        if changed:
            manifest.save()
    return BatchResult([results[i] for i in range(total)], time.perf_counter() - started)


def _build_parallel(
    todo: list[tuple[int, Path]],
    options: BuildOptions,
    context: InputContext,
    workers: int,
    fail_fast: bool,
    finish: Callable[[int, BuildResult], None],
) -> None:
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=_mp_context(),
        initializer=_init_worker,
        initargs=(options.templates,),
    ) as pool:
        futures: dict[Future[BuildResult], tuple[int, Path]] = {}
        pending: set[Future[BuildResult]] = set()
        try:
            # Submitting starts the workers: an interruption may already arrive here.
            for index, path in todo:
                futures[pool.submit(_worker_build, path, options, context, dict(os.environ))] = (index, path)
            pending = set(futures)
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                failed = False
                for future in sorted(done, key=lambda f: futures[f][0]):
                    index, path = futures[future]
                    result = _collect(future, path)
                    failed |= result.status == FAILED
                    finish(index, result)
                if fail_fast and failed:
                    for future in pending:
                        future.cancel()
                    for future in sorted(pending, key=lambda f: futures[f][0]):
                        if not future.cancelled():  # already running: let it finish
                            finish(futures[future][0], _collect(future, futures[future][1]))
                    return
        except BaseException:
            for future in futures:
                future.cancel()  # those not started; a running one stops by `_interrupt_workers`
            _interrupt_workers(pool)
            raise


def _interrupt_workers(pool: ProcessPoolExecutor) -> None:
    """Pass an interruption (Ctrl-C, or a SIGTERM sent to briefgen alone) on to the workers, so
    the briefings in progress stop at once, each removing its temporary files on the way out
    (`_init_worker`), instead of the pool's shutdown waiting for them to finish."""
    import signal

    # `_processes` (pid → process) is private but has been there since Python 3.2; without it
    # the shutdown merely waits.
    for pid in list(getattr(pool, "_processes", None) or {}):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)


def _collect(future: Future[BuildResult], path: Path) -> BuildResult:
    try:
        return future.result()
    except Exception as exc:  # the worker process died (killed, out of memory)
        if os.environ.get("BRIEFGEN_DEBUG"):
            raise
        return BuildResult(
            path,
            status=FAILED,
            exit_code=EXIT_INTERNAL,
            problems=[Problem(f"the build process failed: {type(exc).__name__}: {exc}", file=str(path))],
        )


def _collision(path: Path, other: Path, stem: str) -> BuildResult:
    return BuildResult(
        path,
        status=FAILED,
        exit_code=EXIT_INVALID,
        problems=[
            Problem(
                f"its outputs would overwrite those of {other} (both are named {stem}-*)",
                file=str(path),
                hint="rename one of the two fact files, or build them into different --out folders",
            )
        ],
    )


def _record(manifest: Manifest, result: BuildResult) -> None:
    stem = output_stem(result.facts)
    facts = next((r for r in result.inputs if r.role == "facts"), None)
    for record in result.files:
        name = Path(record.path).name
        manifest.record_output(name, output_key(name, result.key), stem, record.sha256, record.size)
    manifest.record_briefing(
        stem,
        {
            "facts": result.facts.as_posix(),
            "facts_sha256": facts.sha256 if facts else None,
            "references": result.references,
            "warnings": [dataclasses.asdict(w) for w in result.warnings],
        },
    )
