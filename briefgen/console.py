"""What the commands print, and how much: `-q`/`-v` and `--color` (the same options on every
command), problems and errors for people, and click's own messages made safe for a terminal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TextIO, TypeVar

import click

from briefgen.config import Terminal
from briefgen.errors import BriefgenError, Problem
from briefgen.problems import safe_text

F = TypeVar("F", bound=Callable[..., Any])


def print_problems(problems: list[Problem], stream: TextIO | None = None) -> None:
    """Problems for people: the located line, the YAML excerpt with a caret, the hint."""
    from briefgen.problems import print_problems as show

    show(problems, stream)


class Output:
    """How much to print and whether in colour, as `-q`/`-v` and `--color` ask and the terminal
    allows (one run; `briefgen.cli` sets `terminal` first, from `briefgen.config.read_terminal`)."""

    verbosity = 0  # -1 quiet, 0 normal, 1 verbose
    terminal = Terminal()  # NO_COLOR, TERM and BRIEFGEN_DEBUG

    @classmethod
    def auto_colour(cls) -> bool | None:
        """Colour under `--color auto` (`briefgen.problems.COLOUR`): never with NO_COLOR or
        TERM=dumb (False), else as the stream is a terminal or not (None)."""
        return None if cls.terminal.colour else False


def _set_verbosity(ctx: click.Context, param: click.Parameter, value: bool | int) -> None:
    if value:
        Output.verbosity = -1 if param.name == "quiet" else max(Output.verbosity, int(value))


def _set_colour(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    import briefgen.problems

    if value is not None:
        briefgen.problems.COLOUR = {"always": True, "never": False}.get(value, Output.auto_colour())


def output_options(command: F) -> F:
    """`-q/--quiet`, `-v/--verbose` and `--color WHEN`, the same on every command (as in git,
    mkdocs and pandoc)."""
    for option in reversed(
        (
            click.option(
                "-q", "--quiet", is_flag=True, expose_value=False, is_eager=True, callback=_set_verbosity,
                help="Print only errors (and what the command is for, e.g. the schema).",
            ),
            click.option(
                "-v", "--verbose", count=True, expose_value=False, is_eager=True, callback=_set_verbosity,
                help="Print more: every file written, the time of each step.",
            ),
            click.option(
                "--color", "--colour", type=click.Choice(["auto", "always", "never"]), default=None,
                expose_value=False, is_eager=True, callback=_set_colour, metavar="WHEN",
                help="Colour: auto (a terminal without NO_COLOR), always or never [default: auto].",
            ),
        )
    ):
        command = option(command)
    return command


def shown_problems(problems: list[Problem], *, strict: bool = False) -> list[Problem]:
    """What `-q` ("errors only") leaves of `problems`: their errors, and under `--strict` their
    warnings too (errors there); everything without `-q`."""
    if Output.verbosity >= 0 or strict:
        return list(problems)
    return [p for p in problems if p.severity != "warning"]


def report_error(exc: BriefgenError, *, strict: bool = False) -> None:
    """An error for people: its located problems (under `-q` only the errors, unless `strict`;
    all of them if it has no error among them, so a failure is always explained), else its
    message."""
    if exc.problems:
        print_problems(shown_problems(exc.problems, strict=strict) or exc.problems)
    else:
        click.echo(f"error: {safe_text(str(exc))}", err=True)


def make_safe(exc: click.ClickException) -> None:
    """Escape what click is about to print (its `message` is typed Final, but click's own
    subclasses format it when shown, so it is replaced in place)."""
    object.__setattr__(exc, "message", safe_text(exc.message))
