"""The command line's shared vocabulary: the options and arguments several commands take (one
definition each), older spellings still accepted (`AliasedCommand`), how FACTS arguments are
found and read (a folder, files, or '-' for standard input), and the exit codes the help lists.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from briefgen.errors import UsageProblem
from briefgen.problems import safe_text

if TYPE_CHECKING:
    from briefgen.facts import LoadedBriefing

EXIT_CODES_HELP = """\b
Exit codes:
  0    success
  1    invalid facts, templates or reference files (every problem printed)
  2    usage error (unknown option, missing file argument)
  3    an output could not be written (earlier outputs are left intact)
  4    an external tool (LibreOffice, for PDF) is missing or failed
  70   internal error: a bug (BRIEFGEN_DEBUG=1 shows the traceback)
  130  interrupted
"""

EXIT_CODES_DIFF = """\b
Exit codes:
  0    the two fact files are the same
  1    they differ (with --exit-code or -q)
  2    an error: a file is invalid or unreadable, or a usage error
  130  interrupted
"""

DEFAULT_FACTS_DIR = Path("facts")
STDIN_NAME = "<stdin>"  # how problems name a fact file read from standard input ('-')


def parse_formats(value: str) -> tuple[str, ...]:
    from briefgen.config import FORMATS

    chosen = tuple(dict.fromkeys(f.strip().lower() for f in value.split(",") if f.strip()))
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise click.BadParameter(f"choose from {', '.join(FORMATS)} (comma-separated), got {value!r}")
    return chosen


def facts_paths(facts: tuple[Path, ...], *, stdin_ok: bool = False) -> list[Path]:
    from briefgen.discovery import discover  # not briefgen.batch: check needs none of it

    if stdin_ok and [str(f) for f in facts] == ["-"]:
        return [Path("-")]  # one fact file on standard input
    if any(str(f) == "-" for f in facts):
        raise click.BadParameter("'-' (standard input) must be the only FACTS argument", param_hint="FACTS")
    inputs = list(facts) or [DEFAULT_FACTS_DIR]
    for item in inputs:
        if not item.exists():
            raise click.BadParameter(f"{safe_text(str(item))}: no such file or folder", param_hint="FACTS")
    found = discover(inputs)
    if not found:
        raise click.BadParameter(
            f"no fact files (*.yaml) in {', '.join(map(str, inputs))}", param_hint="FACTS"
        )
    return found


class AliasedCommand(click.Command):
    """A command that also accepts older spellings of its options (`aliases`: old → new), kept
    out of the help so that every command documents one name per meaning."""

    def __init__(self, *args: Any, aliases: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.aliases = aliases or {}

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        rewritten: list[str] = []
        for arg in args:
            name, eq, value = arg.partition("=")
            if arg == "--":
                rewritten.extend(args[len(rewritten) :])
                break
            rewritten.append(self.aliases[name] + eq + value if name in self.aliases else arg)
        return super().parse_args(ctx, rewritten)


facts_argument = click.argument(
    "facts", nargs=-1, type=click.Path(path_type=Path, dir_okay=True, exists=False)
)

# Options shared by build, watch and check: one definition each.
out_option = click.option(
    # Not `file_okay=False`: a file in the way of the output folder is an output problem (exit
    # 3, as docs/troubleshooting.md says), reported by briefgen.outputs. `-o` is an output file
    # elsewhere (pandoc, `briefgen schema`), so a folder is `--output-dir` (Quarto, mkdocs -d);
    # `-o` and `--out` still work (OUTPUT_ALIASES).
    "-d", "--output-dir", "out_dir", type=click.Path(path_type=Path), default=Path("out"),
    show_default=True, metavar="DIR", help="Output folder.",
)
OUTPUT_ALIASES = {"-o": "--output-dir", "--out": "--output-dir"}
formats_option = click.option(
    "--format", "formats", default="docx,pptx", show_default=True, metavar="LIST",
    help="Comma-separated formats: docx, pptx, md (review text), pdf.",
)
templates_option = click.option(
    "--templates", type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="Folder of templates that shadow the built-in ones by file name.",
)
reference_docx_option = click.option(
    "--reference-docx", type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Reference .docx/.dotx for styles, fonts, page set-up, header and footer look.",
)
reference_pptx_option = click.option(
    "--reference-pptx", type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Reference .pptx/.potx for slide master, layouts, fonts and colours.",
)


def shown_name(path: Path) -> str:
    return STDIN_NAME if str(path) == "-" else str(path)


def load_argument(path: Path, load: Callable[..., LoadedBriefing]) -> LoadedBriefing:
    """Load a fact file named on the command line; '-' reads standard input (named <stdin> in
    problems, with relative references resolved against the working folder)."""
    if str(path) != "-":
        return load(path)
    import briefgen.problems
    from briefgen.intake import FACTS_LIMIT

    raw = sys.stdin.buffer.read(FACTS_LIMIT + 1)
    if len(raw) > FACTS_LIMIT:
        raise UsageProblem(f"standard input holds more than {FACTS_LIMIT // 1_048_576} MB: not a fact file")
    briefgen.problems.STDIN_TEXT[STDIN_NAME] = raw.decode("utf-8-sig", errors="replace")
    return load(Path("stdin.yaml"), display=STDIN_NAME, raw=raw)
