"""Load fact files: read, validate and cross-check one file into a `Briefing`.

The file is read into plain data with positions by `briefgen.facts.yaml_reader` (the one place
YAML is read), validated into `Briefing` models (pydantic's errors located by
`briefgen.facts.field_errors`), then cross-checked (`briefgen.facts.checks`). Every problem in
every file is collected and reported together as `file:line:col: dotted.path: message`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from briefgen.errors import InvalidFacts, Problem
from briefgen.facts import checks
from briefgen.facts.field_errors import pydantic_problems
from briefgen.facts.models import Briefing
from briefgen.facts.positions import Positions, format_loc
from briefgen.facts.yaml_reader import read_yaml


@dataclass
class LoadedBriefing:
    path: Path
    briefing: Briefing
    warnings: list[Problem]
    # Where each key and value stands in the file, for problems found after loading (a
    # reference document named by output.reference_docx that cannot be used).
    positions: Positions = field(default_factory=Positions)
    name: str = ""  # the file as problems name it (`display`, else the path)


def load_facts(path: Path, *, display: str | None = None, raw: bytes | None = None) -> LoadedBriefing:
    """Read, validate and cross-check one fact file; raise `InvalidFacts` listing every problem.

    `raw`, when given, is the file's content read elsewhere (an earlier version from git for
    `build --since`); `path` then only names it and places relative references."""
    name = display or str(path)
    problems: list[Problem] = []
    data, positions = read_yaml(path, name, warnings=problems, raw=raw)
    briefing: Briefing | None = None
    if not isinstance(data, dict):
        found = "nothing" if data is None else f"a {_kind(data)}"
        raise InvalidFacts(
            problems=[
                Problem(
                    f"a fact file must be a mapping of fields (title:, marking:, agenda:, …); found {found}",
                    file=name,
                    line=1,
                    col=1,
                    hint="start from `briefgen init NAME`",
                ),
                *problems,
            ]
        )
    try:
        briefing = Briefing.model_validate(data)
    except ValidationError as exc:
        problems.extend(pydantic_problems(exc, positions, name))
    for finding in checks.cross_check(data, briefing):
        line, col = positions.of(finding.loc, key=finding.at_key)
        problems.append(
            Problem(
                finding.message,
                file=name,
                line=line,
                col=col,
                path=format_loc(finding.loc),
                severity=finding.severity,
            )
        )
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity != "error"]
    if errors or briefing is None:
        raise InvalidFacts(problems=sorted(errors, key=_order) + sorted(warnings, key=_order))
    return LoadedBriefing(
        path=path, briefing=briefing, warnings=sorted(warnings, key=_order), positions=positions, name=name
    )


def _order(p: Problem) -> tuple[str, int, int]:
    return (p.file, p.line, p.col)


def _kind(value: object) -> str:
    if isinstance(value, list):
        return "list"
    return "string" if isinstance(value, str) else type(value).__name__
