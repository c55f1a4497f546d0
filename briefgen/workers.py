"""The worker processes of a batch: a pool that builds one briefing per process at a time, the
pipe protocol between them, and what a signal does inside a worker.

`build_parallel` sends each briefing to an idle worker (index, path, options, input context and
the caller's environment) and gets its `BuildResult` back. Interruptions (Ctrl-C, SIGTERM) reach
the workers, whose briefings in progress remove their temporary files on the way out; a worker
that does not leave in time is killed and its temporary files removed by the batch.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.connection import wait as connection_wait
from pathlib import Path

from briefgen import GC_THRESHOLDS, interrupts
from briefgen.builds import FAILED, BuildResult, build_one
from briefgen.config import BuildOptions, Environment, References
from briefgen.errors import EXIT_INTERNAL, EXIT_INTERRUPTED, Problem, Terminated
from briefgen.incremental import InputContext
from briefgen.outputs import TEMP_SUFFIX
from briefgen.pipeline import output_names, output_stem
from briefgen.templating import TemplateSet


def _raise_terminated(signum: int, frame: object) -> None:
    import signal

    # Once: a second signal must not cut short the removal of temporary files that the first
    # set going (the batch kills a worker that takes too long).
    for other in (signal.SIGTERM, signal.SIGINT):
        if signal.getsignal(other) is _raise_terminated:
            signal.signal(other, signal.SIG_IGN)
    if not _WORKER_BUSY:
        os._exit(EXIT_INTERRUPTED)  # between briefings: nothing to clean up, and no traceback
    raise Terminated()


_WORKER_BUSY = False  # whether this worker process is building a briefing now


# Worker processes keep their template set (parsed templates) from one briefing to the next,
# and the reference files they read (each is read and vetted once per worker).
_WORKER_TEMPLATES: dict[str, TemplateSet] = {}
_WORKER_REFERENCES = References()


def _init_worker(template_dir: Path | None, environment: Environment) -> None:
    import gc
    import signal

    gc.set_threshold(*GC_THRESHOLDS)
    # SIGTERM (from the batch, or a CI runner) and SIGINT (Ctrl-C reaches every process of the
    # terminal's group) become `Terminated`, a KeyboardInterrupt, so that a write in progress
    # removes its temporary file, as in the main process. A SIGINT that briefgen was started
    # with ignored stays ignored.
    signal.signal(signal.SIGTERM, _raise_terminated)
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        signal.signal(signal.SIGINT, _raise_terminated)
    sys.unraisablehook = _worker_unraisable
    _WORKER_TEMPLATES["set"] = TemplateSet(template_dir, environment.cache_dir)


def _worker_unraisable(unraisable: sys.UnraisableHookArgs) -> None:
    """`Terminated` raised inside a `__del__` or a garbage-collection callback cannot unwind the
    briefing (Python prints it and carries on): remove the temporary files here and leave."""
    if isinstance(unraisable.exc_value, KeyboardInterrupt):
        from briefgen.outputs import remove_pending

        remove_pending()
        os._exit(EXIT_INTERRUPTED)
    sys.__unraisablehook__(unraisable)


def _worker_build(
    path: Path,
    options: BuildOptions,
    context: InputContext,
    environ: dict[str, str],
    environment: Environment,
    debug: bool,
) -> BuildResult:
    global _WORKER_BUSY
    try:
        _WORKER_BUSY = True  # inside the try: a signal just after it still ends in the except
        # A fork-server worker inherits the server's environment, which may predate changes the
        # caller made (TMPDIR, what LibreOffice reads): build in the caller's. The variables
        # briefgen reads through `briefgen.config` (SOURCE_DATE_EPOCH, BRIEFGEN_RENDER_TIMEOUT,
        # the template cache, BRIEFGEN_SOFFICE) come read by the batch, in `environment`.
        if environ != os.environ:
            for name in set(os.environ) - set(environ):
                del os.environ[name]
            os.environ.update(environ)
            tempfile.tempdir = None
        templates = _WORKER_TEMPLATES.get("set") or TemplateSet(options.templates, environment.cache_dir)
        return build_one(path, options, context, templates, _WORKER_REFERENCES, environment, debug=debug)
    except KeyboardInterrupt:  # `Terminated`, and a KeyboardInterrupt that beat the handler
        # The briefing in progress has cleaned up on the way out; leave without a traceback.
        os._exit(EXIT_INTERRUPTED)
    finally:
        _WORKER_BUSY = False


def _worker_main(
    conn: Connection, template_dir: Path | None, environment: Environment, debug: bool = False
) -> None:
    """A worker process: build the briefings the batch sends, one at a time, answering each
    with its result, until told to stop (None) or the batch is gone (end of file)."""
    try:
        # A set-up that fails is no reason for a traceback: each briefing then makes its own
        # template set, and its failure is reported as that briefing's.
        with contextlib.suppress(Exception):
            _init_worker(template_dir, environment)
        while True:
            try:
                task = conn.recv()
            except (EOFError, OSError):
                break
            if task is None:
                break
            index, path, options, context, environ = task
            result = _worker_build(path, options, context, environ, environment, debug)
            try:
                conn.send((index, result))
            except OSError:
                break
    except KeyboardInterrupt:
        pass
    os._exit(0)  # no interpreter shutdown: nothing to flush, and no traceback from it


# The start methods the batch uses (both start fresh interpreters: no inherited threads or locks).
_Context = multiprocessing.context.ForkServerContext | multiprocessing.context.SpawnContext


def _mp_context() -> _Context:
    """Fork-server where the platform has it (fast, and safe with threads), spawn elsewhere;
    the server preloads the pipeline so that each worker starts warm."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["briefgen.batch", "briefgen.markup"])
        return ctx
    return multiprocessing.get_context("spawn")


