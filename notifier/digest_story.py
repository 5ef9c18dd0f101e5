"""A paired story once per digest: what notifier.story's `digest_listing` needs, read.

A digest covers every pending event of a subscriber (digest_entries rows for each), but
lists a paired story once for a reader of both languages (or of one who accepts the
other): see notifier.story.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from core.models import ChangeEvent, Delivery, DigestEntry, StoryPair, Subscriber
from monitor import pair_store
from monitor.pair_store import Counterpart
from notifier.message import OtherVersion
from notifier.story import Pending, Story, digest_listing
from notifier.subscriptions import reader_of


@dataclass(frozen=True)
class Stories:
    """The stories of a digest's events on one channel."""

    other: dict[int, Counterpart] = field(default_factory=dict)  # by item id
    first_new: dict[int, int] = field(default_factory=dict)  # item id -> its first `new`
    told: set[tuple[str, int]] = field(default_factory=set)  # (recipient, event id)

    def pending(self, recipient: str, event: ChangeEvent) -> Pending:
        other = self.other.get(event.item_id)
        if other is None:
            return Pending(event.id, event.kind, Story(event.item.language))
        told = (recipient, self.first_new.get(other.id, -1)) in self.told
        return Pending(event.id, event.kind, Story(event.item.language, other.language, told),
                       other.pair_id)

    def other_version(self, item_id: int) -> OtherVersion | None:
        found = self.other.get(item_id)
        return OtherVersion(found.language, found.title, found.url) if found else None


def gather(session: Session, channel: str, events: Sequence[ChangeEvent],
           besides: int | None = None) -> Stories:
    """The counterparts of the events' items, and who was told of each counterpart's
    first `new` event on `channel` (in a digest other than `besides`, or instantly)."""
    items = {e.item_id for e in events}
    # One query answers the common case, a digest of unpaired items.
    if not items or session.scalar(select(StoryPair.id).where(
            or_(StoryPair.en_item_id.in_(items), StoryPair.ru_item_id.in_(items)))
            .limit(1)) is None:
        return Stories()
    other = pair_store.counterparts(session, items)
    rows = session.execute(
        select(ChangeEvent.item_id, func.min(ChangeEvent.id))
        .where(ChangeEvent.kind == "new",
               ChangeEvent.item_id.in_({c.id for c in other.values()}))
        .group_by(ChangeEvent.item_id))
    first_new = {item_id: event_id for item_id, event_id in rows}
    ids = set(first_new.values())
    listed = select(DigestEntry.recipient, DigestEntry.event_id).where(
        DigestEntry.channel == channel, DigestEntry.event_id.in_(ids))
    if besides is not None:
        listed = listed.where(DigestEntry.delivery_id != besides)
    instant = select(Delivery.recipient, Delivery.event_id).where(
        Delivery.channel == channel, Delivery.event_id.in_(ids))
    told = {(r, e) for query in (listed, instant) for r, e in session.execute(query)
            if e is not None}
    return Stories(other, first_new, told)


def listed(stories: Stories, subscriber: Subscriber, events: Sequence[ChangeEvent]
           ) -> list[ChangeEvent]:
    """The events (of those a digest covers) it lists for this subscriber, in order."""
    pending = [stories.pending(subscriber.address, e) for e in events]
    chosen = set(digest_listing(reader_of(subscriber), pending))
    return [e for e in events if e.id in chosen]
