"""`briefgen check --reference-docx/--reference-pptx`: what a reference lacks, before rendering."""

from __future__ import annotations

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
    # The reference is checked on its own, and the deck is planned against it: both name the
    # layout it lacks (the fact file's check warns, as its build would).
    assert captured.err.count("x.pptx: warning: reference presentation has no slide layout") == 2
