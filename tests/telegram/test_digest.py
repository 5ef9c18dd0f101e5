"""Daily digests of bot subscribers lose nothing: Bot API double, injected clock, both DBs."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from tests.fixtures.digests import Timeline
from tests.telegram.botapi import BotApiDouble
from tests.telegram.conftest import digest_passes, make_notifier


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)


def test_a_daily_digest_after_two_missed_send_times_lists_every_event_once(
        botapi: BotApiDouble, db_sessions: sessionmaker[Session]) -> None:
    news = Timeline(db_sessions)
    news.subscriber("telegram", "501", since=at(1, 12), mode="daily")
    news.subscriber("telegram", "502", since=at(1, 12), mode="instant")
    notifier = make_notifier(botapi, db_sessions, daily_at="07:00")
    daemon_pass = digest_passes(botapi, notifier)

    # Down from before 2 March 07:00 until 4 March 12:00: two send times missed.
    for n, when in enumerate([at(1, 20), at(2, 9), at(3, 10), at(4, 6)], start=1):
        news.event(f"Event {n}", when)
    news.event("Event 5", at(4, 9))
    assert daemon_pass(at(4, 12)) == 1
    assert daemon_pass(at(4, 13)) == 0
    assert daemon_pass(at(5, 7)) == 1
    texts = [call.text for call in botapi.sent("501")]
    assert len(texts) == 2 and "Your CSTO digest for 2026-03-04" in texts[0]
    assert titles(texts[0]) == ["Event 1", "Event 2", "Event 3", "Event 4"]
    assert titles(texts[1]) == ["Event 5"]
    assert botapi.sent("502") == []  # instant: these events were not queued for it


def titles(text: str) -> list[str]:
    return sorted(re.findall(r">(Event \d)</a>", text))
