"""The fact format as JSON Schema (for editors) and as a Markdown reference (docs/facts.md).

Both come from the pydantic models of `briefgen.facts` (`Briefing` and the models of its parts),
so they cannot drift from what the loader accepts. The schema describes what a YAML editor sees
(YAML 1.2: numbers are numbers, dates are strings) and the loader's conveniences: a single id
where a list of ids is expected, a plain sentence where a point or a press line is expected.

    briefgen schema [-o FILE]              # the JSON Schema
    briefgen schema --markdown [-o FILE]   # docs/facts.md

It belongs to the fact layer because the loader's hints (`briefgen.facts.hints`) quote the same
descriptions and examples; `briefgen schema` and `briefgen init` write them.
"""

from __future__ import annotations

import copy
import json
import re
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import AfterValidator, BaseModel, BeforeValidator

from briefgen.facts import agenda, fields, markings, models
from briefgen.facts.models import Briefing

SCHEMA_FILENAME = "briefgen.schema.json"
SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
PARTIAL_DATE_PATTERN = r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$"
DOCS_COMMAND = "briefgen schema --markdown -o docs/facts.md"

# Validators of the models that widen what the YAML may say; the schema must say so too.
_WIDENERS = {
    fields.list_of: "one-or-list",
    agenda._point_input: "sentence-or-point",
    models._press_input: "sentence-or-object",
    markings._text_input: "sentence-or-marked",
}
_PARTIAL_DATE_CHECK = fields._check_partial_date

Schema = dict[str, Any]


# ---------------------------------------------------------------------------------------------
# JSON Schema


def fact_schema() -> Schema:
    """The JSON Schema of a fact file, as an editor should apply it to the YAML."""
    schema = Briefing.model_json_schema(mode="validation")
    for model in _models(Briefing):
        target = schema if model is Briefing else schema["$defs"][model.__name__]
        for name, info in model.model_fields.items():
            prop = target["properties"][name]
            _widen(prop, _markers(info.annotation, info.metadata))
    for _model, _field, prop in properties(schema):
        if "examples" not in prop:
            prop["examples"] = [_synthesise(prop, schema["$defs"])]
        _accept_editor_scalars(prop)
    _wrap_refs(schema)
    return {
        "$schema": SCHEMA_DIALECT,
        "title": "briefgen fact file",
        **{k: v for k, v in schema.items() if k != "title"},
    }


def schema_text() -> str:
    """The schema as the text written to files: stable key order, UTF-8, final newline."""
    return json.dumps(fact_schema(), indent=2, ensure_ascii=False) + "\n"


def write_schema(path: Path) -> Path:
    """Write the schema to `path` (through `briefgen.outputs`: atomically, or into a device or
    pipe; the target is never read first). Raises `OutputProblem` when it cannot be written."""
    from briefgen.outputs import write_atomic

    return write_atomic(path, schema_text().encode("utf-8"))


def write_facts_markdown(path: Path) -> Path:
    """Write the Markdown reference (docs/facts.md) to `path`, as `write_schema` does."""
    from briefgen.outputs import write_atomic

    return write_atomic(path, facts_markdown().encode("utf-8"))


def _models(root: type[BaseModel]) -> list[type[BaseModel]]:
    """Every model reachable from `root`, root first, in field order."""
    found: list[type[BaseModel]] = []

    def visit(model: type[BaseModel]) -> None:
        if model in found:
            return
        found.append(model)
        for info in model.model_fields.values():
            for sub in _walk_types(info.annotation):
                if isinstance(sub, type) and issubclass(sub, BaseModel):
                    visit(sub)

    visit(root)
    return found


def _walk_types(annotation: object) -> Iterator[object]:
    # A MarkedStr field is validated as a MarkedText model (a sentence or text + classification).
    yield markings.MarkedText if annotation is markings.MarkedStr else annotation
    for arg in typing.get_args(annotation):
        yield from _walk_types(arg)


def _markers(annotation: object, metadata: list[object]) -> set[str]:
    """Which widening validators (see `_WIDENERS`) apply to a field, at which depth."""
    found: set[str] = set()

    def scan(meta: list[object] | tuple[object, ...], depth: str) -> None:
        for item in meta:
            func = getattr(item, "func", None)
            if isinstance(item, BeforeValidator) and func in _WIDENERS:
                found.add(depth + _WIDENERS[func])
            if isinstance(item, AfterValidator) and func is _PARTIAL_DATE_CHECK:
                found.add("partial-date")

    def walk(tp: object, depth: str) -> None:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            inner, *meta = typing.get_args(tp)
            scan(meta, depth)
            walk(inner, depth)
        elif origin is list:
            for arg in typing.get_args(tp):
                walk(arg, "items:")
        else:
            for arg in typing.get_args(tp):
                walk(arg, depth)

    scan(metadata, "")
    walk(annotation, "")
    return found


