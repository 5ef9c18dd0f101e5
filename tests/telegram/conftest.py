"""Fixtures for the Telegram tests: the Bot API double and a small history to announce."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from core.config import Settings, Telegram
from core.models import ChangeEvent, CrawlRun, Item, ItemRevision, Source, Subscriber, utcnow
from notifier.channels.telegram import TelegramNotifier
from notifier.dispatch import deliver_due
from tests.fixtures.digests import daemon_at
from tests.telegram.botapi import TOKEN, BotApiDouble


@pytest.fixture
def botapi() -> Iterator[BotApiDouble]:
    server = BotApiDouble().start()
    yield server
    server.stop()


def telegram_config(botapi: BotApiDouble, **extra: Any) -> Telegram:
    return Telegram.model_validate({"token": TOKEN, "api_url": botapi.url,
                                    "channel": "@csto_news", **extra})


def make_notifier(botapi: BotApiDouble, sessions: sessionmaker[Session], **extra: Any
                  ) -> TelegramNotifier:
    return TelegramNotifier(telegram_config(botapi, **extra), sessions)


@dataclass
class History:
    """Writes sources, items and events the way the poller does, for the notifier to read."""

    sessions: sessionmaker[Session]

    def run(self, language: str = "en") -> int:
        with self.sessions() as session, session.begin():
            source = Source(name=f"s{uuid.uuid4().hex[:8]}", url="https://example.org/",
                            language=language, consecutive_failures=0, alerted=False,
                            baseline_done=True)
            session.add(source)
            session.flush()
            run = CrawlRun(source_id=source.id, outcome="changed")
            session.add(run)
            session.flush()
            return run.id

    def new(self, run_id: int, title: str, section: str = "news", lead: str = "",
            body: str = "First sentence. Second one.") -> ChangeEvent:
        with self.sessions() as session, session.begin():
            run = session.get_one(CrawlRun, run_id)
            url = f"https://example.org/news/{uuid.uuid4().hex[:10]}/"
            language = session.get_one(Source, run.source_id).language
            item = Item(source_id=run.source_id, url=url, section=section, slug="s",
                        language=language, published=date(2025, 7, 1), title=title,
                        lead=lead, body=body)
            session.add(item)
            session.flush()
            session.add(ItemRevision(item_id=item.id, number=1, url=url, title=title,
                                     lead=lead, body=body, published=item.published))
            return self._event(session, item, run_id, "new", revision_number=1)

    def edit(self, run_id: int, event: ChangeEvent, title: str | None = None,
             **fields: str) -> ChangeEvent:
        """An edit of the title and/or other text fields, as a new revision and its event."""
        changed = {**({"title": title} if title is not None else {}), **fields}
        with self.sessions() as session, session.begin():
            item = session.get_one(Item, event.item_id)
            previous = {name: getattr(item, name) for name in changed}
            for name, value in changed.items():
                setattr(item, name, value)
            number = len(item.revisions) + 1
            session.add(ItemRevision(item_id=item.id, number=number, url=item.url,
                                     title=item.title, lead=item.lead, body=item.body,
                                     published=item.published, changed_fields=list(changed)))
            return self._event(session, item, run_id, "edited", fields=list(changed),
                               previous=previous, revision_number=number)

    def remove(self, run_id: int, event: ChangeEvent) -> ChangeEvent:
        with self.sessions() as session, session.begin():
            item = session.get_one(Item, event.item_id)
            item.status = "removed"
            return self._event(session, item, run_id, "removed")

    def _event(self, session: Session, item: Item, run_id: int, kind: str,
               **extra: Any) -> ChangeEvent:
        event = ChangeEvent(item_id=item.id, run_id=run_id, kind=kind, url=item.url,
                            title=item.title, detected_at=utcnow(), **extra)
        session.add(event)
        session.flush()
        session.refresh(event, ["item"])
        return event

    def subscriber(self, address: str, **extra: Any) -> None:
        with self.sessions() as session, session.begin():
            session.add(Subscriber(channel="telegram", address=address, status="active",
                                   **extra))


@pytest.fixture
def history(db_sessions: sessionmaker[Session]) -> History:
    return History(db_sessions)


def digest_passes(botapi: BotApiDouble, notifier: TelegramNotifier
                  ) -> Callable[[datetime], int]:
    """`daemon_pass(when)`: a daemon started at `when` (a restart each time) queues the due
    digests, then delivers them in an event loop of its own, closing the bot's connections
    with it; returns how many digests it queued."""
    settings = Settings.model_validate({
        "database_url": "sqlite:////nonexistent/unused.db",
        "sources": [{"name": "csto-en", "url": "https://en.odkb-csto.org/news/",
                     "language": "en"}],
        "telegram": {"token": TOKEN, "api_url": botapi.url, "daily_at": "07:00"}})
    channels = {"telegram": notifier}

    async def deliver() -> None:
        await deliver_due(notifier.sessions, channels)
        await notifier.bot.shutdown()

    def daemon_pass(when: datetime) -> int:
        queued = daemon_at(settings, notifier.sessions, channels, [when]).queue_digests()
        asyncio.run(deliver())
        return queued

    return daemon_pass
