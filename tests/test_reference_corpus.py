"""Issue 16, kind 5 and the reference corpus: references from different producers (Word in German
and French, LibreOffice, converters that localise names, python-docx's and python-pptx's
defaults, A5 landscape, 4:3, first-page and odd/even headers) are matched the same way by
`check` and `build`, and every one builds a memo or deck with 0 schema errors and the marking on
every page and slide."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from briefgen.cli import main
from briefgen.facts import load_facts
from briefgen.writers.docx_styles import StyleIndex
from tests.reference_corpus import CORPUS, write_corpus

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "facts" / "lavrov-cavusoglu-ankara-2018.yaml"
CASES = ROOT.parent / "shared" / "cases"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
PR = "http://schemas.openxmlformats.org/package/2006/relationships"
BANNER = load_facts(EXAMPLE).briefing.marking.banner
DOCX = sorted(n for n in CORPUS if n.endswith(".docx"))
PPTX = sorted(n for n in CORPUS if n.endswith(".pptx"))
# References that hold every built-in style the memo uses, under localised names or ids.
LOCALISED = ["word-de.docx", "word-fr.docx", "names-de.docx", "names-fr.docx"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, Path]:
    return write_corpus(tmp_path_factory.mktemp("references"))


def _run(args: list[str], capsys) -> tuple[int, str]:
    capsys.readouterr()
    code = main(args)
    return code, capsys.readouterr().err


def _style_warnings(err: str) -> set[str]:
    return set(re.findall(r"warning: style '([^']+)' is missing from the reference", err))


def _xml(package: Path, part: str) -> etree._Element:
    with zipfile.ZipFile(package) as zf:
        return etree.fromstring(zf.read(part))


def _build_memo(reference: Path, out: Path, capsys) -> tuple[Path, str]:
    code, err = _run(
        [
            "build",
            str(EXAMPLE),
            "-o",
            str(out),
            "--format",
            "docx",
            "--reference-docx",
            str(reference),
            "-j",
            "1",
            "--force",
        ],
        capsys,
    )
    assert code == 0, err
    return out / f"{EXAMPLE.stem}-memo.docx", err


def _header_footer_texts(memo: Path) -> dict[str, str]:
    """{'header default': text, 'footer even': text, …} for the parts the section uses."""
    body = _xml(memo, "word/document.xml")
    rels = _xml(memo, "word/_rels/document.xml.rels")
    targets = {r.get("Id"): r.get("Target") for r in rels.iter(f"{{{PR}}}Relationship")}
    sect = body.find(f"{{{W}}}body/{{{W}}}sectPr")
    texts = {}
    for kind in ("header", "footer"):
        for ref in sect.findall(f"{{{W}}}{kind}Reference"):
            part = _xml(memo, "word/" + targets[ref.get(f"{{{R}}}id")])
            texts[f"{kind} {ref.get(f'{{{W}}}type')}"] = "".join(t.text or "" for t in part.iter(f"{{{W}}}t"))
    return texts


@pytest.mark.parametrize("name", DOCX)
def test_reference_corpus_docx_builds_valid_memo_marked_on_every_page(
    name, corpus, tmp_path, capsys, ooxml
):
    memo, build_err = _build_memo(corpus[name], tmp_path, capsys)
    ooxml(memo)
    # The same styles are reported missing by check and by build.
    code, check_err = _run(["check", str(EXAMPLE), "--reference-docx", str(corpus[name])], capsys)
    assert code == 0, check_err
    assert _style_warnings(build_err) == _style_warnings(check_err)
    # The marking in every header and footer the section uses: default, first page, even pages.
    texts = _header_footer_texts(memo)
    settings = _xml(memo, "word/settings.xml")
    sect = _xml(memo, "word/document.xml").find(f"{{{W}}}body/{{{W}}}sectPr")
    expected_types = {"default"}
    if sect.find(f"{{{W}}}titlePg") is not None:
        expected_types.add("first")
    if settings.find(f"{{{W}}}evenAndOddHeaders") is not None:
        expected_types.add("even")
    for kind in ("header", "footer"):
        for page_type in expected_types:
            assert BANNER in texts.get(f"{kind} {page_type}", ""), (kind, page_type, texts)
    # One default paragraph style (the reference's), and the body written in it.
    styles = _xml(memo, "word/styles.xml")
    defaults = [
        s.get(f"{{{W}}}styleId")
        for s in styles.iter(f"{{{W}}}style")
        if s.get(f"{{{W}}}type") == "paragraph" and s.get(f"{{{W}}}default") == "1"
    ]
    own = [
        s.get(f"{{{W}}}styleId")
        for s in _xml(corpus[name], "word/styles.xml").iter(f"{{{W}}}style")
        if s.get(f"{{{W}}}type") == "paragraph" and s.get(f"{{{W}}}default") == "1"
    ]
    assert defaults == own or (not own and len(defaults) <= 1), defaults  # never a second one


def test_reference_corpus_first_even_headers_keeps_its_settings(corpus, tmp_path, capsys):
    memo, _ = _build_memo(corpus["first-even-headers.docx"], tmp_path, capsys)
    texts = _header_footer_texts(memo)
    assert {"header first", "header even", "footer first", "footer even"} <= set(texts)
    assert not any("FIRST PAGE" in t or "EVEN PAGE" in t for t in texts.values())


def test_reference_corpus_a5_landscape_page_is_kept(corpus, tmp_path, capsys):
    memo, _ = _build_memo(corpus["a5-landscape.docx"], tmp_path, capsys)
    size = _xml(memo, "word/document.xml").find(f"{{{W}}}body/{{{W}}}sectPr/{{{W}}}pgSz")
    assert (int(size.get(f"{{{W}}}w")), int(size.get(f"{{{W}}}h"))) == (11906, 8391)  # 210 x 148 mm


@pytest.mark.parametrize("name", LOCALISED)
def test_reference_localised_styles_serve_without_warnings_in_check_and_build(name, corpus, tmp_path, capsys):
    memo, build_err = _build_memo(corpus[name], tmp_path, capsys)
    _, check_err = _run(["check", str(EXAMPLE), "--reference-docx", str(corpus[name])], capsys)
    assert _style_warnings(build_err) == set() == _style_warnings(check_err)
    # The memo uses the reference's own styles, under their own ids: no copies of ours.
    reference_ids = {
        s.get(f"{{{W}}}styleId") for s in _xml(corpus[name], "word/styles.xml").iter(f"{{{W}}}style")
    }
    memo_ids = {s.get(f"{{{W}}}styleId") for s in _xml(memo, "word/styles.xml").iter(f"{{{W}}}style")}
    assert memo_ids == reference_ids
    used = {p.get(f"{{{W}}}val") for p in _xml(memo, "word/document.xml").iter(f"{{{W}}}pStyle")}
    index = StyleIndex(_xml(corpus[name], "word/styles.xml"))
    heading = index.find("Heading 1").get(f"{{{W}}}styleId")
    body = index.find("Normal").get(f"{{{W}}}styleId")
    assert heading in used and heading != "Heading1"
    assert body in used and body == index.defaults["paragraph"].get(f"{{{W}}}styleId")


def test_reference_case_06_german_names_give_one_default_and_the_house_body_style(tmp_path, capsys):
    generator = CASES / "06-localised-reference-docx.py"
    if not generator.exists():
        pytest.skip("../shared/cases is not beside this clone")
    reference = tmp_path / "de-names.docx"
    subprocess.run(
        [
            sys.executable,
            str(generator),
            str(ROOT / "templates" / "reference.docx"),
            str(reference),
            "--names",
        ],
        check=True,
    )
    memo, build_err = _build_memo(reference, tmp_path / "out", capsys)
    _, check_err = _run(["check", str(EXAMPLE), "--reference-docx", str(reference)], capsys)
    assert _style_warnings(build_err) == _style_warnings(check_err) == set()
    styles = _xml(memo, "word/styles.xml")
    defaults = [s for s in styles.iter(f"{{{W}}}style") if s.get(f"{{{W}}}default") == "1"]
    assert [s.get(f"{{{W}}}styleId") for s in defaults if s.get(f"{{{W}}}type") == "paragraph"] == [
        "Standard"
    ]
    body = _xml(memo, "word/document.xml").find(f"{{{W}}}body")
    styles_used = [p.get(f"{{{W}}}val") for p in body.iter(f"{{{W}}}pStyle")]
    assert "Standard" in styles_used and "Normal" not in styles_used


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        ({"Normal": ("Standard", "Standard", True)}, "Standard"),  # the default, by w:default
        ({"heading 1": ("berschrift1", "heading 1", False)}, "berschrift1"),  # German Word
        ({"heading 1": ("Titre1", "Titre 1", False)}, "Titre1"),  # French names and ids
        ({"heading 1": ("Heading1", "Kop 1", False)}, "Heading1"),  # Dutch name, English id
        ({"heading 1": ("Heading1Char", "heading 1", False)}, None),  # a character style never serves
    ],
)
def test_docx_styles_style_index_matches_by_name_default_id_and_localisation(names, expected):
    sheet = etree.Element(f"{{{W}}}styles", nsmap={"w": W})
    for _, (sid, name, default) in names.items():
        kind = "character" if sid.endswith("Char") else "paragraph"
        style = etree.SubElement(sheet, f"{{{W}}}style", {f"{{{W}}}type": kind, f"{{{W}}}styleId": sid})
        if default:
            style.set(f"{{{W}}}default", "1")
        etree.SubElement(style, f"{{{W}}}name", {f"{{{W}}}val": name})
    wanted = "Normal" if "Normal" in names else "Heading 1"
    found = StyleIndex(sheet).find(wanted)
    assert (None if found is None else found.get(f"{{{W}}}styleId")) == expected


def _slide_texts(deck: Path) -> list[str]:
    with zipfile.ZipFile(deck) as zf:
        names = sorted(
            (n for n in zf.namelist() if re.fullmatch(r"ppt/slides/slide\d+\.xml", n)),
            key=lambda n: int(re.search(r"\d+", n).group()),
        )
        return ["".join(t.text or "" for t in etree.fromstring(zf.read(n)).iter(f"{{{A}}}t")) for n in names]


@pytest.mark.parametrize("name", PPTX)
def test_reference_corpus_pptx_builds_valid_deck_marked_on_every_slide(
    name, corpus, tmp_path, capsys, ooxml
):
    code, err = _run(
        [
            "build",
            str(EXAMPLE),
            "-o",
            str(tmp_path),
            "--format",
            "pptx",
            "--reference-pptx",
            str(corpus[name]),
            "-j",
            "1",
            "--force",
        ],
        capsys,
    )
    assert code == 0, err
    deck = tmp_path / f"{EXAMPLE.stem}-deck.pptx"
    ooxml(deck)
    texts = _slide_texts(deck)
    assert len(texts) > 10
    for number, text in enumerate(texts, start=1):
        assert text.count(BANNER) >= 2, (number, text[:200])  # top and bottom of every slide
    if name == "layouts-de.pptx":  # German layout names: matched by layout type, no fallback
        assert "no slide layout" not in err, err


@pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None, reason="needs soffice"
)
def test_reference_corpus_first_even_headers_marking_on_every_rendered_page(corpus, tmp_path, capsys):
    memo, _ = _build_memo(corpus["first-even-headers.docx"], tmp_path, capsys)
    profile = (tmp_path / "profile").as_uri()
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(memo),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    text = subprocess.run(
        ["pdftotext", "-layout", str(memo.with_suffix(".pdf")), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    pages = [page for page in text.split("\f") if page.strip()]
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert page.count(BANNER) >= 2, (number, page[:300])
