"""Bad input never hurts: the hostile-input corpus through the real CLI, plus the properties that
need more than one message (every content problem located at once, control characters cleaned,
bounded memory, the template sandbox, reference-file vetting)."""

from __future__ import annotations

import contextlib
import io
import os
import re
import struct
import subprocess
import sys
import textwrap
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from briefgen.cli import main
from briefgen.errors import InvalidFacts, ReferenceFileProblem, TemplateProblem
from briefgen.facts import load_facts
from briefgen.ooxml import read_reference
from briefgen.outputs import LOCK_NAME
from briefgen.pipeline import output_stem

HERE = Path(__file__).resolve().parent / "bad_inputs"
ROOT = HERE.parents[1]
GOOD = HERE / "good.yaml"
REFERENCE_DOCX = ROOT / "templates" / "reference.docx"
REFERENCE_PPTX = ROOT / "templates" / "reference.pptx"
CASES = yaml.safe_load((HERE / "cases.yaml").read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------
# Generated hostile files (binary packages are built here rather than committed)


def _rezip(
    src: bytes,
    *,
    drop: tuple[str, ...] = (),
    replace: dict[str, bytes] | None = None,
    add: list[tuple[str, bytes]] | None = None,
    level: int = 6,
) -> bytes:
    replace = replace or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename in drop:
                continue
            zout.writestr(info.filename, replace.get(info.filename, zin.read(info)), compresslevel=level)
        for name, data in add or []:
            with pytest.warns(UserWarning) if name in zout.namelist() else contextlib.nullcontext():
                zout.writestr(name, data, compresslevel=9)
    return out.getvalue()


def _patch_headers(data: bytes, name: str, *, size: int | None = None, flag: int = 0) -> bytes:
    """Forge the local and central headers of one entry: its declared uncompressed size and
    general-purpose flags (the compressed data stays as it is)."""
    buf = bytearray(data)
    encoded = name.encode()
    # (signature, offset of name, of uncompressed size, of flags, of name length)
    for sig, name_at, size_at, flag_at, len_at in (
        (b"PK\x01\x02", 46, 24, 8, 28),
        (b"PK\x03\x04", 30, 22, 6, 26),
    ):
        i = buf.find(sig)
        while i != -1:
            (length,) = struct.unpack_from("<H", buf, i + len_at)
            if length == len(encoded) and buf[i + name_at : i + name_at + length] == encoded:
                if size is not None:
                    struct.pack_into("<I", buf, i + size_at, size)
                (flags,) = struct.unpack_from("<H", buf, i + flag_at)
                struct.pack_into("<H", buf, i + flag_at, flags | flag)
            i = buf.find(sig, i + 4)
    return bytes(buf)


def _dtd_document(doctype_before: bytes = b"") -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        + doctype_before
        + b'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"<w:body><w:p><w:r><w:t>&xxe;</w:t></w:r></w:p></w:body></w:document>"
    )


def _docx() -> bytes:
    return REFERENCE_DOCX.read_bytes()


ZEROS = b"\0" * (4 * 1024 * 1024)

