"""Benchmark: briefgen against pandoc on the same content, scaling, batch, check and rebuilds.

`make bench` runs it (`.venv/bin/python bench/run.py`). It generates synthetic fact bases of
10, 50, 100 and 500 agenda items (bench/synth.py) in a temporary folder, then measures:

- cold builds of memo + deck (the `briefgen` console script, a fresh process each run, Python
  start-up included, briefgen byte-compiled first as an installed wheel is) of the worked
  example and of every synthetic size;
- the same content through pandoc: briefgen renders its Markdown once (`--format md`), then
  `pandoc -f markdown memo.md -o x.docx` and `pandoc -f markdown deck.md -o x.pptx` (the "pair");
- batch: 40 copies of the example in one `briefgen build --jobs 2` against 40 pandoc pairs
  (one after the other, as a Makefile would run them; also 2 at a time, for reference);
- `briefgen check` on the example (cold process);
- the warm rebuild `briefgen watch` runs after a one-line edit (bench/warm.py, in-process).

Runs alternate between briefgen and pandoc so that a noisy neighbour hurts both alike; medians
are reported. Peak memory is each child's maximum resident set size (`wait4` rusage). Results go
to bench/results/<UTC time>.json and bench/results/latest.json (git-ignored).

pandoc is a benchmark-only dependency (Debian package `pandoc`); without it the comparisons are
skipped and only briefgen's own figures are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
EXAMPLE = ROOT / "facts" / "lavrov-cavusoglu-ankara-2018.yaml"
PYTHON = sys.executable
SIZES = (10, 50, 100, 500)
BATCH = 40

sys.path.insert(0, str(HERE))
import synth  # noqa: E402  (bench/ is not a package)

# Targets of issue 7, as ratios measured in the same run.
TARGETS = {
    "example_vs_pandoc": 2.5,  # cold example build ≤ 2.5 × the two pandoc runs
    "items500_vs_pandoc": 0.7,  # 500 items ≤ 0.7 × pandoc
    "items500_peak_mb": 300,
    "scaling_500_50": 12,
    "batch_throughput_vs_pandoc": 3.0,  # ≥ 3 × the throughput of 40 pandoc pairs
    "check_s": 0.25,
    "rebuild_s": 0.15,
}


@dataclass
class Run:
    """One child process (or a sequence of them, summed): wall and CPU seconds, peak RSS."""

    wall: float = 0.0
    cpu: float = 0.0
    peak_mb: float = 0.0
    ok: bool = True
    error: str = ""

    def add(self, other: Run) -> Run:
        return Run(
            self.wall + other.wall,
            self.cpu + other.cpu,
            max(self.peak_mb, other.peak_mb),
            self.ok and other.ok,
            self.error or other.error,
        )


@dataclass
class Series:
    """Repeated runs of one command."""

    runs: list[Run] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.runs) and all(r.ok for r in self.runs)

    @property
    def wall(self) -> float:
        return statistics.median(r.wall for r in self.runs) if self.runs else float("nan")

    @property
    def cpu(self) -> float:
        return statistics.median(r.cpu for r in self.runs) if self.runs else float("nan")

    @property
    def peak_mb(self) -> float:
        return max((r.peak_mb for r in self.runs), default=float("nan"))

    @property
    def error(self) -> str:
        return next((r.error for r in self.runs if r.error), "")

    def summary(self) -> dict:
        return {
            "median_wall_s": round(self.wall, 4),
            "median_cpu_s": round(self.cpu, 4),
            "peak_mb": round(self.peak_mb, 1),
            "ok": self.ok,
            "error": self.error,
            "runs_wall_s": [round(r.wall, 4) for r in self.runs],
        }


def run(cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> Run:
    """Run `cmd` to completion; measure wall time, CPU time and peak RSS of that child alone."""
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        message = err.read().decode("utf-8", "replace").strip()
    ok = proc.returncode == 0
    return Run(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        peak_mb=usage.ru_maxrss / 1024,  # KiB on Linux
        ok=ok,
        error="" if ok else f"exit {proc.returncode}: {message[-600:]}",
    )


CHECK_RUNS = 15  # at least this many timed `check` runs

# The console script users run (`python -m briefgen` adds runpy's start-up on top).
SCRIPT = Path(PYTHON).with_name("briefgen")


def briefgen(*args: str | Path) -> list[str]:
    head = [str(SCRIPT)] if SCRIPT.exists() else [PYTHON, "-m", "briefgen"]
    return [*head, *map(str, args)]


def compile_bytecode() -> None:
    """Byte-compile briefgen as an installed wheel would be, so that no run pays for compiling
    it (an editable install under PYTHONDONTWRITEBYTECODE=1 would otherwise compile every run)."""
    import briefgen as package

    subprocess.run(
        [PYTHON, "-m", "compileall", "-q", str(Path(package.__file__).parent)],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def pandoc_pair(memo_md: Path, deck_md: Path, out: Path) -> Run:
    """The two pandoc runs that stand for one briefgen build: memo → .docx, deck → .pptx."""
    docx = run(["pandoc", "-f", "markdown", str(memo_md), "-o", str(out / "memo.docx")])
    pptx = run(["pandoc", "-f", "markdown", str(deck_md), "-o", str(out / "deck.pptx")])
    return docx.add(pptx)


def pandoc_batch(pairs: list[tuple[Path, Path]], out: Path, parallel: int) -> Run:
    """40 pandoc pairs, `parallel` at a time (each slot runs its share one after the other)."""
    script = "\n".join(
        f"pandoc -f markdown '{m}' -o '{out}/{k}-memo.docx' && "
        f"pandoc -f markdown '{d}' -o '{out}/{k}-deck.pptx'"
        for k, (m, d) in enumerate(pairs)
    )
    jobs = out / "jobs.txt"
    jobs.write_text(script + "\n", encoding="utf-8")
    # xargs keeps `parallel` shells busy, one pair per line; wait4 sums the CPU of them all.
    return run(["sh", "-c", f"xargs -d '\\n' -P {parallel} -I CMD sh -c CMD < '{jobs}'"])


def render_markdown(facts: Path, out: Path) -> tuple[Path, Path]:
    """briefgen's own Markdown for `facts`: the input pandoc converts."""
    result = run(briefgen("build", facts, "-o", out, "--format", "md", "--force"))
    if not result.ok:
        raise SystemExit(f"cannot render the Markdown of {facts}: {result.error}")
    stem = facts.stem
    return out / f"{stem}-memo.md", out / f"{stem}-deck.md"


