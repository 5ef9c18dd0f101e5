"""A channel written on BaseNotifier is a complete Notifier: the dispatcher needs no probing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from core.models import ChangeEvent
from notifier import outbox
from notifier.base import BaseNotifier, Notifier
from notifier.digest import DigestMessage, Period
from notifier.dispatch import deliver_due
from notifier.message import EventMessage
from tests.telegram.conftest import History


class Pager(BaseNotifier):
    """A channel of two methods: who receives an event, and how one is sent."""

    name = "pager"

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def recipients(self, session: Session, event: ChangeEvent) -> list[str]:
        return ["desk"]

    async def send(self, message: EventMessage, recipient: str) -> None:
        self.sent.append((recipient, message.title))


def test_a_two_method_channel_is_delivered_to_once(db_sessions: sessionmaker[Session]) -> None:
    history = History(db_sessions)
    event = history.new(history.run(), "The CSTO Secretary General met the Ambassador")
    pager: Notifier = Pager()
    with db_sessions() as session, session.begin():
        outbox.enqueue(session, [session.get_one(ChangeEvent, event.id)], {"pager": pager},
                       ["new"])
    first = asyncio.run(deliver_due(db_sessions, {"pager": pager}))
    again = asyncio.run(deliver_due(db_sessions, {"pager": pager}))
    assert (first.sent, again.sent) == (1, 0)
    assert isinstance(pager, Pager)
    assert pager.sent == [("desk", "The CSTO Secretary General met the Ambassador")]


def test_the_defaults_say_no_digests() -> None:
    pager = Pager()
    day = datetime(2025, 7, 1, tzinfo=UTC)
    digest = DigestMessage(Period("daily", "daily:2025-07-01", day, day + timedelta(1)), "en", [])
    assert pager.concurrency == 1 and pager.digest_schedules() == []
    assert pager.digest_preview(digest, "desk") == "== pager desk daily:2025-07-01: 0 change(s)\n"
