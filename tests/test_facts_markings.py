"""Marking rules on fact files: every classification validated and located, the banner derived,
disclosure rules, the authority block. Variants of the worked example are built as data, written
as YAML, and every problem's line and column is checked against where PyYAML puts the key."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from briefgen.errors import InvalidFacts, Problem
from briefgen.facts import load_facts, portions
from briefgen.facts.positions import format_loc
from tests.conftest import EXAMPLE

Loc = tuple[str | int, ...]
AUTHORITY = {
    "classified_by": "J. Smith, Director",
    "derived_from": "Multiple Sources",
    "declassify_on": "20431231",
}


def example_data() -> dict[str, Any]:
    return yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))


def secret_noforn(data: dict[str, Any] | None = None) -> dict[str, Any]:
    """The worked example as a US SECRET//NOFORN pack whose points are releasable."""
    data = copy.deepcopy(data or example_data())
    data["marking"] = {
        "scheme": "us",
        "level": "SECRET",
        "caveats": ["NOFORN"],
        "portion_marks": True,
        "default_portion": "SECRET",
        "authority": dict(AUTHORITY),
    }
    return data


def write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "brief.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=200), encoding="utf-8")
    return path


def node_position(path: Path, loc: Loc, *, key: bool = False) -> tuple[int, int]:
    """1-based (line, column) of the value (or key) at `loc`, as PyYAML composes the file."""
    node = yaml.compose(path.read_text(encoding="utf-8"))
    key_node = None
    for part in loc:
        if isinstance(part, int):
            node = node.value[part]
        else:
            key_node, node = next((k, v) for k, v in node.value if k.value == part)
    mark = (key_node if key and key_node is not None else node).start_mark
    return mark.line + 1, mark.column + 1


def problems(path: Path) -> list[Problem]:
    try:
        return load_facts(path).warnings
    except InvalidFacts as exc:
        return exc.problems


def at(found: list[Problem], loc: Loc) -> list[Problem]:
    return [p for p in found if p.path == format_loc(loc)]


def set_at(data: Any, loc: Loc, value: Any) -> None:
    node = data
    for part in loc[:-1]:
        node = node[part]
    node[loc[-1]] = value


def get_at(data: Any, loc: Loc) -> Any:
    node = data
    for part in loc:
        node = node[part]
    return node


def mark_portion(data: dict[str, Any], loc: Loc, classification: str) -> Loc:
    """Give the portion at `loc` a classification; return where it is written."""
    node = get_at(data, loc) if _exists(data, loc) else None
    if isinstance(node, dict):
        node["classification"] = classification
    elif isinstance(node, str):
        key = "line" if loc == ("press_line",) else "text"
        set_at(data, loc, {key: node, "classification": classification})
    else:
        set_at(data, loc, {"text": "Added for the test.", "classification": classification})
    return (*loc, "classification")


def _exists(data: Any, loc: Loc) -> bool:
    try:
        get_at(data, loc)
    except (KeyError, IndexError, TypeError):
        return False
    return True


def portion_places() -> list[Loc]:
    """One concrete loc per entry of the checks' table of portions (index 0 for every list)."""
    data = example_data()
    data.setdefault("press_line", {})
    if isinstance(data["press_line"], str):
        data["press_line"] = {"line": data["press_line"]}
    data["press_line"].setdefault("if_asked", [{"question": "Q?", "response": "A."}])
    out = []
    for path, _kind, _role in portions._PORTIONS:
        loc = tuple(0 if part == "*" else part for part in path)
        parent = get_at(data, loc[:-1]) if len(loc) > 1 else data
        if isinstance(parent, (dict, list)):
            out.append(loc)
    return out


@pytest.fixture
def with_if_asked() -> dict[str, Any]:
    data = example_data()
    data["press_line"] = {
        "line": data["press_line"]["line"],
        "if_asked": [{"question": "Is the S-400 purchase going ahead?", "response": "The agreement stands."}],
    }
    return data


# ---------------------------------------------------------------------------------------------
# Every classification, every marking field: validated, at the right line and column


@pytest.mark.parametrize("loc", portion_places(), ids=format_loc)
@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "SECRETT",
            "'SECRETT' is not a US level; expected one of UNCLASSIFIED, CUI, CONFIDENTIAL, SECRET, "
            "TOP SECRET (did you mean 'SECRET'?)",
        ),
        ("CONFIDENTIAL", "portion marked CONFIDENTIAL raises the pack above its marking UNCLASSIFIED"),
        ("BANANA", "'BANANA' is not a US level"),
    ],
)
def test_facts_markings_every_portion_is_validated_at_its_key(tmp_path, with_if_asked, loc, value, message):
    data = with_if_asked
    mark_loc = mark_portion(data, loc, value)
    path = write(tmp_path, data)
    found = at(problems(path), mark_loc)
    errors = [p for p in found if p.severity == "error"]
    assert errors, f"no error at {format_loc(mark_loc)}: {[p.format() for p in problems(path)]}"
    assert message in errors[0].message
    assert (errors[0].line, errors[0].col) == node_position(path, mark_loc)