def stage_timings(report: Path) -> dict[str, float]:
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    for key in ("briefings", "results"):
        items = data.get(key)
        if isinstance(items, list) and items and isinstance(items[0], dict):
            timings = items[0].get("timings")
            if isinstance(timings, dict):
                return {k: float(v) for k, v in timings.items()}
    return {}


def compare(
    name: str, facts: Path, work: Path, runs: int, has_pandoc: bool, progress: bool
) -> dict:
    """Cold briefgen builds of `facts` and pandoc pairs on its Markdown, interleaved."""
    case = work / name
    case.mkdir(parents=True, exist_ok=True)
    memo_md, deck_md = render_markdown(facts, case / "md")
    out, pout = case / "out", case / "pandoc"
    pout.mkdir(exist_ok=True)
    report = case / "report.json"
    cmd = briefgen("build", facts, "-o", out, "--force", "--report", report)
    ours, theirs = Series(), Series()
    stages: list[dict[str, float]] = []
    run(cmd)  # warm-up: the page cache and .pyc files, untimed
    if has_pandoc:
        pandoc_pair(memo_md, deck_md, pout)
    for _ in range(runs):
        ours.runs.append(run(cmd))
        stages.append(stage_timings(report))
        if has_pandoc:
            theirs.runs.append(pandoc_pair(memo_md, deck_md, pout))
    result = {
        "facts": str(facts),
        "briefgen": ours.summary(),
        "stages_s": {
            k: round(statistics.median(s.get(k, 0.0) for s in stages), 4)
            for k in sorted({k for s in stages for k in s})
        },
        "markdown_bytes": memo_md.stat().st_size + deck_md.stat().st_size,
    }
    if has_pandoc:
        result["pandoc"] = theirs.summary()
        result["ratio_wall"] = round(ours.wall / theirs.wall, 3)
        result["ratio_cpu"] = round(ours.cpu / theirs.cpu, 3)
    if progress:
        tail = f"  pandoc {theirs.wall:.2f} s  ratio {ours.wall / theirs.wall:.2f}" if has_pandoc else ""
        print(f"  {name}: briefgen {ours.wall:.2f} s{tail}", file=sys.stderr)
    return result


