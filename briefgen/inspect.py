"""`briefgen inspect`: the outline of a generated .docx or .pptx, read with zipfile and lxml.

Memo: headings with their levels, table and footnote counts, the text and fields of each
header and footer (where the marking and "Page X of Y" live). Deck: each slide's layout name,
title, notes excerpt and whether the marking is on it. Fast (no python-docx/python-pptx), so it
serves reviewers, CI logs and tests alike.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from lxml import etree

from briefgen.errors import BriefgenError

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
P = "http://schemas.openxmlformats.org/presentationml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CP = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
DC = "http://purl.org/dc/elements/1.1/"
REL_BASE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False)
NOTES_EXCERPT = 100


class InspectProblem(BriefgenError):
    """The file is not a readable Word or PowerPoint package."""


@dataclass
class Heading:
    level: int  # 0 for the title, 1-9 for headings
    text: str
    style: str


@dataclass
class HeaderFooter:
    kind: str  # header | footer
    type: str  # default | first | even
    part: str
    text: list[str]
    fields: list[str]  # field names, e.g. PAGE, NUMPAGES
    marking: bool


@dataclass
class MemoOutline:
    path: str
    kind: str = "docx"
    title: str = ""
    marking: str = ""
    headings: list[Heading] = field(default_factory=list)
    tables: int = 0
    footnotes: int = 0
    headers_footers: list[HeaderFooter] = field(default_factory=list)

    @property
    def page_number_fields(self) -> list[str]:
        return sorted({f for hf in self.headers_footers for f in hf.fields if f in ("PAGE", "NUMPAGES")})


@dataclass
class SlideOutline:
    number: int
    layout: str
    title: str
    notes: str  # the speaker notes, whole (the text outline prints the first NOTES_EXCERPT characters)
    marking: bool
    hidden: bool = False


@dataclass
class DeckOutline:
    path: str
    kind: str = "pptx"
    title: str = ""
    marking: str = ""
    slides: list[SlideOutline] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Package reading


class _Package:
    def __init__(self, path: Path) -> None:
        # Vetted as a reference document is (briefgen.intake, briefgen.ooxml): a regular file of
        # at most 100 MB whose parts stay within the package limits, so a zip bomb or a pipe is
        # refused before anything is decompressed or parsed.
        from briefgen.errors import ReferenceFileProblem
        from briefgen.ooxml import read_package

        self.path = path
        try:
            data, _kind = read_package(path)
        except ReferenceFileProblem as exc:
            raise InspectProblem(str(exc)) from None
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        self.names = set(self.zip.namelist())

    def xml(self, name: str) -> etree._Element | None:
        if name not in self.names:
            return None
        try:
            return etree.fromstring(self.zip.read(name), _PARSER)
        except (etree.XMLSyntaxError, zipfile.BadZipFile, OSError, ValueError) as exc:
            raise InspectProblem(f"{self.path}: part {name} is not readable XML: {exc}") from None

    def rels(self, part: str) -> dict[str, tuple[str, str]]:
        """{rId: (type suffix, target part name)} of a part."""
        folder, base = posixpath.split(part)
        root = self.xml(posixpath.join(folder, "_rels", base + ".rels"))
        found: dict[str, tuple[str, str]] = {}
        if root is None:
            return found
        for rel in root.iter(f"{{{PKG_REL}}}Relationship"):
            if rel.get("TargetMode") == "External":
                continue
            target = rel.get("Target", "")
            name = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join(folder, target)
            )
            found[rel.get("Id", "")] = (rel.get("Type", "").rsplit("/", 1)[-1], name)
        return found

    def main_part(self) -> str:
        for kind, target in self.rels("").values():
            if kind == "officeDocument":
                return target
        raise InspectProblem(f"{self.path}: no main document part (not a Word or PowerPoint file)")

    def core(self) -> tuple[str, str]:
        """(title, content status): the writers put the marking in the content status."""
        root = self.xml("docProps/core.xml")
        if root is None:
            return "", ""
        title = root.findtext(f"{{{DC}}}title") or ""
        status = root.findtext(f"{{{CP}}}contentStatus") or ""
        return title.strip(), status.strip()


def _text(node: etree._Element, ns: str = W) -> str:
    parts = []
    for el in node.iter(f"{{{ns}}}t", f"{{{ns}}}tab", f"{{{ns}}}br"):
        parts.append(el.text or "" if el.tag.endswith("}t") else " ")
    return " ".join("".join(parts).split())


def inspect_file(path: Path) -> MemoOutline | DeckOutline:
    """The outline of a .docx or .pptx (decided by its main part, not its name)."""
    package = _Package(path)
    main = package.main_part()
    if main.startswith("word/"):
        return _inspect_docx(package, main)
    if main.startswith("ppt/"):
        return _inspect_pptx(package, main)
    raise InspectProblem(f"{path}: main part {main} is neither Word nor PowerPoint")


# ---------------------------------------------------------------------------------------------
# Word


def _styles(package: _Package) -> dict[str, tuple[str, int | None]]:
    """{styleId: (name, heading level or None)}, levels inherited through basedOn."""
    root = package.xml("word/styles.xml")
    raw: dict[str, tuple[str, int | None, str]] = {}
    if root is not None:
        for style in root.iter(f"{{{W}}}style"):
            sid = style.get(f"{{{W}}}styleId", "")
            name_el = style.find(f"{{{W}}}name")
            name = name_el.get(f"{{{W}}}val", sid) if name_el is not None else sid
            outline = style.find(f"{{{W}}}pPr/{{{W}}}outlineLvl")
            level = int(outline.get(f"{{{W}}}val", "9")) + 1 if outline is not None else None
            based = style.find(f"{{{W}}}basedOn")
            raw[sid] = (name, level, based.get(f"{{{W}}}val", "") if based is not None else "")
    resolved: dict[str, tuple[str, int | None]] = {}
    for sid, (name, level, parent) in raw.items():
        seen = {sid}
        while level is None and parent and parent not in seen and parent in raw:
            seen.add(parent)
            level, parent = raw[parent][1], raw[parent][2]
        match = re.fullmatch(r"heading (\d)", name.strip().lower())
        if match:
            level = int(match.group(1))
        elif name.strip().lower() == "title":
            level = 0
        resolved[sid] = (name, level if level is None or level <= 9 else None)
    return resolved


def _field_text(p: etree._Element) -> str:
    """A paragraph's text with each field shown by name ({PAGE}) instead of its cached result."""
    parts: list[str] = []
    state = ""  # "" (plain text), "instr" (collecting the instruction), "result" (skipping)
    instr = ""
    skip: set[etree._Element] = set()
    for el in p.iter():
        if el in skip:
            continue
        tag = el.tag.rsplit("}", 1)[-1] if isinstance(el.tag, str) else ""
        if tag == "fldSimple":
            words = el.get(f"{{{W}}}instr", "").split()
            parts.append(f"{{{words[0].upper()}}}" if words else "")
            skip.update(el.iterdescendants())
        elif tag == "fldChar":
            kind = el.get(f"{{{W}}}fldCharType")
            if kind == "begin":
                state, instr = "instr", ""
            elif kind == "separate":
                words = instr.split()
                parts.append(f"{{{words[0].upper()}}}" if words else "")
                state = "result"
            elif kind == "end":
                if state == "instr" and instr.split():  # a field without a cached result
                    parts.append(f"{{{instr.split()[0].upper()}}}")
                state = ""
        elif tag == "instrText" and state == "instr":
            instr += el.text or ""
        elif tag == "t" and not state:
            parts.append(el.text or "")
        elif tag in ("tab", "br") and not state:
            parts.append(" ")
    return " ".join("".join(parts).split())


