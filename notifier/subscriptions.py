"""Who wants what: one model of preferences (Subscriber) for every channel."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import ChangeEvent, Delivery, Item, Subscriber
from monitor import pair_store
from monitor.read import search_query
from notifier.story import EDIT, SEND, Planned, Reader, Story, action


def wants(subscriber: Subscriber, kind: str, item: Item) -> bool:
    """Whether this change of this item matches the subscriber's preferences (digests)."""
    # A reader who accepts translations also gets the items outside their languages.
    if (subscriber.languages and item.language not in subscriber.languages
            and not subscriber.accept_translated):
        return False
    return wants_content(subscriber, kind, item)


def wants_content(subscriber: Subscriber, kind: str, item: Item) -> bool:
    """`wants`, but for the item's language (told once per story: see notifier.story)."""
    if kind == "diverged":
        return subscriber.notify_divergence
    # A file replaced under its link changes what the item publishes: an edit of it.
    if kind in ("edited", "document_changed") and not subscriber.include_edits:
        return False
    if kind == "removed" and not subscriber.include_removals:
        return False
    if subscriber.sections and item.section not in subscriber.sections:
        return False
    return not subscriber.keywords or mentions(subscriber.keywords, item)


def mentions(keywords: Sequence[str], item: Item) -> bool:
    """Whether the item's title, lead or body holds one of the keywords, matched as search
    matches (word forms, `"phrases"`, `prefix*`; each word of a keyword required): `Армения`
    finds «Армении», `met` no longer "method"."""
    text = f"{item.title}\n{item.lead}\n{item.body}"
    return any(search_query.matches(search_query.parse(k), text) for k in keywords)


def reader_of(subscriber: Subscriber) -> Reader:
    """The subscriber's languages as notifier.story reads them."""
    languages = frozenset(subscriber.languages)
    preferred = subscriber.preferred_language or (
        subscriber.languages[0] if len(languages) == 1 else subscriber.ui_language)
    return Reader(languages, preferred, subscriber.accept_translated)


@dataclass(frozen=True)
class StoryContext:
    """An event's story on one channel: the other version, and who was told of it."""

    language: str
    counterpart: str | None = None
    counterpart_event_id: int | None = None  # the other version's `new` event
    told: Collection[str] = ()  # recipients with a delivery of that event

    def story(self, recipient: str) -> Story:
        return Story(self.language, self.counterpart, recipient in self.told)


def story_context(session: Session, event: ChangeEvent, channel: str) -> StoryContext:
    other = pair_store.counterpart(session, event.item_id)
    if other is None:
        return StoryContext(event.item.language)
    first = session.scalar(select(ChangeEvent.id).where(
        ChangeEvent.item_id == other.id, ChangeEvent.kind == "new")
        .order_by(ChangeEvent.id).limit(1))
    told = set(session.scalars(select(Delivery.recipient).where(
        Delivery.event_id == first, Delivery.channel == channel))) if first else set()
    return StoryContext(event.item.language, other.language, first, told)


def plan(reader: Reader, kind: str, context: StoryContext, recipient: str, *,
         edits: bool) -> Planned | None:
    """The outbox row this event makes for one reader; an update only where the channel
    `edits` its messages (else nothing more is sent)."""
    decided = action(reader, kind, context.story(recipient))
    if decided == SEND:
        return Planned(recipient)
    if decided == EDIT and edits:
        return Planned(recipient, context.counterpart_event_id)
    return None


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


def instant_plan(session: Session, channel: str, event: ChangeEvent, *, edits: bool
                 ) -> list[Planned]:
    """The outbox rows of the channel's instant subscribers for this event."""
    context = story_context(session, event, channel)
    found = []
    for subscriber in active_subscribers(session, channel, "instant"):
        if not wants_content(subscriber, event.kind, event.item):
            continue
        planned = plan(reader_of(subscriber), event.kind, context, subscriber.address,
                       edits=edits)
        if planned is not None:
            found.append(planned)
    return found


def instant_recipients(session: Session, channel: str, event: ChangeEvent) -> list[str]:
    """Addresses of the channel's instant subscribers who get a message of this event."""
    return [p.recipient for p in instant_plan(session, channel, event, edits=False)]


def find(session: Session, channel: str, address: str) -> Subscriber | None:
    return session.scalar(select(Subscriber).where(Subscriber.channel == channel,
                                                   Subscriber.address == address))
