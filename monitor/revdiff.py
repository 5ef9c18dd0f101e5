"""The word diff of stored revisions: between two of them, and what an edit event changed.

The history page, `csto-monitor show` and the notifications all take their diff from here,
so they agree with each other and with the change detector.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import object_session

from monitor.models import ChangeEvent, Item, ItemRevision
from monitor.worddiff import ItemDiff, item_diff

# Changes a notification carries; the rest are counted ("and 3 more changes").
NOTIFY_LIMIT = 10


def revision_fields(revision: ItemRevision | Item) -> dict[str, str]:
    """The compared fields of a revision (or of the item as it is now) as text."""
    return {
        "url": revision.url, "title": revision.title,
        "published": revision.published.isoformat() if revision.published else "",
        "lead": revision.lead, "body": revision.body,
    }


def revision_diff(before: ItemRevision, after: ItemRevision,
                  limit: int | None = None) -> ItemDiff:
    return item_diff(revision_fields(before), revision_fields(after), limit=limit)


def event_diff(event: ChangeEvent, limit: int | None = NOTIFY_LIMIT) -> ItemDiff:
    """What an "edited" event changed: its `previous` values against its own revision.

    The event's revision, not the item: a later edit must not leak into this one's diff.
    """
    if event.kind != "edited" or not event.previous:
        return ItemDiff()
    after = revision_fields(_revision(event) or event.item)
    before = {name: _text(value) for name, value in event.previous.items() if name in after}
    return item_diff(before, {name: after[name] for name in before}, limit=limit)


def _revision(event: ChangeEvent) -> ItemRevision | None:
    session = object_session(event)
    if session is None or event.revision_number is None:
        return None
    return session.scalar(select(ItemRevision).where(
        ItemRevision.item_id == event.item_id, ItemRevision.number == event.revision_number))


def _text(value: Any) -> str:
    return "" if value is None else str(value)
