"""`briefgen watch`: rebuild on every save of a fact file, a template or a reference document.

One `Rebuilder` lives for the whole session, so imports, the Jinja2 environment and its parsed
templates stay warm: a save of a fact file reloads that one file and rebuilds only its outputs.
A template change clears Jinja2's template cache (the environment does not check files itself,
`auto_reload=False`) and rebuilds every briefing; a reference document change rebuilds the
briefings that use it. Outputs whose bytes did not change are not rewritten, so a document open
in Word or PowerPoint is only replaced when it really changed.
"""

from __future__ import annotations

import hashlib
import threading
import time
import types
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from briefgen.config import BuildOptions, Environment, References, read_environment
from briefgen.discovery import discover
from briefgen.errors import BriefgenError, Problem, ToolProblem
from briefgen.facts import load_facts
from briefgen.incremental import dependencies
from briefgen.outputs import folder_lock, write_atomic
from briefgen.pipeline import run
from briefgen.problems import print_problems, problems_of, safe_text
from briefgen.resources import builtin_template_dir
from briefgen.templating import TemplateSet

FACT_SUFFIXES = (".yaml", ".yml")
STEP_MS = 50  # watchfiles waits this long for a burst of events (an editor's save) to end
TIMEOUT_MS = 300  # how often the loop wakes without events (to notice `stop`)


@dataclass
class Outcome:
    """What one rebuild of one briefing did."""

    facts: Path
    outputs: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    failed: bool = False
    removed: bool = False
    seconds: float = 0.0


class Rebuilder:
    """Keeps the state of a watch session and rebuilds what a set of changed files affects."""

    def __init__(
        self,
        inputs: list[Path],
        options: BuildOptions,
        templates: TemplateSet | None = None,
        environment: Environment | None = None,
    ) -> None:
        self.inputs = list(inputs)
        self.options = options
        # Read once for the session (a bad variable is a usage error before anything is built).
        self.environment = environment or read_environment()
        self.templates = templates or TemplateSet(options.templates, self.environment.cache_dir)
        self.template_dirs = [d.resolve() for d in (options.templates, builtin_template_dir()) if d]
        # fact file → the files its outputs are built from, templates aside (briefgen.incremental)
        self.dependencies: dict[Path, set[Path]] = {}
        self.digests: dict[Path, str] = {}  # output → digest of the bytes last written
        self.reference_cache = References()  # read and vetted once, again after each change
        self.facts: dict[Path, Path] = {}  # resolved → as named by the user
        self.rescan()

    # -- what to watch ---------------------------------------------------------------------

    def rescan(self) -> list[Path]:
        """Find the fact files again (a folder may have gained or lost files)."""
        present = [p for p in self.inputs if p.exists()]
        found = discover(present) if present else []
        self.facts = {p.resolve(): p for p in found}
        return found

    def _dependencies_of(self, resolved: Path) -> set[Path]:
        """What the briefing was last built from; before a first load (or when its facts do not
        load) the reference files of the command line and the bundled ones."""
        known = self.dependencies.get(resolved)
        return known if known is not None else dependencies(resolved, None, self.options)

    def roots(self) -> list[Path]:
        """Folders to watch: those of the facts, the templates and every reference document."""
        folders = {p.resolve() if p.is_dir() else p.resolve().parent for p in self.inputs if p.exists()}
        folders.update(self.template_dirs)
        # The reference files in force for a briefing not loaded yet; the placeholder fact path
        # itself is no dependency (its folder, the working directory's parent, would be watched
        # recursively: a whole checkout, whose set-up alone holds Ctrl-C off for seconds).
        placeholder = Path(".")
        pending = dependencies(placeholder, None, self.options) - {placeholder.resolve()}
        for deps in [pending, *self.dependencies.values()]:
            folders.update(r.parent for r in deps)
        return sorted(f for f in folders if f.is_dir())

    def relevant(self, path: Path) -> bool:
        """Whether a changed path is one of ours (editors' swap and backup files are not; nor are
        the outputs we write ourselves)."""
        path = path.resolve()
        name = path.name
        if name.startswith(".") or name.endswith("~"):
            return False
        if path.suffix in FACT_SUFFIXES and self._is_fact_path(path):
            return True
        if path.suffix == ".j2" and path.parent in self.template_dirs:
            return True
        defaults = dependencies(Path("."), None, self.options)
        return path in defaults or any(path in deps for deps in self.dependencies.values())

    def _is_fact_path(self, path: Path) -> bool:
        for item in self.inputs:
            target = item.resolve()
            if path == target or (item.is_dir() and path.parent == target):
                return True
        return False

    # -- rebuilding -----------------------------------------------------------------------

    def build_all(self) -> list[Outcome]:
        return [self.build(p) for p in self.rescan()]

    def handle(self, changed: Iterable[Path]) -> list[Outcome]:
        """Rebuild what the changed files affect; return one outcome per briefing touched."""
        changed = {Path(p).resolve() for p in changed}
        changed = {p for p in changed if self.relevant(p)}
        if not changed:
            return []
        before = dict(self.facts)
        self.rescan()
        outcomes: list[Outcome] = []
        for resolved, named in before.items():
            if resolved not in self.facts:
                self.dependencies.pop(resolved, None)
                outcomes.append(Outcome(named, removed=True))
        for key in [k for k in self.reference_cache.read if k[1] is not None and k[1].resolve() in changed]:
            del self.reference_cache.read[key]
        if any(p.suffix == ".j2" for p in changed):
            self.invalidate_templates()
            targets = list(self.facts)
        else:
            targets = [resolved for resolved in self.facts if self._dependencies_of(resolved) & changed]
        outcomes.extend(self.build(self.facts[r]) for r in targets)
        return outcomes

    def invalidate_templates(self) -> None:
        """Forget parsed templates, so the next render reads the changed files."""
        cache = self.templates.env.cache
        if cache is not None:
            cache.clear()

    def build(self, path: Path) -> Outcome:
        """Run the pipeline over one briefing, storing only outputs whose bytes changed; errors
        become the outcome's problems."""
        started = time.perf_counter()
        outcome = Outcome(path)

        def store(folder: Path, files: dict[str, bytes]) -> list[Path]:
            with folder_lock(folder):  # not while a `briefgen build` writes there
                for name, data in files.items():
                    target = folder / name
                    digest = hashlib.sha256(data).hexdigest()
                    if self.digests.get(target) == digest and target.exists():
                        outcome.unchanged.append(target)
                        continue
                    write_atomic(target, data)
                    self.digests[target] = digest
                    outcome.outputs.append(target)
            return outcome.outputs

        try:
            # Loaded first on its own: the dependencies are known even when a later step fails.
            loaded = load_facts(path)
            self.dependencies[path.resolve()] = dependencies(path, loaded.briefing.output, self.options)
            cache = self.reference_cache
            done = run(
                path, self.options, self.templates, loaded=loaded, store=store, references=cache,
                environment=self.environment,
            )
            outcome.problems = done.warnings
        except BriefgenError as exc:
            outcome.failed = True
            outcome.problems = problems_of(exc, str(path))
        outcome.seconds = time.perf_counter() - started
        return outcome


