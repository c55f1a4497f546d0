"""The batch runner: many briefings through the pipeline, in worker processes, with shards.

`build_many` builds a batch: briefings whose outputs are current (`briefgen.incremental`) are
skipped, the rest run through `briefgen.pipeline` (`briefgen.builds.build_one`) in parallel
worker processes (`briefgen.workers`: templates parsed once per process, interruptions reach
the workers), and one failing briefing never stops the others unless `fail_fast` asks for it.
`shard` cuts the same deterministic slices of a set of briefings on every machine.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from briefgen.builds import BUILT, FAILED, SKIPPED, UP_TO_DATE, BuildResult, build_one
from briefgen.config import BuildOptions, Environment, References, read_environment
from briefgen.errors import EXIT_INVALID, EXIT_OK, Problem, UsageProblem
from briefgen.incremental import input_context, record, up_to_date
from briefgen.manifest import Manifest
from briefgen.outputs import folder_lock
from briefgen.pipeline import output_stem
from briefgen.templating import TemplateSet
from briefgen.workers import build_parallel


@dataclass(frozen=True)
class BatchOptions:
    jobs: int | None = None  # worker processes; None → the number of CPUs; 1 → in this process
    force: bool = False  # rebuild even when the manifest says the outputs are up to date
    fail_fast: bool = False  # stop starting new briefings after the first failure
    debug: bool = False  # an internal error raises, not fails its briefing (BRIEFGEN_DEBUG)


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


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


# ---------------------------------------------------------------------------------------------
# A batch


def build_many(
    paths: list[Path],
    options: BuildOptions,
    batch: BatchOptions | None = None,
    on_result: Callable[[BuildResult, int, int], None] | None = None,
    on_wait: Callable[[], None] | None = None,
) -> BatchResult:
    """Build every briefing in `paths`, skipping those whose outputs are up to date.

    `on_result(result, done, total)` is called as each briefing finishes (in completion order);
    the returned results are in the order of `paths`. The manifest in `options.out_dir` is
    updated for every briefing built and written once, atomically, at the end.

    Builds into one output folder run one at a time: the batch holds the folder's lock
    (`briefgen.outputs.folder_lock`) from reading the manifest to writing it, so a second build
    started meanwhile waits (`on_wait` is called once if it has to), then sees the first one's
    outputs and manifest: the manifest always ends up with every briefing.
    """
    batch = batch or BatchOptions()
    environment = read_environment()  # a bad variable is a usage error for the whole batch
    with folder_lock(options.out_dir, on_wait):
        return _build_batch(paths, options, batch, on_result, environment)


def _build_batch(
    paths: list[Path],
    options: BuildOptions,
    batch: BatchOptions,
    on_result: Callable[[BuildResult, int, int], None] | None,
    environment: Environment,
) -> BatchResult:
    started = time.perf_counter()
    templates = TemplateSet(options.templates, environment.cache_dir)
    references = References()  # each reference file read and vetted once in this process
    context = input_context(options, templates, environment)
    manifest = Manifest.load(options.out_dir)
    total = len(paths)
    results: dict[int, BuildResult] = {}
    changed = False

    def finish(index: int, result: BuildResult) -> None:
        nonlocal changed
        results[index] = result
        if result.status == BUILT:
            record(
                manifest, result.facts, result.key, result.inputs, result.files, result.references,
                result.warnings,
                context.soffice,
            )
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
        current = None if batch.force else up_to_date(path, stem, options, context, manifest)
        if current is not None:
            finish(
                index,
                BuildResult(
                    path,
                    outputs=[Path(f.path) for f in current.files],
                    warnings=current.warnings,
                    status=UP_TO_DATE,
                    inputs=current.inputs,
                    files=current.files,
                    key=current.key,
                    seconds=current.seconds,
                    references=current.references,
                ),
            )
        else:
            todo.append((index, path))

    jobs = batch.jobs or default_jobs()
    try:
        if batch.fail_fast and any(r.status == FAILED for r in results.values()):
            pass
        elif jobs <= 1 or len(todo) <= 1:
            for index, path in todo:
                built = build_one(
                    path, options, context, templates, references, environment, debug=batch.debug
                )
                finish(index, built)
                if batch.fail_fast and results[index].status == FAILED:
                    break
        else:
            workers = min(jobs, len(todo))
            build_parallel(todo, options, context, workers, batch.fail_fast, finish, environment, batch.debug)
    finally:
        for index, path in todo:
            if index not in results:
                results[index] = BuildResult(path, status=SKIPPED)
        if changed:
            manifest.save()
    return BatchResult([results[i] for i in range(total)], time.perf_counter() - started)



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
