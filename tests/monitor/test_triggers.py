"""The poll schedule keeps its interval on average, whatever the jitter."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from apscheduler.triggers.interval import IntervalTrigger

from csto_monitor.triggers import SteadyIntervalTrigger

START = datetime(2026, 1, 1, tzinfo=UTC)


def fire_times(trigger: IntervalTrigger, count: int) -> list[datetime]:
    fired: list[datetime] = [START]
    for _ in range(count):
        nxt = trigger.get_next_fire_time(fired[-1], fired[-1])
        assert nxt is not None
        fired.append(nxt)
    return fired


def test_jitter_delays_each_poll_within_its_slot_without_drift() -> None:
    random.seed(7)
    trigger = SteadyIntervalTrigger(seconds=60, jitter=6, start_date=START, timezone=UTC)
    fired = fire_times(trigger, 1000)
    for k, when in enumerate(fired[1:], start=1):
        slot = START + timedelta(seconds=60 * k)
        assert slot <= when <= slot + timedelta(seconds=6)


def test_apschedulers_own_trigger_drifts_by_half_the_jitter() -> None:
    """Why SteadyIntervalTrigger exists: 1,000 polls of 60 s + 6 s jitter take ~63,000 s."""
    random.seed(7)
    plain = IntervalTrigger(seconds=60, jitter=6, start_date=START, timezone=UTC)
    span = (fire_times(plain, 1000)[-1] - START).total_seconds()
    assert 62_500 < span < 63_500


def test_without_jitter_it_is_a_plain_interval() -> None:
    trigger = SteadyIntervalTrigger(seconds=10, start_date=START, timezone=UTC)
    assert fire_times(trigger, 3)[1:] == [START + timedelta(seconds=s) for s in (10, 20, 30)]


def test_the_poll_after_an_immediate_first_one_comes_one_interval_later() -> None:
    """As the daemon schedules it: first poll now, the trigger's start_date defaulted."""
    random.seed(7)
    trigger = SteadyIntervalTrigger(seconds=60, jitter=6, timezone=UTC)
    first = datetime.now(UTC)
    later = [first]
    for _ in range(3):
        nxt = trigger.get_next_fire_time(later[-1], later[-1])
        assert nxt is not None
        later.append(nxt)
    for k, when in enumerate(later[1:], start=1):
        assert 60 * k <= (when - first).total_seconds() <= 60 * k + 6
