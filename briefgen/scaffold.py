"""Starting points for authors: a new, commented fact file (`briefgen init`) and a copy of the
built-in templates and reference documents to customise (`briefgen templates export`).

The scaffold's comments come from the field descriptions of the models (via the JSON Schema),
so they say the same as docs/facts.md and the editor's hover help. The starter content is a
small, valid briefing: `briefgen check` passes on it as written.
"""

from __future__ import annotations

import os
import re
import textwrap
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

from briefgen.errors import UsageProblem
from briefgen.facts.schema import SCHEMA_FILENAME, Schema, fact_schema, write_schema
from briefgen.intake import FACTS_LIMIT, InputRefused, read_text
from briefgen.linebreaks import split_lines
from briefgen.outputs import ensure_folder, write_atomic
from briefgen.resources import REFERENCE_FILES, builtin_template_dir

MODELINE_PREFIX = "# yaml-language-server: $schema="
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,119}$")
_DATE = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")
_WIDTH = 100


@dataclass(frozen=True)
class Scaffolded:
    facts: Path
    schema: Path


def starter(today: date) -> dict[str, Any]:
    """The starter briefing: every section filled with short, valid placeholder content."""
    return {
        "title": "Meeting with the Foreign Minister of Example",
        "kind": "meeting-brief",
        "marking": {"scheme": "us", "level": "UNCLASSIFIED", "caveats": [], "portion_marks": False},
        "prepared_for": "The Minister",
        "prepared_by": "Example Desk",
        "date_prepared": today.isoformat(),
        "information_as_of": today.isoformat(),
        "summary": "Replace with the bottom line: what the principal must know and do, in at most "
        "four lines.",
        "headline": "Replace with the point of the meeting in one short sentence",
        "context": "Replace with why this meeting happens now and the state of play.",
        "meeting": {
            "title": "Bilateral meeting with the Foreign Minister of Example",
            "start": (today + timedelta(days=7)).isoformat(),
            "city": "Capital City",
            "country": "Example",
            "format": "Bilateral talks, delegations",
            "participants": ["our-minister", "their-minister"],
        },
        "people": [
            {
                "id": "our-minister",
                "name": "Our Minister",
                "role": "Minister of Foreign Affairs",
                "side": "ours",
                "principal": True,
                "bio": "Replace with a two- or three-sentence biography.",
                "sources": ["example-source"],
            },
            {
                "id": "their-minister",
                "name": "Their Minister",
                "role": "Minister of Foreign Affairs",
                "organisation": "Republic of Example",
                "side": "theirs",
                "principal": True,
            },
        ],
        "objectives": {
            "ours": [{"text": "Replace with our first objective.", "facts": ["example-fact"]}],
            "theirs": ["Replace with what they will ask for."],
        },
        "agenda": [
            {
                "id": "first-item",
                "title": "First agenda item",
                "headline": "Replace with the point of this item in one sentence",
                "likelihood": "certain",
                "summary": "Replace with the state of play in one line.",
                "position": "Replace with our position on this item.",
                "points": [{"text": "Replace with a point to make.", "facts": ["example-fact"]}],
                "if_raised": [
                    {
                        "question": "Replace with a question they may raise.",
                        "response": "Replace with the response.",
                    }
                ],
                "background": ["example-fact"],
                "risks": ["example-risk"],
            }
        ],
        "facts": [
            {
                "id": "example-fact",
                "statement": "Replace with a sourced fact, in one or two sentences.",
                "date": today.isoformat(),
                "sources": ["example-source"],
            }
        ],
        "risks": [
            {
                "id": "example-risk",
                "title": "Replace with a short name for the risk",
                "description": "Replace with what could happen.",
                "likelihood": 2,
                "impact": 2,
                "rationale": "Replace with why it is rated so.",
                "mitigation": "Replace with how we handle it.",
                "owner": "Example Desk",
                "trend": "steady",
                "agenda": ["first-item"],
            }
        ],
        "judgments": {
            "lexicon": "icd203",
            "drafter_note": "These judgments are the drafting desk's own.",
            "items": [
                {
                    "statement": "Replace with what we judge will happen.",
                    "likelihood": "likely",
                    "confidence": "moderate",
                    "basis": ["example-fact"],
                }
            ],
        },
        "timeline": [
            {
                "date": (today + timedelta(days=7)).isoformat(),
                "event": "The meeting.",
                "highlight": True,
            }
        ],
        "sources": [
            {
                "id": "example-source",
                "title": "Replace with the title of the report",
                "publisher": "Replace with the publisher",
                "date": today.isoformat(),
                "url": "https://www.example.org/replace-with-the-address",
                "type": "news",
            }
        ],
        "press_line": {
            "line": "Replace with the agreed line to take with the press.",
            "if_asked": [
                {
                    "question": "Replace with a question the press may ask.",
                    "response": "Replace with the answer.",
                }
            ],
        },
        "next_steps": ["Replace with a follow-up action."],
        "output": {"language": "en-GB", "page_budget": 2},
    }