def _fields(node: etree._Element) -> list[str]:
    instructions = [f.get(f"{{{W}}}instr", "") for f in node.iter(f"{{{W}}}fldSimple")]
    instructions += [t.text or "" for t in node.iter(f"{{{W}}}instrText")]
    names = [i.split()[0].upper() for i in instructions if i.split()]
    return list(dict.fromkeys(names))


def _inspect_docx(package: _Package, main: str) -> MemoOutline:
    title, marking = package.core()
    outline = MemoOutline(str(package.path), title=title, marking=marking)
    document = package.xml(main)
    if document is None:
        raise InspectProblem(f"{package.path}: {main} is missing")
    body = document.find(f"{{{W}}}body")
    if body is None:
        return outline
    styles = _styles(package)
    for p in body.iter(f"{{{W}}}p"):
        if any(a.tag == f"{{{W}}}txbxContent" for a in p.iterancestors()):
            continue
        style_el = p.find(f"{{{W}}}pPr/{{{W}}}pStyle")
        sid = style_el.get(f"{{{W}}}val", "") if style_el is not None else ""
        name, level = styles.get(sid, (sid, None))
        direct = p.find(f"{{{W}}}pPr/{{{W}}}outlineLvl")
        if direct is not None:
            value = int(direct.get(f"{{{W}}}val", "9"))
            level = value + 1 if value < 9 else None
        text = _text(p)
        if level is not None and text:
            outline.headings.append(Heading(level, text, name))
    # Tables as a reader counts them: nested tables are part of the table around them.
    outline.tables = sum(
        1 for t in body.iter(f"{{{W}}}tbl") if not any(a.tag == f"{{{W}}}tbl" for a in t.iterancestors())
    )
    rels = package.rels(main)
    for kind, target in rels.values():
        if kind == "footnotes":
            notes = package.xml(target)
            if notes is not None:
                outline.footnotes = sum(
                    1
                    for n in notes.iter(f"{{{W}}}footnote")
                    if n.get(f"{{{W}}}type") in (None, "normal")
                )
    seen: set[str] = set()
    for sect in body.iter(f"{{{W}}}sectPr"):
        for ref in sect:
            kind = ref.tag.rsplit("}", 1)[-1].replace("Reference", "")
            if kind not in ("header", "footer"):
                continue
            rel = rels.get(ref.get(f"{{{R}}}id", ""))
            if rel is None or rel[1] in seen:
                continue
            seen.add(rel[1])
            part = package.xml(rel[1])
            if part is None:
                continue
            lines = [t for t in (_field_text(p) for p in part.iter(f"{{{W}}}p")) if t]
            outline.headers_footers.append(
                HeaderFooter(
                    kind=kind,
                    type=ref.get(f"{{{W}}}type", "default"),
                    part=rel[1],
                    text=lines,
                    fields=_fields(part),
                    marking=bool(marking) and any(marking in line for line in lines),
                )
            )
    return outline


