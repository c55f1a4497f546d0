"""What SIGINT (Ctrl-C) and SIGTERM (a CI runner, `kill`) do to a briefgen command.

- The first signal raises `KeyboardInterrupt` (SIGINT) or `briefgen.errors.Terminated`
  (SIGTERM) in the main thread, so that every `finally` runs: a write in progress removes its
  temporary file, a batch stops its workers, and `briefgen.cli.main` exits 130.
- That clean-up is bounded: `GRACE_S` after the first signal, or at once on a second signal,
  the process stops hard: the registered hard-stop actions run (a batch kills its workers and
  removes their temporary files), the temporary files of this process are removed, and it
  exits 130 without unwinding (so no traceback either).
- Before the command's own handlers are installed (while the CLI is still being imported) and
  after it has finished, a signal stops the process the same hard way: there is nothing to
  clean up, and no half-imported state can print a traceback.

Only the main thread handles signals (Python's rule); elsewhere `handled` changes nothing.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from typing import NoReturn

from briefgen.errors import EXIT_INTERRUPTED, Terminated

GRACE_S = 1.0  # the most a clean-up after the first signal may take before a hard stop
SIGNALS = (signal.SIGINT, signal.SIGTERM)

_hard_stops: list[Callable[[], None]] = []
_state = {"interrupted": False}
_watchdog: list[threading.Timer] = []


def hard_stop() -> NoReturn:
    """Run the registered hard-stop actions, remove this process's temporary files, say
    "interrupted" and exit 130 at once (no unwinding, no interpreter shutdown)."""
    for action in list(_hard_stops):
        with contextlib.suppress(BaseException):
            action()
    with contextlib.suppress(BaseException):
        from briefgen.outputs import remove_pending

        remove_pending()
    with contextlib.suppress(OSError):
        os.write(2, b"interrupted\n")
    os._exit(EXIT_INTERRUPTED)


@contextlib.contextmanager
def on_hard_stop(action: Callable[[], None]) -> Iterator[None]:
    """Run `action` (quick, and safe to run from a signal handler or another thread) if the
    process stops hard while the block runs."""
    _hard_stops.append(action)
    try:
        yield
    finally:
        with contextlib.suppress(ValueError):
            _hard_stops.remove(action)


def interrupted() -> bool:
    """Whether a first signal has arrived while `handled` was in force."""
    return _state["interrupted"]


def _stop_at_once(signum: int, frame: object) -> None:
    hard_stop()


def _first_signal(signum: int, frame: object) -> None:
    if _state["interrupted"]:
        hard_stop()  # the second: no more waiting for the clean-up
    _state["interrupted"] = True
    timer = threading.Timer(GRACE_S, hard_stop)
    timer.daemon = True
    timer.start()
    _watchdog.append(timer)
    if signum == signal.SIGTERM:
        raise Terminated()
    raise KeyboardInterrupt()


def _unraisable(unraisable: sys.UnraisableHookArgs) -> None:
    """An interruption raised where Python cannot pass it on (a `__del__`, a garbage-collection
    callback) would be printed with a traceback and then ignored: stop hard instead."""
    if isinstance(unraisable.exc_value, KeyboardInterrupt):
        hard_stop()
    sys.__unraisablehook__(unraisable)


def stop_at_once() -> None:
    """Make SIGINT and SIGTERM stop the process at once (exit 130): for the moments with
    nothing to clean up (importing, after the command has finished). Main thread only; a
    SIGINT that the process was started with ignored stays ignored."""
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in SIGNALS:
        if signal.getsignal(signum) is not signal.SIG_IGN:
            signal.signal(signum, _stop_at_once)


@contextlib.contextmanager
def handled() -> Iterator[None]:
    """For the block (a command's run): the first SIGINT/SIGTERM raises in the main thread, a
    second one, or `GRACE_S` of clean-up, stops hard. The previous handlers are restored after,
    and a pending watchdog is cancelled (so a caller such as a test suite lives on)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.getsignal(signum) for signum in SIGNALS}
    previous_hook = sys.unraisablehook
    _state["interrupted"] = False
    for signum, handler in previous.items():
        if handler is not signal.SIG_IGN:
            signal.signal(signum, _first_signal)
    sys.unraisablehook = _unraisable
    try:
        yield
    finally:
        # Held while the handlers change back: one arriving now is handled by the restored one.
        with held():
            sys.unraisablehook = previous_hook
            for signum, handler in previous.items():
                signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
            while _watchdog:
                _watchdog.pop().cancel()
            _state["interrupted"] = False


@contextlib.contextmanager
def held() -> Iterator[None]:
    """Block SIGINT and SIGTERM for the block (they are delivered right after it)."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, set(SIGNALS))
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
