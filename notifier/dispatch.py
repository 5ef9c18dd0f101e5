"""Drains the outbox: each due delivery is sent through its channel's notifier once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from core import metrics
from core.models import Delivery, utcnow
from notifier import outbox
from notifier.base import DeliveryError, Notifier
from notifier.digest import load_digest
from notifier.message import EventMessage

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8


@dataclass
class DispatchResult:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def _message(session: Session, notifier: Notifier, delivery: Delivery,
             built: dict[int, EventMessage]) -> EventMessage | None:
    """The finished message of the delivery's event: built (event, item, documents, and
    the story's other version for channels that link it) once per event of a batch."""
    event = delivery.event
    if event is None:
        return None
    if event.id not in built:
        message = EventMessage.from_event(event)
        if getattr(notifier, "links_other_version", False):
            message = message.with_counterpart(session)
        built[event.id] = message
    return built[event.id]


async def _send_one(session: Session, notifier: Notifier, delivery: Delivery,
                    result: DispatchResult, max_attempts: int,
                    built: dict[int, EventMessage] | None = None) -> None:
    digest = load_digest(session, delivery) if delivery.event is None else None
    message = _message(session, notifier, delivery, {} if built is None else built)
    edits = delivery.edits_event_id  # an update of the message that announced that event
    # No transaction held across the send: on SQLite, a notifier writing meanwhile (a
    # channel's post ids, a blocked subscriber) would make our mark_sent fail "locked".
    session.commit()
    try:
        if digest is not None:
            await notifier.send_digest(digest, delivery.recipient)
        elif message is not None and edits is not None:
            await notifier.update(message, delivery.recipient, edits)
        elif message is not None:
            await notifier.send(message, delivery.recipient)
    except DeliveryError as exc:
        outbox.mark_failed(session, delivery, utcnow(), str(exc), permanent=exc.permanent,
                           retry_after=exc.retry_after, max_attempts=max_attempts)
        if delivery.status == "failed":
            result.failed += 1
            log.error("delivery %s to %s:%s given up: %s", delivery.id, delivery.channel,
                      delivery.recipient, exc)
        else:
            result.retrying += 1
            log.warning("delivery %s to %s:%s failed, will retry: %s", delivery.id,
                        delivery.channel, delivery.recipient, exc)
        return
    outbox.mark_sent(session, delivery, utcnow())
    result.sent += 1


async def deliver_due(sessions: sessionmaker[Session], notifiers: Mapping[str, Notifier], *,
                      lease: timedelta = outbox.CLAIM_LEASE,
                      max_attempts: int = MAX_ATTEMPTS) -> DispatchResult:
    """Send every due delivery of every enabled channel; return what happened."""
    result = DispatchResult()
    for channel, notifier in notifiers.items():
        width = max(1, notifier.concurrency)
        limit = max(outbox.CLAIM_BATCH, width)
        with sessions() as session:
            while batch := outbox.claim(session, channel, utcnow(), limit=limit, lease=lease):
                await _send_batch(session, notifier, channel, batch, result, max_attempts,
                                  width)
        await notifier.close_batch()
    return result


async def _send_batch(session: Session, notifier: Notifier, channel: str,
                      batch: Sequence[Delivery], result: DispatchResult, max_attempts: int,
                      width: int) -> None:
    """Send a claimed batch: up to `width` recipients at once, each recipient's in order.

    Sharing `session` between the tasks is safe: each step that touches it (load, mark,
    commit) runs without an `await` in between, and ends with no transaction open.
    """
    gate = asyncio.Semaphore(width)
    built: dict[int, EventMessage] = {}

    async def in_order(deliveries: Sequence[Delivery]) -> None:
        async with gate:
            for delivery in deliveries:
                await _send_one(session, notifier, delivery, result, max_attempts, built)
                metrics.record_delivery(channel, delivery.status)

    if width == 1:
        await in_order(batch)
        return
    # One recipient's messages stay in order (an edit replies to its post, which must exist).
    by_recipient: dict[str, list[Delivery]] = {}
    for delivery in batch:
        by_recipient.setdefault(delivery.recipient, []).append(delivery)
    # A TaskGroup: if one send raises (not a DeliveryError), the others are cancelled and
    # awaited before the session closes; their rows stay leased and are retried later.
    async with asyncio.TaskGroup() as group:
        for deliveries in by_recipient.values():
            group.create_task(in_order(deliveries))
