"""The limits a template renders under: time (a timer signal), memory (the kernel's address-space
limit, RLIMIT_AS) and the length of its output; each stops the template inside its own code, so
the error names the template line."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    import jinja2

# A template that loops without end (or nests loops far beyond any briefing) is stopped after
# this many seconds; the worked example renders in 10 ms and 500 agenda items in 0.3 s. The
# variable sets another limit (read by `briefgen.config.read_environment`).
RENDER_TIMEOUT_S = 60.0
_TIMEOUT_VARIABLE = "BRIEFGEN_RENDER_TIMEOUT"


# What rendering may add to the process's address space, enforced by the kernel (RLIMIT_AS):
# rendering both templates for 500 agenda items grows briefgen by about 2 MB, so 1 GB is far
# beyond any briefing and far below what a runaway template would take.
MAX_RENDER_GROWTH = 1 << 30


class RenderStopped(Exception):
    """Raised inside a rendering template when it passes the time limit (`render_limits`)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


@contextlib.contextmanager
def render_limits(seconds: float) -> Iterator[int]:
    """Run the block under the render limits; yields the memory limit in bytes (0: none).

    Memory: the process's address-space limit (RLIMIT_AS) is lowered to its present size plus
    `MAX_RENDER_GROWTH` for the block and restored after, so the kernel refuses any allocation
    past it — one call building a 3 GB string fails at once with `MemoryError` instead of
    taking the memory. (Linux; where the platform does not enforce it, no memory limit.)
    Time: after `seconds` (0: no limit) a timer signal (SIGALRM: Unix, main thread only) raises
    `RenderStopped` in the template's code. Jinja2 compiles templates to Python, so either
    exception lands in template code and its traceback names the line."""
    with _memory_limit(MAX_RENDER_GROWTH) as limit, _time_limit(seconds):
        yield limit


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    in_main = threading.current_thread() is threading.main_thread()
    if not seconds or not hasattr(signal, "setitimer") or not in_main:
        yield
        return

    def on_alarm(signum: int, frame: object) -> None:
        raise RenderStopped(
            f"template stopped after {seconds:g} s: a loop that does not end, or far more "
            f"work than a briefing needs ({_TIMEOUT_VARIABLE} sets the limit)"
        )

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def _memory_limit(growth: int) -> Iterator[int]:
    """Lower RLIMIT_AS to the address space in use now plus `growth` bytes for the block (never
    above the hard limit, never raising a lower limit already set); yield it, 0 when none."""
    try:
        import resource
    except ImportError:  # Windows
        yield 0
        return
    in_use = _address_space_bytes()
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if not in_use:
        yield 0
        return
    limit = in_use + growth
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    if soft != resource.RLIM_INFINITY and soft <= limit:
        yield soft  # already bounded at least as tightly
        return
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):  # not enforced on this platform (macOS)
        yield 0
        return
    try:
        yield limit
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _address_space_bytes() -> int:
    """The process's virtual memory size now (Linux: /proc/self/statm); 0 when unknown."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


# A template's output is gathered piece by piece; past this many characters it is stopped at
# the line producing it. (Joining a loop's pieces at the end would otherwise ask for all of it at
# once, outside any template line; a briefing renders to well under a megabyte.)
MAX_OUTPUT_CHARS = MAX_RENDER_GROWTH // 4


def collect_output(template: jinja2.Template, context: dict[str, object]) -> str:
    """The template's output, gathered as it is produced; a template producing more than
    `MAX_OUTPUT_CHARS` is stopped inside its own code (so the error names its line)."""
    pieces: list[str] = []
    total = 0
    stream = cast(Generator[str, None, None], template.generate(context))  # a generator, typed as Iterator
    for piece in stream:
        total += len(piece)
        if total > MAX_OUTPUT_CHARS:
            stream.throw(
                RenderStopped(
                    f"template stopped at the memory limit: its output passed "
                    f"{MAX_OUTPUT_CHARS // 1_000_000} million characters (a briefing needs well "
                    "under one): a loop that writes far more than the briefing holds"
                )
            )
        pieces.append(piece)
    return "".join(pieces)
