"""One error hierarchy for briefgen; the CLI maps each class to a documented exit code.

Every module raises these (never a raw pydantic, YAML, Jinja2, zip or lxml exception); the single
handler in `briefgen.cli` prints them without a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# Exit codes, documented in `briefgen --help` and the README.
EXIT_OK = 0
EXIT_INVALID = 1  # invalid facts, templates or reference files; a briefing failed to build
EXIT_USAGE = 2  # bad command line
EXIT_OUTPUT = 3  # an output could not be written (disk full, permissions)
EXIT_TOOL = 4  # an external tool (LibreOffice) is missing or failed
EXIT_INTERNAL = 70  # a bug in briefgen (EX_SOFTWARE); BRIEFGEN_DEBUG=1 shows the traceback
EXIT_INTERRUPTED = 130  # SIGINT / SIGTERM


@dataclass(frozen=True, slots=True)
class Problem:
    """One located finding: `file:line:col: path: message`."""

    message: str
    file: str = ""
    line: int = 0  # 1-based; 0 when unknown
    col: int = 0  # 1-based; 0 when unknown
    path: str = ""  # dotted path into the fact base, e.g. agenda[2].risks[0]
    severity: str = "error"  # "error" | "warning"
    hint: str = ""

    def location(self) -> str:
        parts = [self.file] if self.file else []
        if self.file and self.line:
            parts.append(str(self.line))
            if self.col:
                parts.append(str(self.col))
        return ":".join(parts)

    def format(self) -> str:
        head = self.location()
        text = f"{self.path}: {self.message}" if self.path else self.message
        if self.severity == "warning":
            text = f"warning: {text}"
        return f"{head}: {text}" if head else text


def quoted(text: str) -> str:
    """User text (a title, a value as written) as a message shows it: between straight single
    quotes, as written. Not `repr`, which escapes every non-printable character, so that a
    Russian date's narrow no-break space would show as `\\u202f`; the printers escape what a
    terminal must not receive (`briefgen.problems.safe_text`)."""
    return f"'{text}'"


class BriefgenError(Exception):
    """Base class; `exit_code` is what the CLI exits with."""

    exit_code = EXIT_INVALID

    def __init__(self, message: str = "", problems: list[Problem] | None = None) -> None:
        self.problems = list(problems or [])
        if not message and self.problems:
            message = "\n".join(p.format() for p in self.problems)
        super().__init__(message)


class InvalidFacts(BriefgenError):
    """The fact base failed validation; `problems` lists every located problem."""


class TemplateProblem(BriefgenError):
    """A template could not be found, parsed or rendered (or tried to escape the sandbox)."""


class ReferenceFileProblem(BriefgenError):
    """A reference .docx/.pptx is unreadable, unsafe, or of the wrong kind."""


class StrictProblem(BriefgenError):
    """`--strict`: the briefing has warnings, and they fail it (nothing is written)."""


class UsageProblem(BriefgenError):
    """The command line asks for something impossible."""

    exit_code = EXIT_USAGE


class OutputProblem(BriefgenError):
    """An output could not be written; earlier outputs are left intact."""

    exit_code = EXIT_OUTPUT


class ToolProblem(BriefgenError):
    """An external program (LibreOffice) is missing, failed or timed out."""

    exit_code = EXIT_TOOL


class PartialBuild(ToolProblem):
    """An external tool failed for some formats only (no LibreOffice for `--format docx,pdf`):
    the other outputs were written (`outputs`), the briefing still fails with exit 4."""

    def __init__(
        self, message: str = "", problems: list[Problem] | None = None, outputs: list[Path] | None = None
    ) -> None:
        super().__init__(message, problems)
        self.outputs = list(outputs or [])


class Terminated(KeyboardInterrupt):
    """Raised in the main thread on SIGTERM, so that clean-up runs as for Ctrl-C (exit 130).
    Not a `BriefgenError`: like Ctrl-C it must get past every handler of those."""
