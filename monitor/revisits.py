"""Decaying revisits (pure): when each stored item's page is read again.

An edit that does not show on the listing (a body, a title where the listing prints the
lead) is found only by reading the item's page again. Edits come mostly within hours of
publication, some days later, rarely after a month: so each page is revisited on a schedule
counted from when the item was first seen or last found edited (by default 15 min, 1 h,
6 h, 1 day, 3 days, 7 days, 30 days), and an item found edited starts its schedule again.
A revisit is a conditional request: an unchanged page costs one request answered 304.

The steps are counted from the anchor, not from the previous revisit, and a revisit made
late skips the steps it overtook: a backlog (after downtime, or for an archive) never turns
into one revisit per missed step. At most `cap` revisits go into one poll, the most overdue
first; the rest wait for the next polls, so the site never sees a burst of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Schedule:
    """Where an item stands: its anchor (first seen / last edited) and revisits made."""

    anchor: datetime
    step: int  # revisits made since the anchor
    next_at: datetime | None  # None: the schedule is over


def start(anchor: datetime, steps: Sequence[timedelta]) -> Schedule:
    """The schedule of an item first seen, or found edited, at `anchor`."""
    return Schedule(anchor, 0, anchor + steps[0])


def resume(anchor: datetime, steps: Sequence[timedelta], now: datetime) -> Schedule:
    """The schedule of an item never scheduled (stored before revisits existed): its next
    step after `now`, counted from its anchor; over when every step has passed."""
    return _from_step(anchor, steps, 0, now)


def after_revisit(current: Schedule, steps: Sequence[timedelta], now: datetime,
                  *, edited: bool) -> Schedule:
    """The schedule after a revisit at `now`: restarted when the page was edited, else the
    first step still ahead (the steps a late revisit overtook are skipped)."""
    if edited:
        return start(now, steps)
    return _from_step(current.anchor, steps, current.step + 1, now)


def _from_step(anchor: datetime, steps: Sequence[timedelta], step: int,
               now: datetime) -> Schedule:
    while step < len(steps) and anchor + steps[step] <= now:
        step += 1
    if step >= len(steps):
        return Schedule(anchor, len(steps), None)
    return Schedule(anchor, step, anchor + steps[step])


def due(next_times: Sequence[tuple[str, datetime | None]], now: datetime, cap: int
        ) -> list[str]:
    """The keys due at `now`, most overdue first, at most `cap` of them."""
    ready = sorted((when, key) for key, when in next_times if when is not None and when <= now)
    return [key for _, key in ready[:max(cap, 0)]]
