"""The `briefgen` command: a thin layer over `briefgen.build`.

Imports stay lazy: `--help` and `check` never load python-docx or python-pptx. One handler
(`main`) maps every briefgen error to its documented exit code; no traceback reaches a user.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from briefgen import __version__
from briefgen.errors import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    BriefgenError,
    Problem,
)

EXIT_CODES_HELP = """\b
Exit codes:
  0  success
  1  invalid facts, templates or reference files (every problem is printed)
  2  usage error (unknown option, missing file argument)
  3  an output could not be written (earlier outputs are left intact)
  4  an external tool (LibreOffice, for PDF) is missing or failed
  70  internal error (a bug in briefgen; BRIEFGEN_DEBUG=1 shows the traceback)
  130 interrupted
"""

DEFAULT_FACTS_DIR = Path("facts")


def _formats(value: str) -> tuple[str, ...]:
    from briefgen.build import FORMATS

    chosen = tuple(dict.fromkeys(f.strip().lower() for f in value.split(",") if f.strip()))
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise click.BadParameter(f"choose from {', '.join(FORMATS)} (comma-separated), got {value!r}")
    return chosen


def print_problems(problems: list[Problem], stream=None) -> None:
    stream = stream or sys.stderr
    for problem in problems:
        click.echo(problem.format(), file=stream)
        if problem.hint:
            click.echo(f"  hint: {problem.hint}", file=stream)


def _facts_args(facts: tuple[Path, ...]) -> list[Path]:
    from briefgen.build import discover

    inputs = list(facts) or [DEFAULT_FACTS_DIR]
    for item in inputs:
        if not item.exists():
            raise click.BadParameter(f"{item}: no such file or folder", param_hint="FACTS")
    found = discover(inputs)
    if not found:
        raise click.BadParameter(
            f"no fact files (*.yaml) in {', '.join(map(str, inputs))}", param_hint="FACTS"
        )
    return found


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=EXIT_CODES_HELP,
)
@click.version_option(__version__, prog_name="briefgen")
def cli() -> None:
    """Turn a validated, sourced fact base (YAML) into a Word memo and a PowerPoint deck."""


facts_argument = click.argument(
    "facts", nargs=-1, type=click.Path(path_type=Path, dir_okay=True, exists=False)
)


@cli.command(epilog=EXIT_CODES_HELP)
@facts_argument
@click.option(
    "-o", "--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("out"),
    show_default=True, help="Output folder.",
)
@click.option(
    "--format", "formats", default="docx,pptx", show_default=True,
    help="Comma-separated formats: docx, pptx, md (review text), pdf.",
)
@click.option(
    "--templates", type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="Folder of templates that shadow the built-in ones by file name.",
)
@click.option(
    "--reference-docx", type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Reference .docx/.dotx for styles, fonts, page set-up, header and footer look.",
)
@click.option(
    "--reference-pptx", type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Reference .pptx/.potx for slide master, layouts, fonts and colours.",
)
@click.option(
    "-j", "--jobs", type=click.IntRange(min=1), default=None,
    help="Parallel build processes [default: the number of CPUs; 1 builds in this process].",
)
@click.option("--fail-fast", is_flag=True, help="Stop starting new briefings after the first failure.")
@click.option("--force", is_flag=True, help="Rebuild even briefings whose outputs are up to date.")
@click.option(
    "--report", "report_path", type=click.Path(path_type=Path, dir_okay=False),
    help="Write a JSON build report (inputs, outputs with SHA-256, warnings, timings, status).",
)
@click.option(
    "--shard", metavar="I/N",
    help="Build only the I-th of N deterministic slices of the briefings (CI matrices).",
)
def build(
    facts: tuple[Path, ...],
    out_dir: Path,
    formats: str,
    templates: Path | None,
    reference_docx: Path | None,
    reference_pptx: Path | None,
    jobs: int | None,
    fail_fast: bool,
    force: bool,
    report_path: Path | None,
    shard: str | None,
) -> int:
    """Build the memo and deck of each FACTS file (default: every facts/*.yaml).

    Briefings whose inputs are unchanged since the last build into the same --out folder are
    skipped (see .briefgen-manifest.json there); one failing briefing does not stop the others.
    """
    from briefgen import build as builder
    from briefgen.report import Progress, summary_line, write_report

    paths = _facts_args(facts)
    if shard:
        paths = builder.shard(paths, *builder.parse_shard(shard))
    options = builder.BuildOptions(
        out_dir=out_dir,
        formats=_formats(formats),
        templates=templates,
        reference_docx=reference_docx,
        reference_pptx=reference_pptx,
    )
    progress = Progress(len(paths))

    def on_result(result: builder.BuildResult, done: int, total: int) -> None:
        progress.clear()
        if result.status == builder.FAILED:
            print_problems(result.problems)
        elif result.status == builder.BUILT:
            print_problems(result.warnings)
            for output in result.outputs:
                click.echo(f"wrote {output}")
        progress.update(result, done)

    batch = builder.BatchOptions(jobs=jobs, force=force, fail_fast=fail_fast)
    try:
        outcome = builder.build_many(paths, options, batch, on_result)
    finally:
        progress.close()
    if report_path is not None:
        write_report(outcome, report_path)
    click.echo(summary_line(outcome), err=True)
    return outcome.exit_code


@cli.command(epilog=EXIT_CODES_HELP)
@facts_argument
@click.option(
    "--templates", type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="Folder of templates that shadow the built-in ones by file name.",
)
@click.option("--strict", is_flag=True, help="Treat warnings (e.g. a memo over its page budget) as errors.")
def check(facts: tuple[Path, ...], templates: Path | None, strict: bool) -> int:
    """Validate FACTS and render the templates; write nothing."""
    from briefgen.checking import check_briefing
    from briefgen.templating import TemplateSet

    paths = _facts_args(facts)
    template_set = TemplateSet(templates)
    failed = 0
    warned = 0
    for path in paths:
        try:
            warnings = check_briefing(path, template_set)
        except BriefgenError as exc:
            failed += 1
            _report(exc)
            continue
        print_problems(warnings)
        warned += bool(warnings)
        if not warnings:
            click.echo(f"{path}: ok")
    if strict and warned:
        click.echo(f"{warned} briefing(s) with warnings (--strict)", err=True)
        return EXIT_INVALID
    return EXIT_INVALID if failed else EXIT_OK


def _report(exc: BriefgenError) -> None:
    if exc.problems:
        print_problems(exc.problems)
    else:
        click.echo(f"error: {exc}", err=True)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code; the one place errors become exit codes."""
    restore_sigterm = _handle_sigterm()
    try:
        result = cli.main(args=argv, prog_name="briefgen", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.UsageError as exc:
        exc.show()
        return EXIT_USAGE
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except (click.exceptions.Abort, KeyboardInterrupt):
        from briefgen.outputs import remove_pending

        remove_pending()  # normally already gone: each write removes its own on the way out
        click.echo("interrupted", err=True)
        return EXIT_INTERRUPTED
    except BriefgenError as exc:
        _report(exc)
        return exc.exit_code
    except Exception as exc:  # a bug in briefgen: say so plainly, traceback only on request
        if os.environ.get("BRIEFGEN_DEBUG"):
            raise
        click.echo(
            f"briefgen: internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in briefgen, not in your input. Run again with BRIEFGEN_DEBUG=1 for "
            "the traceback and report it.",
            err=True,
        )
        return EXIT_INTERNAL
    finally:
        restore_sigterm()
    return result if isinstance(result, int) else EXIT_OK


def _handle_sigterm():  # -> Callable[[], None]
    """Turn SIGTERM into `Terminated` (a KeyboardInterrupt) in the main thread, so a build
    stopped by a CI runner or `kill` cleans up its temporary files and exits 130 like Ctrl-C.
    Returns a function that restores the previous handler."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    from briefgen.outputs import Terminated

    def on_sigterm(signum, frame):
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, on_sigterm)
    return lambda: signal.signal(signal.SIGTERM, previous)


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
