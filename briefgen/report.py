"""What a batch build did, for people (the summary line, progress) and for CI (`--report`)."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import TextIO

from briefgen import __version__
from briefgen.batch import BatchResult
from briefgen.builds import BUILT, FAILED, SKIPPED, UP_TO_DATE, BuildResult
from briefgen.errors import Problem
from briefgen.outputs import write_atomic
from briefgen.problems import safe_text

REPORT_SCHEMA = 1


def summary_line(batch: BatchResult) -> str:
    """'built 3, up to date 2, failed 1, 4 warnings in 1.4 s' (skipped only when there are
    any): the counts a reader of a long log looks for last."""
    parts = [
        f"built {batch.count(BUILT)}",
        f"up to date {batch.count(UP_TO_DATE)}",
        f"failed {batch.count(FAILED)}",
    ]
    if batch.count(SKIPPED):
        parts.append(f"skipped {batch.count(SKIPPED)}")
    parts.append(counted(warning_count(batch), "warning"))
    return ", ".join(parts) + f" in {batch.seconds:.1f} s"


def warning_count(batch: BatchResult) -> int:
    """Warnings of every briefing: built, up to date (kept from the build that wrote its
    outputs) or failed (those found before it failed; under --strict, those that failed it)."""
    return sum(len(r.warnings) for r in batch.results)


def shown_status(status: str) -> str:
    """A status as people read it ("up to date", as the summary spells it); the report keeps
    the identifiers (`up-to-date`)."""
    return "up to date" if status == UP_TO_DATE else status


def counted(count: int, noun: str) -> str:
    """'1 warning', '3 errors': a count and its noun, plural unless one."""
    return f"{count} {noun}" + ("" if count == 1 else "s")


def briefing_line(result: BuildResult, done: int, total: int) -> str:
    """One line per briefing: '[2/5] built: facts/x.yaml (0.4 s, 2 warnings)'; a failed one
    '[3/5] failed: facts/y.yaml (1 error, 3 warnings)'."""
    details = []
    if result.status == BUILT:
        details.append(f"{result.seconds:.1f} s")
    if result.status == FAILED:
        errors = sum(p.severity == "error" for p in result.problems)
        if errors or not result.warnings:
            details.append(counted(errors or 1, "error"))
    if result.warnings:
        details.append(counted(len(result.warnings), "warning"))
    detail = f" ({', '.join(details)})" if details else ""
    return f"[{done}/{total}] {shown_status(result.status)}: {safe_text(str(result.facts))}{detail}"


def check_status(problems: list[Problem], ok: bool) -> str:
    """A checked file's status as `check` prints it after the file's name: 'ok', 'ok (2
    warnings)', 'failed (1 error, 3 warnings)' (the counts of `problems`, the file's own)."""
    errors = sum(p.severity != "warning" for p in problems)
    warnings = len(problems) - errors
    details = [counted(errors or 1, "error")] if not ok and (errors or not warnings) else []
    if warnings:
        details.append(counted(warnings, "warning"))
    return ("ok" if ok else "failed") + (f" ({', '.join(details)})" if details else "")


def check_summary(total: int, failed: int, problems: list[Problem]) -> str:
    """`check`'s last line over several files: 'checked 3: ok 2, failed 1, 4 warnings' (the
    warnings of every file, failed ones included, as the build summary counts them)."""
    warnings = sum(p.severity == "warning" for p in problems)
    return f"checked {total}: ok {total - failed}, failed {failed}, {counted(warnings, 'warning')}"


def _problem(problem: Problem) -> dict[str, object]:
    data: dict[str, object] = dataclasses.asdict(problem)
    data["text"] = problem.format()
    return data


def briefing_data(result: BuildResult) -> dict[str, object]:
    """One briefing's entry in the report."""
    return {
        "facts": result.facts.as_posix(),
        "status": result.status,
        "exit_code": result.exit_code,
        "inputs": [
            {"path": Path(r.path).as_posix(), "role": r.role, "size": r.size, "sha256": r.sha256}
            for r in result.inputs
        ],
        "outputs": [
            {"path": Path(r.path).as_posix(), "format": r.role, "size": r.size, "sha256": r.sha256}
            for r in result.files
        ],
        "warnings": [_problem(w) for w in result.warnings],
        "problems": [_problem(p) for p in result.problems],
        "seconds": round(result.seconds, 4),
        "timings": result.timings,
        # With --since: what changed since the earlier version (the deck's changes slide).
        **({"changes": result.changes} if result.changes is not None else {}),
    }


def report_data(batch: BatchResult) -> dict[str, object]:
    """The whole report: summary counts, then one entry per briefing in input order."""
    return {
        "schema": REPORT_SCHEMA,
        "briefgen": __version__,
        "python": sys.version.split()[0],
        "summary": {
            "total": len(batch.results),
            "built": batch.count(BUILT),
            "up_to_date": batch.count(UP_TO_DATE),
            "failed": batch.count(FAILED),
            "skipped": batch.count(SKIPPED),
            "warnings": warning_count(batch),
            "seconds": round(batch.seconds, 4),
            "exit_code": batch.exit_code,
            "text": summary_line(batch),
        },
        "briefings": [briefing_data(r) for r in batch.results],
    }


def write_report(batch: BatchResult, path: Path) -> Path:
    """Write the JSON report atomically."""
    text = json.dumps(report_data(batch), indent=2, ensure_ascii=False) + "\n"
    return write_atomic(path, text.encode("utf-8"))


class Progress:
    """Per-briefing feedback on stderr: a redrawn bar on a terminal, plain lines otherwise (CI
    logs). Messages printed through `line` clear the bar first."""

    def __init__(self, total: int, stream: TextIO | None = None, tty: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.total = total
        self.tty = self.stream.isatty() if tty is None else tty
        self._drawn = False

    def line(self, text: str) -> None:
        self.clear()
        print(text, file=self.stream, flush=True)

    def update(self, result: BuildResult, done: int, *, quiet: bool = False) -> None:
        """The briefing's line (kept), then on a terminal the bar below it; `quiet`: the bar only."""
        name = result.facts.name
        if not quiet:
            self.line(briefing_line(result, done, self.total))
        if not self.tty:
            return
        width = 24
        filled = round(width * done / max(self.total, 1))
        bar = "█" * filled + "·" * (width - filled)
        self.clear()
        status = shown_status(result.status)
        self.stream.write(f"\r{bar} {done}/{self.total} {status}: {safe_text(name)}"[:120])
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        self.clear()

    def clear(self) -> None:
        """Remove the bar (if drawn) so that other output starts on a clean line."""
        if self._drawn:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
            self._drawn = False
