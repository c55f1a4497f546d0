"""The `briefgen` command: the click group and its commands, a thin layer over `briefgen.batch`,
`briefgen.checking` and `briefgen.watch`. How much they print, and in what colour, is
`briefgen.console`'s; the options and arguments they share are in `briefgen.cli_options`.

Imports stay lazy: `--help` and `check` never load python-docx or python-pptx. One handler
(`main`) maps every briefgen error to its documented exit code; no traceback reaches a user.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from briefgen import GC_THRESHOLDS, __version__
from briefgen.cli_options import (
    DEFAULT_FACTS_DIR,
    EXIT_CODES_DIFF,
    EXIT_CODES_HELP,
    OUTPUT_ALIASES,
    AliasedCommand,
    facts_argument,
    facts_paths,
    formats_option,
    load_argument,
    out_option,
    parse_formats,
    reference_docx_option,
    reference_pptx_option,
    shown_name,
    templates_option,
)
from briefgen.console import Output, make_safe, output_options, print_problems, report_error, shown_problems
from briefgen.errors import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    BriefgenError,
    Problem,
    UsageProblem,
)
from briefgen.problems import safe_lines, safe_text


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 80},
    epilog=EXIT_CODES_HELP,
)
@click.version_option(__version__, prog_name="briefgen")
def cli() -> None:
    """Turn a validated, sourced fact base (YAML) into a Word memo and a PowerPoint deck.

    Run `briefgen COMMAND --help` for a command's options.
    """


@cli.command(
    epilog=EXIT_CODES_HELP, cls=AliasedCommand, aliases=OUTPUT_ALIASES,
    short_help="Build the memo and deck of each briefing.",
)
@facts_argument
@out_option
@formats_option
@templates_option
@reference_docx_option
@reference_pptx_option
@click.option(
    "-j", "--jobs", type=click.IntRange(min=1), default=None,
    help="Parallel build processes [default: the number of CPUs; 1 builds in this process].",
)
@click.option("--fail-fast", is_flag=True, help="Stop starting new briefings after the first failure.")
@click.option("--force", is_flag=True, help="Rebuild even briefings whose outputs are up to date.")
@click.option(
    "--strict", is_flag=True,
    help="Treat warnings as errors: a briefing with warnings fails and writes nothing.",
)
@click.option(
    "--report", "report_path", type=click.Path(path_type=Path, dir_okay=False),
    help="Write a JSON build report (inputs, outputs with SHA-256, warnings, timings, status).",
)
@click.option(
    "--shard", metavar="I/N",
    help="Build only the I-th of N deterministic slices of the briefings (CI matrices).",
)
@click.option(
    "--since", metavar="OLD",
    help="Also write <stem>-memo-redline.docx: the memo with every change since OLD as tracked "
    "changes, and a changes slide. OLD: a fact file, a git revision (HEAD~1) or REV:PATH.",
)
@click.option(
    "--redline-author", metavar="NAME",
    help="Author of the redline's tracked changes [default: the brief's prepared_by].",
)
@output_options
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
    strict: bool,
    report_path: Path | None,
    shard: str | None,
    since: str | None,
    redline_author: str | None,
) -> int:
    """Build the memo and deck of each FACTS file (default: every facts/*.yaml).

    Briefings whose inputs are unchanged since the last build into the same --output-dir are
    skipped (see .briefgen-manifest.json there); one failing briefing does not stop the others.
    """
    from briefgen import batch as builder
    from briefgen import builds
    from briefgen.config import BuildOptions
    from briefgen.report import Progress, summary_line, write_report

    paths = facts_paths(facts)
    if shard:
        paths = builder.shard(paths, *builder.parse_shard(shard))
    if since and len(paths) > 1 and Path(since).is_file():
        raise UsageProblem(
            f"--since {since}: one earlier fact file cannot be the earlier version of {len(paths)} "
            "briefings; name a git revision (HEAD~1) or build one briefing"
        )
    options = BuildOptions(
        out_dir=out_dir,
        formats=parse_formats(formats),
        templates=templates,
        reference_docx=reference_docx,
        reference_pptx=reference_pptx,
        strict=strict,
        since=since,
        redline_author=redline_author,
    )
    progress = Progress(len(paths))

    quiet, verbose = Output.verbosity < 0, Output.verbosity > 0

    def on_result(result: builds.BuildResult, done: int, total: int) -> None:
        progress.clear()
        if result.status == builds.FAILED:
            # -q: the errors only (under --strict the warnings too: they are errors there).
            print_problems(shown_problems(result.problems, strict=strict) or result.problems)
        elif result.status in (builds.BUILT, builds.UP_TO_DATE) and not quiet:
            # Up to date: kept from the build that wrote the outputs, so an incremental CI run
            # still shows every warning the current outputs carry.
            print_problems(result.warnings)
        if verbose and result.status == builds.BUILT:
            for output in result.outputs:
                click.echo(f"wrote {safe_text(str(output))}")
            steps = ", ".join(f"{step} {seconds:.2f} s" for step, seconds in result.timings.items())
            if steps:
                click.echo(f"  {steps}", err=True)
        progress.update(result, done, quiet=quiet)

    batch = builder.BatchOptions(jobs=jobs, force=force, fail_fast=fail_fast, debug=Output.terminal.debug)
    try:
        outcome = builder.build_many(
            paths,
            options,
            batch,
            on_result,
            on_wait=lambda: progress.line(
                f"waiting for another build into {safe_text(str(out_dir))} to finish"
            ),
        )
    finally:
        progress.close()
    if report_path is not None:
        write_report(outcome, report_path)
    failed = [r for r in outcome.results if r.status == builds.FAILED]
    if len(failed) > 1 or (failed and len(outcome.results) > 1):
        # Repeated at the end of a long log: which briefings need attention.
        click.echo("failed: " + ", ".join(safe_text(str(r.facts)) for r in failed), err=True)
    if not quiet or failed:
        click.echo(summary_line(outcome), err=True)
    return outcome.exit_code


@cli.command(
    epilog=EXIT_CODES_HELP, cls=AliasedCommand, aliases={"--format": "--message-format"},
    short_help="Validate briefings and templates; write nothing.",
)
@facts_argument
@templates_option
@click.option("--strict", is_flag=True, help="Treat warnings (e.g. a memo over its page budget) as errors.")
@click.option(
    # `--format` names output formats in build and watch; here it was the message format
    # (still accepted: AliasedCommand), as cargo's `--message-format`.
    "--message-format", "output_format", type=click.Choice(["text", "json", "github"]), default="text",
    show_default=True,
    help="How to print problems: for people, as one JSON document on standard output (editors, "
    "scripts), or as GitHub Actions annotations.",
)
@click.option("--json", "as_json", is_flag=True, help="Same as --message-format json.")
@click.option(
    "--reference-docx", type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Also report which styles this reference .docx/.dotx lacks.",
)
@click.option(
    "--reference-pptx", type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Also report which layouts and placeholders this reference .pptx/.potx lacks.",
)
@output_options
def check(
    facts: tuple[Path, ...],
    templates: Path | None,
    strict: bool,
    output_format: str,
    as_json: bool,
    reference_docx: Path | None,
    reference_pptx: Path | None,
) -> int:
    """Validate FACTS and render the templates; write nothing.

    With --reference-docx / --reference-pptx (and no FACTS), check only what those reference
    files lack before anything is rendered.
    """
    import dataclasses

    from briefgen.checking import check_reference, check_run, measure
    from briefgen.config import BuildOptions, References, read_environment
    from briefgen.facts import load_facts
    from briefgen.problems import format_github, format_json, problems_of
    from briefgen.report import check_status, check_summary
    from briefgen.templating import TemplateSet

    output_format = "json" if as_json else output_format
    references_only = not facts and (reference_docx or reference_pptx)
    paths = [] if references_only else facts_paths(facts, stdin_ok=True)
    quiet = Output.verbosity < 0
    # Under --strict warnings are errors, and -q ("errors only") still prints them.
    show_warnings = output_format == "text" and (strict or not quiet)
    environment = read_environment()  # a bad variable is a usage error before anything is checked
    template_set = TemplateSet(templates, environment.cache_dir)
    references = References()  # each reference file read and vetted once for the whole check
    options = BuildOptions(templates=templates, reference_docx=reference_docx, reference_pptx=reference_pptx)
    failed = 0
    warned = 0
    found: list[Problem] = []
    files: list[dict[str, object]] = []
    text = output_format == "text"

    def status(file: str, problems: list[Problem], ok: bool, detail: str = "") -> None:
        # One line per file on standard output (problems go to standard error), as build's
        # per-briefing line: 'facts/x.yaml: failed (1 error, 3 warnings)'.
        if text and not quiet:
            click.echo(f"{safe_text(file)}: {check_status(problems, ok)}{detail}")

    for kind, reference in (("docx", reference_docx), ("pptx", reference_pptx)):
        if reference is None:
            continue
        try:
            lacks = check_reference(kind, reference, references)
        except BriefgenError as exc:
            # Reported once here; the briefings are checked against the reference they would
            # otherwise use.
            options = (
                dataclasses.replace(options, reference_docx=None)
                if kind == "docx"
                else dataclasses.replace(options, reference_pptx=None)
            )
            failed += 1
            problems = problems_of(exc, str(reference))
            found.extend(problems)
            files.append({"file": str(reference), "ok": False})
            if text:
                report_error(exc, strict=strict)
            status(str(reference), problems, ok=False)
            continue
        errors = [p for p in lacks if p.severity == "error"]
        failed += bool(errors)
        warned += bool(lacks) and not errors
        found.extend(lacks)
        files.append({"file": str(reference), "ok": not errors and not (strict and lacks)})
        if text:
            print_problems(lacks if show_warnings else errors)  # -q: errors only
        status(str(reference), lacks, ok=not errors and not (strict and lacks))
    for path in paths:
        shown = shown_name(path)
        try:
            loaded = load_argument(path, load_facts) if str(path) == "-" else None
            named = path if loaded is None else Path("stdin.yaml")
            checked = check_run(named, template_set, options, references, loaded, environment)
        except BriefgenError as exc:
            failed += 1
            problems = problems_of(exc, shown)
            found.extend(problems)
            files.append({"file": shown, "ok": False})
            if text:
                report_error(exc, strict=strict)
            status(shown, problems, ok=False)
            continue
        warnings = checked.warnings
        found.extend(warnings)
        measures = measure(checked)
        entry: dict[str, object] = {"file": shown, "ok": not (strict and warnings)}  # as its status
        if measures is not None:
            entry.update(pages=measures.shown_pages, page_budget=measures.budget, slides=measures.slides)
        files.append(entry)
        warned += bool(warnings)
        if show_warnings:
            print_problems(warnings)
        # Under --strict its warnings fail it, as they fail its build.
        detail = f": {measures.describe()}" if measures else ""
        status(shown, warnings, ok=not (strict and warnings), detail=detail)
    checked_files = len(paths) + sum(r is not None for r in (reference_docx, reference_pptx))
    if text and checked_files > 1 and (not quiet or failed):
        # After the files' lines, as build's summary: the counts a reader looks for last.
        click.echo(check_summary(checked_files, failed + (warned if strict else 0), found))
    if output_format == "json":
        click.echo(format_json(found, files=files))
    elif output_format == "github":
        click.echo(format_github(found), nl=False)
    if strict and warned:
        click.echo(f"{warned} briefing(s) with warnings (--strict)", err=True)
        return EXIT_INVALID
    return EXIT_INVALID if failed else EXIT_OK


# ---------------------------------------------------------------------------------------------
# Authoring: init, schema, watch, templates export (briefgen.scaffold, .schema, .watch)


@cli.command(
    epilog=EXIT_CODES_HELP, cls=AliasedCommand, aliases={"--dir": "--output-dir"},
    short_help="Write a new fact file, every section commented.",
)
@click.argument("name")
@click.option(
    "-d", "--output-dir", "out_dir", type=click.Path(path_type=Path, file_okay=False),
    default=DEFAULT_FACTS_DIR, show_default=True, metavar="DIR",
    help="Folder to write the fact file (and the editor schema) into.",
)
@click.option(
    "--from", "source", type=click.Path(path_type=Path, dir_okay=False),
    help="Start from an existing briefing: copy its content, comments included, into the new "
    "file. It must be a valid fact file: else its problems are printed, located, and nothing is "
    "written (exit 1).",
)
@click.option("--force", is_flag=True, help="Overwrite an existing file of that name.")
@output_options
def init(name: str, out_dir: Path, source: Path | None, force: bool) -> int:
    """Write a new fact file NAME.yaml, every section present and commented, valid as written."""
    from briefgen.report import counted
    from briefgen.scaffold import init_briefing, scaffold_target

    try:
        done = init_briefing(name, out_dir, source=source, force=force)
    except BriefgenError as exc:
        if source is None or not exc.problems:
            raise
        # The source's problems, then the refusal they caused (nothing was written).
        report_error(exc)
        errors = sum(p.severity == "error" for p in exc.problems)
        target = safe_text(str(scaffold_target(name, out_dir)[1]))
        shown = safe_text(str(source))
        click.echo(f"error: {target} not created: {shown} has {counted(errors or 1, 'error')}", err=True)
        return exc.exit_code
    facts_name = safe_text(str(done.facts))
    if Output.verbosity >= 0:
        click.echo(f"wrote {facts_name}")
        click.echo(f"wrote {safe_text(str(done.schema))} (editor schema; see docs/authoring.md)")
        click.echo(f"next: edit it, then `briefgen check {facts_name}` (or `briefgen watch`)", err=True)
    return EXIT_OK


@cli.command(epilog=EXIT_CODES_HELP, short_help="Print or write the JSON Schema of the fact format.")
@click.option(
    "-o", "--output", type=click.Path(path_type=Path, dir_okay=False), metavar="FILE",
    help="File to write (default: standard output).",
)
@click.option(
    "--markdown", is_flag=True,
    help="The Markdown reference of the fact format (docs/facts.md) instead of the JSON Schema.",
)
@output_options
def schema(output: Path | None, markdown: bool) -> int:
    """Print or write the JSON Schema of the fact format (for editors), or its Markdown reference."""
    from briefgen.facts.schema import facts_markdown, schema_text, write_facts_markdown, write_schema

    if output is None:
        click.echo(facts_markdown() if markdown else schema_text(), nl=False)
    else:
        (write_facts_markdown if markdown else write_schema)(output)
        if Output.verbosity >= 0:
            click.echo(f"wrote {safe_text(str(output))}", err=True)
    return EXIT_OK


@cli.command(
    epilog=EXIT_CODES_HELP, cls=AliasedCommand, aliases=OUTPUT_ALIASES,
    short_help="Build, then rebuild on every save.",
)
@facts_argument
@out_option
@formats_option
@templates_option
@reference_docx_option
@reference_pptx_option
@output_options
def watch(
    facts: tuple[Path, ...],
    out_dir: Path,
    formats: str,
    templates: Path | None,
    reference_docx: Path | None,
    reference_pptx: Path | None,
) -> int:
    """Build FACTS, then rebuild on every save of facts, templates or reference files (Ctrl-C
    stops)."""
    from briefgen.config import BuildOptions
    from briefgen.watch import Rebuilder, report
    from briefgen.watch import watch as watch_loop

    facts_paths(facts)
    options = BuildOptions(
        out_dir=out_dir,
        formats=parse_formats(formats),
        templates=templates,
        reference_docx=reference_docx,
        reference_pptx=reference_pptx,
    )
    rebuilder = Rebuilder(list(facts) or [DEFAULT_FACTS_DIR], options)
    try:
        watch_loop(
            rebuilder,
            on_outcomes=lambda outcomes: report(outcomes, sys.stdout, sys.stderr),
            on_ready=lambda: click.echo("watching for changes; Ctrl-C stops", err=True),
        )
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM: the documented way to end it, exit 130
        click.echo("stopped", err=True)
        return EXIT_INTERRUPTED
    return EXIT_OK


@cli.group(short_help="Export the built-in templates and references.", epilog=EXIT_CODES_HELP)
def templates() -> None:
    """Work with the templates and reference documents."""


@templates.command(
    "export", epilog=EXIT_CODES_HELP, short_help="Copy the templates and references into DEST."
)
@click.argument("dest", type=click.Path(path_type=Path, file_okay=False))
@click.option("--force", is_flag=True, help="Overwrite files that already exist in DEST.")
@output_options
def templates_export(dest: Path, force: bool) -> int:
    """Copy the built-in templates (*.j2) and reference documents into DEST to customise;
    use them with `--templates DEST` (and `--reference-docx`/`--reference-pptx`)."""
    from briefgen.scaffold import export_templates

    for path in export_templates(dest, force=force):
        if Output.verbosity >= 0:
            click.echo(f"wrote {safe_text(str(path))}")
    return EXIT_OK


@cli.command(name="inspect", epilog=EXIT_CODES_HELP, short_help="Outline a generated .docx or .pptx.")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False, exists=True)
)
@click.option("--json", "as_json", is_flag=True, help="Print the outline as JSON (notes in full).")
@output_options
def inspect_cmd(files: tuple[Path, ...], as_json: bool) -> int:
    """Print the outline of generated .docx/.pptx FILES: headings, tables, footnotes, header and
    footer markings and page-number fields; slides with layout, title, notes and marking."""
    import json

    from briefgen.inspect import format_outline, inspect_file, outline_data

    outlines = [inspect_file(path) for path in files]
    if as_json:
        data = [outline_data(o) for o in outlines]
        click.echo(json.dumps(data[0] if len(data) == 1 else data, indent=2, ensure_ascii=False))
    else:
        click.echo(safe_lines("\n\n".join(format_outline(o) for o in outlines)))
    return EXIT_OK


@cli.command(name="diff", epilog=EXIT_CODES_DIFF, short_help="What changed between two fact files.")
@click.argument("old", type=click.Path(path_type=Path, dir_okay=False, exists=True, allow_dash=True))
@click.argument("new", type=click.Path(path_type=Path, dir_okay=False, exists=True, allow_dash=True))
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON, each with its path.")
@click.option(
    "--exit-code", is_flag=True,
    help="Exit 1 when the two differ, 0 when they do not (as git diff --exit-code).",
)
@output_options
def diff_cmd(old: Path, new: Path, as_json: bool, exit_code: bool) -> int:
    """Report what changed between two versions of a fact base: facts, risks and their ratings,
    agenda items, sources, people, judgments and the briefing's own fields, each change at its
    place (`syria-astana-idlib points[1].text`, `timeline[3].event`). Items with ids are matched
    by id; other lists are aligned, so an item inserted is one item added. Either file may be
    '-' for standard input (`git show HEAD~1:facts/x.yaml | briefgen diff - facts/x.yaml`).

    Exit codes as git diff and diff(1): 0 no changes, 1 changes (with --exit-code or -q),
    2 an error (either file invalid or unreadable)."""
    from briefgen.diffing import diff_briefings
    from briefgen.facts import load_facts

    try:
        if str(old) == "-" and str(new) == "-":
            raise UsageProblem("only one of OLD and NEW can be standard input ('-')")
        before = load_argument(old, load_facts)
        after = load_argument(new, load_facts)
    except BriefgenError as exc:
        exc.exit_code = EXIT_USAGE  # diff's errors are 2, apart from 1 for "differs"
        raise
    result = diff_briefings(before.briefing, after.briefing, shown_name(old), shown_name(new))
    if Output.verbosity >= 0:
        click.echo(result.to_json() if as_json else safe_lines(result.format()))
    differs = bool(result.changes)
    return EXIT_INVALID if differs and (exit_code or Output.verbosity < 0) else EXIT_OK



def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code; the one place errors become exit codes.

    SIGINT and SIGTERM (`briefgen.interrupts`): the first stops the command through its
    clean-up and returns 130; a second, or a clean-up taking over a second, exits 130 at once."""
    from briefgen import interrupts

    with interrupts.handled():
        try:
            return _run(argv)
        except KeyboardInterrupt:  # also one arriving while an error was being reported
            return _interrupted()


def _interrupted() -> int:
    from briefgen.outputs import remove_pending

    remove_pending()  # normally already gone: each write removes its own on the way out
    click.echo("interrupted", err=True)
    return EXIT_INTERRUPTED


def _run(argv: list[str] | None) -> int:
    import gc

    gc.set_threshold(*GC_THRESHOLDS)  # again, for callers that do not come through __main__
    import briefgen.problems
    from briefgen.config import read_terminal

    Output.verbosity = 0  # -q/-v/--color hold for one run (main may be called many times)
    Output.terminal = read_terminal()  # NO_COLOR, TERM and BRIEFGEN_DEBUG, read once per run
    briefgen.problems.COLOUR = Output.auto_colour()
    try:
        result = cli.main(args=argv, prog_name="briefgen", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.UsageError as exc:
        make_safe(exc)  # it may quote a file name from the command line
        exc.show()
        return EXIT_USAGE
    except click.ClickException as exc:
        make_safe(exc)
        exc.show()
        return exc.exit_code
    except (click.exceptions.Abort, KeyboardInterrupt):
        return _interrupted()
    except BriefgenError as exc:
        report_error(exc)
        return exc.exit_code
    except Exception as exc:  # a bug in briefgen: say so plainly, traceback only on request
        if Output.terminal.debug:
            raise
        click.echo(
            f"briefgen: internal error: {type(exc).__name__}: {safe_text(str(exc))}\n"
            "This is a bug in briefgen, not in your input. Run again with BRIEFGEN_DEBUG=1 for "
            "the traceback and report it.",
            err=True,
        )
        return EXIT_INTERNAL
    return result if isinstance(result, int) else EXIT_OK


# Commands that only read files and print, with nothing to clean up when they end: they leave
# through `os._exit` (see `briefgen.__main__.run`).
READ_ONLY_COMMANDS = frozenset({"check", "diff", "inspect", "schema"})


def exits_fast(argv: list[str]) -> bool:
    """Whether `argv` ran a read-only command (the group's own options take no values, so the
    first argument that is not an option names the command)."""
    command = next((arg for arg in argv if not arg.startswith("-")), None)
    return command in READ_ONLY_COMMANDS
