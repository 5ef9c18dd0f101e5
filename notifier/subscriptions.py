"""Who wants what: one model of preferences (Subscriber) for every channel."""

from __future__ import annotations

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
    if subscriber.languages and item.language not in subscriber.languages:
        return False
    if subscriber.sections and item.section not in subscriber.sections:
        return False
    if subscriber.keywords:
        text = f"{item.title}\n{item.lead}\n{item.body}".casefold()
        return any(k.casefold() in text for k in subscriber.keywords)
    return True


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