REFERENCES: dict[str, Callable[[], bytes]] = {
    "corrupt": lambda: b"PK\x03\x04" + bytes(range(256)) * 8,
    "truncated": lambda: _docx()[: len(_docx()) // 2],
    "empty": lambda: b"",
    "old-binary": lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024,
    "pptx-as-docx": lambda: REFERENCE_PPTX.read_bytes(),
    "docx-as-pptx": _docx,
    "declared-bomb": lambda: _patch_headers(_docx(), "word/styles.xml", size=3_000_000_000),
    "declared-total": lambda: _patch_many(
        _rezip(_docx(), add=[(f"word/media/pad{i}.bin", os.urandom(500 * 1024)) for i in range(3)])
    ),
    "ratio-bomb": lambda: _rezip(_docx(), add=[("word/media/zeros.bin", ZEROS)]),
    "lying-header": lambda: _patch_headers(
        _rezip(_docx(), add=[("word/media/zeros.bin", ZEROS)]), "word/media/zeros.bin", size=1000
    ),
    "dtd-entity": lambda: _rezip(_docx(), replace={"word/document.xml": _dtd_document()}),
    "dtd-late": lambda: _rezip(
        _docx(), replace={"word/styles.xml": _dtd_document(b"<!-- " + b"padding " * 2000 + b"-->\n")}
    ),
    "dtd-utf16": lambda: _rezip(
        _docx(),
        replace={"word/document.xml": _dtd_document().decode().replace("UTF-8", "UTF-16").encode("utf-16")},
    ),
    "no-content-types": lambda: _rezip(_docx(), drop=("[Content_Types].xml",)),
    "no-main-part": lambda: _rezip(_docx(), drop=("word/document.xml",)),
    "duplicate-entry": lambda: _rezip(_docx(), add=[("word/styles.xml", b"<x/>")]),
    "encrypted-entry": lambda: _patch_headers(_docx(), "word/styles.xml", flag=0x1),
    "many-entries": lambda: _rezip(_docx(), add=[(f"customXml/item{i}.txt", b"") for i in range(2001)]),
}


def _patch_many(data: bytes) -> bytes:
    """Three entries each declaring 90 MB at a believable ratio (180x): 270 MB in total."""
    for i in range(3):
        data = _patch_headers(data, f"word/media/pad{i}.bin", size=90 * 1024 * 1024)
    return data


def _fifty_mb(path: Path) -> None:
    with path.open("wb") as fh:  # sparse: the loader must refuse it by size, before reading
        fh.truncate(50 * 1024 * 1024)


def _many_values(path: Path) -> None:
    path.write_text("next_steps:\n" + "  - a\n" * 120_000, encoding="utf-8")


FACTS: dict[str, Callable[[Path], None]] = {"fifty-mb": _fifty_mb, "many-values": _many_values}


def _symlinked_templates(tmp: Path) -> Path:
    folder = tmp / "symlinked"
    folder.mkdir()
    (folder / "memo.md.j2").symlink_to("/etc/passwd")
    return folder


# ---------------------------------------------------------------------------------------------
# The corpus, as one parametrised test


def _argv(case: dict, tmp: Path, out: Path) -> tuple[list[str], Path]:
    facts = case.get("facts", "good.yaml")
    if facts.startswith("@"):
        path = tmp / f"{facts[1:]}.yaml"
        FACTS[facts[1:]](path)
    else:
        path = HERE / facts
    if "args" in case:
        fill = {"facts": str(path), "out": str(out), "here": str(HERE)}
        return [a.format(**fill) for a in case["args"]], path
    argv = ["build", str(path), "-o", str(out), "--format", case.get("format", "md")]
    if "templates" in case:
        name = case["templates"]
        folder = _symlinked_templates(tmp) if name == "@symlink-to-etc-passwd" else HERE / "templates" / name
        argv += ["--templates", str(folder)]
    for key, suffix in (("reference_docx", ".docx"), ("reference_pptx", ".pptx")):
        if key in case:
            ref = tmp / f"{case[key].lstrip('@')}{suffix}"
            ref.write_bytes(REFERENCES[case[key][1:]]())
            argv += [f"--{key.replace('_', '-')}", str(ref)]
    return argv, path


def _snapshot(folder: Path) -> dict[str, bytes]:
    # The folder's lock file (empty; builds into one folder take turns by it) is no output.
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.name != LOCK_NAME}


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_bad_inputs_corpus_fails_cleanly_and_writes_nothing(case, tmp_path, capsys, monkeypatch):
    if case.get("xfail"):
        pytest.xfail(case["xfail"])
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    argv, facts = _argv(case, tmp_path, out)
    # A good output of an earlier build is waiting in the folder, under every name this build
    # could write.
    for stem in {output_stem(facts), "good"}:
        for suffix in ("memo.md", "deck.md", "memo.docx", "deck.pptx"):
            (out / f"{stem}-{suffix}").write_bytes(f"earlier good {suffix}".encode())
    before = _snapshot(out)
    capsys.readouterr()

    code = main(argv)

    captured = capsys.readouterr()
    text = captured.err + captured.out
    assert code == case["exit"], text
    assert re.search(case["message"], captured.err, re.MULTILINE), captured.err
    assert "Traceback" not in text and "internal error" not in text, text
    assert _snapshot(out) == before, "the output folder changed"
    assert not Path("/tmp/briefgen-pwned").exists()


