"""The reference corpus: reference documents as different producers save them (issue 16).

Most are made here, at test time, from briefgen's bundled references or from python-docx's and
python-pptx's default templates, by the same changes the producer makes (a few kilobytes of code
instead of committed binaries). The two that only LibreOffice can make honestly are committed
under tests/fixtures/references/ and remade by running this file:

    .venv/bin/python tests/reference_corpus.py      # needs soffice (LibreOffice)

| file | producer and what it exercises |
| --- | --- |
| word-de.docx | German Word: built-in names kept ("heading 1"), style ids localised ("berschrift1") |
| word-fr.docx | French Word: style ids localised ("Titre1", "Pieddepage", "TM1") |
| names-de.docx | a converter that localised names and ids ("Überschrift 1", "Standard" as the default) |
| names-fr.docx | the same in French ("Titre 1", "Pied de page", "Légende") |
| libreoffice.docx | LibreOffice Writer 7 (reference.docx → .odt → .docx): its own style sheet and settings |
| a5-landscape.docx | an A5 landscape page with narrow margins |
| first-even-headers.docx | a distinct first page and odd/even headers and footers |
| python-docx-default.docx | python-docx's default template (Letter, Calibri, no custom styles) |
| python-pptx-default.pptx | python-pptx's default template: 4:3, Office theme |
| libreoffice.pptx | LibreOffice Impress 7 (reference.pptx → .odp → .pptx) |
| layouts-de.pptx | German PowerPoint: layouts named "Titelfolie", "Nur Titel", … (types kept) |
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUNDLED_DOCX = ROOT / "templates" / "reference.docx"
BUNDLED_PPTX = ROOT / "templates" / "reference.pptx"
COMMITTED = ROOT / "tests" / "fixtures" / "references"

# Word's style ids for built-in styles, by language (the English id → the localised one). Word
# derives them from the localised name, dropping spaces and every non-ASCII letter.
WORD_IDS = {
    "de": {
        "Normal": "Standard",
        "Title": "Titel",
        "Header": "Kopfzeile",
        "Footer": "Fuzeile",
        "FootnoteText": "Funotentext",
        "FootnoteReference": "Funotenzeichen",
        "ListBullet": "Aufzhlungszeichen",
        "ListBullet2": "Aufzhlungszeichen2",
        "ListBullet3": "Aufzhlungszeichen3",
        "ListNumber": "Listennummer",
        "ListNumber2": "Listennummer2",
        "ListNumber3": "Listennummer3",
        "ListContinue": "Listenfortsetzung",
        "ListContinue2": "Listenfortsetzung2",
        "ListContinue3": "Listenfortsetzung3",
        "TOC1": "Verzeichnis1",
        "TOC2": "Verzeichnis2",
        "TOC3": "Verzeichnis3",
        "TOCHeading": "Inhaltsverzeichnisberschrift",
        "Caption": "Beschriftung",
        "TableGrid": "Tabellenraster",
        "TableNormal": "NormaleTabelle",
        **{f"Heading{n}": f"berschrift{n}" for n in range(1, 10)},
    },
    "fr": {
        "Normal": "Normal",
        "Title": "Titre",
        "Header": "En-tte",
        "Footer": "Pieddepage",
        "FootnoteText": "Notedebasdepage",
        "FootnoteReference": "Appelnotedebasdep",
        "ListBullet": "Listepuces",
        "ListBullet2": "Listepuces2",
        "ListBullet3": "Listepuces3",
        "ListNumber": "Listenumros",
        "ListNumber2": "Listenumros2",
        "ListNumber3": "Listenumros3",
        "ListContinue": "Listesuite",
        "ListContinue2": "Listesuite2",
        "ListContinue3": "Listesuite3",
        "TOC1": "TM1",
        "TOC2": "TM2",
        "TOC3": "TM3",
        "TOCHeading": "En-ttedetabledesmatires",
        "Caption": "Lgende",
        "Hyperlink": "Lienhypertexte",
        "TableGrid": "Grilledutableau",
        "TableNormal": "TableauNormal",
        **{f"Heading{n}": f"Titre{n}" for n in range(1, 10)},
    },
}
# The names a converter that localises them too writes (built-in name → localised name).
LOCALISED_NAMES = {
    "de": {
        "Normal": "Standard", "Title": "Titel", "header": "Kopfzeile", "footer": "Fußzeile",
        "footnote text": "Fußnotentext", "footnote reference": "Fußnotenzeichen",
        "List Bullet": "Aufzählungszeichen", "List Bullet 2": "Aufzählungszeichen 2",
        "List Number": "Listennummer", "toc 1": "Verzeichnis 1", "caption": "Beschriftung",
        "TOC Heading": "Inhaltsverzeichnisüberschrift", "Normal Table": "Normale Tabelle",
        **{f"heading {n}": f"Überschrift {n}" for n in range(1, 10)},
    },
    "fr": {
        "Title": "Titre", "header": "En-tête", "footer": "Pied de page",
        "footnote text": "Note de bas de page", "footnote reference": "Appel note de bas de p.",
        "List Bullet": "Liste à puces", "List Number": "Liste numéros", "toc 1": "TM 1",
        "caption": "Légende", "Hyperlink": "Lien hypertexte", "Normal Table": "Tableau Normal",
        **{f"heading {n}": f"Titre {n}" for n in range(1, 10)},
    },
}  # fmt: skip
PPTX_LAYOUT_NAMES_DE = {
    "Title Slide": "Titelfolie", "Title and Content": "Titel und Inhalt",
    "Section Header": "Abschnittsüberschrift", "Two Content": "Zwei Inhalte",
    "Title Only": "Nur Titel", "Blank": "Leer",
}  # fmt: skip


def _rewrite(data: bytes, change: Callable[[str, str], str]) -> bytes:
    """A copy of a package with `change(part name, xml text)` applied to every XML part."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = zin.read(info.filename)
            if info.filename.endswith((".xml", ".rels")):
                body = change(info.filename, body.decode("utf-8")).encode("utf-8")
            zout.writestr(info, body)
    return out.getvalue()


