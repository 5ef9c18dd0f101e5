"""The word diff of stored revisions: between two of them, and what an edit event changed.

The history page, `csto-monitor show` and the notifications all take their diff from here,
so they agree with each other and with the change detector.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import object_session

from core.models import ChangeEvent, Document, DocumentVersion, Item, ItemRevision
from monitor.documents import file_list
from monitor.worddiff import ItemDiff, item_diff

# Changes a notification carries; the rest are counted ("and 3 more changes").
NOTIFY_LIMIT = 10


def revision_fields(revision: ItemRevision | Item) -> dict[str, str]:
    """The compared fields of a revision (or of the item as it is now) as text."""
    return {
        "url": revision.url, "title": revision.title,
        "published": revision.published.isoformat() if revision.published else "",
        "lead": revision.lead, "body": revision.body,
        "documents": file_list(revision.attachments),
    }


def revision_diff(before: ItemRevision, after: ItemRevision,
                  limit: int | None = None) -> ItemDiff:
    return item_diff(revision_fields(before), revision_fields(after), limit=limit)


def event_diff(event: ChangeEvent, limit: int | None = NOTIFY_LIMIT) -> ItemDiff:
    """What an "edited" event changed: its `previous` values against its own revision.

    The event's revision, not the item: a later edit must not leak into this one's diff.
    """
    if event.kind == "document_changed":
        return document_event_diff(event, limit)
    if event.kind != "edited" or not event.previous:
        return ItemDiff()
    after = revision_fields(_revision(event) or event.item)
    before = {name: _text(value) for name, value in event.previous.items() if name in after}
    return item_diff(before, {name: after[name] for name in before}, limit=limit)


def document_event_diff(event: ChangeEvent, limit: int | None = NOTIFY_LIMIT) -> ItemDiff:
    """What a replaced file changed: its text, the event's version against the one before,
    as one field named after the document."""
    session = object_session(event)
    number = event.previous.get("version")
    if session is None or not isinstance(number, int) or number < 2:
        return ItemDiff()
    rows = session.execute(
        select(DocumentVersion.number, DocumentVersion.text).join(Document)
        .where(Document.item_id == event.item_id,
               Document.url == event.previous.get("document_url"),
               DocumentVersion.number.in_((number - 1, number))))
    texts = {row.number: row.text for row in rows}
    name = str(event.previous.get("document_name") or "document")
    return version_diff(name, texts.get(number - 1, ""), texts.get(number, ""), limit)


def version_diff(name: str, before: str, after: str, limit: int | None = None) -> ItemDiff:
    """The word diff of two texts of one document, as one field named after it."""
    return item_diff({name: before}, {name: after}, limit=limit)


def _revision(event: ChangeEvent) -> ItemRevision | None:
    session = object_session(event)
    if session is None or event.revision_number is None:
        return None
    return session.scalar(select(ItemRevision).where(
        ItemRevision.item_id == event.item_id, ItemRevision.number == event.revision_number))


def _text(value: Any) -> str:
    return "" if value is None else str(value)
