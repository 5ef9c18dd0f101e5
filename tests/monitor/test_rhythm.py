"""Learned polling, the pure decisions (monitor.rhythm): the profile and the next poll."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from monitor import rhythm

MOSCOW = ZoneInfo("Europe/Moscow")
TEN, HOUR = timedelta(minutes=10), timedelta(hours=1)


def moscow(day: int, hour: int, minute: int = 0) -> datetime:
    """A time in the week of Monday 2026-03-02 (day 0), Moscow time."""
    return datetime(2026, 3, 2 + day, hour, minute, tzinfo=MOSCOW)


def afternoons(weeks: int) -> list[datetime]:
    """Two items a week for `weeks` weeks: Tuesday and Thursday around 14:00 Moscow."""
    return [moscow(day, 14, 20) - timedelta(weeks=w) for w in range(weeks) for day in (1, 3)]


def test_with_no_history_the_prior_makes_weekday_office_hours_active() -> None:
    profile = rhythm.learn([], 0.0, "Europe/Moscow")
    assert rhythm.active_hours(profile.active) == "Mon-Fri 09-18"
    assert profile.summary() == "active Mon-Fri 09-18 Europe/Moscow (0 items in 0.0 weeks, " \
        "+ prior)"
    assert profile.interval(profile.slot(moscow(0, 11)), TEN, HOUR) == TEN
    assert profile.interval(profile.slot(moscow(5, 3)), TEN, HOUR) == HOUR


def test_learned_hours_follow_the_sightings() -> None:
    profile = rhythm.learn(afternoons(26), 26.0, "Europe/Moscow")
    assert profile.slot(moscow(1, 14)) in profile.active
    assert profile.slot(moscow(0, 9)) not in profile.active  # the prior alone: outweighed
    assert profile.interval(profile.slot(moscow(6, 3)), TEN, HOUR) == HOUR
    assert "Tue" in profile.summary() and "52 items in 26.0 weeks" in profile.summary()


def test_intervals_are_whole_multiples_of_the_minimum_within_the_bounds() -> None:
    profile = rhythm.learn(afternoons(8), 8.0, "Europe/Moscow")
    for slot in range(rhythm.SLOTS):
        interval = profile.interval(slot, TEN, HOUR)
        assert TEN <= interval <= HOUR and interval % TEN == timedelta(0)


def test_at_night_the_next_poll_is_an_hour_away_and_active_hours_start_on_time() -> None:
    profile = rhythm.learn([], 0.0, "Europe/Moscow")
    night = rhythm.next_poll(profile, moscow(1, 2, 5).astimezone(UTC), TEN, HOUR)
    assert night.at == moscow(1, 3, 5) and night.reason.startswith("quiet hour Tue")
    dawn = rhythm.next_poll(profile, moscow(1, 8, 40).astimezone(UTC), TEN, HOUR)
    assert dawn.at == moscow(1, 9, 0)  # not 09:40: office hours begin at 09:00
    assert dawn.reason == "active hour Tue 09:00 Europe/Moscow: every 10 min"
    day = rhythm.next_poll(profile, moscow(1, 11, 3), TEN, HOUR)
    assert day.at == moscow(1, 11, 13)


def test_a_new_item_shortens_the_interval_at_once_for_the_burst() -> None:
    profile = rhythm.learn([], 0.0, "Europe/Moscow")
    found = moscow(5, 22, 0)  # Saturday night: normally an hour between polls
    burst = rhythm.next_poll(profile, found, TEN, HOUR, burst_until=found + 2 * HOUR)
    assert burst.at == found + TEN and burst.reason.startswith("burst after a new item")
    after = rhythm.next_poll(profile, found + 2 * HOUR, TEN, HOUR, burst_until=found + 2 * HOUR)
    assert after.at == found + 3 * HOUR


def test_the_bounds_hold_whatever_the_profile() -> None:
    profile = rhythm.learn(afternoons(2), 2.0, "Europe/Moscow")
    now = moscow(0, 0, 0)
    for _ in range(2000):
        decision = rhythm.next_poll(profile, now, TEN, HOUR)
        assert TEN <= decision.at - now <= HOUR
        now = decision.at
