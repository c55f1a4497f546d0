"""What a valid value looks like: messages and hints for field errors.

pydantic says what is wrong in its own terms ("Input should be a valid integer, unable to parse
string as an integer"); a desk officer needs to hear what to write instead. Every message here
says so in the fact format's terms (the format, the scale with its words, the allowed words),
and every hint gives the field's own description and an example from the models (the same text
as docs/facts.md and the editor's hover help).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any, cast

from annotated_types import Ge, Le
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from briefgen.facts.markings import MarkedStr, MarkedText
from briefgen.facts.models import Briefing
from briefgen.facts.risks import RISK_IMPACT, RISK_LIKELIHOOD, Risk

Loc = tuple[str | int, ...]

# Rating scales whose numbers have words (the risk register's likelihood x impact).
SCALES: dict[tuple[type[BaseModel], str], dict[int, str]] = {
    (Risk, "likelihood"): RISK_LIKELIHOOD,
    (Risk, "impact"): RISK_IMPACT,
}
_NUMBER_ERRORS = {
    "int_parsing", "int_type", "int_from_float", "float_parsing", "float_type",
    "greater_than", "greater_than_equal", "less_than", "less_than_equal",
}
_BOOLEAN_ERRORS = {"bool_parsing", "bool_type"}


def field_at(loc: Loc) -> tuple[type[BaseModel] | None, str]:
    """The model and field name a path ends in (list indexes skipped); (None, '') when the path
    leaves the models."""
    model: type[BaseModel] | None = Briefing
    owner: type[BaseModel] | None = None
    name = ""
    for part in loc:
        if isinstance(part, int):
            continue
        if model is None:
            return None, ""
        info = model.model_fields.get(str(part))
        if info is None:
            return None, ""
        owner, name = model, str(part)
        model = model_of(info.annotation)
    return owner, name


def model_of(annotation: object) -> type[BaseModel] | None:
    """The model class inside an annotation (`list[Fact]`, `Annotated[PressLine, …] | None`)."""
    if annotation is MarkedStr:  # validated as a MarkedText mapping (text, classification)
        return MarkedText
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or getattr(annotation, "__metadata__", ()):
        found = model_of(arg)
        if found:
            return found
    origin = getattr(annotation, "__origin__", None)
    return model_of(origin) if origin is not None and origin is not annotation else None


def model_named(name: str) -> type[BaseModel] | None:
    """The fact model called `name` ('Risk', 'AgendaItem'): `Briefing` or a model its fields hold,
    at any depth; None for any other name."""
    return _models_by_name().get(name)


@cache
def _models_by_name() -> dict[str, type[BaseModel]]:
    found: dict[str, type[BaseModel]] = {}
    pending: list[type[BaseModel]] = [Briefing]
    while pending:
        model = pending.pop()
        if model.__name__ not in found:
            found[model.__name__] = model
            pending.extend(sub for info in model.model_fields.values() if (sub := model_of(info.annotation)))
    return found


@cache
def _schema() -> dict[str, Any]:
    from briefgen.facts.schema import fact_schema  # only on the error path: it builds the schema

    return fact_schema()


def _property(model: type[BaseModel], name: str) -> dict[str, Any]:
    schema = _schema()
    target = schema if model is Briefing else schema.get("$defs", {}).get(model.__name__, {})
    found: dict[str, Any] = target.get("properties", {}).get(name, {})
    return found


def field_hint(model: type[BaseModel] | None, name: str) -> str:
    """'Date the brief was prepared (YYYY-MM-DD); printed on the memo. Example: date_prepared:
    2018-08-12' for a field; '' when the path is not a field."""
    if model is None or not name:
        return ""
    prop = _property(model, name)
    description = " ".join(str(prop.get("description", "")).split())
    examples = prop.get("examples") or []
    example = ""
    if examples and not isinstance(examples[0], dict | list):
        value = examples[0]
        shown = "true" if value is True else "false" if value is False else str(value)
        example = f"Example: {name}: {shown}"
    return " ".join(part for part in (description, example) if part)


def _plain(number: float | None) -> float | None:
    """12.0 → 12, so that a message quotes bounds as a person writes them."""
    return int(number) if isinstance(number, float) and number.is_integer() else number


def _bounds(info: FieldInfo) -> tuple[int | None, int | None]:
    low = next((m.ge for m in info.metadata if isinstance(m, Ge)), None)
    high = next((m.le for m in info.metadata if isinstance(m, Le)), None)
    # pydantic types a bound as a protocol of comparables; here they are numbers from Field().
    return cast(int | None, low), cast(int | None, high)


def show(value: object) -> str:
    """A value as the message quotes it: strings in quotes, cut at 60 characters."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…'"


def number_message(model: type[BaseModel], name: str, value: object) -> str:
    """'high' is not a rating: write a whole number from 1 to 5 (1 rare, … 5 almost certain)."""
    info = model.model_fields[name]
    low, high = (_plain(b) for b in _bounds(info))
    scale = SCALES.get((model, name))
    span = f"from {low} to {high}" if low is not None and high is not None else (
        f"of at least {low}" if low is not None else f"of at most {high}" if high is not None else ""
    )
    whole = "a number" if info.annotation is float else "a whole number"
    message = f"{show(value)} is not {whole} {span}".rstrip()
    if scale:
        words = ", ".join(f"{n} {word.lower()}" for n, word in scale.items())
        message = f"{show(value)} is not a {name} rating: write a whole number {span} ({words})"
        if isinstance(value, str):
            wanted = value.strip().lower()
            hit = next((n for n, word in scale.items() if word.lower() == wanted), None)
            if hit is not None:
                message += f" (did you mean {hit}?)"
    return message


def kind_message(kind: str, value: object) -> str | None:
    """Messages for shape errors that do not depend on the field."""
    if kind in _BOOLEAN_ERRORS:
        return f"{show(value)} is not true or false: write true or false"
    if kind == "string_type":
        if isinstance(value, dict):
            return (
                "expected text, found a mapping: quote a value that contains ': ', or check "
                "that the next lines are not indented under this key by mistake"
            )
        if isinstance(value, list):
            return "expected text, found a list: write the text itself, without '- ' or brackets"
        return f"expected text, found {show(value)}"
    if kind == "list_type":
        return f"expected a list, found {show(value)}: write each item on its own line, starting with '- '"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return (
            f"expected a mapping of fields (key: value lines indented under this key), found "
            f"{show(value)}"
        )
    return None


def is_number_error(kind: str) -> bool:
    return kind in _NUMBER_ERRORS


def id_suggestion(value: object) -> str:
    """The id a rejected one most likely meant: lower case, runs of other characters as '-'."""
    if not isinstance(value, str):
        return ""
    slug = re.sub(r"[^a-z0-9._-]+", "-", value.strip().lower()).strip("-._")
    return slug[:80]
