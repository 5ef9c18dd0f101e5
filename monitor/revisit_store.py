"""Revisits in the database: which stored pages a poll reads again, and what it learnt.

The decisions are monitor.revisits'; this module reads and writes the columns of `items`
they need (migration 0008): `next_revisit_at`, `revisit_step`, and the page's validators.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from core.models import Item
from monitor import revisits
from scraper.report import CrawlReport
from scraper.request import Revisit


def anchor(row: Item) -> datetime:
    """What an item's schedule counts from: when it was last found edited, else when it was
    first seen; but for an item found after its publication day (a first poll, a backfill)
    the end of that day, so that an old story is not revisited as if it were new."""
    if row.last_changed != row.first_seen or row.published is None:
        return row.last_changed
    day_end = datetime.combine(row.published + timedelta(days=1), time(), tzinfo=UTC)
    return min(row.first_seen, day_end)


def schedule_unscheduled(session: Session, source_id: int, steps: Sequence[timedelta],
                         now: datetime) -> None:
    """Give a schedule to the source's items that have none: new ones, and those stored
    before revisits existed (step 0 and no next revisit; an ended schedule has step > 0)."""
    unscheduled = (Item.source_id == source_id, Item.next_revisit_at.is_(None),
                   Item.revisit_step == 0, Item.status == "active")
    # Whose every step has passed, even counted from the latest possible anchor, is over:
    # in bulk, for an archive after the upgrade or a backfill.
    passed = now - steps[-1]
    over = or_(Item.last_changed <= passed,
               and_(Item.first_seen == Item.last_changed,
                    Item.published <= (passed - timedelta(days=1)).date()))
    session.execute(update(Item).where(*unscheduled, over).values(revisit_step=len(steps)),
                    execution_options={"synchronize_session": False})
    for row in session.scalars(select(Item).where(*unscheduled)):
        _set(row, revisits.resume(anchor(row), steps, now), steps)


def due(session: Session, source_id: int, now: datetime, cap: int) -> list[Revisit]:
    """The source's pages due for a revisit, most overdue first, at most `cap`."""
    rows = session.execute(
        select(Item.url, Item.published, Item.title, Item.lead, Item.listing_hash,
               Item.page_etag, Item.page_last_modified, Item.attachments)
        .where(Item.source_id == source_id, Item.next_revisit_at <= now,
               Item.status == "active")
        .order_by(Item.next_revisit_at, Item.id).limit(cap))
    return [Revisit(url=r.url, published=r.published, title=r.title, lead=r.lead,
                    listing_hash=r.listing_hash, etag=r.page_etag,
                    last_modified=r.page_last_modified, attachments=tuple(r.attachments or ()))
            for r in rows]


def record(session: Session, source_id: int, report: CrawlReport, edited: Collection[int],
           steps: Sequence[timedelta], now: datetime) -> None:
    """After a diffed (or 304) poll: keep each read page's validators, restart the schedule
    of every item found edited (`edited`: item ids), move the others revisited one step on,
    and schedule the new items."""
    revisited = {entry.url for entry in report.revisited} | set(report.revisits_unchanged)
    urls = revisited | report.page_validators.keys()
    rows = list(session.scalars(select(Item).where(Item.url.in_(urls)))) if urls else []
    rows += session.scalars(select(Item).where(Item.id.in_(edited))) if edited else []
    for row in {row.id: row for row in rows if row.source_id == source_id}.values():
        if row.url in report.page_validators:
            row.page_etag, row.page_last_modified = report.page_validators[row.url]
        if row.id in edited:
            _set(row, revisits.start(now, steps), steps)
        elif row.url in revisited and row.status == "active":
            current = revisits.Schedule(anchor(row), row.revisit_step, row.next_revisit_at)
            _set(row, revisits.after_revisit(current, steps, now, edited=False), steps)
    session.flush()
    schedule_unscheduled(session, source_id, steps, now)


def _set(row: Item, schedule: revisits.Schedule, steps: Sequence[timedelta]) -> None:
    row.next_revisit_at = schedule.next_at
    # An ended schedule must not look unscheduled (step 0, no next revisit).
    row.revisit_step = max(schedule.step, 1) if schedule.next_at is None else schedule.step
