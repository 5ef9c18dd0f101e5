"""What a poll's fetched files hold: their hash, size, type and text (pure, no storage)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from scraper.documents.read import read_document
from scraper.documents.status import DocumentStatus, DocumentText
from scraper.items import FetchedDocument


@dataclass(frozen=True)
class ReadFile:
    """One fetched file, read: `text` is None for a 304 (the stored version stands)."""

    fetched: FetchedDocument
    text: DocumentText | None
    sha256: str = ""
    size: int = 0


def read_files(fetched: Sequence[FetchedDocument], max_unpacked: int) -> list[ReadFile]:
    """Read every file that came with bytes (CPU-bound: run it off the event loop)."""
    return [read_file(document, max_unpacked) for document in fetched]


def read_file(document: FetchedDocument, max_unpacked: int) -> ReadFile:
    if document.http_status == 304:
        return ReadFile(document, None)
    if document.body is None:
        failure = DocumentText("", _failure_status(document), detail=document.error)
        return ReadFile(document, failure)
    body = document.body
    return ReadFile(document, read_document(body, max_unpacked),
                    hashlib.sha256(body).hexdigest(), len(body))


def _failure_status(document: FetchedDocument) -> DocumentStatus:
    if document.too_large:
        return DocumentStatus.TOO_LARGE
    if document.http_status:
        return DocumentStatus.HTTP_ERROR
    return DocumentStatus.FETCH_ERROR
