"""The site's publishing process, generated: when items appear and when their bodies change.

Fitted to the rhythm described in the README and docs/site-notes: 1–3 items a week (5–12
a month), almost all on weekdays in Moscow working hours, at most 3 on one day, bursts
around summits (a few a year: a day or two with 2–3 items). Each item's body is edited
with some probability at a realistic age: most edits within hours of publication (typos,
a photo caption, a name), some after days (a transcript added), a few weeks later.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

MOSCOW = ZoneInfo("Europe/Moscow")
ITEMS_PER_WEEK = 2.0
# Relative weight of each hour of a weekday (Moscow); other hours of weekdays weigh 0.
WEEKDAY_HOURS = {9: 0.5, 10: 1.5, 11: 2.0, 12: 2.0, 13: 1.5, 14: 2.0, 15: 2.0, 16: 1.5,
                 17: 1.0, 18: 0.4, 19: 0.2, 20: 0.1}
WEEKEND_SHARE = 0.03  # of the items, spread over weekend daytime (10-18)
MAX_PER_DAY = 3
SUMMITS_PER_YEAR = 4
EDITED_SHARE = 0.6  # items with at least one body edit
SECOND_EDIT_SHARE = 0.3  # ... of which with a second one


@dataclass
class Story:
    number: int
    published: datetime  # UTC
    edits: list[datetime] = field(default_factory=list)  # body edits, UTC, in order

    def version_at(self, when: datetime) -> int:
        """How many edits the page shows at `when`."""
        return sum(1 for edit in self.edits if edit <= when)


def hour_weights() -> list[float]:
    """Relative rate of each hour of the week (Monday 00:00 Moscow first)."""
    weekday = sum(WEEKDAY_HOURS.values())
    weekend = weekday * 5 * WEEKEND_SHARE / (1 - WEEKEND_SHARE) / (2 * 8)
    return [WEEKDAY_HOURS.get(h, 0.0) if d < 5 else (weekend if 10 <= h < 18 else 0.0)
            for d in range(7) for h in range(24)]


def edit_age(rng: random.Random) -> timedelta:
    """How long after publication an edit comes: mostly hours, sometimes days or weeks."""
    draw = rng.random()
    if draw < 0.7:  # within hours: log-normal around 1 hour, cut at 20 h
        return timedelta(minutes=min(rng.lognormvariate(4.1, 1.0), 20 * 60))
    if draw < 0.9:
        return timedelta(days=rng.uniform(1, 7))
    return timedelta(days=rng.uniform(7, 30))


def stories(start: datetime, end: datetime, seed: int) -> list[Story]:
    """Items published in [start, end), by a Poisson process over the hours of the week."""
    rng = random.Random(seed)
    weights = hour_weights()
    scale = ITEMS_PER_WEEK / sum(weights)
    published: list[datetime] = []
    hour = start.astimezone(MOSCOW).replace(minute=0, second=0, microsecond=0)
    summit_days = _summit_days(rng, start, end)
    while hour < end:
        slot = hour.weekday() * 24 + hour.hour
        rate = weights[slot] * scale * (3.0 if hour.date() in summit_days else 1.0)
        for _ in range(_poisson(rng, rate)):
            published.append((hour + timedelta(seconds=rng.uniform(0, 3600))).astimezone(
                start.tzinfo))
        hour = (hour.astimezone(start.tzinfo) + timedelta(hours=1)).astimezone(MOSCOW)
    kept = _at_most_per_day(sorted(published))
    return [_with_edits(Story(n, when), rng) for n, when in enumerate(kept)]


def _summit_days(rng: random.Random, start: datetime, end: datetime) -> set[object]:
    days = (end - start).days
    count = _poisson(rng, SUMMITS_PER_YEAR * days / 365)
    first = [start + timedelta(days=rng.uniform(0, days)) for _ in range(count)]
    return {(d + timedelta(days=k)).astimezone(MOSCOW).date() for d in first for k in (0, 1)}


def _at_most_per_day(times: list[datetime]) -> list[datetime]:
    per_day: dict[object, int] = {}
    kept = []
    for when in times:
        day = when.astimezone(MOSCOW).date()
        if per_day.get(day, 0) < MAX_PER_DAY:
            per_day[day] = per_day.get(day, 0) + 1
            kept.append(when)
    return kept


def _with_edits(story: Story, rng: random.Random) -> Story:
    if rng.random() < EDITED_SHARE:
        count = 2 if rng.random() < SECOND_EDIT_SHARE else 1
        story.edits = sorted(story.published + edit_age(rng) for _ in range(count))
    return story


def _poisson(rng: random.Random, rate: float) -> int:
    """Knuth's method: fine for the small rates of one hour."""
    limit, count, product = pow(2.718281828459045, -rate), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count