# ---------------------------------------------------------------------------------------------
# PowerPoint


def _placeholder_type(shape: etree._Element) -> str | None:
    ph = shape.find(f"{{{P}}}nvSpPr/{{{P}}}nvPr/{{{P}}}ph")
    if ph is None:
        return None
    return ph.get("type", "body")


def _shape_name(shape: etree._Element) -> str:
    props = shape.find(f"{{{P}}}nvSpPr/{{{P}}}cNvPr")
    return props.get("name", "") if props is not None else ""


def _shape_text(shape: etree._Element) -> str:
    body = shape.find(f"{{{P}}}txBody")
    if body is None:
        return ""
    paras = [_text(p, A) for p in body.iter(f"{{{A}}}p")]
    return " / ".join(p for p in paras if p)


def _inspect_pptx(package: _Package, main: str) -> DeckOutline:
    title, marking = package.core()
    outline = DeckOutline(str(package.path), title=title, marking=marking)
    presentation = package.xml(main)
    if presentation is None:
        raise InspectProblem(f"{package.path}: {main} is missing")
    rels = package.rels(main)
    for number, sld in enumerate(presentation.iter(f"{{{P}}}sldId"), start=1):
        rel = rels.get(sld.get(f"{{{R}}}id", ""))
        slide = package.xml(rel[1]) if rel else None
        if slide is None or rel is None:
            continue
        slide_rels = package.rels(rel[1])
        layout = ""
        notes = ""
        for kind, target in slide_rels.values():
            if kind == "slideLayout":
                layout_root = package.xml(target)
                csld = layout_root.find(f"{{{P}}}cSld") if layout_root is not None else None
                layout = csld.get("name", "") if csld is not None else ""
            elif kind == "notesSlide":
                notes_root = package.xml(target)
                if notes_root is not None:
                    notes = " ".join(
                        _shape_text(sp)
                        for sp in notes_root.iter(f"{{{P}}}sp")
                        if _placeholder_type(sp) == "body"
                    )
        shapes = list(slide.iter(f"{{{P}}}sp"))
        slide_title = next(
            (_shape_text(sp) for sp in shapes if _placeholder_type(sp) in ("title", "ctrTitle")), ""
        )
        texts = [_text(sp, A) for sp in shapes]
        # With per-slide banners a slide carries its own (lower) marking in both bands.
        bands = [_text(sp, A) for sp in shapes if _shape_name(sp) in ("Marking (top)", "Marking (bottom)")]
        banded = len(bands) == 2 and all(text.strip() for text in bands)
        outline.slides.append(
            SlideOutline(
                number=number,
                layout=layout,
                title=slide_title,
                notes=" ".join(notes.split()),  # whole: --json gives it all, the text outline cuts
                marking=bool(marking) and (banded or any(marking in t for t in texts)),
                hidden=slide.get("show") == "0",
            )
        )
    return outline