def scaffold_text(name: str, *, schema_ref: str = SCHEMA_FILENAME, today: date | None = None) -> str:
    """The text of a new fact file: modeline, header, and every section, commented."""
    schema = fact_schema()
    header = [
        f"{MODELINE_PREFIX}{schema_ref}",
        f"# Briefing {name}: written by `briefgen init`. Replace the example text in every section,",
        "# then run `briefgen check` on this file (or `briefgen watch` to rebuild as you save).",
        "# Lines starting with '#' are comments; commented-out keys are optional. The full",
        "# reference is docs/facts.md; an editor with the YAML extension completes and checks fields.",
        "",
    ]
    body = _Emitter(schema).mapping(starter(today or date.today()), schema, 0, explain=True)
    return "\n".join(header + body) + "\n"


def scaffold_target(name: str, folder: Path) -> tuple[str, Path]:
    """The stem and path of the fact file `init NAME` writes: `<folder>/<stem>.yaml`. Raises
    `UsageProblem` when NAME is not a usable file name."""
    stem = name.removesuffix(".yaml").removesuffix(".yml")
    if not _NAME.match(stem):
        raise UsageProblem(
            f"{name!r} is not a usable briefing name: use letters, digits, '.', '_' or '-' "
            "(no folders: use --dir)"
        )
    return stem, folder / f"{stem}.yaml"


def init_briefing(
    name: str,
    folder: Path,
    *,
    source: Path | None = None,
    force: bool = False,
    today: date | None = None,
) -> Scaffolded:
    """Write `<folder>/<name>.yaml` (and the schema beside it); refuse to overwrite unless `force`."""
    stem, target = scaffold_target(name, folder)
    if target.exists() and not force:
        raise UsageProblem(f"{target} already exists; use --force to overwrite it")
    schema_path = folder / SCHEMA_FILENAME
    reference = Path(os.path.relpath(schema_path, folder)).as_posix()
    if source is not None:
        text = _from_existing(source, reference)
    else:
        text = scaffold_text(stem, schema_ref=reference, today=today)
    write_schema(schema_path)
    write_atomic(target, text.encode("utf-8"))
    return Scaffolded(target, schema_path)


def _from_existing(source: Path, reference: str) -> str:
    """An existing briefing's text, comments and all, with our modeline first. The source is
    read as every fact file is (`briefgen.intake`): a regular file of at most 10 MB. It must be
    a valid fact file, as the new file is promised to be: raises `InvalidFacts` with every
    problem located in the source (nothing is written); its warnings are left to `check`."""
    from briefgen.facts import load_facts

    try:
        text = read_text(source, FACTS_LIMIT, "fact file")
    except InputRefused as exc:
        if exc.missing:
            raise UsageProblem(str(exc)) from None
        raise
    load_facts(source, raw=text.encode("utf-8"))
    # Lines as YAML cuts them: str.splitlines() would also cut at a form feed inside a value.
    lines = split_lines(text)
    if lines[-1] == "":
        lines.pop()  # the break that ends the last line
    lines = [ln for ln in lines if not ln.startswith(MODELINE_PREFIX)]
    return "\n".join([f"{MODELINE_PREFIX}{reference}", *lines]) + "\n"


# ---------------------------------------------------------------------------------------------
# A small YAML writer that puts the schema's descriptions beside the keys


