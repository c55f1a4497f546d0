"""Issue 16, kind 3: every URL written to a package is normalised and percent-encoded per
RFC 3986 (by yarl), and every link's text is the URL as the user wrote it."""

from __future__ import annotations

import copy
import zipfile
from pathlib import Path

import pytest
import yaml
from lxml import etree

from briefgen.cli import main
from briefgen.links import package_target
from briefgen.markup import markdown_link, read_markdown
from briefgen.model import Link, Paragraph, plain_text

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT.parent / "shared" / "cases"
MINIMAL = yaml.safe_load((ROOT / "tests" / "fixtures" / "minimal.yaml").read_text(encoding="utf-8"))

R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
PR = "http://schemas.openxmlformats.org/package/2006/relationships"

# (as written in the facts, the target expected in the package)
URLS = {
    "angle-brackets": (  # the listed case 04
        "https://example.org/report?id=7&view=<full>",
        "https://example.org/report?id=7&view=%3Cfull%3E",
    ),
    "two-hashes": ("https://example.org/#/docs#install", "https://example.org/#/docs%23install"),  # 04b
    "idn-host-and-path": (
        "https://bücher.example/straße?q=ä#teil",
        "https://xn--bcher-kva.example/stra%C3%9Fe?q=%C3%A4#teil",
    ),
    "case-dots-default-port": (
        "HTTPS://Example.ORG:443/a/../b/%7euser",
        "https://example.org/b/~user",
    ),
    "pipe-backtick-braces": (  # in a table cell a raw | would split the row
        "https://example.org/a|b?q={x}&r=`y`",
        "https://example.org/a%7Cb?q=%7Bx%7D&r=%60y%60",
    ),
    "hyphens-and-apostrophe": (
        "https://example.org/it's--a-b",
        "https://example.org/it's--a-b",
    ),
    "stray-percent-and-quote": (
        'https://example.org/100%zz/"quoted"',
        "https://example.org/100%25zz/%22quoted%22",
    ),
    "parentheses-and-encoded-space": (
        "https://en.wikipedia.org/wiki/Treaty_(1998)?q=a+b%20c",
        "https://en.wikipedia.org/wiki/Treaty_(1998)?q=a+b%20c",
    ),
}


def test_links_package_target_examples():
    for written, expected in URLS.values():
        assert package_target(written) == expected, written
    assert package_target("https://example.org/a\u00a0b") == "https://example.org/a%C2%A0b"
    assert package_target("#agenda-river.treaty") == "#agenda-river.treaty"
    assert package_target("http://[::1/broken") == "http://[::1/broken"  # never raises


@pytest.mark.parametrize("name", sorted(URLS))
def test_links_markdown_link_reads_back_as_written_text_and_encoded_target(name):
    written, expected = URLS[name]
    for markdown, typography in (
        (markdown_link(written), None),
        (f"| a |\n|:-|\n| {markdown_link(written)} |", None),
        (markdown_link(written), "en-GB"),  # the memo's curly quotes and dashes stay out of it
    ):
        document = read_markdown(markdown + "\n", typography=typography)
        block = document.blocks[0]
        content = block.content if isinstance(block, Paragraph) else block.body[0][0].content
        (link,) = [n for n in content if isinstance(n, Link)]
        assert plain_text(link.children) == written
        assert package_target(link.url) == expected


def test_facts_url_with_a_space_is_refused_saying_so(write_facts):
    from briefgen.errors import InvalidFacts
    from briefgen.facts import load_facts

    text = (ROOT / "tests" / "fixtures" / "minimal.yaml").read_text(encoding="utf-8")
    path = write_facts(text.replace("url: https://example.org/stats", "url: https://example.org/a\u00a0b"))
    with pytest.raises(InvalidFacts) as caught:
        load_facts(path)
    assert "holds a space (U+00A0)" in caught.value.problems[0].message


