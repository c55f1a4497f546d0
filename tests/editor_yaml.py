"""What a schema-aware YAML editor (yaml-language-server) sees in a fact file: the YAML 1.2 core
schema, where dates stay strings and only true/false are booleans (PyYAML alone follows YAML
1.1). Only the tests need it, to check the JSON Schema against what an editor validates; briefgen
itself reads fact files through its one loader, briefgen.facts.loader."""

from __future__ import annotations

import re

import yaml


class _EditorLoader(yaml.SafeLoader):
    """YAML 1.2 core schema, as yaml-language-server reads a file: dates stay strings and only
    true/false are booleans (PyYAML alone follows YAML 1.1)."""


_EditorLoader.yaml_implicit_resolvers = {}
for _tag, _pattern, _first in (
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    ("float", r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)"
     r"|\.(?:nan|NaN|NAN))$", "-+0123456789."),
    ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
):
    _EditorLoader.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}", re.compile(_pattern), list(_first))


def _core_bool(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> bool:
    return str(node.value).lower() == "true"


_EditorLoader.add_constructor("tag:yaml.org,2002:bool", _core_bool)


def editor_view(text: str) -> object:
    """Load YAML text the way a schema-aware editor does, for validating it against the schema."""
    return yaml.load(text, Loader=_EditorLoader)