def word_localised(language: str, *, names: bool) -> bytes:
    """The bundled reference as Word in `language` saves it; with `names`, names localised too."""
    ids = WORD_IDS[language]

    def change(part: str, xml: str) -> str:
        if not part.startswith("word/"):
            return xml
        for english, local in ids.items():
            xml = xml.replace(f'w:styleId="{english}"', f'w:styleId="{local}"')
            xml = re.sub(
                rf'(<w:(?:basedOn|next|link|pStyle|rStyle|tblStyle) w:val)="{english}"', rf'\1="{local}"', xml
            )
        if names:
            for english, local in LOCALISED_NAMES[language].items():
                xml = xml.replace(f'<w:name w:val="{english}"/>', f'<w:name w:val="{local}"/>')
        return xml

    return _rewrite(BUNDLED_DOCX.read_bytes(), change)


def _with_document(data: bytes, edit: Callable[[object], None]) -> bytes:
    import docx

    word = docx.Document(io.BytesIO(data))
    edit(word)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def a5_landscape() -> bytes:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    def edit(word) -> None:  # type: ignore[no-untyped-def]
        section = word.sections[0]
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(210), Mm(148)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Mm(15))

    return _with_document(BUNDLED_DOCX.read_bytes(), edit)


def first_even_headers() -> bytes:
    def edit(word) -> None:  # type: ignore[no-untyped-def]
        section = word.sections[0]
        section.different_first_page_header_footer = True
        word.settings.odd_and_even_pages_header_footer = True
        for part, text in (
            (section.first_page_header, "FIRST PAGE HEADER"),
            (section.even_page_header, "EVEN PAGE HEADER"),
            (section.first_page_footer, "FIRST PAGE FOOTER"),
            (section.even_page_footer, "EVEN PAGE FOOTER"),
        ):
            part.is_linked_to_previous = False
            part.paragraphs[0].text = text

    return _with_document(BUNDLED_DOCX.read_bytes(), edit)


def python_docx_default() -> bytes:
    import docx

    out = io.BytesIO()
    docx.Document().save(out)
    return out.getvalue()


def python_pptx_default() -> bytes:
    from pptx import Presentation

    out = io.BytesIO()
    Presentation().save(out)
    return out.getvalue()


def pptx_layouts_de() -> bytes:
    def change(part: str, xml: str) -> str:
        if part.startswith("ppt/slideLayouts/slideLayout") and part.endswith(".xml"):
            for english, german in PPTX_LAYOUT_NAMES_DE.items():
                xml = xml.replace(f'<p:cSld name="{english}">', f'<p:cSld name="{german}">')
        return xml

    return _rewrite(BUNDLED_PPTX.read_bytes(), change)


def without_layout_type(source: Path, layout_type: str, target: Path) -> Path:
    """A copy of a presentation whose layouts of `layout_type` (e.g. "secHead") are of type
    "cust" instead: neither their name nor their type then serves the deck's slide kind."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.startswith("ppt/slideLayouts/"):
                data = data.replace(f'type="{layout_type}"'.encode(), b'type="cust"')
            zout.writestr(info, data)
    return target


def _committed(name: str) -> Callable[[], bytes]:
    return lambda: (COMMITTED / name).read_bytes()


CORPUS: dict[str, Callable[[], bytes]] = {
    "word-de.docx": lambda: word_localised("de", names=False),
    "word-fr.docx": lambda: word_localised("fr", names=False),
    "names-de.docx": lambda: word_localised("de", names=True),
    "names-fr.docx": lambda: word_localised("fr", names=True),
    "libreoffice.docx": _committed("libreoffice.docx"),
    "a5-landscape.docx": a5_landscape,
    "first-even-headers.docx": first_even_headers,
    "python-docx-default.docx": python_docx_default,
    "python-pptx-default.pptx": python_pptx_default,
    "libreoffice.pptx": _committed("libreoffice.pptx"),
    "layouts-de.pptx": pptx_layouts_de,
}


def write_corpus(folder: Path) -> dict[str, Path]:
    """Every corpus file written into `folder`; {name: path}."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, make in CORPUS.items():
        paths[name] = folder / name
        paths[name].write_bytes(make())
    return paths


def _through_libreoffice(source: Path, via: str, to: str, target: Path) -> None:
    """Convert `source` to the intermediate format `via` and back to `to` with soffice."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise SystemExit("soffice (LibreOffice) is needed to remake the LibreOffice references")
    with tempfile.TemporaryDirectory() as tmp:
        profile = Path(tmp, "profile").as_uri()
        base = [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to"]
        subprocess.run([*base, via, "--outdir", tmp, str(source)], check=True, capture_output=True)
        middle = Path(tmp, source.with_suffix("." + via).name)
        out = Path(tmp, "out")
        subprocess.run([*base, to, "--outdir", str(out), str(middle)], check=True, capture_output=True)
        shutil.copy(out / middle.with_suffix("." + to).name, target)


if __name__ == "__main__":
    COMMITTED.mkdir(parents=True, exist_ok=True)
    _through_libreoffice(BUNDLED_DOCX, "odt", "docx", COMMITTED / "libreoffice.docx")
    _through_libreoffice(BUNDLED_PPTX, "odp", "pptx", COMMITTED / "libreoffice.pptx")
    for made in sorted(COMMITTED.iterdir()):
        print(f"{made.relative_to(ROOT)}: {made.stat().st_size} bytes", file=sys.stderr)
