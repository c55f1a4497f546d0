"""The build configuration: command line, facts `output` section and environment merged once."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from briefgen.cli import main
from briefgen.config import BuildOptions, References, configure, read_environment, read_terminal
from briefgen.errors import ReferenceFileProblem, UsageProblem
from briefgen.facts import load_facts
from briefgen.template_limits import RENDER_TIMEOUT_S
from tests.conftest import FIXTURES, ROOT

MINIMAL = FIXTURES / "minimal.yaml"
ALT_DOCX = ROOT / "tests" / "reference-alt.docx"
ALT_PPTX = ROOT / "tests" / "reference-alt.pptx"


def _with_output(tmp_path: Path, output: str) -> Path:
    text = MINIMAL.read_text("utf-8")
    assert "\noutput:" not in text
    path = tmp_path / "brief.yaml"
    path.write_text(text.rstrip("\n") + "\noutput:\n" + output, "utf-8")
    return path


def test_config_command_line_reference_wins_over_the_facts(tmp_path: Path) -> None:
    facts = _with_output(tmp_path, "  reference_docx: missing.docx\n")
    loaded = load_facts(facts)
    config = configure(loaded, BuildOptions(reference_docx=ALT_DOCX), read_environment({}))
    assert config.references["docx"].path == ALT_DOCX
    assert config.references["docx"].data[:2] == b"PK"
    assert config.references["pptx"].path is None  # bundled
    assert config.references["pptx"].name == "templates/reference.pptx"


def test_config_collects_every_bad_reference_located_at_the_facts_key(tmp_path: Path) -> None:
    facts = _with_output(tmp_path, "  reference_docx: missing.docx\n  reference_pptx: missing.pptx\n")
    with pytest.raises(ReferenceFileProblem) as caught:
        configure(load_facts(facts), BuildOptions(), read_environment({}))
    paths = [p.path for p in caught.value.problems]
    assert paths == ["output.reference_docx", "output.reference_pptx"]
    assert all("missing." in p.message for p in caught.value.problems)


def test_config_reads_only_the_references_the_formats_need(tmp_path: Path) -> None:
    facts = _with_output(tmp_path, "  reference_docx: missing.docx\n")
    config = configure(load_facts(facts), BuildOptions(formats=("pptx", "md")), read_environment({}))
    assert set(config.references) == {"pptx"}


def test_config_reads_each_reference_once() -> None:
    references = References()
    loaded = load_facts(MINIMAL)
    first = configure(loaded, BuildOptions(reference_docx=ALT_DOCX), read_environment({}), references)
    cached = references.read[("docx", ALT_DOCX)]
    second = configure(loaded, BuildOptions(reference_docx=ALT_DOCX), read_environment({}), references)
    assert first.references["docx"] is second.references["docx"] is cached


def test_config_stamp_from_source_date_epoch_else_date_prepared() -> None:
    loaded = load_facts(MINIMAL)
    dated = configure(loaded, BuildOptions(), read_environment({"SOURCE_DATE_EPOCH": "1700000000"}))
    assert dated.stamp == datetime(2023, 11, 14, 22, 13, 20)
    plain = configure(loaded, BuildOptions(), read_environment({}))
    assert plain.stamp.date() == loaded.briefing.date_prepared


def test_config_bad_environment_is_a_usage_problem_with_a_hint() -> None:
    with pytest.raises(UsageProblem) as caught:
        read_environment({"SOURCE_DATE_EPOCH": "yesterday"})
    [problem] = caught.value.problems
    assert "SOURCE_DATE_EPOCH='yesterday'" in problem.message and problem.hint


@pytest.mark.parametrize("value", ["abc", "-1", "nan", "inf", "1e6", "60s"])
def test_config_render_timeout_must_be_seconds(value: str) -> None:
    with pytest.raises(UsageProblem) as caught:
        read_environment({"BRIEFGEN_RENDER_TIMEOUT": value})
    [problem] = caught.value.problems
    assert f"BRIEFGEN_RENDER_TIMEOUT={value!r}" in problem.message
    assert "seconds" in problem.message and "0 turns the limit off" in (problem.hint or "")


def test_config_bad_variables_are_reported_together() -> None:
    with pytest.raises(UsageProblem) as caught:
        read_environment({"SOURCE_DATE_EPOCH": "yesterday", "BRIEFGEN_RENDER_TIMEOUT": "soon"})
    messages = [p.message for p in caught.value.problems]
    assert len(messages) == 2
    assert "SOURCE_DATE_EPOCH='yesterday'" in messages[0] and "BRIEFGEN_RENDER_TIMEOUT='soon'" in messages[1]


def test_config_render_timeout_from_the_environment_reaches_the_configuration() -> None:
    assert read_environment({}).render_timeout == RENDER_TIMEOUT_S
    assert read_environment({"BRIEFGEN_RENDER_TIMEOUT": " "}).render_timeout == RENDER_TIMEOUT_S
    assert read_environment({"BRIEFGEN_RENDER_TIMEOUT": "0"}).render_timeout == 0  # no limit
    environment = read_environment({"BRIEFGEN_RENDER_TIMEOUT": "2.5"})
    assert environment.render_timeout == 2.5
    assert configure(load_facts(MINIMAL), BuildOptions(), environment).render_timeout == 2.5


def test_config_cache_folder_from_xdg_cache_home_else_home_unless_turned_off() -> None:
    xdg = read_environment({"XDG_CACHE_HOME": "/var/cache/me", "HOME": "/home/me"})
    assert xdg.cache_dir == Path("/var/cache/me/briefgen")
    assert read_environment({"XDG_CACHE_HOME": "", "HOME": "/home/me"}).cache_dir == Path(
        "/home/me/.cache/briefgen"
    )
    off = read_environment({"BRIEFGEN_NO_CACHE": "1", "XDG_CACHE_HOME": "/var/cache/me"})
    assert off.cache_dir is None


def test_config_strict_build_fails_on_warnings_and_writes_nothing(tmp_path: Path, capsys) -> None:
    # A page budget of 1 for the worked example gives a warning from the plan step.
    facts = tmp_path / "example.yaml"
    text = (ROOT / "facts" / "lavrov-cavusoglu-ankara-2018.yaml").read_text("utf-8")
    facts.write_text(text.replace("page_budget: 2", "page_budget: 1"), "utf-8")
    out = tmp_path / "out"
    assert main(["build", str(facts), "-o", str(out), "--format", "md"]) == 0
    assert "over its budget" in capsys.readouterr().err
    strict = tmp_path / "strict"
    assert main(["build", str(facts), "-o", str(strict), "--format", "md", "--strict"]) == 1
    assert "over its budget" in capsys.readouterr().err
    assert not strict.exists() or not any(strict.glob("*.md"))


def test_config_soffice_variable_reaches_the_configuration() -> None:
    environment = read_environment({"BRIEFGEN_SOFFICE": " /opt/libreoffice/program/soffice "})
    assert environment.soffice == "/opt/libreoffice/program/soffice"
    assert read_environment({"BRIEFGEN_SOFFICE": "  "}).soffice is None
    config = configure(load_facts(MINIMAL), BuildOptions(formats=("md",)), environment)
    assert config.soffice == "/opt/libreoffice/program/soffice"
    assert configure(load_facts(MINIMAL), BuildOptions(formats=("md",)), read_environment({})).soffice is None


def test_config_terminal_variables_allow_colour_unless_no_color_or_a_dumb_terminal() -> None:
    assert read_terminal({}).colour is True
    assert read_terminal({"NO_COLOR": "", "TERM": "xterm-256color"}).colour is True  # empty: unset
    assert read_terminal({"NO_COLOR": "1"}).colour is False
    assert read_terminal({"TERM": "dumb"}).colour is False
    assert read_terminal({}).debug is False
    assert read_terminal({"BRIEFGEN_DEBUG": "1"}).debug is True


def _failing_pipeline(*args: object, **kwargs: object) -> None:
    raise RuntimeError("a bug")


def test_config_debug_variable_shows_an_internal_error_raised(tmp_path: Path, monkeypatch, capsys) -> None:
    import briefgen.builds

    monkeypatch.setattr(briefgen.builds, "run_pipeline", _failing_pipeline)
    argv = ["build", str(MINIMAL), "-d", str(tmp_path / "out"), "--format", "md", "-j", "1"]
    monkeypatch.delenv("BRIEFGEN_DEBUG", raising=False)
    assert main(argv) == 70  # the briefing fails, reported as a bug; no traceback
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: a bug" in err and "Traceback" not in err
    monkeypatch.setenv("BRIEFGEN_DEBUG", "1")
    with pytest.raises(RuntimeError, match="a bug"):
        main(argv)
