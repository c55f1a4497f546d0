"""Warm measurements, run in one process by bench/run.py (so the harness itself never imports
briefgen): the watch rebuild after a one-line edit, and in-process build times per size.

Prints one JSON object on stdout. Usage:
  python bench/warm.py rebuild FACTS OUT_DIR RUNS
  python bench/warm.py render FACTS RUNS
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path


def rebuild(facts: Path, out_dir: Path, runs: int) -> dict:
    """Time `Rebuilder.handle` (what `briefgen watch` runs on a save) after a one-line edit
    of the headline, alternating between two spellings so every rebuild changes the outputs."""
    from briefgen.config import BuildOptions
    from briefgen.watch import Rebuilder

    rebuilder = Rebuilder([facts], BuildOptions(out_dir=out_dir))
    first = time.perf_counter()
    initial = rebuilder.build_all()
    first = time.perf_counter() - first
    failed = [p.message for o in initial for p in o.problems if o.failed]
    text = facts.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    target = next(i for i, line in enumerate(lines) if line.startswith("headline:"))
    original = lines[target]
    seconds, cpu = [], []
    wrote = 0
    for k in range(runs):
        lines[target] = original.rstrip("\n") + (" (revised)" if k % 2 == 0 else "") + "\n"
        facts.write_text("".join(lines), encoding="utf-8")
        started, started_cpu = time.perf_counter(), time.process_time()
        outcomes = rebuilder.handle([facts])
        seconds.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        failed += [p.message for o in outcomes for p in o.problems if o.failed]
        wrote += sum(len(o.outputs) for o in outcomes)
    facts.write_text(text, encoding="utf-8")
    return {
        "first_build_s": first,
        "median_s": statistics.median(seconds),
        "median_cpu_s": statistics.median(cpu),
        "runs_s": seconds,
        "outputs_rewritten": wrote,
        "failures": failed[:5],
    }


def render(facts: Path, runs: int) -> dict:
    """Median in-process (warm) time of the pipeline up to its write step for docx + pptx,
    with step timings."""
    from briefgen.config import BuildOptions, read_environment
    from briefgen.pipeline import Step, run
    from briefgen.templating import TemplateSet

    templates = TemplateSet(None, read_environment().cache_dir)
    options = BuildOptions(out_dir=Path("unused"))
    seconds, stages = [], []
    for _ in range(runs + 1):  # the first run warms imports and templates
        timings: dict[str, float] = {}
        started = time.perf_counter()
        run(facts, options, templates, until=Step.WRITE, timings=timings)
        seconds.append(time.perf_counter() - started)
        stages.append(timings)
    seconds, stages = seconds[1:], stages[1:]
    keys = sorted({k for s in stages for k in s})
    return {
        "median_s": statistics.median(seconds),
        "stages_s": {k: statistics.median(s.get(k, 0.0) for s in stages) for k in keys},
    }


def main(argv: list[str]) -> int:
    try:
        if argv[0] == "rebuild":
            result = rebuild(Path(argv[1]), Path(argv[2]), int(argv[3]))
        elif argv[0] == "render":
            result = render(Path(argv[1]), int(argv[2]))
        else:
            raise SystemExit(f"unknown measurement {argv[0]!r}")
    except Exception as exc:  # report, do not crash the whole benchmark
        result = {"error": f"{type(exc).__name__}: {exc}"}
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
