"""The JSON Schema of the fact format: complete help text, true examples, accepts what editors see."""

from __future__ import annotations

import json

import pytest

from briefgen.cli import main
from briefgen.facts.schema import (
    SCHEMA_DIALECT,
    fact_schema,
    properties,
    schema_text,
    write_schema,
)
from briefgen.scaffold import scaffold_text
from tests.conftest import EXAMPLE
from tests.editor_yaml import editor_view

jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is in the test extra")


@pytest.fixture(scope="module")
def schema():
    return fact_schema()


def validator(schema):
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def errors(schema, data):
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator(schema).iter_errors(data)]


def test_schema_is_a_valid_draft_2020_12_schema(schema):
    assert schema["$schema"] == SCHEMA_DIALECT
    jsonschema.Draft202012Validator.check_schema(schema)


def test_schema_every_property_has_a_description_and_an_example(schema):
    seen = list(properties(schema))
    assert len(seen) > 90  # every field of every model, not just the top level
    missing = [f"{m}.{f}" for m, f, p in seen if not p.get("description", "").strip()]
    assert missing == []
    no_example = [f"{m}.{f}" for m, f, p in seen if not p.get("examples")]
    assert no_example == []


def test_schema_examples_validate_against_their_own_property(schema):
    wrong = []
    for model, field, prop in properties(schema):
        sub = {"$defs": schema["$defs"], **prop}
        for example in prop["examples"]:
            if list(validator(sub).iter_errors(example)):
                wrong.append(f"{model}.{field}: {example!r}")
    assert wrong == []


def test_schema_worked_example_validates_as_an_editor_reads_it(schema):
    data = editor_view(EXAMPLE.read_text(encoding="utf-8"))
    assert data["risks"][0]["likelihood"] == 4  # YAML 1.2: numbers are numbers…
    assert data["date_prepared"] == "2018-08-12"  # …and dates are strings
    assert errors(schema, data) == []


def test_schema_scaffold_validates(schema):
    from datetime import date

    assert errors(schema, editor_view(scaffold_text("x", today=date(2024, 5, 1)))) == []


def test_schema_accepts_the_loaders_shorthands(schema):
    data = editor_view(scaffold_text("x"))
    data["facts"][0]["sources"] = "example-source"  # one id instead of a list
    data["agenda"][0]["points"] = ["A sentence is a point."]
    data["press_line"] = "A sentence is a press line."
    assert errors(schema, data) == []


@pytest.mark.parametrize(
    ("path", "value", "word"),
    [
        (("marking", "schem"), "us", "Additional properties"),
        (("agenda", 0, "likelihood"), "probable", "is not one of"),
        (("risks", 0, "likelihood"), 6, "not valid under any"),
        (("facts", 0, "date"), "13 August 2018", "not valid under any"),
        (("sources", 0, "date"), "13 August 2018", "not valid under any"),
        (("sources", 0, "id"), "Has Capitals", "not valid under any"),
    ],
)
def test_schema_flags_what_the_loader_rejects(schema, path, value, word):
    data = editor_view(scaffold_text("x"))
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    found = errors(schema, data)
    assert found and any(word in e for e in found), found


def test_schema_wraps_refs_so_draft7_editors_keep_descriptions(schema):
    marking = schema["properties"]["marking"]
    assert "$ref" not in marking
    assert marking["allOf"] == [{"$ref": "#/$defs/Marking"}]
    assert marking["description"]


def test_schema_command_prints_and_writes_the_same_text(tmp_path, capsys):
    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads(schema_text())
    out = tmp_path / "s.json"
    assert main(["schema", "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == schema_text()
    assert write_schema(out) == out
    assert out.read_text(encoding="utf-8") == schema_text()


# Plain scalars a person types; the loader keeps each as its text, an editor reads YAML 1.2.
SCALARS = [
    "2024", "2024-05", "2024-05-02", "2018-08-13T10:00:00+03:00", "true", "True", "yes", "no",
    "on", "off", "y", "1", "0", "4", "4.0", "12.5", "-3", "1e3", "abc", "Has Capitals", "~", "null",
    "'4'", '"2024"', "https://example.org/x", "B2", "en-GB", "certain", "us",
]


def _field_adapter(info):
    from typing import Annotated

    from pydantic import TypeAdapter

    if not info.metadata:
        return TypeAdapter(info.annotation)
    return TypeAdapter(Annotated[(info.annotation, *info.metadata)])


def test_schema_accepts_every_scalar_the_loader_accepts(schema):
    """`date: 2024`, `title: 2024`, `likelihood: "4"`, `principal: yes`: whatever briefgen
    accepts in a field, the schema accepts as an editor reads it (no false underlines)."""
    import yaml as pyyaml

    from briefgen.facts.models import Briefing
    from briefgen.facts.schema import _models

    wrong = []
    checked = 0
    for model in _models(Briefing):
        target = schema if model is Briefing else schema["$defs"][model.__name__]
        for name, info in model.model_fields.items():
            adapter = _field_adapter(info)
            sub = {"$defs": schema["$defs"], **target["properties"][name]}
            for written in SCALARS:
                loaded = pyyaml.safe_load(f"v: {written}")["v"]
                # What the loader hands pydantic: the text of a plain scalar, None for null words.
                as_read = None if written in ("~", "null") else (
                    loaded if written[0] in "'\"" else written
                )
                try:
                    adapter.validate_python(as_read)
                except Exception:
                    continue
                checked += 1
                if list(validator(sub).iter_errors(editor_view(f"v: {written}")["v"])):
                    wrong.append(f"{model.__name__}.{name}: {written}")
    assert checked > 500
    assert wrong == []