# (loc, invalid value, part of the message): every other field with a validator.
FIELD_CASES: list[tuple[Loc, Any, str]] = [
    (("marking", "level"), "SECERT", "(did you mean 'SECRET'?)"),
    (("marking", "caveats", 0), "NOFRON", "(did you mean 'NOFORN'?)"),
    (("marking", "caveats", 0), "REL TO USA, UK", "(did you mean 'GBR'?)"),
    (("marking", "default_portion"), "CONFIDENTAL", "(did you mean 'CONFIDENTIAL'?)"),
    (("marking", "scheme"), "usa", "(did you mean 'us'?)"),
    (("marking", "slide_banner"), "per slide", "(did you mean 'per-slide'?)"),
    (("sources", 0, "url"), "ftp://example.org", "is not a web address"),
    (("sources", 0, "grade"), "Z9", "is not an Admiralty grade"),
    (("sources", 0, "id"), "Bad Id", "an id may hold only"),
    (("facts", 0, "date"), "2018-02-30", "is not a day of the calendar: February 2018 has 28 days"),
    (("facts", 0, "sources", 0), "seed-reprot", "(did you mean 'seed-report'?)"),
    (("risks", 0, "likelihood"), 9, "is not a likelihood rating"),
    (("judgments", "items", 0, "likelihood"), "probablyy", "is not in the ICD 203 lexicon"),
    (("agenda", 0, "likelihood"), "maybe", "expected one of certain, possible, unlikely"),
    (("agenda", 0, "risks", 0), "idlib-offensiv", "(did you mean 'idlib-offensive'?)"),
    (("people", 0, "side"), "ourz", "(did you mean 'ours'?)"),
    (("meeting", "participants", 0), "lavrv", "(did you mean 'lavrov'?)"),
    (("output", "language"), "english!", "is not a language tag"),
]


@pytest.mark.parametrize(
    ("loc", "value", "message"), FIELD_CASES, ids=[format_loc(c[0]) for c in FIELD_CASES]
)
def test_facts_markings_every_validated_field_is_located(tmp_path, loc, value, message):
    data = example_data()
    if loc[:2] == ("marking", "caveats"):
        data["marking"] = {"scheme": "us", "level": "SECRET", "caveats": ["NOFORN"], "authority": AUTHORITY}
    if loc == ("marking", "default_portion"):
        data["marking"]["default_portion"] = "UNCLASSIFIED"
    if loc == ("marking", "slide_banner"):
        data["marking"]["slide_banner"] = "pack"
    if not _exists(data, loc[:-1]):
        pytest.fail(f"the example has nothing at {format_loc(loc[:-1])}")
    if loc == ("agenda", 0, "risks", 0) and not get_at(data, loc[:-1]):
        pytest.skip("the first agenda item cites no risk")
    set_at(data, loc, value)
    path = write(tmp_path, data)
    found = [p for p in at(problems(path), loc) if p.severity == "error"]
    assert found, f"no error at {format_loc(loc)}: {[p.format() for p in problems(path)]}"
    assert message in found[0].message, found[0].message
    assert (found[0].line, found[0].col) == node_position(path, loc)


def test_facts_markings_point_above_banner_is_located_at_the_point_not_a_judgment(tmp_path):
    # The fault from the issue: an error at the first point was reported at the last judgment.
    data = example_data()
    data["agenda"][0]["points"][0] = {
        "text": data["agenda"][0]["points"][0]["text"]
        if isinstance(data["agenda"][0]["points"][0], dict)
        else data["agenda"][0]["points"][0],
        "classification": "CONFIDENTIAL",
    }
    path = write(tmp_path, data)
    [error] = [p for p in problems(path) if p.severity == "error"]
    assert error.path == "agenda[0].points[0].classification"
    assert (error.line, error.col) == node_position(path, ("agenda", 0, "points", 0, "classification"))


# ---------------------------------------------------------------------------------------------
# The banner derived; disclosure rules; authority


def test_facts_markings_unmarked_example_still_loads_unchanged():
    loaded = load_facts(EXAMPLE)
    assert loaded.briefing.marking.banner == "UNCLASSIFIED"
    assert not [w for w in loaded.warnings if "marked" in w.message]


