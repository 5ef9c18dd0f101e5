"""What a poll's fetched files hold: their hash, size, type and text (pure, no storage)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from scraper.documents import sniff as types
from scraper.documents.read import read_document
from scraper.documents.status import DocumentStatus, DocumentText
from scraper.items import FetchedDocument


@dataclass(frozen=True)
class ReadFile:
    """One fetched file, read: `text` is None for a 304 or for the bytes already stored
    (the stored version stands)."""

    fetched: FetchedDocument
    text: DocumentText | None
    sha256: str = ""
    size: int = 0


def read_files(fetched: Sequence[FetchedDocument], max_unpacked: int,
               stored: Mapping[str, str] | None = None) -> list[ReadFile]:
    """Read every file that came with new bytes (`stored`: the hash stored by URL);
    CPU-bound: run it off the event loop."""
    hashes = stored or {}
    return [read_file(d, max_unpacked, hashes.get(d.url, "")) for d in fetched]


def read_file(document: FetchedDocument, max_unpacked: int, stored: str = "") -> ReadFile:
    if document.http_status == 304:
        return ReadFile(document, None)
    if document.body is None:
        failure = DocumentText("", _failure_status(document), detail=document.error)
        return ReadFile(document, failure)
    body = document.body
    sha256 = hashlib.sha256(body).hexdigest()
    if sha256 == stored:
        return ReadFile(document, None, sha256, len(body))
    return ReadFile(document, read_document(body, max_unpacked), sha256, len(body))


def _failure_status(document: FetchedDocument) -> DocumentStatus:
    if document.refused:
        return DocumentStatus.REFUSED
    if document.too_large:
        return DocumentStatus.TOO_LARGE
    if document.http_status:
        return DocumentStatus.HTTP_ERROR
    return DocumentStatus.FETCH_ERROR


_TYPE_LABELS = {types.PDF: "PDF", types.DOCX: "DOCX", types.ODT: "ODT", types.XLSX: "XLSX",
                types.PPTX: "PPTX", types.OLE: "DOC/XLS", types.RTF: "RTF", types.ZIP: "ZIP",
                types.RAR: "RAR", types.SEVEN_ZIP: "7Z", types.HTML: "HTML"}


def type_label(content_type: str) -> str:
    """PDF, DOCX ...: the sniffed type as a reader names it."""
    return _TYPE_LABELS.get(content_type, "file" if content_type else "?")


def size_label(size: int) -> str:
    """1.2 MB, 340 KB, 512 B."""
    if size >= 1 << 20:
        return f"{size / (1 << 20):.1f} MB"
    if size >= 1 << 10:
        return f"{size / (1 << 10):.0f} KB"
    return f"{size} B"


def describe(name: str, content_type: str, size: int, status: str) -> str:
    """`Annex 2.pdf (PDF, 1.2 MB)`, or with the status when the file could not be read."""
    return f"{name} ({file_note(content_type, size, status)})"


def file_note(content_type: str, size: int, status: str) -> str:
    """`PDF, 1.2 MB`; `PDF, 20 KB, no text`; `too large` (nothing downloaded)."""
    if not size:
        return status.replace("_", " ")
    note = f"{type_label(content_type)}, {size_label(size)}"
    if status not in ("ok", "unsupported"):
        note += f", {status.replace('_', ' ')}"
    return note


def file_list(urls: Sequence[str]) -> str:
    """Attached files as a text to word-diff, one file name per paragraph."""
    return "\n\n".join(unquote(urlsplit(url).path.rsplit("/", 1)[-1]) or url for url in urls)