def build_parallel(
    todo: list[tuple[int, Path]],
    options: BuildOptions,
    context: InputContext,
    workers: int,
    fail_fast: bool,
    finish: Callable[[int, BuildResult], None],
    environment: Environment,
    debug: bool = False,
) -> None:
    """Build `todo` in `workers` worker processes, calling `finish` as each briefing ends;
    each worker builds with the batch's `environment`.

    An interruption (Ctrl-C, SIGTERM) stops the workers: each briefing in progress removes its
    temporary files and its worker exits; one that has not within `_STOP_S` is killed and its
    temporary files removed here. No worker outlives the batch, whatever state it was in."""
    queue = deque(todo)
    pool = _Pool(_mp_context(), workers, options, environment, debug)
    with interrupts.on_hard_stop(pool.kill):
        try:
            stopping = False
            while True:
                for worker in pool.idle():
                    if queue and not stopping:
                        pool.assign(worker, queue, options, context)
                if not pool.busy():
                    break
                for index, result in pool.results():
                    finish(index, result)
                    stopping |= fail_fast and result.status == FAILED
            pool.close()  # inside: an interruption while the workers leave stops them too
        except BaseException:
            pool.stop()
            raise


_STOP_S = 0.6  # how long an interrupted worker may take to clean up before it is killed


def _pid(worker: _Worker) -> int:
    """The worker's process id (a started process always has one)."""
    pid = worker.process.pid
    assert pid is not None
    return pid


class _Worker:
    """One worker process and the pipe to it; `task` is the briefing it is building."""

    def __init__(
        self, ctx: _Context, template_dir: Path | None, environment: Environment, debug: bool = False
    ) -> None:
        self.conn, child = ctx.Pipe()
        args = (child, template_dir, environment, debug)
        self.process = ctx.Process(target=_worker_main, args=args, daemon=True)
        self.task: tuple[int, Path] | None = None
        self.process.start()
        child.close()

    def assign(self, task: tuple[int, Path], options: BuildOptions, context: InputContext) -> None:
        self.task = task
        self.conn.send((*task, options, context, dict(os.environ)))