_DOC_KEYS = ("title", "description", "examples", "default")
_SENTENCE = {"type": "string", "minLength": 1}


def _widen(prop: Schema, markers: set[str]) -> None:
    """Adjust one property's schema in place for the loader's conveniences."""
    if "partial-date" in markers:
        for leaf in _string_leaves(prop):
            leaf["pattern"] = PARTIAL_DATE_PATTERN
    if "one-or-list" in markers and prop.get("type") == "array":
        array = {k: v for k, v in prop.items() if k not in _DOC_KEYS}
        single = copy.deepcopy(prop["items"])
        for key in [k for k in prop if k not in _DOC_KEYS]:
            del prop[key]
        prop["anyOf"] = [array, single]
    if "items:sentence-or-point" in markers and "items" in prop:
        prop["items"] = {"anyOf": [dict(_SENTENCE), prop["items"]]}
    if "sentence-or-object" in markers and "anyOf" in prop:
        prop["anyOf"].insert(0, dict(_SENTENCE))
    if "sentence-or-marked" in markers:
        _sentence_or(prop)
    if "items:sentence-or-marked" in markers and "items" in prop:
        prop["items"] = {"anyOf": [dict(_SENTENCE), prop["items"]]}


def _sentence_or(prop: Schema) -> None:
    """A MarkedText property: also a plain sentence (`summary: Text.` as well as a mapping)."""
    if "anyOf" in prop:
        if _SENTENCE not in prop["anyOf"]:
            prop["anyOf"].insert(0, dict(_SENTENCE))
    elif "$ref" in prop:
        prop["anyOf"] = [dict(_SENTENCE), {"$ref": prop.pop("$ref")}]


# What briefgen makes of a plain scalar that a YAML 1.2 editor reads as a number or a boolean:
# the loader keeps every scalar as the text written and pydantic converts it, so `date: 2024`,
# `title: 2024`, `id: 2024`, `likelihood: "4"` and `principal: yes` are all valid fact files.
# The schema accepts the same, so an editor never underlines a file briefgen accepts.
_BOOLEAN_WORDS = ("0", "1", "f", "false", "n", "no", "off", "on", "t", "true", "y", "yes")
_NUMBER_TEXT = r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$"
_VALIDATION_KEYS = ("type", "pattern", "minLength", "maxLength", "minimum", "maximum", "format")
EDITOR_READING = "what a YAML editor reads where briefgen reads the same text"


def _accept_editor_scalars(node: Schema) -> None:
    """Widen every scalar leaf of a property (through anyOf, allOf and items) in place."""
    for key in ("anyOf", "allOf", "oneOf"):
        for sub in node.get(key, []):
            _accept_editor_scalars(sub)
    if isinstance(node.get("items"), dict):
        _accept_editor_scalars(node["items"])
    kind = node.get("type")
    if "enum" in node or "const" in node or not isinstance(kind, str):
        return
    alternatives: list[Schema] = []
    if kind == "string" and node.get("pattern") == PARTIAL_DATE_PATTERN:
        alternatives = [{"type": "integer", "minimum": 1000, "maximum": 9999}]  # date: 2024
    elif kind == "string" and node.get("pattern") == fields.ID_PATTERN:
        alternatives = [{"type": "number", "minimum": 0}, {"type": "boolean"}]  # id: 2024
    elif kind == "string" and "pattern" not in node and "format" not in node:
        node["type"] = ["string", "number", "boolean"]  # title: 2024, note: yes
    elif kind == "integer":
        low, high = node.get("minimum"), node.get("maximum")
        if isinstance(low, int) and isinstance(high, int) and high - low <= 100:
            alternatives = [{"type": "string", "enum": [str(n) for n in range(low, high + 1)]}]
        else:
            alternatives = [{"type": "string", "pattern": r"^\s*[+-]?\d+\s*$"}]
    elif kind == "number":
        alternatives = [{"type": "string", "pattern": _NUMBER_TEXT}]
    elif kind == "boolean":
        words = sorted({v for w in _BOOLEAN_WORDS for v in (w, w.capitalize(), w.upper())})
        alternatives = [{"type": "string", "enum": words}, {"type": "integer", "enum": [0, 1]}]
    if alternatives:
        own = {k: node.pop(k) for k in _VALIDATION_KEYS if k in node}
        node["anyOf"] = [own, *({**a, "$comment": EDITOR_READING} for a in alternatives)]


