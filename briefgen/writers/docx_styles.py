"""Style look-ups for the memo writer: each style name resolved once per document, and a style
missing from the organisation's reference copied in from the bundled default (with a warning)."""

from __future__ import annotations

import copy
import functools
import io
import zipfile

from lxml import etree

from briefgen import resources
from briefgen.errors import Problem
from briefgen.writers.docx_xml import W_NS, qn

_W = f"{{{W_NS}}}"


def bundled_reference_bytes() -> bytes:
    """The bytes of the default reference, `templates/reference.docx` (package briefgen.templates)."""
    return resources.bundled_reference_bytes("docx")


@functools.cache
def _bundled_styles() -> dict[str, bytes]:
    """The default reference's style definitions by lower-case name (and by styleId)."""
    with zipfile.ZipFile(io.BytesIO(bundled_reference_bytes())) as zf:
        root = etree.fromstring(zf.read("word/styles.xml"))
    found: dict[str, bytes] = {}
    for style in root.iter(f"{_W}style"):
        name = style.find(f"{_W}name")
        data = etree.tostring(style)
        if name is not None:
            found.setdefault("name:" + name.get(f"{_W}val", "").lower(), data)
        found.setdefault("id:" + style.get(f"{_W}styleId", ""), data)
    return found


class StyleSheet:
    """Resolves style names (as in `briefgen.styles`) to style ids in one document's style sheet."""

    def __init__(
        self,
        styles: etree._Element,
        numbering: etree._Element | None,
        warnings: list[Problem],
        source: str,
    ) -> None:
        self.root = styles
        self.numbering = numbering
        self.warnings = warnings
        self.source = source
        self.by_name: dict[str, etree._Element] = {}
        self.ids: set[str] = set()
        for style in styles.iter(f"{_W}style"):
            name = style.find(f"{_W}name")
            if name is not None:
                # Built-in names are stored in lower case ("heading 1"); Word matches them so.
                self.by_name.setdefault(name.get(f"{_W}val", "").lower(), style)
            self.ids.add(style.get(f"{_W}styleId", ""))
        self._cache: dict[str, str | None] = {}

    def id(self, name: str) -> str | None:
        """The styleId for `name`; None (use Normal / no style) when nothing can serve."""
        if name in self._cache:
            return self._cache[name]
        style = self.by_name.get(name.lower())
        if style is None:
            style = self._adopt(name)
            if style is None:
                self.warnings.append(
                    Problem(
                        f"style {name!r} is missing from the reference and from briefgen's default; "
                        "using the document's default style",
                        file=self.source,
                        severity="warning",
                    )
                )
            else:
                self.warnings.append(
                    Problem(
                        f"style {name!r} is missing from the reference; using briefgen's default definition",
                        file=self.source,
                        severity="warning",
                    )
                )
        sid = None if style is None else style.get(f"{_W}styleId")
        self._cache[name] = sid
        return sid

    def element(self, name: str) -> etree._Element | None:
        sid = self.id(name)
        return None if sid is None else self.by_name.get(name.lower())

    def _adopt(self, name: str) -> etree._Element | None:
        """Copy `name` (and the styles it is based on) from the bundled default."""
        data = _bundled_styles().get("name:" + name.lower())
        if data is None:
            return None
        style = etree.fromstring(data)
        sid = style.get(f"{_W}styleId", "")
        while sid in self.ids:  # an unrelated style already uses the id
            sid += "0"
        style.set(f"{_W}styleId", sid)
        for tag in ("w:link", "w:next"):
            ref = style.find(qn(tag))
            if ref is not None and ref.get(f"{_W}val") not in self.ids:
                style.remove(ref)
        based = style.find(qn("w:basedOn"))
        if based is not None and based.get(f"{_W}val") not in self.ids:
            parent = _bundled_styles().get("id:" + based.get(f"{_W}val", ""))
            parent_name = None
            if parent is not None:
                node = etree.fromstring(parent).find(qn("w:name"))
                parent_name = None if node is None else node.get(f"{_W}val")
            adopted = self.by_name.get(parent_name.lower()) if parent_name else None
            if adopted is None and parent_name:
                adopted = self._adopt(parent_name)
            if adopted is None:
                style.remove(based)
            else:
                based.set(f"{_W}val", adopted.get(f"{_W}styleId", ""))
        num_id = style.find(f"{_W}pPr/{_W}numPr/{_W}numId")
        if num_id is not None:
            new_id = self._adopt_numbering(num_id.get(f"{_W}val", ""))
            if new_id is None:
                num_pr = num_id.getparent()
                num_pr.getparent().remove(num_pr)
            else:
                num_id.set(f"{_W}val", new_id)
        self.root.append(style)
        self.ids.add(sid)
        self.by_name[name.lower()] = style
        return style

    def _adopt_numbering(self, num_id: str) -> str | None:
        """Copy the bundled list definition `num_id` into this document; its new numId."""
        if self.numbering is None:
            return None
        with zipfile.ZipFile(io.BytesIO(bundled_reference_bytes())) as zf:
            bundled = etree.fromstring(zf.read("word/numbering.xml"))
        num = bundled.find(f"{_W}num[@{_W}numId='{num_id}']")
        if num is None:
            return None
        abstract_id = num.find(f"{_W}abstractNumId").get(f"{_W}val")
        abstract = bundled.find(f"{_W}abstractNum[@{_W}abstractNumId='{abstract_id}']")
        if abstract is None:
            return None
        used_abs = [int(a.get(f"{_W}abstractNumId", "0")) for a in self.numbering.iter(f"{_W}abstractNum")]
        used_num = [int(n.get(f"{_W}numId", "0")) for n in self.numbering.iter(f"{_W}num")]
        new_abs = str(max(used_abs, default=-1) + 1)
        new_num = str(max(used_num, default=0) + 1)
        abstract = copy.deepcopy(abstract)
        abstract.set(f"{_W}abstractNumId", new_abs)
        for link in abstract.findall(f"{_W}lvl/{_W}pStyle"):
            link.getparent().remove(link)  # the style id may differ here
        first_num = self.numbering.find(f"{_W}num")
        if first_num is not None:
            first_num.addprevious(abstract)
        else:
            self.numbering.append(abstract)
        fresh = etree.SubElement(self.numbering, f"{_W}num")
        fresh.set(f"{_W}numId", new_num)
        etree.SubElement(fresh, f"{_W}abstractNumId").set(f"{_W}val", new_abs)
        cleanup = self.numbering.find(f"{_W}numIdMacAtCleanup")
        if cleanup is not None:
            cleanup.addprevious(fresh)  # numIdMacAtCleanup must stay last
        return new_num


