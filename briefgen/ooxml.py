"""Package-level helpers shared by the writers: safe reading of reference files and
reproducible zip output. Knows OPC (zip + content types), not Word or PowerPoint.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path

from briefgen.errors import ReferenceFileProblem

# Limits on reference files from elsewhere (zip bombs): a real template is a few MB at most.
MAX_ENTRIES = 2_000
MAX_TOTAL_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed, per entry (XML compresses ~10-30x)

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


def read_reference(path: Path, kind: str) -> bytes:
    """Read and vet a reference package; return its bytes (normalised to a document, not a
    template) or raise `ReferenceFileProblem` naming what is wrong."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReferenceFileProblem(f"{path}: cannot read reference file: {exc.strerror}") from None
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ReferenceFileProblem(
            f"{path}: not a valid {KIND_NAMES[kind]}: the file is not a zip package "
            "(corrupt, truncated, or an old binary .doc/.ppt)"
        ) from None
    if len(infos) > MAX_ENTRIES:
        raise ReferenceFileProblem(f"{path}: refused: {len(infos)} zip entries (limit {MAX_ENTRIES})")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ReferenceFileProblem(
                f"{path}: refused: entry {info.filename!r} expands {info.file_size // max(info.compress_size, 1)}x "
                f"(limit {MAX_RATIO}x): possible zip bomb"
            )
    if total > MAX_TOTAL_UNCOMPRESSED:
        raise ReferenceFileProblem(
            f"{path}: refused: {total // (1024 * 1024)} MB uncompressed "
            f"(limit {MAX_TOTAL_UNCOMPRESSED // (1024 * 1024)} MB): possible zip bomb"
        )
    try:
        ct = _read_limited(zf, "[Content_Types].xml")
    except KeyError:
        raise ReferenceFileProblem(
            f"{path}: not a valid {KIND_NAMES[kind]}: no [Content_Types].xml in the package"
        ) from None
    for name in zf.namelist():
        if name.lower().endswith((".xml", ".rels")):
            head = _read_limited(zf, name)[:4096]
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                raise ReferenceFileProblem(
                    f"{path}: refused: part {name!r} declares a DTD or entities "
                    "(not allowed in Office files; could read local files or the network)"
                )
    text = ct.decode("utf-8", "replace")
    if not any(t in text for t in MAIN_PART_TYPES[kind]):
        other = next((k for k, types in MAIN_PART_TYPES.items() if any(t in text for t in types)), None)
        found = f" it is a {KIND_NAMES[other]}" if other else ""
        raise ReferenceFileProblem(f"{path}: not a {KIND_NAMES[kind]}:{found or ' unknown package type'}")
    # A template (.dotx/.potx) differs from a document only in its main part's content type.
    for tmpl, doc in (
        (MAIN_PART_TYPES[kind][1], MAIN_PART_TYPES[kind][0]),
        (MAIN_PART_TYPES[kind][3], MAIN_PART_TYPES[kind][2]),
    ):
        if tmpl in text:
            data = _replace_entry(zf, "[Content_Types].xml", text.replace(tmpl, doc).encode())
            break
    return data


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


def repack(data: bytes, stamp: datetime) -> bytes:
    """Rewrite a package reproducibly: entries in a fixed order, each with the same date and
    attributes, so the same content always gives the same bytes."""
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
            dst.writestr(info, src.read(name), compresslevel=6)
    return out.getvalue()
