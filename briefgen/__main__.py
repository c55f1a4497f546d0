"""The `briefgen` console script and `python -m briefgen`.

Kept apart from `briefgen.cli` so the garbage collector is tuned before click and the rest are
imported, and so a read-only command can end without tearing the interpreter down.
"""

import contextlib
import gc
import os
import signal
import sys

from briefgen import GC_THRESHOLDS
from briefgen.errors import EXIT_INTERRUPTED


def run() -> None:
    """Run the CLI on `sys.argv` and exit with its code."""
    from briefgen import interrupts

    # While the CLI is imported, and after it has run, there is nothing to clean up: SIGINT or
    # SIGTERM then ends briefgen at once with 130 (never a traceback from half-imported code).
    interrupts.stop_at_once()
    # Before click, pydantic and the rest are imported: a collection during the imports walks
    # every object they have created so far.
    gc.set_threshold(*GC_THRESHOLDS)
    from briefgen.cli import exits_fast, main

    code = main()
    interrupts.stop_at_once()
    if code == EXIT_INTERRUPTED or exits_fast(sys.argv[1:]):
        # Like mypy's fast exit: a read-only command leaves no temporary files, workers or
        # handlers behind, and freeing every module and object one by one at shutdown costs
        # about 5 % of a `check`; an interrupted command has already cleaned up. Only the
        # output buffers need to reach the terminal.
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):  # a closed pipe (`check | head`)
                stream.flush()
        os._exit(code)
    # The interpreter's shutdown puts the default signal handlers back, under which a late
    # Ctrl-C would kill briefgen by the signal (exit -2) with its work done: hold the signals
    # (they die with the process) and leave with the command's own code.
    with contextlib.suppress(AttributeError, ValueError):
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    sys.exit(code)


if __name__ == "__main__":
    run()