def copy_element(node: etree._Element) -> etree._Element:
    return copy.deepcopy(node)


def contract_style_names() -> list[str]:
    """Every style name of the styling contract (`briefgen.styles`) the memo writer may use."""
    from briefgen import styles

    names: list[str] = []
    for attr in dir(styles):
        if not attr.startswith("DOCX_") or attr in styles.DOCX_COLOURS:
            continue
        value = getattr(styles, attr)
        names.extend(value.values() if isinstance(value, dict) else [value])
    return sorted(dict.fromkeys(names), key=str.lower)


def check_reference_docx(reference: bytes, name: str) -> list[Problem]:
    """What a reference document (bytes as vetted by `briefgen.config`, `name` for messages)
    lacks, before anything is rendered: each style of the contract it does not define
    (briefgen's default definition is used instead). Loads only zip + lxml."""
    try:
        with zipfile.ZipFile(io.BytesIO(reference)) as zf:
            root = etree.fromstring(
                zf.read("word/styles.xml"), etree.XMLParser(resolve_entities=False, no_network=True)
            )
    except KeyError:
        return [
            Problem(
                "the reference has no style sheet (word/styles.xml); briefgen's default styles are used",
                file=name,
                severity="warning",
            )
        ]
    except etree.XMLSyntaxError as exc:
        from briefgen.errors import ReferenceFileProblem

        raise ReferenceFileProblem(f"{name}: word/styles.xml is not well-formed XML: {exc}") from None
    have = {
        node.get(f"{_W}val", "").lower()
        for node in root.iter(f"{_W}name")
        if node.getparent() is not None and node.getparent().tag == f"{_W}style"
    }
    return [
        Problem(
            f"style {style!r} is missing from the reference; briefgen's default definition will be used",
            file=name,
            severity="warning",
        )
        for style in contract_style_names()
        if style.lower() not in have
    ]