def test_facts_markings_secret_noforn_variant_loads_with_derived_banner(tmp_path):
    data = secret_noforn()
    mark_portion(data, ("facts", 0), "SECRET//NOFORN")
    mark_portion(data, ("agenda", 0, "points", 0), "CONFIDENTIAL")
    mark_portion(data, ("press_line",), "UNCLASSIFIED")
    loaded = load_facts(write(tmp_path, data))
    b = loaded.briefing
    assert b.marking.banner == "SECRET//NOFORN"
    assert b.marking.portion(b.facts[0].classification) == "(S//NF)"
    assert b.marking.portion(b.agenda[0].points[0].classification) == "(C)"
    assert b.marking.portion(b.press_line.classification) == "(U)"


def test_facts_markings_top_secret_objective_under_secret_noforn_is_an_error(tmp_path):
    data = secret_noforn()
    mark_loc = mark_portion(data, ("objectives", "ours", 0), "TOP SECRET")
    path = write(tmp_path, data)
    [error] = [p for p in at(problems(path), mark_loc) if p.severity == "error"]
    assert "portion marked TOP SECRET raises the pack above its marking SECRET//NOFORN" in error.message
    assert "lacks level TOP SECRET" in error.message
    assert (error.line, error.col) == node_position(path, mark_loc)


def test_facts_markings_noforn_portion_in_a_pack_without_noforn_names_the_control(tmp_path):
    data = secret_noforn()
    data["marking"]["caveats"] = []
    mark_loc = mark_portion(data, ("judgments", "items", 1), "SECRET//NOFORN")
    [error] = [p for p in at(problems(write(tmp_path, data)), mark_loc) if p.severity == "error"]
    assert "raises the pack above its marking SECRET (which lacks NOFORN)" in error.message


def test_facts_markings_press_line_must_be_at_the_lowest_level(tmp_path, with_if_asked):
    data = secret_noforn(with_if_asked)
    line = mark_portion(data, ("press_line",), "SECRET")
    answer = mark_portion(data, ("press_line", "if_asked", 0, "response"), "CONFIDENTIAL")
    path = write(tmp_path, data)
    found = problems(path)
    [e1] = at(found, line)
    [e2] = at(found, answer)
    assert "the press line is said in public: it must be UNCLASSIFIED, not SECRET" in e1.message
    assert "not CONFIDENTIAL" in e2.message
    assert (e2.line, e2.col) == node_position(path, answer)


def test_facts_markings_unmarked_press_line_is_unclassified_in_a_secret_pack(tmp_path, with_if_asked):
    b = load_facts(write(tmp_path, secret_noforn(with_if_asked))).briefing
    assert b.marking.portion(b.press_line.classification) == "(U)"
    assert b.press_line.if_asked[0].response.classification == "UNCLASSIFIED"


@pytest.mark.parametrize(
    "loc", [("agenda", 0, "points", 0), ("agenda", 0, "if_raised", 0, "response")], ids=format_loc
)
def test_facts_markings_noforn_in_what_is_said_to_the_counterpart_is_an_error(tmp_path, loc):
    data = secret_noforn()
    mark_loc = mark_portion(data, loc, "SECRET//NOFORN")
    path = write(tmp_path, data)
    [error] = [p for p in at(problems(path), mark_loc) if p.severity == "error"]
    assert (
        "is said to the foreign counterpart but is marked SECRET//NOFORN: NOFORN forbids that"
        in error.message
    )


def test_facts_markings_noforn_default_reaches_unmarked_points(tmp_path):
    data = secret_noforn()
    del data["marking"]["default_portion"]  # unmarked portions are SECRET//NOFORN
    path = write(tmp_path, data)
    found = [p for p in problems(path) if p.severity == "error"]
    assert found and all("takes the default portion SECRET//NOFORN" in p.message for p in found)
    point = ("agenda", 0, "points", 0)
    [first] = at(found, point)
    assert (first.line, first.col) == node_position(path, point)


def test_facts_markings_uk_eyes_only_response_is_an_error(tmp_path):
    data = example_data()
    data["marking"] = {
        "scheme": "uk",
        "level": "SECRET",
        "caveats": ["UK EYES ONLY"],
        "default_portion": "SECRET",
    }
    mark_loc = mark_portion(data, ("agenda", 0, "if_raised", 0, "response"), "SECRET UK EYES ONLY")
    [error] = [p for p in at(problems(write(tmp_path, data)), mark_loc) if p.severity == "error"]
    assert "UK EYES ONLY forbids that" in error.message