def test_bad_inputs_corpus_has_at_least_forty_cases_with_unique_ids():
    ids = [c["id"] for c in CASES]
    assert len(ids) >= 40
    assert len(set(ids)) == len(ids)
    for case in CASES:
        for key in ("facts",):
            value = case.get(key, "good.yaml")
            assert value.startswith("@") or (HERE / value).is_file(), value


# ---------------------------------------------------------------------------------------------
# Content: every problem at once, each located


def test_load_facts_reports_every_content_problem_together_with_line_and_column():
    with pytest.raises(InvalidFacts) as caught:
        load_facts(HERE / "facts" / "content-many-problems.yaml")
    found = {(p.line, p.col, p.path): p.message for p in caught.value.problems if p.severity == "error"}
    expected = {
        (1, 1, "prepared_by"): r"missing required field 'prepared_by'",
        (6, 16, "date_prepared"): r"'2024-13-02' has no month 13: months run from 01 to 12",
        (15, 3, "meeting.venu"): r"unknown key 'venu' \(did you mean 'venue'\?\)",
        (
            35,
            17,
            "agenda[0].likelihood",
        ): r"'sure' is not allowed; expected one of certain, possible, unlikely",
        (
            39,
            17,
            "agenda[0].points[0].facts[0]",
        ): r"unknown fact id 'trade-grwth' \(did you mean 'trade-growth'\?\)",
        (40, 13, "agenda[0].risks[0]"): r"unknown risk id 'talks-fial' \(did you mean 'talks-fail'\?\)",
        (50, 17, "risks[0].likelihood"): r"'often' is not a likelihood rating: write a whole number",
        (59, 10, "sources[0].url"): r"'ftp://example\.org/stats' is not a web address",
    }
    for where, pattern in expected.items():
        assert where in found, (where, sorted(found))
        assert re.search(pattern, found[where]), (where, found[where])
    assert len(found) == len(expected), sorted(found)


# ---------------------------------------------------------------------------------------------
# Control characters: cleaned in the loader, with a located warning


def test_load_facts_replaces_control_characters_with_located_warnings(write_facts):
    text = GOOD.read_text(encoding="utf-8")
    text = text.replace("title: Minimal briefing\n", "title: Minimal\x0bbriefing\n")  # raw, as pasted
    text = text.replace("context: Why we meet.\n", 'context: "Why\\x0cwe\\x00meet\\x85."\n')  # escapes
    text = text.replace("    role: Minister\n    side: theirs", "    role: Mini\x9fster\n    side: theirs")
    loaded = load_facts(write_facts(text))
    b = loaded.briefing
    assert b.title == "Minimal briefing"
    assert b.context == "Why we meet ."
    assert b.person("counterpart").role == "Mini ster"
    messages = [p.format() for p in loaded.warnings]
    assert any(
        re.search(r"brief\.yaml:1:15: warning: title: removed vertical tab .*U\+000B", m) for m in messages
    )
    assert any(
        re.search(r"brief\.yaml:10:10: warning: context: removed form feed .*U\+000C", m) for m in messages
    )
    assert any(
        re.search(r"brief\.yaml:10:10: warning: context: removed null character U\+0000", m) for m in messages
    )
    assert any(
        re.search(r"brief\.yaml:10:10: warning: context: removed next-line .*U\+0085", m) for m in messages
    )
    assert any(
        re.search(r"brief\.yaml:26:15: warning: people\[1\]\.role: removed .*U\+009F", m) for m in messages
    )


