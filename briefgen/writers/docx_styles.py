"""Style look-ups for the memo writer: each style name resolved once per document, and a style
missing from the organisation's reference copied in from the bundled default (with a warning).

A reference saved by Word in another language, by LibreOffice or by a house tool names the same
built-in styles differently: German Word keeps the built-in `w:name` ("heading 1") but writes a
localised `w:styleId` ("berschrift1"); other producers localise the name too ("Überschrift 1",
"Titre 1"); the default paragraph style may be called "Standard". `StyleIndex` finds the style
that serves each name of the styling contract, the same way for `check` and `build`: by name,
by the reference's own default (for Normal, Normal Table, Default Paragraph Font), by style id,
then by the names and ids Word gives the built-in styles in German, French, Spanish and Italian
(ECMA-376 Part 1 §17.7.4.9 lists the built-in names; Word writes the localised ones).
"""

from __future__ import annotations

import copy
import functools
import io
import zipfile

from lxml import etree

from briefgen import resources
from briefgen.errors import Problem
from briefgen.writers.docx_xml import W_NS, qn, remove, required

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


def _fold(text: str) -> str:
    """A name or id folded the way Word derives localised style ids from names: ASCII letters
    and digits only, lower case ("Überschrift 1" and "berschrift1" both give "berschrift1")."""
    return "".join(c for c in text.lower() if c.isascii() and c.isalnum())


# Names Word gives built-in styles in other languages (style ids are these folded). Each list
# is per language: German, French, Spanish, Italian.
_LOCALISED: dict[str, tuple[str, ...]] = {
    "normal": ("Standard", "Normal", "Normal", "Normale"),
    "title": ("Titel", "Titre", "Título", "Titolo"),
    "header": ("Kopfzeile", "En-tête", "Encabezado", "Intestazione"),
    "footer": ("Fußzeile", "Pied de page", "Pie de página", "Piè di pagina"),
    "footnote text": ("Fußnotentext", "Note de bas de page", "Texto nota pie", "Testo nota a piè di pagina"),
    "footnote reference": (
        "Fußnotenzeichen",
        "Appel note de bas de p.",
        "Ref. de nota al pie",
        "Rimando nota a piè di pagina",
    ),
    "caption": ("Beschriftung", "Légende", "Descripción", "Didascalia"),
    "hyperlink": ("Hyperlink", "Lien hypertexte", "Hipervínculo", "Collegamento ipertestuale"),
    "normal table": ("Normale Tabelle", "Tableau Normal", "Tabla normal", "Tabella normale"),
    "toc heading": (
        "Inhaltsverzeichnisüberschrift",
        "En-tête de table des matières",
        "Encabezado de tabla de contenido",
        "Titolo sommario",
    ),
    "list bullet": ("Aufzählungszeichen", "Liste à puces", "Listа con viñetas", "Puntato"),
    "list number": ("Listennummer", "Liste numéros", "Lista con números", "Numerato"),
    "list continue": ("Listenfortsetzung", "Liste suite", "Continuar lista", "Elenco continua"),
}
for _n in range(1, 10):
    _LOCALISED[f"heading {_n}"] = (f"Überschrift {_n}", f"Titre {_n}", f"Título {_n}", f"Titolo {_n}")
    _LOCALISED[f"toc {_n}"] = (f"Verzeichnis {_n}", f"TM {_n}", f"TDC {_n}", f"Sommario {_n}")
for _base in ("list bullet", "list number", "list continue"):
    for _n in range(2, 6):
        _LOCALISED[f"{_base} {_n}"] = tuple(f"{name} {_n}" for name in _LOCALISED[_base])
# The reference's own default style of each type serves for these built-ins, whatever its name.
_DEFAULT_OF_TYPE = {"normal": "paragraph", "normal table": "table", "default paragraph font": "character"}


def _canonical_id(name: str) -> str:
    """The style id Word gives a built-in in English: "heading 1" → "Heading1", "toc 1" → "TOC1"."""
    if name.lower().startswith("toc "):
        return "TOC" + name[4:]
    return "".join(part[:1].upper() + part[1:] for part in name.split())


@functools.cache
def _bundled_types() -> dict[str, str]:
    """The type (paragraph, character, table, numbering) of each bundled style, by lower-case name."""
    found: dict[str, str] = {}
    for key, data in _bundled_styles().items():
        if key.startswith("name:"):
            found[key[5:]] = etree.fromstring(data).get(f"{_W}type", "paragraph")
    return found