def test_facts_markings_citing_a_higher_fact_is_a_warning_naming_both(tmp_path):
    data = secret_noforn()
    first_point = data["agenda"][0]["points"][0]
    fact_id = first_point["facts"][0]
    index = next(i for i, f in enumerate(data["facts"]) if f["id"] == fact_id)
    mark_portion(data, ("facts", index), "SECRET//NOFORN")
    mark_portion(data, ("agenda", 0, "points", 0), "CONFIDENTIAL")
    path = write(tmp_path, data)
    loaded = load_facts(path)
    cite = ("agenda", 0, "points", 0, "facts", 0)
    [warning] = at(loaded.warnings, cite)
    assert warning.severity == "warning"
    assert (
        f"agenda[0].points[0] (marked CONFIDENTIAL) cites fact '{fact_id}' marked SECRET//NOFORN"
        in warning.message
    )
    assert f"(facts[{index}])" in warning.message
    assert (warning.line, warning.col) == node_position(path, cite)


def test_facts_markings_authority_required_for_us_confidential(tmp_path):
    data = secret_noforn()
    del data["marking"]["authority"]
    path = write(tmp_path, data)
    [error] = [p for p in at(problems(path), ("marking",)) if p.severity == "error"]
    assert "a SECRET//NOFORN pack needs a classification authority block" in error.message
    assert (error.line, error.col) == node_position(path, ("marking",))


def test_facts_markings_authority_needs_derived_from_or_reason(tmp_path):
    data = secret_noforn()
    del data["marking"]["authority"]["derived_from"]
    found = at(problems(write(tmp_path, data)), ("marking", "authority"))
    assert found and "needs derived_from" in found[0].message


def test_facts_markings_default_portion_above_the_pack_is_an_error(tmp_path):
    data = secret_noforn()
    data["marking"]["default_portion"] = "TOP SECRET"
    path = write(tmp_path, data)
    [error] = at(problems(path), ("marking", "default_portion"))
    assert "the default portion TOP SECRET is above the pack's marking SECRET//NOFORN" in error.message
    assert (error.line, error.col) == node_position(path, ("marking", "default_portion"))


def test_facts_markings_none_scheme_refuses_portion_classifications(tmp_path):
    data = example_data()
    data["marking"] = {"scheme": "none", "level": "DRAFT"}
    mark_loc = mark_portion(data, ("facts", 0), "SECRET")
    [error] = at(problems(write(tmp_path, data)), mark_loc)
    assert "the marking scheme 'none' has no levels" in error.message


def secret_noforn_variant() -> dict[str, Any]:
    """The issue's 'done when' pack: the worked example as US SECRET//NOFORN with portion marks,
    an authority block, an UNCLASSIFIED press line with if-asked lines, and mixed levels: points
    (U), (C) and (S//REL TO USA, TUR), a NOFORN fact and judgment, a CONFIDENTIAL risk and source."""
    data = secret_noforn()
    data["press_line"] = {
        "line": data["press_line"]["line"],
        "if_asked": [{"question": "Is the S-400 purchase going ahead?", "response": "The agreement stands."}],
    }
    levels = ["UNCLASSIFIED", "CONFIDENTIAL", "SECRET//REL TO USA, TUR"]
    for i, item in enumerate(data["agenda"]):
        for j in range(len(item.get("points", []))):
            mark_portion(data, ("agenda", i, "points", j), levels[(i + j) % 3])
        for j in range(len(item.get("if_raised", []))):
            mark_portion(data, ("agenda", i, "if_raised", j, "question"), "UNCLASSIFIED")
            mark_portion(data, ("agenda", i, "if_raised", j, "response"), "CONFIDENTIAL")
        mark_portion(data, ("agenda", i), "UNCLASSIFIED")
    mark_portion(data, ("title",), "UNCLASSIFIED")
    mark_portion(data, ("summary",), "SECRET//NOFORN")
    mark_portion(data, ("objectives", "ours", 0), "CONFIDENTIAL")
    cited = {
        ref
        for item in data["agenda"]
        for p in item.get("points", [])
        if isinstance(p, dict)
        for ref in p.get("facts", [])
    }
    uncited = next(i for i, f in enumerate(data["facts"]) if f["id"] not in cited)
    for i in range(len(data["facts"])):
        mark_portion(data, ("facts", i), "SECRET//NOFORN" if i == uncited else "UNCLASSIFIED")
    mark_portion(data, ("judgments", "items", 0), "SECRET//NOFORN")
    mark_portion(data, ("risks", 0), "CONFIDENTIAL")
    mark_portion(data, ("sources", 0), "UNCLASSIFIED")
    mark_portion(data, ("next_steps", 0), "CONFIDENTIAL")
    return data
