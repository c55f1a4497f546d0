"""PDF through headless LibreOffice: .docx/.pptx bytes in, PDF bytes out.

Each conversion runs in its own temporary folder with its own LibreOffice user profile
(`-env:UserInstallation`), so parallel conversions never share or lock a profile, and the
user's own LibreOffice settings never influence the result. The folder is removed afterwards,
also on timeout or interruption; a conversion that overruns its timeout is killed with all of
LibreOffice's child processes.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen.errors import Problem, ToolProblem
from briefgen.model import Document
from briefgen.outputs import write_atomic

if TYPE_CHECKING:
    from briefgen.slides import DeckPlan
    from briefgen.writers.docx_state import DocxOptions
    from briefgen.writers.pptx import PptxOptions

DEBIAN_PACKAGES = "libreoffice-writer-nogui libreoffice-impress-nogui"
_CANDIDATES = ("soffice", "libreoffice")


def find_soffice(configured: str | None = None) -> str | None:
    """The LibreOffice program: `configured` (BRIEFGEN_SOFFICE, read by `briefgen.config`; a
    program name on PATH or a file), else soffice/libreoffice on PATH; None when there is none."""
    configured = (configured or "").strip()
    if configured:
        return shutil.which(configured) or (configured if Path(configured).is_file() else None)
    for name in _CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    mac = Path("/Applications/LibreOffice.app/Contents/MacOS/soffice")
    return str(mac) if mac.is_file() else None


@functools.cache
def libreoffice_identity(configured: str | None = None) -> str:
    """What identifies the LibreOffice a PDF would be made with (`find_soffice(configured)`),
    without starting it: the resolved program path and its installation's `versionrc` (version
    and build id), or the program file's size and time where there is none; "" when none is
    installed."""
    soffice = find_soffice(configured)
    if soffice is None:
        return ""
    program = Path(soffice).resolve()
    for versionrc in (program.parent / "versionrc", program.parent.parent / "Resources" / "versionrc"):
        with contextlib.suppress(OSError):
            return f"{program}\0{hashlib.sha256(versionrc.read_bytes()).hexdigest()}"
    try:
        info = program.stat()
    except OSError:
        return str(program)
    return f"{program}\0{info.st_size}\0{info.st_mtime_ns}"


@dataclass(frozen=True)
class PdfOptions:
    """How to write a PDF: through the memo's Word writer or the deck's PowerPoint writer (by
    the type of `office`), then LibreOffice. `name` is how messages name the Office file
    (e.g. brief-memo.docx); `timeout` is in seconds, for the conversion; `soffice` the
    LibreOffice program (BRIEFGEN_SOFFICE), None to find it on PATH."""

    office: DocxOptions | PptxOptions
    name: str
    timeout: float = 120
    soffice: str | None = None


def write_pdf(
    document: Document | DeckPlan, options: PdfOptions, reference: bytes
) -> tuple[bytes, list[Problem]]:
    """The memo (a `Document`) or the deck (its `DeckPlan`) as PDF bytes (the same bytes for
    the same input and LibreOffice), and
    the warnings of the Office writer it went through. `reference` is the .docx or .pptx
    reference as for that writer. Raises `ToolProblem` when LibreOffice is missing, fails or
    overruns its timeout, `ReferenceFileProblem` as the Office writer does."""
    from briefgen.writers.docx import write_docx
    from briefgen.writers.docx_state import DocxOptions

    mismatch = "write_pdf: a memo is a Document with DocxOptions, a deck a DeckPlan with PptxOptions"
    if isinstance(document, Document):
        if not isinstance(options.office, DocxOptions):
            raise TypeError(mismatch)
        office, warnings = write_docx(document, options.office, reference)
    else:
        from briefgen.writers.pptx import PptxOptions, write_pptx  # python-pptx only for a deck

        if not isinstance(options.office, PptxOptions):
            raise TypeError(mismatch)
        office, warnings = write_pptx(document, options.office, reference)
    pdf = convert_to_pdf(
        office, options.name, options.timeout, stamp=options.office.stamp, soffice=options.soffice
    )
    return pdf, warnings


def convert_to_pdf(
    data: bytes, name: str, timeout: float = 120, *, stamp: datetime | None = None, soffice: str | None = None
) -> bytes:
    """Convert one .docx or .pptx (given as bytes; `name` gives its extension and the name in
    messages) to PDF bytes with the LibreOffice program `soffice` (None: found on PATH,
    `find_soffice`); raise `ToolProblem` when LibreOffice is missing, fails or overruns.

    With `stamp`, the PDF's creation date is set to it and its file identifier derived from the
    content, so the same input gives the same PDF bytes (with the same LibreOffice version)."""
    configured = (soffice or "").strip()
    soffice = find_soffice(configured)
    if soffice is None and configured:
        raise ToolProblem(
            f"{name}: cannot make a PDF: BRIEFGEN_SOFFICE={configured!r} is not a program "
            "(neither a file nor a name on PATH); set it to the LibreOffice program (soffice) "
            f"or unset it; LibreOffice installs on Debian/Ubuntu with apt-get install {DEBIAN_PACKAGES}"
        )
    if soffice is None:
        raise ToolProblem(
            f"{name}: cannot make a PDF: LibreOffice (soffice) is not installed or not on PATH; "
            f"install it, e.g. on Debian/Ubuntu: apt-get install {DEBIAN_PACKAGES} "
            "(or set BRIEFGEN_SOFFICE to the soffice program)"
        )
    suffix = Path(name).suffix.lower()
    if suffix not in (".docx", ".pptx"):
        raise ToolProblem(f"{name}: cannot make a PDF from a {suffix or 'nameless'} file")
    with tempfile.TemporaryDirectory(prefix="briefgen-pdf-") as tmp:
        work = Path(tmp)
        # A plain ASCII input name: LibreOffice names its output after it.
        source = work / f"input{suffix}"
        write_atomic(source, data)  # briefgen.outputs: the one place files are written
        outdir = work / "out"
        outdir.mkdir()
        command = [
            soffice,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            "--nofirststartwizard",
            "--convert-to",
            "pdf",
            "--outdir",
            str(outdir),
            str(source),
        ]
        env = dict(os.environ, HOME=str(work))  # nothing LibreOffice writes lands in the real home
        output = _run(command, env, timeout, name)
        pdf = outdir / "input.pdf"
        if not pdf.is_file() or pdf.stat().st_size == 0:
            detail = _tail(output)
            raise ToolProblem(
                f"{name}: LibreOffice did not produce a PDF" + (f": {detail}" if detail else "")
            )
        result = pdf.read_bytes()
    return reproducible_pdf(result, stamp) if stamp is not None else result


_DATE = re.compile(rb"/(?:CreationDate|ModDate)\(D:(\d{14})")
_ID = re.compile(rb"/ID \[ <([0-9A-F]{32})>\s*<([0-9A-F]{32})> \]|/DocChecksum /([0-9A-F]{32})")


def reproducible_pdf(pdf: bytes, stamp: datetime) -> bytes:
    """Replace LibreOffice's creation time and random file identifier in place (same lengths,
    so the cross-reference offsets stay valid): the time by `stamp`, the identifier and
    checksum by a digest of the rest of the file."""
    digits = f"{max(stamp.year, 1):04d}{stamp:%m%d%H%M%S}".encode()
    pdf = _DATE.sub(lambda m: m.group(0)[: m.start(1) - m.start(0)] + digits, pdf)
    blank = _ID.sub(lambda m: re.sub(rb"[0-9A-F]{32}", b"0" * 32, m.group(0)), pdf)
    digest = hashlib.md5(blank, usedforsecurity=False).hexdigest().upper().encode()
    return _ID.sub(lambda m: re.sub(rb"[0-9A-F]{32}", digest, m.group(0)), pdf)


def _run(command: list[str], env: dict[str, str], timeout: float, name: str) -> str:
    """Run LibreOffice in its own process group; kill the whole group on timeout or interrupt."""
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=os.name == "posix",
        )
    except OSError as exc:
        raise ToolProblem(f"{name}: cannot start LibreOffice ({command[0]}): {exc.strerror or exc}") from None
    try:
        out, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(process)
        raise ToolProblem(f"{name}: LibreOffice did not finish the PDF within {timeout:g} s") from None
    finally:
        if process.poll() is None:  # interrupted (Ctrl-C) while waiting
            _kill(process)
    text = out.decode("utf-8", "replace") if out else ""
    if process.returncode != 0:
        detail = _tail(text)
        raise ToolProblem(
            f"{name}: LibreOffice failed (exit {process.returncode})" + (f": {detail}" if detail else "")
        )
    return text


def _kill(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(OSError):
        if os.name == "posix":
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
    with contextlib.suppress(Exception):
        process.communicate(timeout=10)


def _tail(text: str, limit: int = 300) -> str:
    """The last meaningful lines of LibreOffice's output, on one line."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not re.match(r"^convert ", ln.strip())]
    return " | ".join(lines)[-limit:]
