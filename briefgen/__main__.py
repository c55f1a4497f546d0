"""The `briefgen` console script and `python -m briefgen`.

Kept apart from `briefgen.cli` so the garbage collector is tuned before click and the rest are
imported, and so a read-only command can end without tearing the interpreter down.
"""

import contextlib
import gc
import os
import sys


def run() -> None:
    """Run the CLI on `sys.argv` and exit with its code."""
    # Imports and a build allocate many small objects that live until the process ends; with
    # the default thresholds (700, 10, 10) the collector walks them again and again.
    gc.set_threshold(50_000, 50, 100)
    from briefgen.cli import exits_fast, main

    code = main()
    if exits_fast(sys.argv[1:]):
        # Like mypy's fast exit: a read-only command leaves no temporary files, workers or
        # handlers behind, and freeing every module and object one by one at shutdown costs
        # about a tenth of a `check`. Only the output buffers need to reach the terminal.
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):  # a closed pipe (`check | head`)
                stream.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    run()