class _Emitter:
    def __init__(self, schema: Schema) -> None:
        self.defs: dict[str, Schema] = schema.get("$defs", {})

    def resolve(self, node: Schema) -> Schema:
        """The object or enum definition a property refers to, if any."""
        for candidate in [node, *node.get("allOf", []), *node.get("anyOf", [])]:
            if "$ref" in candidate:
                return self.defs[candidate["$ref"].rsplit("/", 1)[-1]]
        items = node.get("items")
        if isinstance(items, dict):
            return self.resolve(items)
        return {}

    def comment(self, prop: Schema, indent: int, required: bool) -> list[str]:
        text = " ".join(prop.get("description", "").split())
        target = self.resolve(prop)
        allowed = prop.get("enum") or target.get("enum")
        if allowed and "Allowed" not in text:
            text += " Allowed: " + ", ".join(map(str, allowed)) + "."
        if required:
            text += " Required."
        pad = " " * indent
        return textwrap.wrap(text, _WIDTH - indent, initial_indent=f"{pad}# ", subsequent_indent=f"{pad}# ")

    def mapping(self, data: dict[str, Any], model: Schema, indent: int, *, explain: bool) -> list[str]:
        out: list[str] = []
        pad = " " * indent
        required = set(model.get("required", []))
        for key, prop in model.get("properties", {}).items():
            top = indent == 0
            if explain:
                if top and out:
                    out.append("")
                out.extend(self.comment(prop, indent, key in required))
            if key not in data:
                if explain:
                    example = prop.get("examples", [None])[0]
                    out.append(f"{pad}# {key}: {_flow(example)}")
                continue
            out.extend(self.value(key, data[key], prop, indent, explain=explain))
        return out

    def value(self, key: str, value: Any, prop: Schema, indent: int, *, explain: bool) -> list[str]:
        pad = " " * indent
        target = self.resolve(prop)
        if isinstance(value, dict):
            return [f"{pad}{key}:", *self.mapping(value, target, indent + 2, explain=explain)]
        if isinstance(value, list):
            if not value:
                return [f"{pad}{key}: []"]
            if all(isinstance(v, str) and len(v) <= 40 and " " not in v for v in value):
                return [f"{pad}{key}: [{', '.join(_scalar(v) for v in value)}]"]
            out = [f"{pad}{key}:"]
            for i, item in enumerate(value):
                if isinstance(item, dict):
                    lines = self.mapping(item, target, indent + 4, explain=explain and i == 0)
                    first = next(n for n, ln in enumerate(lines) if not ln.lstrip().startswith("#"))
                    # The first key goes on the dash line; comments before it stay above the dash.
                    lines[:first] = [f"{pad}  {ln.lstrip()}" for ln in lines[:first]]
                    lines[first] = f"{pad}  - {lines[first].lstrip()}"
                    out.extend(lines)
                else:
                    out.extend(_block_scalar(f"{pad}  - ", str(item), indent + 4))
            return out
        return _block_scalar(f"{pad}{key}: ", value, indent + 2)


def _scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and _DATE.match(value):
        return value
    text = yaml.safe_dump(
        value, allow_unicode=True, width=1_000_000, default_flow_style=True, sort_keys=False
    )
    return text.strip().removesuffix("...").strip()


def _flow(value: object) -> str:
    if isinstance(value, dict | list):
        return _scalar(value)
    return "" if value is None else _scalar(value)


def _block_scalar(lead: str, value: object, indent: int) -> list[str]:
    """`key: value`, or a folded `>-` block when a sentence would make the line too long."""
    text = _scalar(value)
    if not isinstance(value, str) or len(lead) + len(text) <= _WIDTH:
        return [f"{lead}{text}"]
    pad = " " * indent
    return [f"{lead}>-", *textwrap.wrap(value, _WIDTH - indent, initial_indent=pad, subsequent_indent=pad)]


# ---------------------------------------------------------------------------------------------
# templates export


def builtin_files() -> list[Path]:
    """The built-in templates (*.j2) and reference documents a user may customise."""
    folder = builtin_template_dir()
    files = sorted(folder.glob("*.j2")) + [folder / name for name in REFERENCE_FILES]
    return [f for f in files if f.is_file()]


def export_templates(dest: Path, *, force: bool = False) -> list[Path]:
    """Copy the built-in templates and reference documents into `dest`; refuse, copying
    nothing, if any would be overwritten and `force` is not given."""
    files = builtin_files()
    if dest.exists() and not dest.is_dir():
        raise UsageProblem(f"{dest} exists and is not a folder")
    clashes = [dest / f.name for f in files if (dest / f.name).exists()]
    if clashes and not force:
        names = ", ".join(str(c) for c in clashes)
        raise UsageProblem(f"would overwrite {names}; use --force to replace them")
    ensure_folder(dest)
    return [write_atomic(dest / f.name, f.read_bytes()) for f in files]