def _synthesise(node: Schema, defs: dict[str, Schema]) -> object:
    """An example for a property that has none: built from the examples of the required fields
    of the model it holds (so it is as true as they are)."""
    if "examples" in node:
        return node["examples"][0]
    if "$ref" in node:
        target = defs[node["$ref"].rsplit("/", 1)[-1]]
        if "enum" in target:
            return target["enum"][0]
        # The required fields; for a model whose fields are all optional, its first few.
        names = target.get("required") or list(target.get("properties", {}))[:3]
        return {name: _synthesise(target["properties"][name], defs) for name in names}
    if "anyOf" in node:
        objects = [o for o in node["anyOf"] if "$ref" in o] or [node["anyOf"][0]]
        return _synthesise(objects[0], defs)
    if node.get("type") == "array":
        return [_synthesise(node.get("items", {}), defs)]
    return node.get("default", "")


def _string_leaves(node: Schema) -> Iterator[Schema]:
    if node.get("type") == "string":
        yield node
    for sub in node.get("anyOf", []):
        yield from _string_leaves(sub)


def _wrap_refs(node: object) -> None:
    """`{"$ref": X, "description": …}` → `{"allOf": [{"$ref": X}], "description": …}`: draft-07
    tools (several YAML editors) ignore the siblings of a `$ref`, and with them the help text."""
    if isinstance(node, dict):
        if "$ref" in node and len(node) > 1:
            node["allOf"] = [{"$ref": node.pop("$ref")}]
        for value in node.values():
            _wrap_refs(value)
    elif isinstance(node, list):
        for value in node:
            _wrap_refs(value)


def properties(schema: Schema | None = None) -> Iterator[tuple[str, str, Schema]]:
    """(model name, field name, property schema) for every field of every model in the schema."""
    schema = schema or fact_schema()
    yield from (("Briefing", k, v) for k, v in schema["properties"].items())
    for name, definition in schema.get("$defs", {}).items():
        for key, value in definition.get("properties", {}).items():
            yield name, key, value


# ---------------------------------------------------------------------------------------------
# Markdown reference (docs/facts.md)

_INTRO = """\
A fact file is one YAML document describing one briefing. This reference is generated from the
models in `briefgen/facts/` (the same models the loader validates with), so it is always what
`briefgen check` accepts. Unknown keys are errors everywhere (a misspelt key is reported
with a suggestion). Editors that understand JSON Schema complete and check these fields: see
[authoring.md](authoring.md).

Conventions that hold throughout:

- *text* is a non-empty string; surrounding spaces are removed. Use `>-` for long paragraphs.
- An *id* is lower-case letters, digits, `.`, `_` or `-`, unique within its list; other parts
  of the file refer to it (`sources: [seed-report]`). A single id may be written without the
  brackets.
- A *partial date* is as precise as known: `2018-08-13`, `2018-08` or `2018`.
- Where a *point* is expected (objectives, points to make) a plain sentence will do; write a
  mapping (`text:` and `facts:`) to cite facts.
- Every text-bearing item can carry its own `classification:` (a level of the pack's scheme,
  optionally with controls: `SECRET//NOFORN`, `CONFIDENTIAL`). Items that are mappings (facts,
  points, risks, …) take a `classification` key; plain texts (summary, context, headline,
  position, if-raised questions and responses, next steps) may be written as a mapping
  `{text: ..., classification: ...}` ([MarkedText](#markedtext)). The rules are in
  [markings.md](markings.md).
- Beyond field validation, `briefgen check` cross-checks the file: every referenced id exists,
  dates are in order, red and amber risks have a rationale, judgment terms belong to the
  declared lexicon, facts not usable in conversation are not cited in spoken lines, portion
  markings do not exceed the document's marking, the press line is at the scheme's lowest
  level, and nothing said to the counterpart is NOFORN or UK EYES ONLY.
"""


