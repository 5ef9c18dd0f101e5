"""Read one downloaded file: sniff its type, extract its text, end with one status."""

from __future__ import annotations

import io
import logging
import zipfile
from collections.abc import Callable

from scraper.documents import sniff as types
from scraper.documents.status import DocumentStatus, DocumentText
from scraper.documents.zipguard import ZipBomb

log = logging.getLogger(__name__)
DEFAULT_MAX_UNPACKED = 100 << 20


def read_document(data: bytes, max_unpacked: int = DEFAULT_MAX_UNPACKED) -> DocumentText:
    """Never raises: a hostile or damaged file ends in a status and a one-line reason."""
    kind = types.sniff(data)
    reader = _reader(kind, data, max_unpacked)
    if kind == types.ZIP and not _opens(data):
        return DocumentText(kind, DocumentStatus.TRUNCATED, detail="damaged or truncated zip")
    if reader is None:
        return DocumentText(kind, DocumentStatus.UNSUPPORTED, detail=_unsupported(kind))
    try:
        text = reader()
    except ZipBomb as exc:
        return DocumentText(kind, DocumentStatus.ZIP_BOMB, detail=f"not unpacked: {exc}")
    except (zipfile.BadZipFile, EOFError) as exc:
        return DocumentText(kind, DocumentStatus.TRUNCATED, detail=f"damaged archive: {exc}")
    except Exception as exc:  # a parser's any error on hostile input is the file's fault
        log.debug("reading a %s failed", kind, exc_info=True)
        return DocumentText(kind, DocumentStatus.TRUNCATED,
                            detail=f"damaged or truncated file: {type(exc).__name__}: {exc}"[:300])
    text = text.replace("\x00", "")  # PostgreSQL text cannot hold NUL
    if not text.strip():
        return DocumentText(kind, DocumentStatus.NO_TEXT,
                            detail="no text layer (a scanned image?)" if kind == types.PDF
                            else "no text")
    return DocumentText(kind, DocumentStatus.OK, text)


def _reader(kind: str, data: bytes, max_unpacked: int) -> Callable[[], str] | None:
    """The parser of this kind of file, imported only when one comes: pypdf and python-docx
    cost ~0.2 s of start-up to every command that never reads a file."""
    if kind == types.PDF:
        from scraper.documents.pdf import pdf_text

        return lambda: pdf_text(data)
    if kind in (types.DOCX, types.ODT):
        from scraper.documents.office import docx_text, odt_text

        if kind == types.DOCX:
            return lambda: docx_text(data, max_unpacked)
        return lambda: odt_text(data, max_unpacked)
    return None


def _opens(data: bytes) -> bool:
    try:
        zipfile.ZipFile(io.BytesIO(data)).close()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return True


def _unsupported(kind: str) -> str:
    if kind == types.HTML:
        return "an HTML page, not a file (an error page served as 200?)"
    return f"{kind}: recorded with its size and hash, text not read"
