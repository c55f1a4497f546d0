"""Package-level helpers shared by the writers: safe reading of reference files and
reproducible zip output. Knows OPC (zip + content types), not Word or PowerPoint.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from datetime import datetime
from pathlib import Path

from lxml import etree

from briefgen.errors import ReferenceFileProblem

# Limits on reference files from elsewhere (zip bombs): a real template is a few MB at most.
MAX_FILE_BYTES = 100 * 1024 * 1024  # the package on disk
MAX_ENTRIES = 2_000
MAX_TOTAL_UNCOMPRESSED = 200 * 1024 * 1024  # declared, and again as actually decompressed
MAX_XML_PART = 32 * 1024 * 1024  # each XML part is parsed into memory by python-docx/-pptx
MAX_RATIO = 200  # uncompressed / compressed, per entry (XML compresses ~10-30x)
RATIO_FLOOR = 1024 * 1024  # tiny entries may compress better than that (runs of spaces)
_CHUNK = 1024 * 1024

MAIN_PART_TYPES = {
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
        "application/vnd.ms-word.document.macroEnabled.main+xml",
        "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
    ),
    "pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
        "application/vnd.openxmlformats-officedocument.presentationml.template.main+xml",
        "application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml",
        "application/vnd.ms-powerpoint.template.macroEnabled.main+xml",
    ),
}
KIND_NAMES = {"docx": "Word document (.docx/.dotx)", "pptx": "PowerPoint presentation (.pptx/.potx)"}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .doc/.ppt, and encrypted OOXML
# Markup that declares a DTD or entities: never in Office files, and the door to entity
# expansion (billion laughs) and external entities (local files, network).
_DTD_MARKERS = (b"<!doctype", b"<!entity")
# What zipfile/zlib raise on damaged entries (RuntimeError: encrypted; NotImplementedError:
# unknown compression method).
_CORRUPT = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError)
_CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"


def read_reference(path: Path, kind: str) -> bytes:
    """Read and vet a reference package; return its bytes (normalised to a document, not a
    template) or raise `ReferenceFileProblem` naming what is wrong.

    Vetting: a regular file of sane size; a zip (not an old binary or encrypted file) with
    unique entry names; declared sizes and ratios within limits, then every entry actually
    decompressed with a cap and its CRC checked (a lying header cannot fool it); no part
    declaring a DTD or entities; the main part of the expected kind present.
    """
    data = _read_file(path)
    zf, ct = _vet_package(path, data, KIND_NAMES[kind])
    text = ct.decode("utf-8", "replace")
    if not any(t in text for t in MAIN_PART_TYPES[kind]):
        other = package_kind(text)
        found = f" it is a {KIND_NAMES[other]}" if other else ""
        raise ReferenceFileProblem(f"{path}: not a {KIND_NAMES[kind]}:{found or ' unknown package type'}")
    _check_main_part(path, zf, ct, kind)
    # A template (.dotx/.potx) differs from a document only in its main part's content type.
    for tmpl, doc in (
        (MAIN_PART_TYPES[kind][1], MAIN_PART_TYPES[kind][0]),
        (MAIN_PART_TYPES[kind][3], MAIN_PART_TYPES[kind][2]),
    ):
        if tmpl in text:
            data = _replace_entry(zf, "[Content_Types].xml", text.replace(tmpl, doc).encode())
            break
    return data


def read_package(path: Path) -> tuple[bytes, str | None]:
    """Read and vet any Office package (for `inspect`): the bytes and its kind ('docx', 'pptx',
    or None for another package type). The same file and package limits as a reference file;
    raises `ReferenceFileProblem`."""
    data = _read_file(path, "Word or PowerPoint file")
    _zf, ct = _vet_package(path, data, "Word or PowerPoint file")
    return data, package_kind(ct.decode("utf-8", "replace"))


def package_kind(content_types: str) -> str | None:
    """'docx' or 'pptx' by the main part type [Content_Types].xml declares; None otherwise."""
    return next((k for k, types in MAIN_PART_TYPES.items() if any(t in content_types for t in types)), None)


def _vet_package(path: Path, data: bytes, what: str) -> tuple[zipfile.ZipFile, bytes]:
    """The zip checks every package passes: not an old binary or encrypted file; entry count,
    names, declared and actual sizes and ratios in limits; CRCs; no DTD or entities; a
    [Content_Types].xml (returned)."""
    if data.startswith(_OLE_MAGIC):
        raise ReferenceFileProblem(
            f"{path}: not a valid {what}: it is an old binary Office file (.doc/.ppt) "
            "or a password-protected one; save it as .docx/.pptx without a password"
        )
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise ReferenceFileProblem(
            f"{path}: not a valid {what}: the file is not a zip package "
            "(corrupt, truncated, or not an Office file)"
        ) from None
    _check_declared(path, infos)
    for info in infos:
        _check_entry(path, zf, info)
    try:
        ct = _read_limited(zf, "[Content_Types].xml", MAX_XML_PART)
    except KeyError:
        raise ReferenceFileProblem(
            f"{path}: not a valid {what}: no [Content_Types].xml in the package"
        ) from None
    return zf, ct


def _read_file(path: Path, what: str = "reference document") -> bytes:
    """The file's bytes: a regular file, at most MAX_FILE_BYTES (checked before and while
    reading, through `briefgen.intake`)."""
    from briefgen.intake import InputRefused, read_bytes

    try:
        return read_bytes(path, MAX_FILE_BYTES, what)
    except InputRefused as exc:
        raise ReferenceFileProblem(str(exc)) from None


def _check_declared(path: Path, infos: list[zipfile.ZipInfo]) -> None:
    """Limits on what the zip's directory declares: entry count, names, sizes, ratios."""
    if len(infos) > MAX_ENTRIES:
        raise ReferenceFileProblem(f"{path}: refused: {len(infos)} zip entries (limit {MAX_ENTRIES})")
    names = [i.filename for i in infos]
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise ReferenceFileProblem(
            f"{path}: refused: the zip holds two entries named {dup!r} (corrupt or forged)"
        )
    total = 0
    for info in infos:
        total += info.file_size
        if info.flag_bits & 0x1:
            raise ReferenceFileProblem(f"{path}: refused: entry {info.filename!r} is encrypted")
        _check_ratio(path, info.filename, info.file_size, info.compress_size)
    if total > MAX_TOTAL_UNCOMPRESSED:
        raise ReferenceFileProblem(
            f"{path}: refused: {total // (1024 * 1024)} MB uncompressed "
            f"(limit {MAX_TOTAL_UNCOMPRESSED // (1024 * 1024)} MB): possible zip bomb"
        )


