"""Where each key and value of a fact file stands (1-based line and column, by path), and how a
path is written in a problem: agenda[2].risks[0]."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

Loc = tuple[str | int, ...]


@dataclass
class Positions:
    """Line/column (1-based) of every key and value, by path."""

    values: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Loc, tuple[int, int]] = field(default_factory=dict)

    def of(self, loc: Loc, *, key: bool = False) -> tuple[int, int]:
        """Position of `loc`, or of its nearest enclosing node that has one."""
        table = self.keys if key else self.values
        for end in range(len(loc), -1, -1):
            hit = table.get(loc[:end]) or self.values.get(loc[:end])
            if hit:
                return hit
        return (1, 1)


def format_loc(loc: Iterable[str | int]) -> str:
    """A location in the fact base as the trade's readers write it: agenda[2].risks[0]."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