class _Pool:
    """Worker processes that build one briefing at a time each (a process pool without the
    executor machinery, whose shutdown races an interruption: tracebacks from a cancelled
    future, hangs waiting for a worker that is gone)."""

    def __init__(
        self, ctx: _Context, size: int, options: BuildOptions, environment: Environment, debug: bool = False
    ) -> None:
        self.ctx = ctx
        self.options = options
        self.environment = environment
        self.debug = debug  # BRIEFGEN_DEBUG: a worker gone without an answer raises
        self.workers: list[_Worker] = []
        for _ in range(size):
            self._start()

    def _start(self) -> _Worker:
        # Not held against signals (the first start waits for the fork server to import the
        # pipeline): a worker started as an interruption arrives, and so unknown to `stop`,
        # finds its pipe closed when the batch ends and leaves by itself.
        worker = _Worker(self.ctx, self.options.templates, self.environment, self.debug)
        self.workers.append(worker)
        return worker

    def idle(self) -> list[_Worker]:
        return [w for w in self.workers if w.task is None]

    def busy(self) -> list[_Worker]:
        return [w for w in self.workers if w.task is not None]

    def results(self) -> list[tuple[int, BuildResult]]:
        """Wait until at least one busy worker answers (or dies); return what came back."""
        busy = self.busy()
        ready = set(connection_wait([w.conn for w in busy] + [w.process.sentinel for w in busy]))
        found: list[tuple[int, BuildResult]] = []
        for worker in busy:
            assert worker.task is not None
            if worker.conn in ready or worker.conn.poll():
                try:
                    found.append(worker.conn.recv())
                    worker.task = None
                    continue
                except (EOFError, OSError):
                    pass
            if worker.conn in ready or worker.process.sentinel in ready:
                # Gone without an answer (killed, out of memory): that briefing failed; a new
                # worker takes its place for the rest.
                assert worker.task is not None  # busy workers only
                index, path = worker.task
                found.append((index, _died(path, worker.process.exitcode, self.debug)))
                self._retire(worker)
                self._start()
        return found

    def assign(
        self, worker: _Worker, queue: deque[tuple[int, Path]], options: BuildOptions, context: InputContext
    ) -> None:
        """Send the next briefing of `queue` to `worker`; a worker found gone (killed while idle)
        is replaced and the briefing goes back to the front of the queue."""
        task = queue.popleft()
        try:
            worker.assign(task, options, context)
        except OSError:
            worker.task = None
            queue.appendleft(task)
            self._retire(worker)
            self._start()

    def _retire(self, worker: _Worker) -> None:
        self.workers.remove(worker)
        worker.conn.close()
        worker.process.join(timeout=1)

    def close(self) -> None:
        """Tell every worker to leave and wait for them."""
        for worker in self.workers:
            with contextlib.suppress(OSError):
                worker.conn.send(None)
        for worker in self.workers:
            worker.process.join()
            worker.conn.close()
        self.workers.clear()

    def stop(self) -> None:
        """After an interruption: SIGTERM every worker (each cleans up and exits), wait up to
        `_STOP_S`, kill the rest and remove their temporary files."""
        for worker in self.workers:
            with contextlib.suppress(OSError):
                os.kill(_pid(worker), signal.SIGTERM)
        sentinels = [w.process.sentinel for w in self.workers]
        deadline = time.monotonic() + _STOP_S
        while sentinels and time.monotonic() < deadline:
            gone = connection_wait(sentinels, timeout=max(deadline - time.monotonic(), 0))
            sentinels = [s for s in sentinels if s not in gone]
        self.kill()

    def kill(self) -> None:
        """Kill every worker still running and remove the temporary files it may have left in
        the output folder. Safe from a signal handler or another thread: it only sends signals,
        polls the workers' sentinels (at most half a second) and removes files."""
        workers = list(self.workers)
        for worker in workers:
            if worker.process.exitcode is None:
                with contextlib.suppress(OSError, ValueError):
                    os.kill(_pid(worker), signal.SIGKILL)
        with contextlib.suppress(OSError, ValueError):
            sentinels = [w.process.sentinel for w in workers]
            deadline = time.monotonic() + 0.5
            while sentinels and time.monotonic() < deadline:
                gone = connection_wait(sentinels, timeout=max(deadline - time.monotonic(), 0))
                sentinels = [s for s in sentinels if s not in gone]
        for worker in workers:
            if worker.task is not None:
                _remove_temporaries(self.options, worker.task[1])
            with contextlib.suppress(OSError):
                worker.conn.close()
        self.workers.clear()


def _remove_temporaries(options: BuildOptions, facts: Path) -> None:
    """The temporary files a killed worker may have left for this briefing's outputs (nobody
    else writes them: the batch holds the output folder's lock)."""
    names = output_names(output_stem(facts), options.formats)
    with contextlib.suppress(OSError):
        for entry in os.scandir(options.out_dir):
            if entry.name.endswith(TEMP_SUFFIX) and any(entry.name.startswith(f".{n}.") for n in names):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def _died(path: Path, exitcode: int | None, debug: bool) -> BuildResult:
    if debug:
        raise RuntimeError(f"the build process for {path} ended without a result (exit {exitcode})")
    return BuildResult(
        path,
        status=FAILED,
        exit_code=EXIT_INTERNAL,
        problems=[
            Problem(
                f"the build process failed: it ended without a result (exit code {exitcode})",
                file=str(path),
            )
        ],
    )