def _docx_links(path: Path) -> list[tuple[str, str]]:
    """(text, target) of every external hyperlink in the memo's body and footnotes."""
    found = []
    with zipfile.ZipFile(path) as zf:
        for part in ("word/document.xml", "word/footnotes.xml"):
            rels_name = part.replace("word/", "word/_rels/") + ".rels"
            if part not in zf.namelist() or rels_name not in zf.namelist():
                continue
            rels = etree.fromstring(zf.read(rels_name))
            targets = {r.get("Id"): r.get("Target") for r in rels.iter(f"{{{PR}}}Relationship")}
            root = etree.fromstring(zf.read(part))
            for link in root.iter(f"{{{W}}}hyperlink"):
                rid = link.get(f"{{{R}}}id")
                if rid:
                    text = "".join(t.text or "" for t in link.iter(f"{{{W}}}t"))
                    found.append((text, targets[rid]))
    return found


def _pptx_links(path: Path) -> list[tuple[str, str]]:
    found = []
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if not (name.startswith("ppt/slides/slide") and name.endswith(".xml")):
                continue
            rels_name = name.replace("slides/", "slides/_rels/") + ".rels"
            rels = etree.fromstring(zf.read(rels_name))
            targets = {r.get("Id"): r.get("Target") for r in rels.iter(f"{{{PR}}}Relationship")}
            for run in etree.fromstring(zf.read(name)).iter(f"{{{A}}}r"):
                click = run.find(f"{{{A}}}rPr/{{{A}}}hlinkClick")
                if click is not None:
                    found.append((run.findtext(f"{{{A}}}t"), targets[click.get(f"{{{R}}}id")]))
    return found


def _pptx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as zf:
        return "\n".join(
            "".join(t.text or "" for t in etree.fromstring(zf.read(name)).iter(f"{{{A}}}t"))
            for name in zf.namelist()
            if name.startswith("ppt/slides/slide") and name.endswith(".xml")
        )


def _build(facts: Path, out: Path, capsys) -> tuple[Path, Path]:
    code = main(["build", str(facts), "-o", str(out), "--format", "docx,pptx", "-j", "1", "--force"])
    assert code == 0, capsys.readouterr().err
    return out / f"{facts.stem}-memo.docx", out / f"{facts.stem}-deck.pptx"


@pytest.mark.parametrize("case", ["04-url-with-angle-brackets", "04b-url-with-two-hashes"])
def test_build_listed_url_cases_link_the_whole_url_and_validate(case, tmp_path, capsys, ooxml):
    facts = CASES / f"{case}.yaml"
    if not facts.exists():
        pytest.skip("../shared/cases is not beside this clone")
    memo, deck = _build(facts, tmp_path, capsys)
    ooxml(memo, deck)
    written, expected = URLS["angle-brackets" if case.startswith("04-") else "two-hashes"]
    memo_links = _docx_links(memo)
    assert len(memo_links) == 2  # the footnote and Annex F
    assert set(memo_links) == {(written, expected)}
    # The deck's sources appendix is a table, whose cells carry text only: the address as
    # written, readable in full (nothing lost: the link text is the address).
    assert written in _pptx_text(deck)
    assert all(target == expected for _, target in _pptx_links(deck))


def test_build_every_kind_of_wild_url_in_one_briefing(tmp_path, capsys, ooxml):
    data = copy.deepcopy(MINIMAL)
    sources = []
    for number, name in enumerate(sorted(URLS)):
        sources.append(
            {"id": f"s{number}", "title": name, "publisher": "Example", "date": "2024", "url": URLS[name][0]}
        )
    data["sources"] = sources
    data["facts"][0]["sources"] = [s["id"] for s in sources]
    facts = tmp_path / "wild.yaml"
    facts.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    memo, deck = _build(facts, tmp_path / "out", capsys)
    ooxml(memo, deck)
    expected = set(URLS.values())
    assert set(_docx_links(memo)) == expected
    deck_text = _pptx_text(deck)
    assert all(written in deck_text for written, _ in expected)
