"""Learned polling (pure): when a source publishes, and so when to poll it next.

The CSTO publishes 1–3 items a week, almost all in Moscow working hours. Polling every
`poll_interval` around the clock spends most requests on nights and weekends where nothing
comes. Here the rate of new items is estimated for each hour of the week (168 slots, in the
site's time zone) from when items were first seen, mixed with a prior of weekday office
hours worth `PRIOR_WEEKS` weeks of history (so a new installation starts sensibly and one
odd item does not make 3 a.m. busy), and smoothed over neighbouring hours.

The hours that together hold `ACTIVE_SHARE` of the expected items are *active*: polled at
the minimum interval, as fixed polling would. Elsewhere the interval grows as the inverse
square root of the rate (the interval that minimises the mean detection delay for a given
number of requests), in whole multiples of the minimum interval, up to the maximum. A new
item found keeps the minimum interval for the `burst` that follows (stories come in runs
around summits).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

SLOTS = 168  # hours in a week; slot 0 is Monday 00:00-01:00 in the site's time zone
PRIOR_WEEKS = 4.0  # the prior weighs as much as this many weeks of history
PRIOR_ITEMS_PER_WEEK = 2.0
PRIOR_QUIET_SHARE = 0.02  # of the prior rate outside weekday office hours (09-18)
ACTIVE_SHARE = 0.8
_SMOOTHING = (0.25, 0.5, 0.25)  # an item at 10:40 says 09-12 is likely too
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Profile:
    rates: tuple[float, ...]  # expected new items per week in each hour slot
    active: frozenset[int]  # slots polled at the minimum interval
    threshold: float  # the lowest rate of an active slot
    items: int  # sightings learnt from
    weeks: float  # history they cover
    timezone: str

    def slot(self, when: datetime) -> int:
        local = when.astimezone(ZoneInfo(self.timezone))
        return local.weekday() * 24 + local.hour

    def interval(self, slot: int, low: timedelta, high: timedelta) -> timedelta:
        """How long polls of this slot are apart: `low` when active, else longer by the
        inverse square root of the rate, in whole multiples of `low`, at most `high`."""
        rate = self.rates[slot]
        if slot in self.active or rate >= self.threshold:
            return low
        factor = math.sqrt(self.threshold / rate) if rate > 0 else math.inf
        multiple = max(1, math.floor(min(factor, high / low)))
        return min(low * multiple, high)

    def summary(self) -> str:
        """The active hours, e.g. 'Mon-Fri 09-18 Europe/Moscow (12 items in 8.0 weeks)'."""
        return f"active {active_hours(self.active)} {self.timezone} " \
               f"({self.items} items in {self.weeks:.1f} weeks, + prior)"


def prior() -> list[float]:
    """Weekday office hours (09-18), a little elsewhere; PRIOR_ITEMS_PER_WEEK in all."""
    shape = [1.0 if day < 5 and 9 <= hour < 18 else PRIOR_QUIET_SHARE
             for day in range(7) for hour in range(24)]
    total = sum(shape)
    return [PRIOR_ITEMS_PER_WEEK * s / total for s in shape]


def learn(sightings: Sequence[datetime], weeks: float, timezone: str) -> Profile:
    """The profile from when new items were first seen over `weeks` of history."""
    zone = ZoneInfo(timezone)
    counts = [0.0] * SLOTS
    for when in sightings:
        local = when.astimezone(zone)
        counts[local.weekday() * 24 + local.hour] += 1
    smoothed = [sum(w * counts[(s + k - 1) % SLOTS] for k, w in enumerate(_SMOOTHING))
                for s in range(SLOTS)]
    weeks = max(weeks, 0.0)
    rates = tuple((c + PRIOR_WEEKS * p) / (weeks + PRIOR_WEEKS)
                  for c, p in zip(smoothed, prior(), strict=True))
    active, threshold = _active(rates)
    return Profile(rates, active, threshold, len(sightings), weeks, timezone)


def _active(rates: Sequence[float]) -> tuple[frozenset[int], float]:
    """The busiest slots that together hold ACTIVE_SHARE of the expected items."""
    total, held, chosen = sum(rates), 0.0, []
    for slot in sorted(range(SLOTS), key=lambda s: -rates[s]):
        if held >= ACTIVE_SHARE * total:
            break
        chosen.append(slot)
        held += rates[slot]
    threshold = min(rates[s] for s in chosen)
    # Slots as busy as the last one chosen are active too: the choice among equals would
    # be arbitrary (the prior's office hours are all equal).
    return frozenset(s for s in range(SLOTS) if rates[s] >= threshold), threshold


@dataclass(frozen=True)
class Decision:
    at: datetime
    reason: str


def next_poll(profile: Profile, last: datetime, low: timedelta, high: timedelta,
              burst_until: datetime | None = None) -> Decision:
    """The first moment after the poll at `last` when the time since it reaches the
    interval the hour then current asks for (the minimum during a burst)."""
    start, why = last, f"maximum interval {human(high)}"
    while start < last + high:
        end = _slot_end(start, profile.timezone)
        if burst_until is not None and start < burst_until:
            end = min(end, burst_until)
            need, why = low, f"burst after a new item: every {human(low)} until " \
                             f"{_local(burst_until, profile.timezone)}"
        else:
            slot = profile.slot(start)
            need = profile.interval(slot, low, high)
            kind = "active" if need == low else "quiet"
            why = f"{kind} hour {_slot_name(slot)} {profile.timezone}: every {human(need)}"
        at = max(start, last + need)
        if at < end:
            return Decision(at, why)
        start = end
    return Decision(last + high, why)  # the quiet hours lasted the longest interval


def _slot_end(when: datetime, timezone: str) -> datetime:
    local = when.astimezone(ZoneInfo(timezone))
    hour = local.replace(minute=0, second=0, microsecond=0)
    # Through UTC: a local hour is one hour long even across a DST change.
    return (hour.astimezone(when.tzinfo) + timedelta(hours=1))


def _slot_name(slot: int) -> str:
    return f"{_DAYS[slot // 24]} {slot % 24:02d}:00"


def _local(when: datetime, timezone: str) -> str:
    return when.astimezone(ZoneInfo(timezone)).strftime("%a %H:%M")


def human(delay: timedelta) -> str:
    """'10 min', '1 h', '30 s'."""
    minutes = delay.total_seconds() / 60
    if minutes >= 60 and minutes % 60 == 0:
        return f"{int(minutes // 60)} h"
    return f"{minutes:g} min" if minutes >= 1 else f"{delay.total_seconds():g} s"


def active_hours(active: frozenset[int]) -> str:
    """Active slots as day ranges with their hours: 'Mon-Fri 09-18, Sat 11-12'."""
    per_day = [_ranges(sorted(s % 24 for s in active if s // 24 == d)) for d in range(7)]
    parts: list[str] = []
    day = 0
    while day < 7:
        last = day
        while last + 1 < 7 and per_day[last + 1] == per_day[day]:
            last += 1
        if per_day[day]:
            days = _DAYS[day] if last == day else f"{_DAYS[day]}-{_DAYS[last]}"
            parts.append(f"{days} {per_day[day]}")
        day = last + 1
    return ", ".join(parts) or "none"


def _ranges(hours: list[int]) -> str:
    spans: list[str] = []
    for hour in hours:
        if spans and int(spans[-1].split("-")[1]) == hour:
            spans[-1] = f"{spans[-1].split('-')[0]}-{hour + 1:02d}"
        else:
            spans.append(f"{hour:02d}-{hour + 1:02d}")
    return " ".join(spans)