class StyleIndex:
    """Which style of one style sheet (`word/styles.xml`) serves each contract style name.

    Look-up order: the `w:name` (case-insensitive: Word stores built-ins as "heading 1"); for
    Normal, Normal Table and Default Paragraph Font the sheet's own default of that type
    (`w:default="1"`); the English style id ("Heading1"); the names and ids Word uses in
    German, French, Spanish and Italian. A candidate of another type (a character style
    named like a paragraph style) never serves.
    """

    def __init__(self, root: etree._Element) -> None:
        self.by_name: dict[str, etree._Element] = {}
        self.named: dict[str, list[etree._Element]] = {}  # LibreOffice repeats names
        self.by_id: dict[str, etree._Element] = {}
        self.by_fold: dict[str, etree._Element] = {}
        self.defaults: dict[str, etree._Element] = {}
        for style in root.iter(f"{_W}style"):
            self.add(style)

    def add(self, style: etree._Element) -> None:
        name = style.find(f"{_W}name")
        sid = style.get(f"{_W}styleId", "")
        if name is not None:
            self.by_name.setdefault(name.get(f"{_W}val", "").lower(), style)
            self.named.setdefault(name.get(f"{_W}val", "").lower(), []).append(style)
            self.by_fold.setdefault(_fold(name.get(f"{_W}val", "")), style)
        self.by_id.setdefault(sid.lower(), style)
        self.by_fold.setdefault(_fold(sid), style)
        if style.get(f"{_W}default") in ("1", "true", "on"):
            self.defaults.setdefault(style.get(f"{_W}type", "paragraph"), style)

    def find(self, name: str) -> etree._Element | None:
        """The style serving `name`, or None when the sheet has none."""
        key = name.lower()
        wanted = _bundled_types().get(key)

        def fits(style: etree._Element | None) -> bool:
            return style is not None and (wanted is None or style.get(f"{_W}type", "paragraph") == wanted)

        # Of several styles with the name, the one with the built-in's own id ("List2" and
        # "ListBullet3" are both "List Bullet 3" in a LibreOffice file).
        same_name = self.named.get(key, [])
        canonical = _canonical_id(name).lower()
        candidates: list[etree._Element | None] = [
            s for s in same_name if s.get(f"{_W}styleId", "").lower() == canonical
        ]
        candidates += same_name[:1]
        if key in _DEFAULT_OF_TYPE:
            candidates.append(self.defaults.get(_DEFAULT_OF_TYPE[key]))
        candidates.append(self.by_id.get(canonical))
        for alias in _LOCALISED.get(key, ()):
            candidates.extend((self.by_name.get(alias.lower()), self.by_fold.get(_fold(alias))))
        return next((style for style in candidates if fits(style)), None)

    def missing(self, names: list[str], source: str) -> list[Problem]:
        """A warning for each of `names` that no style serves (briefgen's default is used)."""
        return [
            Problem(
                f"style {name!r} is missing from the reference; briefgen's default definition is used",
                file=source,
                severity="warning",
            )
            for name in names
            if self.find(name) is None
        ]


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
        self.index = StyleIndex(styles)
        self.by_name: dict[str, etree._Element] = {}
        self.ids: set[str] = {style.get(f"{_W}styleId", "") for style in styles.iter(f"{_W}style")}
        self._cache: dict[str, str | None] = {}
        # The same warnings as `briefgen check --reference-docx` gives, whether used or not.
        warnings.extend(self.index.missing(contract_style_names(), source))

    def id(self, name: str) -> str | None:
        """The styleId for `name`; None (use Normal / no style) when nothing can serve."""
        if name in self._cache:
            return self._cache[name]
        style = self.by_name.get(name.lower()) or self.index.find(name)
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
        if style is not None:
            self.by_name[name.lower()] = style
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
        # The reference keeps its own defaults: an adopted Normal beside its "Standard" would be
        # a second default paragraph style, and the body would ignore the house style.
        if style.get(f"{_W}type", "paragraph") in self.index.defaults and f"{_W}default" in style.attrib:
            del style.attrib[f"{_W}default"]
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
            adopted = None
            if parent_name:
                adopted = self.by_name.get(parent_name.lower()) or self.index.find(parent_name)
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
                remove(num_id.getparent())
            else:
                num_id.set(f"{_W}val", new_id)
        self.root.append(style)
        self.ids.add(sid)
        self.by_name[name.lower()] = style
        self.index.add(style)
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
        abstract_id = required(num.find(f"{_W}abstractNumId"), "w:abstractNumId").get(f"{_W}val")
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
            remove(link)  # the style id may differ here
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
    return StyleIndex(root).missing(contract_style_names(), name)
