"""Daily digests of bot subscribers lose nothing: Bot API double, injected clock, both DBs."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from core.config import Settings
from notifier.channels.telegram import TelegramNotifier
from notifier.dispatch import deliver_due
from tests.fixtures.digests import Timeline, daemon_at
from tests.telegram.botapi import TOKEN, BotApiDouble
from tests.telegram.conftest import make_notifier


async def deliver(notifier: TelegramNotifier) -> None:
    """Drain the outbox, then close the bot's connections: they belong to this event loop,
    and each pass (a daemon restart) runs in a new one."""
    await deliver_due(notifier.sessions, {"telegram": notifier})
    await notifier.bot.shutdown()


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)


def test_a_daily_digest_after_two_missed_send_times_lists_every_event_once(
        botapi: BotApiDouble, db_sessions: sessionmaker[Session]) -> None:
    news = Timeline(db_sessions)
    news.subscriber("telegram", "501", since=at(1, 12), mode="daily")
    news.subscriber("telegram", "502", since=at(1, 12), mode="instant")
    notifier = make_notifier(botapi, db_sessions, daily_at="07:00")
    settings = Settings.model_validate({
        "database_url": "sqlite:////nonexistent/unused.db",
        "sources": [{"name": "csto-en", "url": "https://en.odkb-csto.org/news/",
                     "language": "en"}],
        "telegram": {"token": TOKEN, "api_url": botapi.url, "daily_at": "07:00"}})
    now = [at(2, 7)]

    def daemon_pass(when: datetime) -> int:
        """A daemon started at `when` (a restart each time) queues, then delivers."""
        now[0] = when
        queued = daemon_at(settings, db_sessions, {"telegram": notifier}, now).queue_digests()
        asyncio.run(deliver(notifier))
        return queued

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
