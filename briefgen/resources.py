"""Where bundled resources live: the one module that knows the package layout.

The built-in templates and reference documents install as the package `briefgen.templates`
(from the repository's top-level templates/ folder, which users copy from); the fonts, their
cached metrics and licences as `briefgen.fonts`; the CSL citation style in `briefgen/csl`, the
message catalogs in `briefgen/locale`. Imports nothing heavy: `check` uses it.
"""

from __future__ import annotations

import importlib.resources
from importlib.resources.abc import Traversable
from pathlib import Path

TEMPLATES_PACKAGE = "briefgen.templates"
FONTS_PACKAGE = "briefgen.fonts"
# The bundled reference documents, by format.
REFERENCE_NAMES = {"docx": "reference.docx", "pptx": "reference.pptx"}
REFERENCE_FILES = tuple(REFERENCE_NAMES.values())


def builtin_template_dir() -> Path:
    """The folder of the bundled templates and reference documents."""
    return Path(str(importlib.resources.files(TEMPLATES_PACKAGE)))


def bundled_reference_files() -> list[Path]:
    """The bundled reference documents (reference.docx, reference.pptx), sorted by name."""
    folder = builtin_template_dir()
    return [folder / name for name in sorted(REFERENCE_FILES) if (folder / name).is_file()]


def bundled_reference_bytes(kind: str) -> bytes:
    """The bytes of the bundled reference document of `kind` ("docx" or "pptx")."""
    return (importlib.resources.files(TEMPLATES_PACKAGE) / REFERENCE_NAMES[kind]).read_bytes()


def font_resource(file_name: str) -> Traversable:
    """A file of the bundled fonts folder (a .ttf, its .metrics.json or its licence)."""
    return importlib.resources.files(FONTS_PACKAGE) / file_name


def locale_resource(*parts: str) -> Traversable:
    """The message catalogs folder (briefgen/locale), or a file under it:
    `locale_resource("tr", "LC_MESSAGES", "briefgen.mo")`."""
    node = importlib.resources.files("briefgen") / "locale"
    for part in parts:
        node = node / part
    return node


def csl_resource(file_name: str) -> Traversable:
    """A file of the bundled CSL styles folder (briefgen/csl): a style or its licence."""
    return importlib.resources.files("briefgen") / "csl" / file_name


def package_folder() -> Path:
    """The folder briefgen's own modules and data files are installed in."""
    return Path(__file__).resolve().parent
