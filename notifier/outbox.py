"""The outbox: deliveries written with their event, claimed by a worker, marked once sent."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import or_, select, text
from sqlalchemy.orm import Session

from core.models import ChangeEvent, Delivery
from notifier.base import Notifier

CLAIM_LEASE = timedelta(minutes=2)
CLAIM_BATCH = 10  # rows leased at a time: what a crash can leave waiting for the lease


def idempotency_key(event_id: int, channel: str, recipient: str) -> str:
    return f"{event_id}:{channel}:{recipient}"


def enqueue(session: Session, events: Sequence[ChangeEvent],
            notifiers: Mapping[str, Notifier], kinds: Sequence[str]) -> int:
    """Add one delivery per (event, channel, recipient), in the caller's transaction.

    A delivery may be an update of the message an earlier event sent the same recipient
    (`edits_event_id`: the story's other version); keyed the same, so sent at most once.
    """
    count = 0
    for event in events:
        if event.kind not in kinds:
            continue
        for channel, notifier in notifiers.items():
            for planned in notifier.plan(session, event):
                recipient = planned.recipient
                session.add(Delivery(
                    event_id=event.id, channel=channel, recipient=recipient,
                    idempotency_key=idempotency_key(event.id, channel, recipient),
                    status="pending", attempts=0, next_attempt_at=event.detected_at,
                    created_at=event.detected_at, edits_event_id=planned.edits_event_id,
                ))
                count += 1
    session.flush()
    return count


def announcer(notifiers: Mapping[str, Notifier], kinds: Sequence[str]
              ) -> Callable[[Session, Sequence[ChangeEvent]], int]:
    """What a poll calls with its change events: queue their deliveries (see `enqueue`)."""
    return partial(enqueue, notifiers=notifiers, kinds=kinds)


def claim(session: Session, channel: str, now: datetime, limit: int = CLAIM_BATCH,
          lease: timedelta = CLAIM_LEASE) -> list[Delivery]:
    """Lease due deliveries of a channel; SKIP LOCKED keeps two workers off the same rows.

    Small batches: a crash leaves at most `limit` rows leased, retried once `lease` ends.
    """
    rows = list(session.scalars(
        select(Delivery)
        .where(Delivery.channel == channel, Delivery.status == "pending",
               Delivery.next_attempt_at <= now,
               or_(Delivery.claimed_until.is_(None), Delivery.claimed_until < now))
        .order_by(Delivery.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ))
    for row in rows:
        row.claimed_until = now + lease
    session.commit()
    return rows


def mark_sent(session: Session, delivery: Delivery, now: datetime) -> None:
    delivery.status, delivery.sent_at, delivery.claimed_until = "sent", now, None
    delivery.attempts += 1
    if session.get_bind().dialect.name == "postgresql":
        # The message is out: a process killed before this mark commits sends it again, so
        # keep that window to a round trip instead of a WAL flush. Only a crash of the
        # server itself could lose the mark (a resend, never a loss).
        session.execute(text("SET LOCAL synchronous_commit = off"))
    session.commit()


def mark_failed(session: Session, delivery: Delivery, now: datetime, reason: str, *,
                permanent: bool, retry_after: float | None, max_attempts: int) -> None:
    """Record a failed attempt: retried later with backoff, or given up for good."""
    delivery.attempts += 1
    delivery.last_error, delivery.claimed_until = reason[:1000], None
    if permanent or delivery.attempts >= max_attempts:
        delivery.status = "failed"
    else:
        backoff = retry_after if retry_after is not None else min(30 * 2**delivery.attempts, 3600)
        delivery.next_attempt_at = now + timedelta(seconds=backoff)
    session.commit()

