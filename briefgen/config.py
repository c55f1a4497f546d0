"""One validated build configuration, merged once at the edge.

Settings arrive from three places: the command line (`BuildOptions`), the facts' `output`
section and the environment (SOURCE_DATE_EPOCH, BRIEFGEN_RENDER_TIMEOUT, BRIEFGEN_NO_CACHE,
XDG_CACHE_HOME, BRIEFGEN_SOFFICE). `read_environment` reads the environment once per run (the
only reader of these variables: the code that needs a value is handed it); `configure` merges
the three into one frozen `BriefingConfig` per briefing, reading and vetting each reference file
once (`References` keeps what it read for the rest of the run). Every problem found is
collected and raised together; after this point no code looks at a path option, a facts
setting or a variable again.

Precedence, for each setting: the command line, then the facts' `output` section (reference
paths relative to the fact file), then the bundled default.

No other module reads an environment variable (a subprocess, LibreOffice or git, is still
given the caller's environment whole). Those that change only what the command line prints
(NO_COLOR, TERM, BRIEFGEN_DEBUG) are read apart, by `read_terminal` into a `Terminal` that
`briefgen.cli` reads first on every run: they hold for `check`, `diff` and `inspect` too,
which configure no build, and before any configuration can fail; and they never enter a
briefing's configuration or its input key.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from datetime import time as dtime
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen.errors import BriefgenError, Problem, ReferenceFileProblem, UsageProblem
from briefgen.intake import locate
from briefgen.resources import REFERENCE_NAMES, bundled_reference_bytes
from briefgen.template_limits import RENDER_TIMEOUT_S

if TYPE_CHECKING:  # at run time only its attributes are used: `--help` loads no fact models
    from briefgen.facts import LoadedBriefing

FORMATS = ("docx", "pptx", "md", "pdf")
DEFAULT_FORMATS = ("docx", "pptx")
# Which reference document each format is written into (a PDF is made from both).
FORMAT_REFERENCES = {"docx": ("docx",), "pptx": ("pptx",), "md": (), "pdf": ("docx", "pptx")}


@dataclass(frozen=True)
class BuildOptions:
    """What the command line asks for (every field optional there)."""

    out_dir: Path = Path("out")
    formats: tuple[str, ...] = DEFAULT_FORMATS
    templates: Path | None = None
    reference_docx: Path | None = None
    reference_pptx: Path | None = None
    layouts: dict[str, str] | None = None
    strict: bool = False  # warnings fail the briefing (nothing is stored)
    # `--since`: the earlier version to compare with (a fact file or a git revision, see
    # briefgen.history), and who the redline's revisions are attributed to.
    since: str | None = None
    redline_author: str | None = None


@dataclass(frozen=True)
class Environment:
    """The environment variables that change what a build writes, read and checked once."""

    source_date_epoch: datetime | None = None  # SOURCE_DATE_EPOCH as naive UTC
    render_timeout: float = RENDER_TIMEOUT_S  # BRIEFGEN_RENDER_TIMEOUT: seconds per template; 0: no limit
    # briefgen's cache folder: $XDG_CACHE_HOME/briefgen (~/.cache/briefgen); None: BRIEFGEN_NO_CACHE is set
    cache_dir: Path | None = None
    soffice: str | None = None  # BRIEFGEN_SOFFICE: the LibreOffice program; None: found on PATH


@dataclass(frozen=True)
class Reference:
    """A reference document, read and vetted (`briefgen.ooxml.read_reference`)."""

    kind: str  # "docx" | "pptx"
    name: str  # how messages name it: the path, or the bundled file's
    path: Path | None  # None: the bundled one
    data: bytes  # normalised to a document (a .dotx/.potx becomes a .docx/.pptx)
    # Warnings about this file that its own check (`check --reference-pptx`) already reported in
    # this run: a briefing planned against it does not report them again.
    reported: set[str] = field(default_factory=set, compare=False, hash=False, repr=False)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class BriefingConfig:
    """Everything one briefing's build is configured by, merged and validated."""

    formats: tuple[str, ...]
    out_dir: Path
    stamp: datetime  # written into the outputs: SOURCE_DATE_EPOCH, else the date prepared
    references: Mapping[str, Reference]  # by kind, for the formats asked for
    layouts: Mapping[str, str] | None = None
    page_budget: int = 2  # pages for the memo body
    strict: bool = False
    named_in_facts: frozenset[str] = frozenset()  # kinds whose reference the facts' output: names
    since: str | None = None  # --since: the earlier version (briefgen.history)
    redline_author: str | None = None  # None: the brief's prepared_by
    render_timeout: float = RENDER_TIMEOUT_S  # seconds a template may run; 0: no limit
    soffice: str | None = None  # the LibreOffice program for PDF (Environment.soffice)


