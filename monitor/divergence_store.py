"""Recording `diverged` events: one-sided edits and removals of paired versions that the
other version did not follow within `bilingual.divergence_after` (see monitor.divergence).

Run after polls (monitor.poll says which). Each one-sided change is recorded once: the event's
`cause_event_id` is unique, so a second process checking at the same time finds it taken.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from core.models import ChangeEvent, Item, StoryPair
from monitor.divergence import VersionChange, diverged

log = logging.getLogger(__name__)
# How far back past `divergence_after` a change is still checked (a daemon stopped for
# days reports what happened meanwhile; older one-sided edits are left alone).
LOOKBACK = timedelta(days=7)
KINDS = ("edited", "removed")


def _pending(session: Session, now: datetime, after: timedelta) -> list[ChangeEvent]:
    """Edits and removals of paired items old enough to judge, not judged diverged yet."""
    cause = aliased(ChangeEvent)
    paired = or_(exists().where(StoryPair.en_item_id == ChangeEvent.item_id),
                 exists().where(StoryPair.ru_item_id == ChangeEvent.item_id))
    return list(session.scalars(
        select(ChangeEvent).where(
            ChangeEvent.kind.in_(KINDS),
            ChangeEvent.detected_at <= now - after,
            ChangeEvent.detected_at >= now - after - LOOKBACK, paired,
            ~exists().where(cause.cause_event_id == ChangeEvent.id))
        .order_by(ChangeEvent.id)))


def next_due(session: Session, now: datetime, after: timedelta) -> datetime:
    """When the earliest edit or removal not yet old enough to judge becomes so (`now` +
    `after` when there is none): until then, and until another change is recorded,
    `record_due` finds nothing new."""
    earliest: datetime | None = session.scalar(
        select(func.min(ChangeEvent.detected_at)).where(
            ChangeEvent.kind.in_(KINDS), ChangeEvent.detected_at > now - after))
    return (earliest or now) + after


def _changes(session: Session, item_id: int, since: datetime) -> list[VersionChange]:
    rows = session.scalars(select(ChangeEvent).where(
        ChangeEvent.item_id == item_id, ChangeEvent.kind.in_(KINDS),
        ChangeEvent.detected_at >= since))
    return [VersionChange(e.id, e.kind, tuple(e.fields), e.detected_at) for e in rows]


def _counterpart(session: Session, item_id: int) -> Item | None:
    pair = session.scalar(select(StoryPair).where(
        or_(StoryPair.en_item_id == item_id, StoryPair.ru_item_id == item_id)))
    if pair is None:
        return None
    return pair.ru_item if pair.en_item_id == item_id else pair.en_item


def record_due(session: Session, now: datetime, after: timedelta) -> list[ChangeEvent]:
    """Record a `diverged` event for each one-sided change now due; the new events."""
    recorded: list[ChangeEvent] = []
    pending = _pending(session, now, after)
    for item_id in sorted({e.item_id for e in pending}):
        other = _counterpart(session, item_id)
        if other is None:
            continue
        own = [e for e in pending if e.item_id == item_id]
        window = min(e.detected_at for e in own) - after
        found = diverged([VersionChange(e.id, e.kind, tuple(e.fields), e.detected_at)
                          for e in own], _changes(session, other.id, window),
                         other.first_seen, now, after)
        causes = {c.id for c in found}
        recorded += [event for cause in own if cause.id in causes
                     if (event := _record(session, cause, other, now)) is not None]
    return recorded


def _record(session: Session, cause: ChangeEvent, other: Item, now: datetime
            ) -> ChangeEvent | None:
    item = cause.item
    event = ChangeEvent(
        item_id=item.id, run_id=None, kind="diverged", detected_at=now,
        fields=list(cause.fields) if cause.kind == "edited" else ["status"],
        url=item.url, title=item.title, cause_event_id=cause.id,
        previous={"cause": cause.kind, "cause_detected_at": cause.detected_at.isoformat(),
                  "hours": int((now - cause.detected_at).total_seconds() // 3600),
                  "other_item_id": other.id, "other_language": other.language,
                  "other_url": other.url})
    try:
        with session.begin_nested():
            session.add(event)
    except IntegrityError:
        return None  # another process recorded this divergence first
    log.info("diverged: %s version of item %d %s (%s), its %s version (item %d) did not "
             "follow", item.language, item.id, cause.kind, ", ".join(cause.fields) or "-",
             other.language, other.id)
    return event


def divergences(session: Session, item_ids: Sequence[int]) -> list[ChangeEvent]:
    """The `diverged` events of these items, newest first."""
    return list(session.scalars(
        select(ChangeEvent).where(ChangeEvent.kind == "diverged",
                                  ChangeEvent.item_id.in_(item_ids))
        .order_by(ChangeEvent.detected_at.desc(), ChangeEvent.id.desc())))


def recent(session: Session, limit: int = 5) -> list[ChangeEvent]:
    """The newest `diverged` events, newest first (the admin's /status)."""
    return list(session.scalars(
        select(ChangeEvent).where(ChangeEvent.kind == "diverged")
        .order_by(ChangeEvent.detected_at.desc(), ChangeEvent.id.desc()).limit(limit)))
