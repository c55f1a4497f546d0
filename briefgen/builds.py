"""One briefing of a batch: `build_one` runs it through the pipeline and records what it read and
wrote in a `BuildResult`, turning every failure into a failed result, never an exception.

The statuses (`BUILT`, `UP_TO_DATE`, `FAILED`, `SKIPPED`) are those the batch, its report and
the command line print.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from briefgen.config import BuildOptions, Environment, References
from briefgen.errors import EXIT_INTERNAL, EXIT_OK, BriefgenError, Problem
from briefgen.incremental import (
    FileRecord,
    InputContext,
    facts_record,
    input_key,
    input_records,
    reference_records,
    references_of,
)
from briefgen.manifest import sha256_bytes, sha256_file
from briefgen.pipeline import Step
from briefgen.pipeline import run as run_pipeline
from briefgen.templating import TemplateSet

BUILT = "built"
UP_TO_DATE = "up-to-date"  # in the report; printed for people as "up to date" (`shown_status`)
FAILED = "failed"
SKIPPED = "skipped"  # not started because an earlier briefing failed under --fail-fast


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
    key: str = ""  # the input key the outputs were built from (see briefgen.incremental)
    references: dict[str, str | None] = field(default_factory=dict)  # as written in the facts
    changes: dict[str, object] | None = None  # with --since: briefgen.changes.ChangeSummary.data()

    @property
    def ok(self) -> bool:
        return self.status in (BUILT, UP_TO_DATE)


def build_one(
    path: Path,
    options: BuildOptions,
    context: InputContext,
    templates: TemplateSet,
    references: References,
    environment: Environment,
    *,
    debug: bool = False,
) -> BuildResult:
    """Build one briefing; every failure becomes a failed result, never an exception (with
    `debug`, BRIEFGEN_DEBUG, an internal error is raised with its traceback).
    `environment`: the batch's (`briefgen.config.read_environment`), read once."""
    started = time.perf_counter()
    result = BuildResult(path)
    try:
        facts_sha = sha256_file(path)  # hashed before reading: a later edit shows as a change
        done = run_pipeline(
            path, options, templates, until=Step.LOAD, timings=result.timings, references=references,
            environment=environment,
        )
        if done.loaded is None:  # the load step always returns the facts it read
            raise RuntimeError(f"the pipeline's load step returned no facts for {path}")
        result.references = references_of(done.loaded.briefing.output)
        refs = reference_records(options, result.references, path)
        result.key = input_key(facts_sha, refs, context)
        result.inputs = input_records(facts_record(path, facts_sha), refs, context)
        # Every output is stored only after all were written, and all are renamed into place
        # together: never a new memo beside an old deck.
        done = run_pipeline(
            path, options, templates, loaded=done.loaded, timings=result.timings, references=references,
            environment=environment,
        )
        result.warnings = done.warnings
        result.outputs = done.outputs
        result.changes = done.changes.data() if done.changes is not None else None
        result.files = [
            FileRecord(str(options.out_dir / name), name.rsplit(".", 1)[1], sha256_bytes(data), len(data))
            for name, data in done.files.items()
        ]
    except BriefgenError as exc:
        result.status = FAILED
        result.exit_code = exc.exit_code
        result.problems = exc.problems or [Problem(str(exc), file=str(path))]
        # The warnings found before it failed (all of them under --strict): counted and reported
        # as warnings, though printed among the problems in the order they were found.
        result.warnings = [p for p in result.problems if p.severity == "warning"]
        result.outputs = list(getattr(exc, "outputs", []))  # PartialBuild: what was written
    except Exception as exc:  # a bug in one briefing's build must not stop the batch
        if debug:
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
