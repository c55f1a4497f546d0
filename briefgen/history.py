"""Earlier versions of a fact file, for `build --since`: another file, or a git revision.

`--since OLD` names the version the principal read:
- a fact file (`--since archive/brief-v1.yaml`);
- a git revision of the same fact file (`--since HEAD~1`, `--since v1.2`, `--since main`);
- a git revision and a path, git's own `REV:PATH` (`--since main:facts/brief.yaml`; the path
  is from the top of the repository, or from the current folder when it starts with `./`).

A revision is read with `git cat-file` from the object store, never by checking anything out:
the work tree, the index and HEAD stay as they were. The blob's size is asked first and held to
the fact-file limit, so a huge blob is refused before it is read.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from briefgen.errors import ToolProblem, UsageProblem
from briefgen.facts.yaml_reader import MAX_FILE_BYTES

GIT_TIMEOUT = 30  # seconds; a local object read takes milliseconds


@dataclass(frozen=True)
class Earlier:
    """An earlier version of a fact file: `name` as messages show it (`HEAD~1:facts/x.yaml` or
    the path given), and either `path` (a file on disk) or `text` (a blob read from git)."""

    name: str
    path: Path | None = None
    text: bytes | None = None


class NotInRevision(UsageProblem):
    """The fact file did not exist at the revision: a new briefing, with nothing to compare."""


def find_earlier(spec: str, facts: Path) -> Earlier:
    """The earlier version of `facts` that `spec` names (see the module docstring).

    Raises `UsageProblem` (exit 2) when `spec` names neither a file nor a revision,
    `NotInRevision` when the revision has no such file, `ToolProblem` (exit 4) when git is
    needed but missing or fails."""
    spec = spec.strip()
    if not spec:
        raise UsageProblem("--since: name an earlier fact file or a git revision (HEAD~1, main, v1.2)")
    candidate = Path(spec)
    if candidate.is_dir():
        raise UsageProblem(f"--since {spec}: a folder; name the earlier fact file or a git revision (HEAD~1)")
    if candidate.is_file() or candidate.exists():
        # A pipe or device is a file named, not a revision: the loader refuses it (briefgen.intake).
        return Earlier(name=spec, path=candidate)
    if spec.startswith("-"):
        raise UsageProblem(f"--since {spec!r}: not a file, and a git revision cannot start with '-'")
    if ":" in spec:
        revision, path = spec.split(":", 1)
        where = Path.cwd()
    else:
        revision, path = spec, "./" + facts.name
        where = facts.parent if str(facts.parent) else Path(".")
    if not revision or not path:
        raise UsageProblem(f"--since {spec!r}: expected REV, REV:PATH or a fact file")
    object_name = f"{revision}:{path}"
    display = object_name if ":" in spec else f"{revision}:{_from_top(where, facts.name)}"
    size = _git(where, ["cat-file", "-s", object_name], spec, object_name)
    try:
        count = int(size.decode().strip())
    except ValueError:
        raise ToolProblem(f"--since {spec}: git gave an unexpected size {size[:40]!r}") from None
    if count > MAX_FILE_BYTES:
        raise UsageProblem(
            f"--since {spec}: {display} is {count / 1_048_576:.1f} MB; a fact file may be at most "
            f"{MAX_FILE_BYTES // 1_048_576} MB"
        )
    return Earlier(name=display, text=_git(where, ["cat-file", "blob", object_name], spec, object_name))


def _from_top(where: Path, name: str) -> str:
    """`facts/x.yaml` as git names it from the top of the work tree (for messages)."""
    try:
        prefix = subprocess.run(
            ["git", "-C", str(where), "rev-parse", "--show-prefix"],
            capture_output=True, timeout=GIT_TIMEOUT, check=True, env=_env(),
        ).stdout.decode("utf-8", "replace").strip()
    except (OSError, subprocess.SubprocessError):
        return name
    return prefix + name


def _env() -> dict[str, str]:
    # No pager, no prompts, no localised messages: git is read by a program here.
    env = dict(os.environ)
    env.update({"GIT_PAGER": "cat", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"})
    return env


def _git(where: Path, args: list[str], spec: str, object_name: str) -> bytes:
    git = shutil.which("git")
    if git is None:
        raise ToolProblem(f"--since {spec}: not a file, and git (needed to read a revision) is not installed")
    try:
        done = subprocess.run(
            [git, "-C", str(where), *args], capture_output=True, timeout=GIT_TIMEOUT, env=_env()
        )
    except subprocess.TimeoutExpired:
        raise ToolProblem(f"--since {spec}: git did not answer within {GIT_TIMEOUT} s") from None
    except OSError as exc:
        raise ToolProblem(f"--since {spec}: cannot run git: {exc.strerror or exc}") from None
    if done.returncode == 0:
        return done.stdout
    message = done.stderr.decode("utf-8", "replace").strip().splitlines()
    detail = message[-1] if message else f"exit {done.returncode}"
    if "not a git repository" in detail:
        raise UsageProblem(
            f"--since {spec}: not a file, and {where.resolve()} is not in a git repository to read "
            "a revision from"
        )
    if "does not exist in" in detail or "exists on disk, but not in" in detail:
        path = object_name.split(":", 1)[1]
        revision = spec.split(":")[0]
        if ":" in spec:
            # A path named explicitly that is not there is a mistake, not a new briefing.
            raise UsageProblem(
                f"--since {spec}: {revision} has no {path} (REV:PATH names the path from the top "
                "of the repository, or from this folder when it starts with ./)"
            )
        raise NotInRevision(f"--since {spec}: {path} does not exist in {revision}")
    if "invalid object name" in detail.lower() or "not a valid object name" in detail.lower():
        raise UsageProblem(
            f"--since {spec}: no such file, and {spec.split(':')[0]!r} is not a revision git knows "
            "(try HEAD~1, a branch or a tag)"
        )
    raise UsageProblem(f"--since {spec}: git could not read {object_name}: {detail}")