# ---------------------------------------------------------------------------------------------


def report(outcomes: Iterable[Outcome], out: TextIO, err: TextIO) -> None:
    """Print what each rebuild did: the new outputs, or the problems."""
    stamp = time.strftime("%H:%M:%S")
    for o in outcomes:
        name = safe_text(str(o.facts))
        if o.removed:
            out.write(f"[{stamp}] {name}: removed; no longer built\n")
        elif o.failed:
            err.write(f"[{stamp}] {name}: failed; the previous outputs are unchanged\n")
            print_problems(o.problems, err)
        else:
            print_problems(o.problems, err)
            wrote = ", ".join(safe_text(str(p)) for p in o.outputs) or "nothing changed"
            out.write(f"[{stamp}] {name}: built in {o.seconds:.2f} s: {wrote}\n")
    out.flush()


def _watchfiles() -> types.ModuleType:
    try:
        import watchfiles
    except ImportError:
        raise ToolProblem(
            "briefgen watch needs the optional package watchfiles: "
            "pip install 'briefgen[watch]' (make installs it)"
        ) from None
    return watchfiles


def watch(
    rebuilder: Rebuilder,
    *,
    on_outcomes: Callable[[list[Outcome]], None],
    stop: threading.Event | None = None,
    max_rebuilds: int | None = None,
    on_ready: Callable[[], None] | None = None,
) -> int:
    """Build everything once, then rebuild on every relevant change until `stop` is set or
    `max_rebuilds` rebuilds have run; return the number of rebuilds."""
    watchfiles = _watchfiles()
    on_outcomes(rebuilder.build_all())
    rebuilds = 0
    stop = stop or threading.Event()
    while not stop.is_set():
        roots = rebuilder.roots()
        for changes in watchfiles.watch(
            *roots,
            watch_filter=lambda _change, path: rebuilder.relevant(Path(path)),
            step=STEP_MS,
            stop_event=stop,
            rust_timeout=TIMEOUT_MS,
            yield_on_timeout=True,  # an empty batch: the watcher is running
        ):
            if on_ready:
                on_ready()
                on_ready = None
            outcomes = rebuilder.handle(Path(p) for _change, p in changes)
            if not outcomes:
                continue
            on_outcomes(outcomes)
            rebuilds += 1
            if max_rebuilds is not None and rebuilds >= max_rebuilds:
                stop.set()
                break
            if rebuilder.roots() != roots:
                break  # a briefing now uses a reference document elsewhere: watch that folder too
    return rebuilds
