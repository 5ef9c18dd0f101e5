"""Learned polling in the database: the history a source's rhythm is learnt from."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import config
from core.models import CrawlRun, Item, Source
from monitor import rhythm

HISTORY = timedelta(weeks=26)  # the rhythm of the last half year
SAME_DAY = timedelta(days=1)  # a sighting counts when within a day of the item's date


def sightings(session: Session, source_id: int, timezone: str, now: datetime
              ) -> tuple[list[datetime], float]:
    """When new items were first seen, and the weeks of polling that saw them.

    Only sightings close to the item's own date say when the site publishes: items found by
    a source's first poll (or a backfill, or after an outage) were published long before.
    The first poll's items are left out too (first seen all at once).
    """
    since = now - HISTORY
    started = session.scalar(select(func.min(CrawlRun.started_at))
                             .where(CrawlRun.source_id == source_id))
    if started is None:
        return [], 0.0
    rows = session.execute(select(Item.first_seen, Item.published).where(
        Item.source_id == source_id, Item.first_seen > max(since, started),
        Item.published.is_not(None)))
    zone = ZoneInfo(timezone)
    found = [seen for seen, published in rows if published is not None
             and timedelta(0) <= seen.astimezone(zone).date() - published <= SAME_DAY]
    return found, (now - max(since, started)) / timedelta(weeks=1)


def profile(session: Session, source_id: int, timezone: str, now: datetime) -> rhythm.Profile:
    found, weeks = sightings(session, source_id, timezone, now)
    return rhythm.learn(found, weeks, timezone)


def last_new_item(session: Session, source_id: int) -> datetime | None:
    """When the source's newest item was first seen after its first poll (a burst's start)."""
    first = session.scalar(select(func.min(CrawlRun.started_at))
                           .where(CrawlRun.source_id == source_id))
    if first is None:
        return None
    latest: datetime | None = session.scalar(select(func.max(Item.first_seen)).where(
        Item.source_id == source_id, Item.first_seen > first))
    return latest


# What a profile is learnt from, and the profile: kept by the daemon between polls.
Learned = dict[int, tuple[tuple[object, ...], rhythm.Profile]]


def cached_profile(session: Session, source_id: int, timezone: str, now: datetime,
                   learned: Learned) -> rhythm.Profile:
    """`profile`, learnt again only when the source's items or first poll changed (an item
    stored, edited or deleted) or the hour did: most polls store nothing, and reading half
    a year of sightings after each would cost more than the poll. Within the hour, the
    history's length moves the rates by less than 0.02 %."""
    counts = session.execute(select(func.count(), func.max(Item.first_seen),
                                    func.max(Item.last_changed))
                             .where(Item.source_id == source_id)).one()
    started = session.scalar(select(func.min(CrawlRun.started_at))
                             .where(CrawlRun.source_id == source_id))
    key = (*counts, started, timezone, now.replace(minute=0, second=0, microsecond=0))
    known = learned.get(source_id)
    if known is None or known[0] != key:
        known = learned[source_id] = (key, profile(session, source_id, timezone, now))
    return known[1]


def plan(session: Session, source_name: str, settings: config.Settings, now: datetime,
         learned: Learned | None = None) -> rhythm.Decision:
    """When to poll a source next after a poll that ended at `now`, and why (`learned`: the
    profiles kept from earlier plans, see `cached_profile`)."""
    source_id = session.scalar(select(Source.id).where(Source.name == source_name))
    polling = settings.polling
    if not source_id:
        learnt = rhythm.learn([], 0.0, polling.timezone)
    elif learned is None:
        learnt = profile(session, source_id, polling.timezone, now)
    else:
        learnt = cached_profile(session, source_id, polling.timezone, now, learned)
    latest = last_new_item(session, source_id) if source_id else None
    burst_until = latest + polling.burst if latest else None
    return rhythm.next_poll(learnt, now, settings.min_poll_interval, polling.max_interval,
                            burst_until)
