"""The `briefgen` console script and `python -m briefgen`.

Kept apart from `briefgen.cli` so the garbage collector is tuned before click and the rest are
imported, and so a read-only command can end without tearing the interpreter down.
"""

import contextlib
import gc
import os
import sys

from briefgen import GC_THRESHOLDS


def run() -> None:
    """Run the CLI on `sys.argv` and exit with its code."""
    # Before click, pydantic and the rest are imported: a collection during the imports walks
    # every object they have created so far.
    gc.set_threshold(*GC_THRESHOLDS)
    from briefgen.cli import exits_fast, main

    code = main()
    if exits_fast(sys.argv[1:]):
        # Like mypy's fast exit: a read-only command leaves no temporary files, workers or
        # handlers behind, and freeing every module and object one by one at shutdown costs
        # about 5 % of a `check`. Only the output buffers need to reach the terminal.
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):  # a closed pipe (`check | head`)
                stream.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    run()
