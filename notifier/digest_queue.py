"""Queueing digests: each subscriber's events since their previous digest, once per period.

An event is *covered* for a subscriber once one of their digests lists it (digest_entries,
unique per subscriber and event) or it was sent to them instantly. A digest lists the
events the subscriber wants that are not covered yet, detected since they began wanting
digests (`Subscriber.digest_since`) and before the digest's cutoff: the period's send
time for the daemon, now for `csto-monitor digest`. However many send times passed
meanwhile (a daemon down for days), the next digest lists all of it, once.

At most one digest per subscriber and period: its outbox row's idempotency key names the
period, and is inserted "on conflict do nothing", so two processes queueing at once
cannot both queue one. Nothing is queued for a subscriber with nothing pending.

Events go by what is covered, not by time alone: an event detected before a cutoff whose
poll committed it only after the digest was queued is covered by none, so the next digest
lists it. SETTLE is how far before the previous cutoff the next digest looks for those.

A digest covers every pending event but lists a paired story once for a reader of both
languages (notifier.digest_story); one with nothing to list is not queued.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from core.db import insert_or_skip
from core.models import ChangeEvent, Delivery, DigestEntry, Subscriber
from notifier import digest_story
from notifier.base import Notifier
from notifier.digest import Period, Schedule, digest_key, last_period
from notifier.subscriptions import active_subscribers, wants

# An event's detected_at is its poll's start, and the poll commits it at its end: far
# less than a day later.
SETTLE = timedelta(days=1)


@dataclass(frozen=True)
class _Due:
    """A subscriber who has no digest for the period yet."""

    subscriber: Subscriber
    start: datetime  # the previous digest's cutoff, else when they began wanting digests
    scan_from: datetime  # how far back to look for events not covered yet


def schedules(notifier: Notifier, mode: str | None = None) -> list[Schedule]:
    """The digest schedules a channel offers (none for most), of `mode` if given."""
    return [s for s in notifier.digest_schedules() if mode is None or s.mode == mode]


def due_periods(notifiers: Mapping[str, Notifier], now: datetime, mode: str | None = None
                ) -> list[tuple[str, Period]]:
    """(channel, period) of every digest schedule: its latest period whose send time came."""
    return [(channel, last_period(s.mode, now, s.timezone, s.at, s.weekday))
            for channel, notifier in notifiers.items() for s in schedules(notifier, mode)]


def queue_due(session: Session, periods: Iterable[tuple[str, Period]],
              cutoff: datetime | None = None) -> int:
    """Queue each period's digests, listing events detected before `cutoff` (default: the
    period's send time); return how many were queued. Idempotent."""
    return sum(queue_period(session, channel, period, cutoff or period.end)
               for channel, period in periods)


def queue_period(session: Session, channel: str, period: Period, cutoff: datetime) -> int:
    """Queue `period`'s digest for each subscriber of `channel` in its mode who has none
    yet and has something pending before `cutoff`; return how many."""
    due = _due(session, channel, period)
    if not due:
        return 0
    scan_from = min(d.scan_from for d in due)
    events = _events(session, scan_from, cutoff)
    covered = _covered(session, channel, scan_from, cutoff)
    stories = digest_story.gather(session, channel, events)
    queued = 0
    for d in due:
        address = d.subscriber.address
        pending = [e for e in events if e.detected_at >= d.scan_from
                   and (address, e.id) not in covered and wants(d.subscriber, e.kind, e.item)]
        # Nothing to list (a story's version whose other was told): no digest; the
        # events stay pending, to be covered by the next digest that lists something.
        if (digest_story.listed(stories, d.subscriber, pending)
                and _add(session, channel, d, period, cutoff, pending)):
            queued += 1
    return queued


def _due(session: Session, channel: str, period: Period) -> list[_Due]:
    subscribers = active_subscribers(session, channel, period.mode)
    keys = {digest_key(channel, s.address, period): s for s in subscribers}
    queued = set(session.scalars(select(Delivery.idempotency_key)
                                 .where(Delivery.idempotency_key.in_(keys))))
    waiting = [s for key, s in keys.items() if key not in queued]
    last = _last_cutoffs(session, channel, [s.address for s in waiting])
    return [_due_one(s, last.get(s.address)) for s in waiting]


def _due_one(subscriber: Subscriber, last_cutoff: datetime | None) -> _Due:
    since = subscriber.digest_since or subscriber.created_at
    if last_cutoff is None or last_cutoff <= since:
        return _Due(subscriber, since, since)
    return _Due(subscriber, last_cutoff, max(since, last_cutoff - SETTLE))


def _last_cutoffs(session: Session, channel: str, addresses: Sequence[str]
                  ) -> dict[str, datetime]:
    """Each recipient's latest digest cutoff (period_end), if they had a digest."""
    if not addresses:
        return {}
    rows = session.execute(
        select(Delivery.recipient, func.max(Delivery.period_end))
        .where(Delivery.channel == channel, Delivery.event_id.is_(None),
               Delivery.recipient.in_(addresses))
        .group_by(Delivery.recipient))
    return {recipient: end for recipient, end in rows if end is not None}


def _events(session: Session, since: datetime, cutoff: datetime) -> list[ChangeEvent]:
    return list(session.scalars(
        select(ChangeEvent).options(selectinload(ChangeEvent.item))  # no query per event
        .where(ChangeEvent.detected_at >= since, ChangeEvent.detected_at < cutoff)
        .order_by(ChangeEvent.detected_at.desc(), ChangeEvent.id.desc())))


def _covered(session: Session, channel: str, since: datetime, cutoff: datetime
             ) -> set[tuple[str, int]]:
    """(recipient, event id) already sent or queued on `channel`, in a digest or instantly."""
    window = (select(ChangeEvent.id)
              .where(ChangeEvent.detected_at >= since, ChangeEvent.detected_at < cutoff))
    listed = select(DigestEntry.recipient, DigestEntry.event_id).where(
        DigestEntry.channel == channel, DigestEntry.event_id.in_(window))
    instant = select(Delivery.recipient, Delivery.event_id).where(
        Delivery.channel == channel, Delivery.event_id.in_(window))
    return {(r, e) for query in (listed, instant) for r, e in session.execute(query)
            if e is not None}


def _add(session: Session, channel: str, due: _Due, period: Period, cutoff: datetime,
         events: Sequence[ChangeEvent]) -> bool:
    """Insert the digest's outbox row and entries; False if another process queued it."""
    address = due.subscriber.address
    start = min(due.start, *(e.detected_at for e in events))  # a late event may be older
    row = {"event_id": None, "period": period.key, "period_start": start, "period_end": cutoff,
           "channel": channel, "recipient": address,
           "idempotency_key": digest_key(channel, address, period), "status": "pending",
           "attempts": 0, "next_attempt_at": cutoff, "created_at": cutoff}
    delivery_id = session.scalar(insert_or_skip(session, Delivery, row, ["idempotency_key"])
                                 .returning(Delivery.id))
    if delivery_id is None:
        return False
    session.add_all(DigestEntry(delivery_id=delivery_id, event_id=e.id, channel=channel,
                                recipient=address) for e in events)
    session.flush()
    return True