def read_environment(environ: Mapping[str, str] | None = None) -> Environment:
    """Read the variables that change outputs; raise `UsageProblem` listing every bad one."""
    environ = os.environ if environ is None else environ
    problems: list[Problem] = []
    epoch: datetime | None = None
    raw = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if raw:
        try:
            epoch = datetime.fromtimestamp(int(raw), UTC).replace(tzinfo=None)
        except (ValueError, OverflowError, OSError):
            problems.append(
                Problem(
                    f"SOURCE_DATE_EPOCH={raw!r} is not a Unix timestamp",
                    hint="seconds since 1970-01-01 UTC, e.g. 1700000000 (or unset it)",
                )
            )
    timeout = RENDER_TIMEOUT_S
    raw = environ.get("BRIEFGEN_RENDER_TIMEOUT", "").strip()
    if raw:
        try:
            timeout = float(raw)
        except ValueError:
            timeout = -1.0
        if not 0 <= timeout < 1e6:  # also refuses nan and inf
            problems.append(
                Problem(
                    f"BRIEFGEN_RENDER_TIMEOUT={raw!r} is not a time limit in seconds",
                    hint="the seconds a template may run, e.g. 60; 0 turns the limit off (or unset it)",
                )
            )
    if problems:
        raise UsageProblem(problems=problems)
    return Environment(
        source_date_epoch=epoch,
        render_timeout=timeout,
        cache_dir=_cache_dir(environ),
        soffice=environ.get("BRIEFGEN_SOFFICE", "").strip() or None,
    )


def _cache_dir(environ: Mapping[str, str]) -> Path | None:
    """briefgen's cache folder: $XDG_CACHE_HOME/briefgen, else ~/.cache/briefgen (the home
    folder from $HOME, as `os.path.expanduser` finds it); None when BRIEFGEN_NO_CACHE is set."""
    if environ.get("BRIEFGEN_NO_CACHE"):
        return None
    home = environ["HOME"] if "HOME" in environ else os.path.expanduser("~")
    base = environ.get("XDG_CACHE_HOME") or os.path.join(home, ".cache")
    return Path(base) / "briefgen"


@dataclass(frozen=True)
class Terminal:
    """The variables that change only what the command line prints, never what a build writes
    (`read_terminal`)."""

    no_color: bool = False  # NO_COLOR set and not empty (https://no-color.org)
    dumb: bool = False  # TERM=dumb: a terminal that shows escape sequences as text
    debug: bool = False  # BRIEFGEN_DEBUG set and not empty: an internal error shows its traceback

    @property
    def colour(self) -> bool:
        """Whether `--color auto` may colour a terminal (neither NO_COLOR nor TERM=dumb)."""
        return not (self.no_color or self.dumb)


def read_terminal(environ: Mapping[str, str] | None = None) -> Terminal:
    """Read NO_COLOR, TERM and BRIEFGEN_DEBUG (no value is an error: each is a switch)."""
    environ = os.environ if environ is None else environ
    return Terminal(
        no_color=environ.get("NO_COLOR", "") != "",
        dumb=environ.get("TERM") == "dumb",
        debug=bool(environ.get("BRIEFGEN_DEBUG")),
    )