def _check_ratio(path: Path, name: str, size: int, compressed: int) -> None:
    if size > RATIO_FLOOR and size > MAX_RATIO * max(compressed, 1):
        raise ReferenceFileProblem(
            f"{path}: refused: entry {name!r} expands {size // max(compressed, 1)}x "
            f"(limit {MAX_RATIO}x): possible zip bomb"
        )


def _check_entry(path: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Decompress one entry in chunks, with a cap: its actual size and ratio must stay in the
    limits (whatever its header says), its CRC must match, and an XML part must not declare a
    DTD or entities."""
    is_xml = info.filename.lower().endswith((".xml", ".rels"))
    cap = MAX_XML_PART if is_xml else MAX_TOTAL_UNCOMPRESSED
    needles: tuple[bytes, ...] = _DTD_MARKERS
    tail = b""
    size = 0
    try:
        with zf.open(info) as fh:
            while chunk := fh.read(_CHUNK):
                if size == 0 and chunk[:2] in (b"\xff\xfe", b"\xfe\xff"):
                    codec = "utf-16-le" if chunk[:2] == b"\xff\xfe" else "utf-16-be"
                    needles = tuple(n.decode().encode(codec) for n in _DTD_MARKERS)
                size += len(chunk)
                if size > cap:
                    raise ReferenceFileProblem(
                        f"{path}: refused: entry {info.filename!r} expands beyond {cap // (1024 * 1024)} MB"
                    )
                _check_ratio(path, info.filename, size, info.compress_size)
                if is_xml:
                    window = (tail + chunk).lower()
                    if any(n in window for n in needles):
                        raise ReferenceFileProblem(
                            f"{path}: refused: part {info.filename!r} declares a DTD or entities "
                            "(not allowed in Office files; could read local files or the network)"
                        )
                    tail = window[-32:]
    except ReferenceFileProblem:
        raise
    except _CORRUPT as exc:
        raise ReferenceFileProblem(
            f"{path}: not a valid package: entry {info.filename!r} is corrupt ({exc})"
        ) from None


def _check_main_part(path: Path, zf: zipfile.ZipFile, content_types: bytes, kind: str) -> None:
    """The main part named in [Content_Types].xml must exist (python-docx/-pptx would fail
    with a KeyError otherwise). Parsed without DTDs, entities or network."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(content_types, parser)
    except etree.XMLSyntaxError as exc:
        raise ReferenceFileProblem(
            f"{path}: not a valid package: [Content_Types].xml is malformed ({exc})"
        ) from None
    names = set(zf.namelist())
    for override in root.iter(f"{_CT_NS}Override"):
        if override.get("ContentType") in MAIN_PART_TYPES[kind]:
            part = (override.get("PartName") or "").lstrip("/")
            if part not in names:
                raise ReferenceFileProblem(
                    f"{path}: not a valid {KIND_NAMES[kind]}: its main part {part!r} is missing"
                )
    if "_rels/.rels" not in names:
        raise ReferenceFileProblem(f"{path}: not a valid {KIND_NAMES[kind]}: no _rels/.rels in the package")


def _read_limited(zf: zipfile.ZipFile, name: str, limit: int = MAX_TOTAL_UNCOMPRESSED) -> bytes:
    with zf.open(name) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise ReferenceFileProblem(f"refused: part {name!r} is larger than {limit} bytes")
    return data


def _replace_entry(zf: zipfile.ZipFile, name: str, payload: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in zf.infolist():
            dst.writestr(info, payload if info.filename == name else zf.read(info))
    return out.getvalue()


_FIRST = ("[Content_Types].xml", "_rels/.rels")


APP_XML = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    b'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    b"<Application>briefgen</Application><DocSecurity>0</DocSecurity></Properties>"
)


def repack(data: bytes, stamp: datetime) -> bytes:
    """Rewrite a package reproducibly: entries in a fixed order, each with the same date and
    attributes, so the same content always gives the same bytes.

    The extended properties (docProps/app.xml) are replaced by a minimal set naming briefgen: the
    reference file's copy carries its own page and slide counts, template name and slide format,
    which would be wrong for the document we wrote (Office recomputes them on save)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    names = src.namelist()
    ordered = [n for n in _FIRST if n in names] + sorted(n for n in names if n not in _FIRST)
    date_time = (max(stamp.year, 1980), stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in ordered:
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 0
            payload = APP_XML if name == "docProps/app.xml" else src.read(name)
            dst.writestr(info, payload, compresslevel=6)
    return out.getvalue()