def _excerpt(text: str, limit: int = NOTES_EXCERPT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# ---------------------------------------------------------------------------------------------
# Presentation


def outline_data(outline: MemoOutline | DeckOutline) -> dict[str, object]:
    """A JSON-ready dict (with the derived page-number fields for memos)."""
    data = asdict(outline)
    if isinstance(outline, MemoOutline):
        data["page_number_fields"] = outline.page_number_fields
    return data


def format_outline(outline: MemoOutline | DeckOutline) -> str:
    """The outline as indented plain text."""
    lines: list[str] = []
    if isinstance(outline, MemoOutline):
        lines.append(
            f"{outline.path}: Word memo, {len(outline.headings)} headings, {outline.tables} tables, "
            f"{outline.footnotes} footnotes"
        )
        lines.append(f"marking: {outline.marking or '(none)'}")
        lines.append("headings:")
        for h in outline.headings:
            lines.append(f"  {'  ' * max(h.level - 1, 0)}{h.level} {h.text}")
        for hf in outline.headers_footers:
            extra = []
            if hf.fields:
                extra.append("fields " + ", ".join(hf.fields))
            if hf.marking:
                extra.append("marking")
            suffix = f"  [{'; '.join(extra)}]" if extra else ""
            lines.append(f"{hf.kind} ({hf.type}): {' | '.join(hf.text) or '(empty)'}{suffix}")
        fields = outline.page_number_fields
        lines.append(f"page number fields: {', '.join(fields) if fields else 'none'}")
    else:
        lines.append(f"{outline.path}: PowerPoint deck, {len(outline.slides)} slides")
        lines.append(f"marking: {outline.marking or '(none)'}")
        for s in outline.slides:
            flags = ["marking" if s.marking else "NO MARKING" if outline.marking else ""]
            if s.hidden:
                flags.append("hidden")
            flag = ", ".join(f for f in flags if f)
            head = f"{s.number:3d}. [{s.layout}] {s.title or '(no title)'}"
            lines.append(head + (f"  ({flag})" if flag else ""))
            if s.notes:
                lines.append(f"     notes: {_excerpt(s.notes)}")
    return "\n".join(lines)
