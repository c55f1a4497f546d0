"""`briefgen check --reference-docx/--reference-pptx`: what a reference lacks, before rendering."""

from __future__ import annotations

import json

from docx import Document as new_docx

from briefgen.cli import main
from tests.conftest import ROOT
from tests.reference_corpus import without_layout_type


def test_check_reference_pptx_layout_found_by_its_type_when_renamed(capsys):
    # reference-alt.pptx calls its section layout "Divider": its type (secHead) still says what
    # it is, as a localised PowerPoint's "Abschnittsüberschrift" does.
    assert main(["check", "--reference-pptx", str(ROOT / "tests" / "reference-alt.pptx")]) == 0
    err = capsys.readouterr().err
    assert "'Section Header'" not in err


def test_check_reference_pptx_names_missing_layout(tmp_path, capsys):
    # The same reference with the divider's type removed: neither name nor type serves.
    target = without_layout_type(ROOT / "tests" / "reference-alt.pptx", "secHead", tmp_path / "x.pptx")
    assert main(["check", "--reference-pptx", str(target)]) == 0
    err = capsys.readouterr().err
    assert "no slide layout 'Section Header' for section slides" in err


def test_check_reference_pptx_strict_makes_warnings_fail(tmp_path, capsys):
    target = without_layout_type(ROOT / "tests" / "reference-alt.pptx", "secHead", tmp_path / "x.pptx")
    assert main(["check", "--strict", "--reference-pptx", str(target)]) == 1


def test_check_bundled_references_lack_nothing(capsys):
    args = [
        "check",
        "--reference-docx",
        str(ROOT / "templates" / "reference.docx"),
        "--reference-pptx",
        str(ROOT / "templates" / "reference.pptx"),
        "--strict",
    ]
    assert main(args) == 0
    assert "warning" not in capsys.readouterr().err


def test_check_reference_docx_lists_styles_a_plain_document_lacks(tmp_path, capsys):
    plain = tmp_path / "plain.docx"
    new_docx().save(str(plain))
    assert main(["check", "--reference-docx", str(plain)]) == 0
    err = capsys.readouterr().err
    assert "style 'footnote text' is missing from the reference" in err
    assert "style 'Heading 1'" not in err  # python-docx's template has the built-in headings


def test_check_reference_docx_refuses_a_presentation(capsys):
    assert main(["check", "--reference-docx", str(ROOT / "tests" / "reference-alt.pptx")]) == 1
    assert "not a Word document" in capsys.readouterr().err


def test_check_reference_with_facts_checks_both(tmp_path, capsys):
    reference = without_layout_type(ROOT / "tests" / "reference-alt.pptx", "secHead", tmp_path / "x.pptx")
    args = [
        "check",
        str(ROOT / "facts" / "lavrov-cavusoglu-ankara-2018.yaml"),
        "--reference-pptx",
        str(reference),
    ]
    assert main(args) == 0
    captured = capsys.readouterr()
    # The reference is checked on its own, and the deck is planned against it: the layout it
    # lacks is named once, by the reference's own check.
    assert captured.err.count("x.pptx: warning: reference presentation has no slide layout") == 1


def _python_pptx_reference(tmp_path):
    from pptx import Presentation

    path = tmp_path / "r43.pptx"
    Presentation().save(str(path))  # 4:3, body text at 32 pt: adapted with a warning
    return path


def test_check_reference_with_facts_reports_each_adaptation_once(tmp_path, capsys):
    reference = _python_pptx_reference(tmp_path)
    facts = [
        str(ROOT / "facts" / "lavrov-cavusoglu-ankara-2018.yaml"),
        str(ROOT / "facts" / "ankara-2018-arabic-exercise.yaml"),
    ]
    said = "layout 'Title and Content' sets body text at 32 pt"
    assert main(["check", *facts, "--reference-pptx", str(reference)]) == 0
    assert capsys.readouterr().err.count(said) == 1
    assert main(["check", *facts, "--reference-pptx", str(reference), "--message-format", "github"]) == 0
    annotations = capsys.readouterr().out.splitlines()
    assert sum(said in line for line in annotations) == 1
    assert len(annotations) == len(set(annotations))
    assert main(["check", *facts, "--reference-pptx", str(reference), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    texts = [p["text"] for p in data["problems"]]
    assert sum(said in text for text in texts) == 1
    assert data["warnings"] == len(texts) == len(set(texts))


def test_build_with_python_pptx_reference_still_reports_its_adaptation(tmp_path, capsys):
    # Only check's own report of the reference makes the deck plan stay silent about it.
    reference = _python_pptx_reference(tmp_path)
    facts = str(ROOT / "facts" / "lavrov-cavusoglu-ankara-2018.yaml")
    args = [
        "build",
        facts,
        "-j",
        "1",
        "--format",
        "md,pptx",
        "-d",
        str(tmp_path / "out"),
        "--reference-pptx",
        str(reference),
    ]
    assert main(args) == 0
    assert capsys.readouterr().err.count("layout 'Title and Content' sets body text at 32 pt") == 1


def test_check_prints_a_status_line_for_each_reference_and_a_summary(tmp_path, capsys):
    reference = _python_pptx_reference(tmp_path)
    presentation = ROOT / "tests" / "reference-alt.pptx"
    assert main(["check", "--reference-docx", str(presentation), "--reference-pptx", str(reference)]) == 1
    captured = capsys.readouterr()
    assert "not a Word document" in captured.err
    assert captured.out.splitlines() == [
        f"{presentation}: failed (1 error)",
        f"{reference}: ok (1 warning)",
        "checked 2: ok 1, failed 1, 1 warning",
    ]