def batch(work: Path, runs: int, has_pandoc: bool, jobs: int) -> dict:
    """BATCH copies of the example in one `briefgen build --jobs N` against BATCH pandoc pairs."""
    folder = work / "batch" / "facts"
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(BATCH):
        shutil.copyfile(EXAMPLE, folder / f"briefing-{k:02d}.yaml")
    out = work / "batch" / "out"
    cmd = briefgen("build", folder, "-o", out, "--jobs", jobs, "--force")
    memo_md, deck_md = render_markdown(EXAMPLE, work / "batch" / "md")
    pairs = [(memo_md, deck_md)] * BATCH
    pout = work / "batch" / "pandoc"
    pout.mkdir(exist_ok=True)
    ours, seq, par = Series(), Series(), Series()
    run(cmd)  # warm-up
    for _ in range(runs):
        ours.runs.append(run(cmd))
        if has_pandoc:
            seq.runs.append(pandoc_batch(pairs, pout, 1))
            par.runs.append(pandoc_batch(pairs, pout, jobs))
    result = {"briefings": BATCH, "jobs": jobs, "briefgen": ours.summary()}
    # The build's workers are children of the multiprocessing fork server, not of the build
    # process, so wait4 cannot see their CPU time: only wall-clock time compares here.
    result["briefgen"]["median_cpu_s"] = None
    if has_pandoc:
        result["pandoc_sequential"] = seq.summary()
        result["pandoc_parallel"] = par.summary()
        result["throughput_vs_pandoc"] = round(seq.wall / ours.wall, 3)
        result["throughput_vs_pandoc_parallel"] = round(par.wall / ours.wall, 3)
    return result


def warm(*args: str | Path) -> dict:
    proc = subprocess.run(
        [PYTHON, str(HERE / "warm.py"), *map(str, args)], capture_output=True, text=True, check=False
    )
    try:
        return json.loads(proc.stdout)
    except ValueError:
        return {"error": (proc.stderr or proc.stdout)[-600:]}


def machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor()
    pandoc = shutil.which("pandoc")
    version = ""
    if pandoc:
        version = subprocess.run([pandoc, "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    return {
        "nproc": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu_model": model,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "pandoc": version,
        "load_average_at_start": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
    }


def verdicts(results: dict) -> list[dict]:
    """Each target: measured value, limit, pass/fail (None when not measured)."""
    out = []

    def add(name: str, value: float | None, limit: float, higher_is_better: bool = False, unit: str = ""):
        passed = None
        if value is not None and value == value:  # not NaN
            passed = value >= limit if higher_is_better else value <= limit
        out.append(
            {"target": name, "value": value, "limit": limit, "unit": unit,
             "higher_is_better": higher_is_better, "pass": passed}
        )

    cases = results["cases"]
    ex = cases.get("example", {})
    add("cold example build / two pandoc runs", ex.get("ratio_wall"), TARGETS["example_vs_pandoc"], unit="×")
    big = cases.get("items-500", {})
    add("500 items: briefgen / pandoc", big.get("ratio_wall"), TARGETS["items500_vs_pandoc"], unit="×")
    peak = big.get("briefgen", {}).get("peak_mb")
    add("500 items: peak memory", peak, TARGETS["items500_peak_mb"], unit="MB")
    small = cases.get("items-50", {})
    scaling = None
    if big.get("briefgen") and small.get("briefgen"):
        scaling = round(big["briefgen"]["median_wall_s"] / small["briefgen"]["median_wall_s"], 2)
    results["scaling_500_50"] = scaling
    add("scaling time(500) / time(50)", scaling, TARGETS["scaling_500_50"], unit="×")
    b = results.get("batch", {})
    add(f"batch {BATCH}: throughput vs pandoc pairs", b.get("throughput_vs_pandoc"),
        TARGETS["batch_throughput_vs_pandoc"], higher_is_better=True, unit="×")
    check = results.get("check", {}).get("median_wall_s")
    add("briefgen check (example, cold)", check, TARGETS["check_s"], unit="s")
    add("watch rebuild after a one-line edit", results.get("rebuild", {}).get("median_s"),
        TARGETS["rebuild_s"], unit="s")
    return out


def print_report(results: dict) -> None:
    has_pandoc = results["pandoc_available"]
    m = results["machine"]
    print(f"\nbriefgen benchmark — {m['cpu_model']}, {m['nproc']} CPUs, Python {m['python']}")
    print(f"pandoc: {m['pandoc'] or 'not installed (comparisons skipped)'}; runs per case: {results['runs']}")
    load = m.get("load_average_at_start") or []
    if load:
        print(f"load average at start {load[0]:.2f} (1 min): other work on the machine slows both alike")
    print("times are medians of wall-clock seconds; each briefgen build is a fresh process\n")
    header = f"{'case':<14}{'briefgen':>10}{'cpu':>8}{'peak MB':>9}"
    if has_pandoc:
        header += f"{'pandoc×2':>10}{'cpu':>8}{'peak MB':>9}{'ratio':>8}"
    print(header)
    for name, case in results["cases"].items():
        ours = case["briefgen"]
        line = f"{name:<14}{ours['median_wall_s']:>9.2f}s{ours['median_cpu_s']:>7.2f}s{ours['peak_mb']:>9.0f}"
        if has_pandoc:
            theirs = case["pandoc"]
            line += (
                f"{theirs['median_wall_s']:>9.2f}s{theirs['median_cpu_s']:>7.2f}s{theirs['peak_mb']:>9.0f}"
                f"{case['ratio_wall']:>7.2f}×"
            )
        if not ours["ok"]:
            line += f"  FAILED: {ours['error'][:120]}"
        print(line)
    b = results.get("batch")
    if b:
        print(f"\nbatch of {b['briefings']} example briefings: briefgen --jobs {b['jobs']} "
              f"{b['briefgen']['median_wall_s']:.2f} s", end="")
        if has_pandoc:
            par = b["pandoc_parallel"]
            print(f"; pandoc pairs one after the other {b['pandoc_sequential']['median_wall_s']:.2f} s "
                  f"({b['throughput_vs_pandoc']:.2f}× throughput), {b['jobs']} at a time "
                  f"{par['median_wall_s']:.2f} s ({b['throughput_vs_pandoc_parallel']:.2f}×)")
        else:
            print()
        if not b["briefgen"]["ok"]:
            print(f"  briefgen batch FAILED: {b['briefgen']['error'][:200]}")
    c = results.get("check")
    if c:
        print(f"briefgen check (example, cold): {c['median_wall_s']:.3f} s (cpu {c['median_cpu_s']:.3f} s)")
    r = results.get("rebuild", {})
    if "median_s" in r:
        print(f"watch rebuild after a one-line edit (warm, docx + pptx): {r['median_s']:.3f} s "
              f"(cpu {r['median_cpu_s']:.3f} s)")
    elif r:
        print(f"watch rebuild: {r.get('error')}")
    print("\ntargets (issue 7):")
    for v in results["targets"]:
        mark = {True: "ok  ", False: "MISS", None: "n/a "}[v["pass"]]
        rel = "≥" if v["higher_is_better"] else "≤"
        value = "—" if v["value"] is None else f"{v['value']:.3g}{v['unit']}"
        print(f"  [{mark}] {v['target']}: {value} (target {rel} {v['limit']}{v['unit']})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5, help="timed runs per case (default 5)")
    parser.add_argument("--heavy-runs", type=int, default=3, help="runs of the 500-item case, batch")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="agenda sizes, comma-separated")
    parser.add_argument("--jobs", type=int, default=2, help="--jobs of the batch build (default 2)")
    parser.add_argument("--no-batch", action="store_true", help="skip the batch measurement (the longest)")
    parser.add_argument("--quick", action="store_true", help="one run each, no batch: a smoke test")
    parser.add_argument("--results", type=Path, default=HERE / "results", help="folder for the JSON results")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs = args.heavy_runs = 1
        args.no_batch = True
    has_pandoc = shutil.which("pandoc") is not None
    if not has_pandoc:
        print(
            "pandoc not found: it is a benchmark-only dependency (Debian: apt-get install pandoc); "
            "the pandoc comparisons are skipped.",
            file=sys.stderr,
        )
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    env_epoch = os.environ.get("SOURCE_DATE_EPOCH")
    started = time.time()
    results: dict = {
        "started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "machine": machine(),
        "pandoc_available": has_pandoc,
        "runs": args.runs,
        "heavy_runs": args.heavy_runs,
        "source_date_epoch": env_epoch,
        "cases": {},
    }
    compile_bytecode()
    with tempfile.TemporaryDirectory(prefix="briefgen-bench-") as tmp:
        work = Path(tmp)
        print("building (this takes a few minutes)…", file=sys.stderr)
        results["cases"]["example"] = compare("example", EXAMPLE, work, args.runs, has_pandoc, True)
        for n in sizes:
            facts = synth.write(n, work / f"items-{n}.yaml")
            runs = args.heavy_runs if n >= 500 else args.runs
            results["cases"][f"items-{n}"] = compare(f"items-{n}", facts, work, runs, has_pandoc, True)
        # A check takes a quarter of a second: more runs cost little and steady the median.
        check_runs = max(args.runs, CHECK_RUNS)
        check = Series([run(briefgen("check", EXAMPLE)) for _ in range(check_runs + 1)][1:])
        results["check"] = check.summary()
        print(f"  check: {check.wall:.3f} s", file=sys.stderr)
        copy = work / "rebuild" / EXAMPLE.name
        copy.parent.mkdir(parents=True)
        shutil.copyfile(EXAMPLE, copy)
        results["rebuild"] = warm("rebuild", copy, work / "rebuild" / "out", max(args.runs, 5))
        results["warm_render"] = {
            f"items-{n}": warm("render", work / f"items-{n}.yaml", args.heavy_runs if n >= 500 else args.runs)
            for n in sizes
        }
        if not args.no_batch:
            print(f"  batch of {BATCH}…", file=sys.stderr)
            results["batch"] = batch(work, args.heavy_runs, has_pandoc, args.jobs)
    results["seconds"] = round(time.time() - started, 1)
    results["load_average_at_end"] = list(os.getloadavg()) if hasattr(os, "getloadavg") else None
    results["targets"] = verdicts(results)
    print_report(results)
    args.results.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(started))
    text = json.dumps(results, indent=2, default=str)
    (args.results / f"{stamp}.json").write_text(text + "\n", encoding="utf-8")
    (args.results / "latest.json").write_text(text + "\n", encoding="utf-8")
    print(f"\nresults: {args.results / (stamp + '.json')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
