"""Issue 21: keyword filters of every channel match as search does (word forms, not
substrings), with the channels' real doubles: the Bot API double, aiosmtpd, a webhook
receiver and Apprise's json:// target."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from core.config import ConfigError, load_settings
from core.models import ChangeEvent, CrawlRun, Item, Source, Subscriber, utcnow
from notifier import outbox
from notifier.base import Notifier
from notifier.channels.email import EmailNotifier
from notifier.dispatch import deliver_due
from notifier.registry import build_notifiers
from tests.email.smtpd import Recorder, SmtpServer
from tests.email.test_sending import settings as email_settings
from tests.integrations.events import settings_with
from tests.integrations.receiver import Receiver
from tests.telegram.botapi import BotApiDouble
from tests.telegram.conftest import make_notifier

# (language, title, lead): who should hear of which
ITEMS = [
    ("ru", "Визит в Ереван", "Переговоры с руководством Армении прошли в Ереване."),
    ("en", "A new method of training", "Instructors showed a method for the staff."),
    ("en", "Ministers met in Minsk", "The ministers met to discuss joint exercises."),
    ("ru", "Учения в Таджикистане", "Армейские подразделения провели учения."),
]
ARMENIA, METHOD, MET, EXERCISES = (item[1] for item in ITEMS)


def store(sessions: sessionmaker[Session], notifiers: dict[str, Notifier]) -> None:
    """ITEMS as new items with their events, queued for the notifiers as a poll does."""
    with sessions() as session, session.begin():
        source = Source(name="csto", url="https://odkb-csto.org/news/", language="ru")
        session.add(source)
        session.flush()
        run = CrawlRun(source_id=source.id, outcome="changed")
        session.add(run)
        events = []
        for n, (language, title, lead) in enumerate(ITEMS):
            item = Item(source=source, url=f"https://odkb-csto.org/news/k{n}/", slug=f"k{n}",
                        section="news_odkb", language=language, published=date(2026, 3, 1),
                        title=title, lead=lead, body="")
            session.add(item)
            session.flush()
            event = ChangeEvent(item_id=item.id, run_id=run.id, kind="new", url=item.url,
                                title=title, detected_at=utcnow())
            session.add(event)
            session.flush()
            session.refresh(event, ["item"])
            events.append(event)
        outbox.enqueue(session, events, notifiers, ["new", "edited", "removed"])


def drain(sessions: sessionmaker[Session], notifiers: dict[str, Notifier]) -> None:
    async def run() -> None:
        await deliver_due(sessions, notifiers)
        for notifier in notifiers.values():
            bot = getattr(notifier, "bot", None)
            if bot is not None:
                await bot.shutdown()

    asyncio.run(run())


def reader(sessions: sessionmaker[Session], channel: str, address: str,
           keywords: list[str]) -> None:
    with sessions() as session, session.begin():
        session.add(Subscriber(channel=channel, address=address, status="active",
                               mode="instant", languages=[], sections=[], keywords=keywords))


@pytest.fixture
def botapi() -> Iterator[BotApiDouble]:
    server = BotApiDouble().start()
    yield server
    server.stop()


def test_telegram_keywords_match_word_forms(botapi: BotApiDouble,
                                            db_sessions: sessionmaker[Session]) -> None:
    reader(db_sessions, "telegram", "101", ["Армения"])
    reader(db_sessions, "telegram", "102", ["met"])
    reader(db_sessions, "telegram", "103", ["учение", "exercise"])
    store(db_sessions, {"telegram": make_notifier(botapi, db_sessions)})
    drain(db_sessions, {"telegram": make_notifier(botapi, db_sessions)})

    def told(chat: str) -> list[str]:
        return [title for call in botapi.sent(chat) for title in
                (ARMENIA, METHOD, MET, EXERCISES) if title in call.text]

    assert told("101") == [ARMENIA]  # «Армении»
    assert told("102") == [MET]  # not "method"
    assert sorted(told("103")) == sorted([MET, EXERCISES])  # «учения», "exercises"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(Recorder()).start()
    yield server
    server.stop()


def test_email_keywords_match_word_forms(db_sessions: sessionmaker[Session],
                                         smtp: SmtpServer) -> None:
    notifier = EmailNotifier(email_settings(smtp.port), db_sessions)
    reader(db_sessions, "email", "ann@example.org", ["Армения"])
    reader(db_sessions, "email", "bob@example.org", ["met"])
    store(db_sessions, {"email": notifier})
    drain(db_sessions, {"email": notifier})
    assert [m["Subject"] for m in smtp.handler.to("ann@example.org")] == [f"[CSTO] {ARMENIA}"]
    assert [m["Subject"] for m in smtp.handler.to("bob@example.org")] == [f"[CSTO] {MET}"]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver().start()
    yield server
    server.stop()


def test_webhook_and_apprise_keywords_match_word_forms(
        db_sessions: sessionmaker[Session], receiver: Receiver) -> None:
    settings = settings_with("sqlite:////nonexistent/unused.db", webhooks=[
        {"url": receiver.url + "/armenia", "secret": "webhook-secret-0123456789",
         "name": "armenia", "keywords": ["Армения"]},
        {"url": receiver.url + "/met", "secret": "webhook-secret-0123456789",
         "name": "met", "keywords": ["met"]}],
        apprise=[{"url": f"json://127.0.0.1:{receiver.port}/apprise", "name": "drills",
                  "keywords": ['"joint exercises"', "учение"]}])
    notifiers = build_notifiers(settings, db_sessions)
    notifiers.pop("console")
    store(db_sessions, notifiers)
    drain(db_sessions, notifiers)

    def titles(path: str) -> list[str]:
        bodies = [json.loads(r.body) for r in receiver.received if r.path == path]
        return sorted(str(b.get("item", {}).get("title") or b.get("title")) for b in bodies)

    assert titles("/armenia") == [ARMENIA]
    assert titles("/met") == [MET]
    assert titles("/apprise") == sorted([f"[CSTO] {MET}", f"[CSTO] {EXERCISES}"])


def test_a_keyword_without_a_word_is_refused_at_start(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("sources: [{name: s, url: 'https://odkb-csto.org/news/', language: en}]\n"
                      "webhooks: [{url: 'http://127.0.0.1:9/h', secret: 'webhook-secret-012345',"
                      " keywords: ['--']}]\n")
    with pytest.raises(ConfigError, match=r"webhooks\.0\.keywords"):
        load_settings(config)