def facts_markdown(schema: Schema | None = None) -> str:
    """The fact-format reference, docs/facts.md."""
    schema = schema or fact_schema()
    defs: dict[str, Schema] = schema.get("$defs", {})
    out = [
        "# Fact format reference",
        "",
        f"<!-- Generated from the models in briefgen/facts/ by `{DOCS_COMMAND}`. Do not edit by hand:",
        "     tests/test_docs.py fails when this file is out of date. -->",
        "",
        _INTRO,
    ]
    order = ["Briefing"] + [m.__name__ for m in _models(Briefing)[1:]]
    for name in order:
        definition = schema if name == "Briefing" else defs[name]
        used_in = [
            f"`{field}` ({_link(model)})"
            for model, field, prop in properties(schema)
            if f"#/$defs/{name}" in json.dumps(prop)
        ]
        out.append(f"## {name}")
        out.append("")
        description = definition.get("description", "")
        if name == "Briefing":
            description = "The top level of a fact file. " + description
        out.append(" ".join(description.split()))
        if used_in:
            out += ["", "Used in: " + ", ".join(used_in) + "."]
        out += ["", "| Field | Type | Required | Description | Example |", "|:--|:--|:--|:--|:--|"]
        required = set(definition.get("required", []))
        for field, prop in definition.get("properties", {}).items():
            needed = "yes" if field in required else _default(prop)
            cells = [
                f"`{field}`",
                _type(prop, defs),
                needed,
                " ".join(prop.get("description", "").split()),
                _example(prop),
            ]
            out.append("| " + " | ".join(_cell(c) for c in cells) + " |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _link(name: str) -> str:
    return f"[{name}](#{name.lower()})"


def _type(prop: Schema, defs: dict[str, Schema]) -> str:
    if "allOf" in prop and len(prop["allOf"]) == 1:
        return _type({**prop["allOf"][0], **{k: v for k, v in prop.items() if k != "allOf"}}, defs)
    if "$ref" in prop:
        name = prop["$ref"].rsplit("/", 1)[-1]
        target = defs[name]
        if "enum" in target:
            return "one of " + ", ".join(f"`{v}`" for v in target["enum"])
        return _link(name)
    if "anyOf" in prop:
        readings = [o for o in prop["anyOf"] if o.get("$comment") != EDITOR_READING]
        if len(readings) == 1:  # the field's own type, widened for editors only
            return _type({**readings[0], **{k: v for k, v in prop.items() if k != "anyOf"}}, defs)
        options = [o for o in readings if o.get("type") != "null"]
        text = " or ".join(dict.fromkeys(_type(o, defs) for o in options))
        return text + (" (may be empty)" if len(options) < len(readings) else "")
    if "const" in prop:
        return f"`{prop['const']}`"
    if "enum" in prop:
        return "one of " + ", ".join(f"`{v}`" for v in prop["enum"])
    kind = prop.get("type")
    if isinstance(kind, list):  # text that may also be written as a number or true/false
        kind = kind[0]
    if kind == "array":
        text = f"list of {_type(prop.get('items', {}), defs)}"
        if "minItems" in prop or "maxItems" in prop:
            low, high = prop.get("minItems", 0), prop.get("maxItems")
            text += f" ({low}–{high} items)" if high else f" (at least {low})"
        return text
    if kind == "integer":
        low, high = prop.get("minimum"), prop.get("maximum")
        return f"integer {low}–{high}" if low is not None and high is not None else "integer"
    if kind == "boolean":
        return "`true` or `false`"
    if kind == "string":
        if prop.get("format") == "date":
            return "date (YYYY-MM-DD)"
        if prop.get("format") == "date-time":
            return "date and time with zone"
        if prop.get("pattern") == PARTIAL_DATE_PATTERN:
            return "partial date"
        if prop.get("pattern") == r"^[a-z0-9][a-z0-9._-]*$":
            return "id"
        if "pattern" in prop:
            return f"text matching `{prop['pattern']}`"
        return "text"
    return kind or "any"


def _default(prop: Schema) -> str:
    if "default" not in prop:
        return "no"
    value = prop["default"]
    if value in (None, [], {}):
        return "no"
    return f"no (default {_flow(value)})"


def _example(prop: Schema) -> str:
    examples = prop.get("examples")
    if not examples:
        return ""
    return ", ".join(_flow(e) for e in examples[:2])


def _flow(value: object) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000, sort_keys=False)
    text = text.strip().removesuffix("...").strip()
    text = re.sub(r"'(\d{4}(?:-\d{2}){0,2})'", r"\1", text)  # dates read as strings in YAML 1.2
    return f"`{text}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