def test_load_facts_cleans_every_string_scalar_so_no_xml_illegal_character_survives(write_facts):
    illegal = "".join(
        chr(c) for c in (*range(0, 9), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, *range(0x80, 0xA0))
    )
    escaped = "".join(f"\\x{ord(c):02x}" for c in illegal) + "\\uFFFE\\uFFFF"
    text = GOOD.read_text(encoding="utf-8").replace(
        "summary: Bottom line in one sentence.", f'summary: "A{escaped}B"'
    )
    loaded = load_facts(write_facts(text))
    assert loaded.briefing.summary == "A" + " " * (len(illegal) + 2) + "B"  # stripped only at the ends
    assert all(p.line == 9 and p.path == "summary" for p in loaded.warnings)


# ---------------------------------------------------------------------------------------------
# Memory and time: alias bombs and oversized files, in a child with an address-space limit


def _run_limited(code: str, memory_mb: int = 600, timeout: int = 60) -> subprocess.CompletedProcess:
    """Run Python code in a child whose address space is capped (RLIMIT_AS)."""
    resource = pytest.importorskip("resource")
    limit = memory_mb * 1024 * 1024

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        preexec_fn=cap,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )


@pytest.mark.parametrize(
    "name, body",
    [
        ("bomb", (HERE / "facts" / "yaml-alias-bomb.yaml").read_text()),
        # A deeper bomb: 9^12 expanded values if anything ever expanded it.
        (
            "deep-bomb",
            'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
            + "".join(
                f"l{i}: &l{i} [" + ",".join([f"*{'a' if i == 0 else f'l{i - 1}'}"] * 9) + "]\n"
                for i in range(12)
            ),
        ),
        ("many-values", "next_steps:\n" + "  - a\n" * 1_500_000),  # 9 MB, under the size limit
        ("wide-flow", "next_steps: [" + "a," * 4_000_000 + "a]\n"),  # 8 MB on one line
    ],
)
def test_load_facts_refuses_bombs_and_huge_documents_within_bounded_memory(name, body, tmp_path):
    path = tmp_path / f"{name}.yaml"
    path.write_text(body, encoding="utf-8")
    result = _run_limited(
        f"""
        from pathlib import Path
        from briefgen.errors import InvalidFacts
        from briefgen.facts import load_facts
        try:
            load_facts(Path({str(path)!r}))
        except InvalidFacts as exc:
            print(exc)
        """
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert re.search(r"refused: (aliases expand|the file holds more than)", result.stdout), result.stdout


def test_load_facts_refuses_a_50_mb_file_by_size_before_reading(tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_bytes(b"title: x\n" + b"# padding\n" * 5_300_000)
    result = _run_limited(
        f"""
        from pathlib import Path
        from briefgen.errors import InvalidFacts
        from briefgen.facts import load_facts
        try:
            load_facts(Path({str(path)!r}))
        except InvalidFacts as exc:
            print(exc)
        """,
        memory_mb=200,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "a fact file may be at most 10 MB" in result.stdout


def test_load_facts_refuses_devices_and_pipes():
    with pytest.raises(InvalidFacts, match="not a regular file"):
        load_facts(Path("/dev/zero"))


# ---------------------------------------------------------------------------------------------
# Templates: the sandbox; fact text is data, never template code


def test_render_fact_text_with_template_syntax_stays_literal(tmp_path, capsys):
    text = GOOD.read_text(encoding="utf-8").replace(
        "summary: Bottom line in one sentence.",
        'summary: "Literal {{ 7*7 }} and {% if true %}x{% endif %} and {## c ##} and {{ b.__class__ }}"',
    )
    facts = tmp_path / "literal.yaml"
    facts.write_text(text, encoding="utf-8")
    templates = tmp_path / "tpl"
    templates.mkdir()
    (templates / "memo.md.j2").write_text("# Memo\n\n{{ b.summary | md }}\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", str(facts), "-o", str(out), "--format", "md", "--templates", str(templates)]) == 0
    memo = (out / "literal-memo.md").read_text(encoding="utf-8")
    assert "49" not in memo and "Briefing" not in memo
    from briefgen.markup import read_markdown
    from briefgen.model import Paragraph, plain_text

    doc = read_markdown(memo, source="literal-memo.md")
    para = next(b for b in doc.blocks if isinstance(b, Paragraph))
    assert plain_text(para.content) == (
        "Literal {{ 7*7 }} and {% if true %}x{% endif %} and {## c ##} and {{ b.__class__ }}"
    )


@pytest.mark.parametrize(
    "body",
    [
        "{{ b.dict() }}",
        "{{ b.json() }}",
        "{{ b.copy() }}",
        "{{ b.construct() }}",
        "{{ b.schema_json() }}",
        "{{ b.parse_raw('{}') }}",
        "{{ b.meeting.model_copy() }}",
        "{{ b.facts[0].__dict__ }}",
        "{{ b.validate({}) }}",
        "{{ (b.title).__len__() }}",
    ],
)
def test_render_sandbox_refuses_pydantic_and_python_internals(body, tmp_path):
    from briefgen.templating import TemplateSet

    (tmp_path / "memo.md.j2").write_text(f"line one\n{body}\n", encoding="utf-8")
    briefing = load_facts(GOOD).briefing
    with pytest.raises(
        TemplateProblem, match=r"memo\.md\.j2:2: template tried something the sandbox forbids"
    ):
        TemplateSet(tmp_path).render("memo", briefing)


def test_render_sandbox_keeps_fields_properties_and_lookups(tmp_path):
    from briefgen.templating import TemplateSet

    body = (
        "{{ b.title }}|{{ b.marking.banner }}|{{ b.risk('talks-fail').score }}|{{ 2 ** 10 }}|{{ 'ab' * 3 }}"
    )
    (tmp_path / "memo.md.j2").write_text(body, encoding="utf-8")
    out = TemplateSet(tmp_path).render("memo", load_facts(GOOD).briefing)
    assert out == "Minimal briefing|OFFICIAL|12|1024|ababab"


# ---------------------------------------------------------------------------------------------
# Reference files


def test_read_reference_accepts_the_bundled_references():
    assert read_reference(REFERENCE_DOCX, "docx")[:2] == b"PK"
    assert read_reference(REFERENCE_PPTX, "pptx")[:2] == b"PK"


def test_read_reference_lying_header_cannot_smuggle_more_bytes(tmp_path):
    """The entry declares 1000 bytes but holds 4 MB: never more than declared is read, and the
    CRC (of the full data) cannot match what was read, so the package is refused."""
    path = tmp_path / "lying.docx"
    path.write_bytes(REFERENCES["lying-header"]())
    with zipfile.ZipFile(path) as zf:
        assert zf.getinfo("word/media/zeros.bin").file_size == 1000
    with pytest.raises(ReferenceFileProblem, match=r"corrupt|expands"):
        read_reference(path, "docx")


def test_python_docx_and_pptx_parsers_never_resolve_entities(tmp_path):
    """Defence in depth behind read_reference: the XML parsers of python-docx and python-pptx
    do not expand entities (so no file or network access even if a DTD got through)."""
    from docx.oxml.parser import oxml_parser as docx_parser
    from lxml import etree
    from pptx.oxml import oxml_parser as pptx_parser

    secret = tmp_path / "secret.txt"
    secret.write_text("the secret", encoding="utf-8")
    xml = f'<!DOCTYPE r [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]><r>&xxe;</r>'.encode()
    for parser in (docx_parser, pptx_parser):
        root = etree.fromstring(xml, parser)
        assert b"the secret" not in etree.tostring(root)
        assert "".join(root.itertext()) in ("", "&xxe;")  # left as an unexpanded reference


def test_read_reference_refuses_devices():
    with pytest.raises(ReferenceFileProblem, match="not a regular file"):
        read_reference(Path("/dev/zero"), "docx")