@dataclass
class References:
    """Reference documents read and vetted during one run, each at most once."""

    read: dict[tuple[str, Path | None], Reference] = field(default_factory=dict)

    def get(self, kind: str, path: Path | None) -> Reference:
        """The reference of `kind` at `path` (None: the bundled one); raise
        `ReferenceFileProblem` when it is unreadable, unsafe or of the wrong kind."""
        key = (kind, path)
        if key not in self.read:
            if path is None:
                name = f"templates/{REFERENCE_NAMES[kind]}"
                self.read[key] = Reference(kind, name, None, bundled_reference_bytes(kind))
            else:
                from briefgen.ooxml import read_reference

                self.read[key] = Reference(kind, str(path), path, read_reference(path, kind))
        return self.read[key]


def reference_path(
    cli_value: Path | None,
    facts_value: str | None,
    facts_path: Path,
    *,
    templates: Path | None = None,
    kind: str | None = None,
) -> Path | None:
    """The reference file in force: the command line's, else the facts' (relative to the fact
    file), else `reference.<kind>` in the `--templates` folder (what `templates export` wrote
    there, perhaps edited), else None for the bundled one."""
    if cli_value is not None:
        return cli_value
    if facts_value:
        return (facts_path.parent / facts_value).resolve()
    if templates is not None and kind in REFERENCE_NAMES:
        exported = templates / REFERENCE_NAMES[kind]
        if exported.is_file():
            return exported
    return None


def locate_reference(exc: BriefgenError, loaded: LoadedBriefing, kind: str) -> BriefgenError:
    """A problem with the reference document named in the fact file, moved to the line of
    `output.reference_<kind>` there."""
    key = ("output", f"reference_{kind}")
    line, col = loaded.positions.of(key)
    return locate(exc, loaded.name or str(loaded.path), line, col, f"output.reference_{kind}")


def configure(
    loaded: LoadedBriefing,
    options: BuildOptions,
    environment: Environment,
    references: References | None = None,
) -> BriefingConfig:
    """Merge the command line, the facts' `output` section and the environment for one
    briefing; raise a `BriefgenError` listing every problem (unknown formats, unusable
    reference files) together."""
    references = references or References()
    output = loaded.briefing.output
    problems: list[Problem] = []
    unknown = [f for f in options.formats if f not in FORMATS]
    if unknown or not options.formats:
        named = ", ".join(map(repr, unknown)) or "(none)"
        problems.append(Problem(f"unknown format {named}; choose from {', '.join(FORMATS)}"))
    wanted = [k for k in ("docx", "pptx") if any(k in FORMAT_REFERENCES.get(f, ()) for f in options.formats)]
    chosen: dict[str, Reference] = {}
    exit_codes: list[int] = []
    for kind in wanted:
        cli_value = options.reference_docx if kind == "docx" else options.reference_pptx
        facts_value = output.reference_docx if kind == "docx" else output.reference_pptx
        try:
            path = reference_path(cli_value, facts_value, loaded.path, templates=options.templates, kind=kind)
            chosen[kind] = references.get(kind, path)
        except BriefgenError as exc:
            exit_codes.append(exc.exit_code)
            if cli_value is None and facts_value:
                # At the line of output.reference_<kind> in the fact file that names it.
                exc = locate_reference(exc, loaded, kind)
            problems.extend(exc.problems or [Problem(str(exc), file=str(loaded.path))])
    if problems:
        error = ReferenceFileProblem(problems=problems) if exit_codes else UsageProblem(problems=problems)
        raise error
    stamp = environment.source_date_epoch or datetime.combine(loaded.briefing.date_prepared, dtime(0, 0))
    named_in_facts = frozenset(
        k for k in chosen if getattr(output, f"reference_{k}") and getattr(options, f"reference_{k}") is None
    )
    return BriefingConfig(
        formats=tuple(options.formats),
        out_dir=options.out_dir,
        stamp=stamp,
        references=chosen,
        layouts=options.layouts,
        page_budget=output.page_budget,
        strict=options.strict,
        named_in_facts=named_in_facts,
        since=options.since,
        redline_author=options.redline_author,
        render_timeout=environment.render_timeout,
        soffice=environment.soffice,
    )
