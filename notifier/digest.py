"""Daily and weekly digests: periods, and what a queued digest lists.

A digest is an outbox row without an event; the events it lists are its digest_entries
(queued by notifier/digest_queue.py). Its idempotency key names the channel, the
subscriber and the period (`digest:email:ann@example.org:daily:2026-11-27`), so each
subscriber gets at most one digest per period, across crashes and restarts.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from core.models import ChangeEvent, Delivery, DigestEntry, Subscriber
from notifier import digest_story
from notifier.message import EventMessage
from notifier.subscriptions import reader_language, reader_of, wants

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class Schedule:
    """When a channel sends digests of one mode: `at` local time, weekly on `weekday`."""

    mode: str  # daily | weekly
    at: str  # "07:00"
    timezone: str = "UTC"
    weekday: str = "monday"


@dataclass(frozen=True)
class Period:
    mode: str  # daily | weekly
    key: str  # daily:2026-11-27 | weekly:2026-W48 (the date or week it is sent)
    start: datetime  # a queued digest lists events detected from `start`
    end: datetime  # until `end` (the period's send time, or when it was queued)


@dataclass(frozen=True)
class DigestMessage:
    period: Period
    language: str  # the subscriber's language for the message's own words
    events: list[EventMessage]
    # Events in another language are translated into this one (notifier.translated).
    translate_to: str | None = None


def last_period(mode: str, now: datetime, tz: str, at: str, weekday: str = "monday"
                ) -> Period:
    """The latest period whose send time (`at` local time, on `weekday` if weekly) has come."""
    zone = ZoneInfo(tz)
    hour, minute = (int(x) for x in at.split(":"))
    local = now.astimezone(zone)
    send_day = local.date() if local.time() >= time(hour, minute) else local.date() - timedelta(1)
    if mode == "weekly":
        send_day -= timedelta((send_day.weekday() - WEEKDAYS.index(weekday)) % 7)
    end = datetime.combine(send_day, time(hour, minute), zone)
    length = timedelta(days=7 if mode == "weekly" else 1)
    return Period(mode, _key(mode, send_day), end - length, end)


def _key(mode: str, day: date) -> str:
    if mode == "weekly":
        year, week, _ = day.isocalendar()
        return f"weekly:{year}-W{week:02d}"
    return f"daily:{day.isoformat()}"


def digest_key(channel: str, address: str, period: Period) -> str:
    return f"digest:{channel}:{address}:{period.key}"


def load_digest(session: Session, delivery: Delivery) -> DigestMessage:
    """What a digest delivery lists: its entries the subscriber wants, newest first."""
    assert delivery.period and delivery.period_start and delivery.period_end
    mode = delivery.period.split(":", 1)[0]
    period = Period(mode, delivery.period, delivery.period_start, delivery.period_end)
    subscriber = session.scalar(select(Subscriber).where(
        Subscriber.channel == delivery.channel, Subscriber.address == delivery.recipient))
    events = session.scalars(
        select(ChangeEvent).options(selectinload(ChangeEvent.item))  # no query per event
        .join(DigestEntry, DigestEntry.event_id == ChangeEvent.id)
        .where(DigestEntry.delivery_id == delivery.id)
        .order_by(ChangeEvent.detected_at.desc(), ChangeEvent.id.desc()))
    # Filtered again: digests queued before migration 0005 list every event of their period.
    if subscriber is None:
        return DigestMessage(period, "en", [EventMessage.from_event(e) for e in events])
    wanted = [e for e in events if wants(subscriber, e.kind, e.item)]
    # Its entries cover both versions of a paired story; it lists the story once (for a
    # reader of one language, every event: nothing to read).
    once = reader_of(subscriber).once_per_story
    stories = (digest_story.gather(session, delivery.channel, wanted, besides=delivery.id)
               if once else digest_story.Stories())
    messages = [_message(e, stories, once)
                for e in digest_story.listed(stories, subscriber, wanted)]
    language = subscriber.ui_language
    return DigestMessage(period, language, messages,
                         translate_to=reader_language(subscriber.languages, language))


def _message(event: ChangeEvent, stories: digest_story.Stories, once: bool) -> EventMessage:
    """The event as listed; a story's version links the other for a once-per-story reader
    (as its instant message would: notifier.channels)."""
    message = EventMessage.from_event(event)
    if once and event.kind in ("new", "diverged"):
        message = replace(message, other=stories.other_version(event.item_id))
    return message
