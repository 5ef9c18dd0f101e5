"""Digests lose nothing: each lists the events since the subscriber's previous one, once.

A real SMTP server, SQLite and PostgreSQL, and the daemon's digest pass on an injected
clock (daily_at 07:00 UTC). The dates are in the past, so what is queued is due at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from monitor.digest_cli import queue_now
from monitor.models import Delivery, DigestEntry, Subscriber
from notifier.channels.email import EmailNotifier
from notifier.dispatch import deliver_due
from tests.email.smtpd import Recorder, SmtpServer
from tests.email.test_sending import settings
from tests.fixtures.digests import Timeline, daemon_at

MAR = datetime(2026, 3, 1, tzinfo=UTC)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return MAR.replace(day=day, hour=hour, minute=minute)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(Recorder()).start()
    yield server
    server.stop()


class Digests:
    """The daemon's digest pass at a chosen time, then the outbox drained into SMTP."""

    def __init__(self, sessions: sessionmaker[Session], port: int) -> None:
        self.sessions = sessions
        self.settings = settings(port, daily_at="07:00", timezone="UTC")
        self.notifier = EmailNotifier(self.settings, sessions)
        self.now = [MAR]
        self.restart()

    def restart(self) -> None:
        """A new daemon process: it remembers nothing but what is stored."""
        self.daemon = daemon_at(self.settings, self.sessions, {"email": self.notifier},
                                self.now)

    def daemon_pass(self, when: datetime) -> int:
        self.now[0] = when
        queued = self.daemon.queue_digests()
        asyncio.run(deliver_due(self.sessions, {"email": self.notifier}))
        return queued

    def command(self, when: datetime) -> int:
        """`csto-monitor digest` at `when`."""
        with self.sessions() as session, session.begin():
            queued = queue_now(session, {"email": self.notifier}, None, when)
        asyncio.run(deliver_due(self.sessions, {"email": self.notifier}))
        return queued


def listed(smtp: SmtpServer, address: str) -> list[list[str]]:
    """The titles each digest received by `address` lists, in order of arrival."""
    digests = []
    for message in smtp.handler.to(address):
        part = message.get_body(("plain",))
        assert part is not None
        text = str(part.get_content())
        digests.append(sorted(line.strip("* ").strip() for line in text.splitlines()
                              if line.strip("* ").startswith("Event ")))
    return digests


def test_a_digest_after_two_missed_send_times_covers_every_event_once(
        db_sessions: sessionmaker[Session], smtp: SmtpServer) -> None:
    news = Timeline(db_sessions)
    news.subscriber("email", "ann@example.org", since=at(1, 12), mode="daily")
    digests = Digests(db_sessions, smtp.port)
    news.event("Event 0", at(1, 18))
    assert digests.daemon_pass(at(2, 7, 1)) == 1
    # The daemon is down from 2 March 07:02 to 4 March 12:00: two send times missed.
    for title, when in [("Event 1", at(2, 9)), ("Event 2", at(2, 23)), ("Event 3", at(3, 10)),
                        ("Event 4", at(4, 6, 30)), ("Event 5", at(4, 9))]:
        news.event(title, when)
    digests.restart()
    assert digests.daemon_pass(at(4, 12)) == 1
    assert listed(smtp, "ann@example.org") == [
        ["Event 0"], ["Event 1", "Event 2", "Event 3", "Event 4"]]
    # Event 5 came after this period's send time: the next digest has it. Nothing twice,
    # whether the daemon restarts or `digest` is run in the same period.
    digests.restart()
    assert digests.daemon_pass(at(4, 12, 5)) == 0
    assert digests.command(at(4, 12, 10)) == 0
    assert digests.daemon_pass(at(5, 7, 1)) == 1
    assert listed(smtp, "ann@example.org")[2:] == [["Event 5"]]
    with db_sessions() as session:
        keys = session.scalars(select(Delivery.idempotency_key).order_by(Delivery.id)).all()
    assert keys == [f"digest:email:ann@example.org:daily:2026-03-0{day}" for day in (2, 4, 5)]


