"""Documents and their versions in the database: validators for the next crawl, and one
poll's fetched files written into the poll's transaction."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import ChangeEvent, CrawlRun, Document, DocumentVersion, Item
from monitor.documents import ReadFile
from scraper.documents.status import DocumentStatus, DocumentText
from scraper.items import KnownDocument, NewsItem


def validators(session: Session, source_id: int) -> dict[str, KnownDocument]:
    """ETag / Last-Modified and hash of the source's documents by URL, for conditional
    requests and to skip reading a file whose bytes did not change."""
    rows = session.execute(
        select(Document.url, Document.etag, Document.last_modified, Document.sha256)
        .join(Item, Item.id == Document.item_id)
        .where(Item.source_id == source_id, Document.sha256 != ""))
    return {row.url: KnownDocument(row.etag, row.last_modified, row.sha256) for row in rows}


def record(session: Session, source_id: int, files: Sequence[ReadFile],
           items: Iterable[NewsItem], now: datetime) -> list[tuple[Document, DocumentVersion]]:
    """Store each file's outcome; return (document, new version) for every file replaced
    under the same URL (a document that had a version and now has another)."""
    item_ids = _item_ids(session, source_id, {f.fetched.item_url for f in files}
                         | {item.url for item in items})
    replaced = []
    for file in files:
        item_id = item_ids.get(file.fetched.item_url)
        if item_id is None:  # the item was not stored (its page was deferred)
            continue
        document = _document(session, item_id, file, now)
        version = _apply(session, document, file, now)
        if version is not None and version.number > 1:
            replaced.append((document, version))
    for item in items:
        if item.url in item_ids:
            _mark_attached(session, item_ids[item.url], item.attachments)
    session.flush()
    return replaced


def _item_ids(session: Session, source_id: int, urls: set[str]) -> dict[str, int]:
    if not urls:
        return {}
    rows = session.execute(select(Item.id, Item.url, Item.source_id).where(Item.url.in_(urls)))
    return {row.url: row.id for row in rows if row.source_id == source_id}


def _document(session: Session, item_id: int, file: ReadFile, now: datetime) -> Document:
    document = session.scalar(select(Document).where(Document.item_id == item_id,
                                                     Document.url == file.fetched.url))
    if document is None:
        document = Document(item_id=item_id, url=file.fetched.url, name=file.fetched.name,
                            content_type="", bytes=0, sha256="", text_chars=0, status="",
                            detail="", attached=True, first_seen=now, last_changed=now)
        session.add(document)
        session.flush()
    document.name, document.last_checked, document.attached = file.fetched.name, now, True
    return document


def _apply(session: Session, document: Document, file: ReadFile, now: datetime
           ) -> DocumentVersion | None:
    """Update the document from one fetch; return the version it added, if any."""
    text = file.text
    if text is None and not document.sha256:  # new here, but stored for another item
        text, file = _stored_text(session, file)
    if text is None:  # 304, or the same bytes again: the stored version is current
        if file.sha256 == document.sha256 and file.fetched.http_status != 304:
            document.etag, document.last_modified = (file.fetched.etag,
                                                     file.fetched.last_modified)
        return None
    document.status, document.detail = text.status.value, text.detail
    if not file.sha256:  # no bytes: an HTTP error, too large, no answer, refused
        document.etag = document.last_modified = None
        if text.status is DocumentStatus.REFUSED:
            # Its link now leads where we do not fetch: what an older release read there
            # (a local file, a private host) is no longer current, so no longer searched;
            # its versions stay in the history.
            document.sha256, document.content_type, document.bytes = "", "", 0
            document.text_chars = 0
        return None
    document.etag, document.last_modified = file.fetched.etag, file.fetched.last_modified
    document.content_type, document.bytes = text.content_type, file.size
    document.text_chars = len(text.text)
    if document.sha256 == file.sha256:
        return None
    if document.versions and document.versions[-1].sha256 == file.sha256:
        document.sha256 = file.sha256  # the same file again after a refusal: not a change
        return None
    document.sha256, document.last_changed = file.sha256, now
    number = 1 + len(document.versions)
    version = DocumentVersion(document_id=document.id, number=number, captured_at=now,
                              sha256=file.sha256, bytes=file.size,
                              content_type=text.content_type, status=text.status.value,
                              text=text.text)
    session.add(version)
    document.versions.append(version)
    return version


def _stored_text(session: Session, file: ReadFile) -> tuple[DocumentText | None, ReadFile]:
    """The text stored for these bytes (or, after a 304, for this URL) under another item:
    the same file linked from two items is read once."""
    query = select(DocumentVersion).join(Document).order_by(DocumentVersion.id.desc())
    if file.sha256:
        query = query.where(DocumentVersion.sha256 == file.sha256)
    else:
        query = query.where(Document.url == file.fetched.url,
                            DocumentVersion.sha256 == Document.sha256)
    version = session.scalars(query.limit(1)).first()
    if version is None:
        return None, file
    text = DocumentText(version.content_type, DocumentStatus(version.status), version.text)
    return text, dataclasses.replace(file, sha256=version.sha256, size=version.bytes)


def _mark_attached(session: Session, item_id: int, urls: Sequence[str]) -> None:
    """A document no longer linked from its item's page is kept, marked detached."""
    wanted = set(urls)
    for document in session.scalars(select(Document).where(Document.item_id == item_id)):
        document.attached = document.url in wanted


def changed_events(session: Session, run: CrawlRun,
                   replaced: Sequence[tuple[Document, DocumentVersion]]) -> list[ChangeEvent]:
    """One `document_changed` event per replaced file, naming the document and its version
    (the changed sentences are the word diff of that version against the one before)."""
    events = []
    for document, version in replaced:
        item = session.get_one(Item, document.item_id)
        events.append(ChangeEvent(
            item_id=item.id, run_id=run.id, kind="document_changed",
            detected_at=run.started_at, url=item.url, title=item.title, fields=["document"],
            previous={"document_url": document.url, "document_name": document.name,
                      "version": version.number},
        ))
    session.add_all(events)
    session.flush()
    return events
