"""End to end: the real `check` polls a bilingual replica (en and ru sources); readers of
both languages get one Telegram message and one mail per story, the late English version
edits the Telegram message (same message_id) and mails nothing more, the channel posts once
and gains the link by an edit, and a one-sided edit is recorded as diverged once and sent
only to the readers who asked."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from core.db import open_database
from core.models import Subscriber
from tests.e2e.harness import cli, source, write_config
from tests.email.smtpd import Recorder, SmtpServer
from tests.replica.bilingual import Bilingual, bilingual_world
from tests.replica.world import Article
from tests.telegram.botapi import TOKEN, BotApiDouble, check_html

pytestmark = pytest.mark.e2e
EDIT = "editMessageText"


def headline(text: str) -> str:
    """A message's first line as the reader sees it (the title, linked)."""
    return re.sub(r"<[^>]+>", "", text.split("\n", 1)[0])


@pytest.fixture
def botapi() -> Iterator[BotApiDouble]:
    server = BotApiDouble().start()
    yield server
    server.stop()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(Recorder()).start()
    yield server
    server.stop()


def ok(config: Path, *args: str) -> str:
    result = cli(config, *args)
    assert result.code == 0, result.err
    assert "Traceback" not in result.err
    return result.out


def telegram_readers(database_url: str) -> None:
    database = open_database(database_url)
    try:
        with database.sessions() as session, session.begin():
            for address, extra in (("101", {}),  # both languages
                                   ("102", {"languages": ["en"],
                                            "accept_translated": True}),
                                   ("104", {"languages": ["en"]}),  # English only
                                   ("105", {"notify_divergence": True})):
                session.add(Subscriber(channel="telegram", address=address, **extra))
    finally:
        database.engine.dispose()


def fresh_pair(site: Bilingual, day: date) -> tuple[Article, Article]:
    """A new story: its Russian version on `day`, the English one the day after."""
    english_id = next(e for e, r in site.pairs.items() if "same slug" in site.kinds[e])
    english, russian = site.world.get(english_id), site.world.get(site.pairs[english_id])
    fresh_ru = replace(russian, id=10**6 + russian.id, published=day,
                       slug=russian.slug + "-novoe")
    fresh_en = replace(english, id=10**6 + english.id, published=day + timedelta(days=1),
                       slug=russian.slug + "-novoe")
    return fresh_en, fresh_ru


def test_one_message_per_story_edited_when_the_english_version_arrives_and_divergence(
        tmp_path: Path, replica_factory: Any, database_url: str, botapi: BotApiDouble,
        smtp: SmtpServer) -> None:
    site = bilingual_world(24, seed=5)
    en = replica_factory(markup="bitrix", language="en", world=site.world)
    ru = replica_factory(markup="modern", language="ru", world=site.world)
    config = write_config(
        tmp_path / "c.yaml",
        [source(en.listing_url, "csto-en", "en"), source(ru.listing_url, "csto-ru", "ru")],
        database_url,
        telegram={"token": TOKEN, "api_url": botapi.url, "channel": "@csto_news"},
        email={"smtp_host": "127.0.0.1", "smtp_port": smtp.port,
               "sender": "CSTO news <news@example.org>"},
        bilingual={"divergence_after": "3s"})
    ok(config, "check")  # the first poll stores what is there, silently
    telegram_readers(database_url)
    ok(config, "subscribers", "add", "both@example.org", "--all-languages")
    ok(config, "subscribers", "add", "en@example.org", "--lang", "en")
    ok(config, "subscribers", "add", "watch@example.org", "--all-languages",
       "--notify-divergence")

    story_en, story_ru = fresh_pair(site, site.world.articles[0].published + timedelta(3))
    site.world.publish(story_ru)
    ok(config, "check")
    first = {chat: botapi.sent(chat) for chat in ("@csto_news", "101", "102", "105")}
    assert all(len(calls) == 1 and story_ru.title in calls[0].text
               for calls in first.values()), first
    assert not botapi.sent("104")
    assert sorted(m["To"] for m in smtp.handler.parsed()) == ["both@example.org",
                                                             "watch@example.org"]

    site.world.publish(story_en)  # the next day: pairs with the Russian version
    ok(config, "check")
    for chat in ("@csto_news", "101", "102", "105"):
        assert len(botapi.sent(chat)) == 1, chat  # nothing sent again
        (edit,) = botapi.sent(chat, EDIT)
        assert edit.message_id == first[chat][0].message_id
        check_html(edit.text)
        assert headline(edit.text) == story_en.title
        assert f'Russian version: <a href="{ru.url_for(story_ru)}">' in edit.text
    (english,) = botapi.sent("104")  # a reader of English only: as always
    assert story_en.title in english.text
    mails = [m["To"] for m in smtp.handler.parsed()]
    assert sorted(mails[2:]) == ["en@example.org"]  # the readers of both: nothing more

    site.world.edit(story_ru.id, title=story_ru.title + " (обновлено)")  # Russian only
    ok(config, "check")
    time.sleep(3.5)  # bilingual.divergence_after
    for _ in range(2):
        ok(config, "check")
    changes = cli(config, "history", "--changes", "--format", "json").json()
    diverged = [c for c in changes if c["kind"] == "diverged"]
    assert len(diverged) == 1 and diverged[0]["fields"] == ["title"]
    assert diverged[0]["url"] == ru.url_for(story_ru)
    alerts = {chat: [c for c in botapi.sent(chat) if "Versions differ" in c.text]
              for chat in ("@csto_news", "101", "102", "104", "105")}
    assert [len(alerts[chat]) for chat in alerts] == [0, 0, 0, 0, 1]
    assert "The Russian version was edited (title)" in alerts["105"][0].text
    watched = smtp.handler.to("watch@example.org")
    assert [m["Subject"].startswith("[CSTO] Versions differ") for m in watched] == [False,
                                                                                    True]
    assert not any("Versions differ" in m["Subject"]
                   for m in smtp.handler.to("both@example.org"))