def test_the_command_sends_what_is_pending_now_and_the_next_digest_the_rest(
        db_sessions: sessionmaker[Session], smtp: SmtpServer) -> None:
    news = Timeline(db_sessions)
    news.subscriber("email", "ann@example.org", since=at(1, 12), mode="daily")
    digests = Digests(db_sessions, smtp.port)
    news.event("Event 1", at(2, 9))
    news.event("Event 2", at(2, 15))
    assert digests.command(at(2, 16)) == 1  # after the day's news, before the next 07:00
    assert digests.command(at(2, 17)) == 0
    news.event("Event 3", at(2, 18))
    assert digests.daemon_pass(at(2, 18, 30)) == 0  # this period had its digest
    assert digests.daemon_pass(at(3, 7)) == 1
    assert listed(smtp, "ann@example.org") == [["Event 1", "Event 2"], ["Event 3"]]


def test_an_event_committed_after_its_period_was_queued_goes_into_the_next_digest(
        db_sessions: sessionmaker[Session], smtp: SmtpServer) -> None:
    news = Timeline(db_sessions)
    news.subscriber("email", "ann@example.org", since=at(1, 12), mode="daily")
    digests = Digests(db_sessions, smtp.port)
    news.event("Event 1", at(2, 6))
    assert digests.daemon_pass(at(2, 7)) == 1
    # A poll that started at 06:59 commits its event only now, after the digest was queued.
    news.event("Event 2", at(2, 6, 59))
    news.event("Event 3", at(2, 12))
    assert digests.daemon_pass(at(3, 7)) == 1
    assert listed(smtp, "ann@example.org") == [["Event 1"], ["Event 2", "Event 3"]]


def test_no_digest_without_news_and_none_before_subscribing(
        db_sessions: sessionmaker[Session], smtp: SmtpServer) -> None:
    news = Timeline(db_sessions)
    news.event("Event 0", at(1, 8))  # before anyone subscribed
    news.subscriber("email", "ann@example.org", since=at(1, 12), mode="daily")
    news.subscriber("email", "bob@example.org", since=at(1, 12), mode="daily",
                    sections=["statements"])
    digests = Digests(db_sessions, smtp.port)
    news.event("Event 1", at(1, 20))
    assert digests.daemon_pass(at(2, 7)) == 1
    assert listed(smtp, "ann@example.org") == [["Event 1"]]
    assert smtp.handler.to("bob@example.org") == []  # nothing he wants: nothing sent
    with db_sessions() as session:
        assert session.scalars(select(Delivery.recipient)).all() == ["ann@example.org"]


def test_changing_mode_neither_repeats_nor_loses_an_event(
        db_sessions: sessionmaker[Session], smtp: SmtpServer) -> None:
    news = Timeline(db_sessions)
    news.subscriber("email", "ann@example.org", since=at(1, 12), mode="daily")
    digests = Digests(db_sessions, smtp.port)
    news.event("Event 1", at(1, 20))
    assert digests.daemon_pass(at(2, 7)) == 1
    with db_sessions() as session, session.begin():  # daily -> weekly (Mondays, 07:00)
        session.scalars(select(Subscriber)).one().mode = "weekly"
    news.event("Event 2", at(2, 9))
    news.event("Event 3", at(5, 9))
    assert digests.daemon_pass(at(9, 7)) == 1
    assert listed(smtp, "ann@example.org") == [["Event 1"], ["Event 2", "Event 3"]]
    with db_sessions() as session:
        assert session.scalars(select(Subscriber.digest_since)).one() == at(1, 12)
        assert len(session.scalars(select(DigestEntry)).all()) == 3


def test_leaving_instant_mode_starts_digests_from_then(
        db_sessions: sessionmaker[Session]) -> None:
    news = Timeline(db_sessions)
    news.subscriber("email", "ann@example.org", since=at(1, 12), mode="instant")
    before = datetime.now(UTC)
    with db_sessions() as session, session.begin():
        session.scalars(select(Subscriber)).one().mode = "daily"
    with db_sessions() as session:
        switched = session.scalars(select(Subscriber.digest_since)).one()
    assert switched is not None and switched >= before - timedelta(seconds=1)
