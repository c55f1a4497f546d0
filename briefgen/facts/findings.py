"""A cross-check's finding, and the walks over a fact file's plain data that the families of
checks share (briefgen.facts.checks, .references, .portions).

The checks run on the plain data, not only on a valid model, so every walk is defensive about
shapes: what is malformed has already been reported by field validation.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from briefgen.facts.positions import Loc


@dataclass(frozen=True)
class Finding:
    """What a check found at `loc` (on its key when `at_key`): an error or a warning."""

    loc: Loc
    message: str
    severity: str = "error"
    at_key: bool = False


def mappings_at(data: object, *path: str) -> Iterator[tuple[Loc, dict[str, Any]]]:
    """(loc, mapping) for each mapping in the list at `path`."""
    node: object = data
    for part in path:
        if not isinstance(node, dict):
            return
        node = node.get(part)
    if isinstance(node, list):
        for i, item in enumerate(node):
            if isinstance(item, dict):
                yield (*path, i), item


def refs_in(item: dict[str, Any], key: str) -> Iterator[tuple[int | None, str]]:
    """(index, id) of each id `item[key]` names: one id (index None) or a list of them."""
    value = item.get(key)
    if isinstance(value, str):
        yield None, value
    elif isinstance(value, list):
        for i, ref in enumerate(value):
            if isinstance(ref, str):
                yield i, ref


def ref_loc(loc: Loc, key: str, index: int | None) -> Loc:
    """Where the id `refs_in` gave sits: the key itself, or its list item."""
    return (*loc, key) if index is None else (*loc, key, index)
