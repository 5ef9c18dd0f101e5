"""Who wants what: one model of preferences (Subscriber) for every channel."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import ChangeEvent, Item, Subscriber


def wants(subscriber: Subscriber, kind: str, item: Item) -> bool:
    """Whether this change of this item matches the subscriber's preferences."""
    # A file replaced under its link changes what the item publishes: an edit of it.
    if kind in ("edited", "document_changed") and not subscriber.include_edits:
        return False
    if kind == "removed" and not subscriber.include_removals:
        return False
    if (subscriber.languages and item.language not in subscriber.languages
            and not subscriber.accept_translated):
        return False
    if subscriber.sections and item.section not in subscriber.sections:
        return False
    if subscriber.keywords:
        text = f"{item.title}\n{item.lead}\n{item.body}".casefold()
        return any(k.casefold() in text for k in subscriber.keywords)
    return True


def reader_language(languages: Sequence[str], ui_language: str) -> str | None:
    """The one language news is translated into for a reader of `languages` ([] = every
    language: nothing is translated)."""
    if not languages:
        return None
    return ui_language if ui_language in languages else languages[0]


def translation_target(subscriber: Subscriber, item_language: str) -> str | None:
    """The language to translate an item into for this subscriber, or None when they read
    the item's own language."""
    if item_language in subscriber.languages:
        return None
    return reader_language(subscriber.languages, subscriber.ui_language)


def active_subscribers(session: Session, channel: str, mode: str | None = None
                       ) -> list[Subscriber]:
    query = select(Subscriber).where(Subscriber.channel == channel,
                                     Subscriber.status == "active")
    if mode is not None:
        query = query.where(Subscriber.mode == mode)
    return list(session.scalars(query.order_by(Subscriber.id)))


def instant_recipients(session: Session, channel: str, event: ChangeEvent) -> list[str]:
    """Addresses of the channel's instant subscribers who want this event."""
    return [s.address for s in active_subscribers(session, channel, "instant")
            if wants(s, event.kind, event.item)]


def find(session: Session, channel: str, address: str) -> Subscriber | None:
    return session.scalar(select(Subscriber).where(Subscriber.channel == channel,
                                                   Subscriber.address == address))
