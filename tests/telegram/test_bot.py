"""The bot's command flows, driven through the Bot API double by long polling."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.config import Settings
from core.models import Source, Subscriber
from csto_monitor.bot.service import BotService
from notifier.base import Notifier
from tests.telegram.botapi import BotApiDouble, Call
from tests.telegram.conftest import History, make_notifier

ADMIN = 900


@dataclass
class FakeMonitor:
    settings: Settings
    sessions: sessionmaker[Session]
    notifiers: dict[str, Notifier] = field(default_factory=dict)


def run_bot(botapi: BotApiDouble, sessions: sessionmaker[Session],
            script: Callable[[BotService], Awaitable[None]], **extra: Any) -> None:
    """Start the bot service on a fresh loop, run `script`, stop the service."""
    settings = Settings.model_validate({
        "sources": [{"name": "csto-en", "url": "https://example.org/", "language": "en"}],
        "telegram": {"token": botapi.token, "api_url": botapi.url, "admins": [ADMIN]},
        **extra})
    notifier = make_notifier(botapi, sessions, admins=[ADMIN])
    monitor: Any = FakeMonitor(settings, sessions, {"telegram": notifier})

    async def main() -> None:
        service = BotService(monitor, alert_interval=0.1)
        await service.start()
        try:
            await script(service)
        finally:
            await service.stop()

    asyncio.run(main())


async def answer(botapi: BotApiDouble, chat: int, count: int = 1,
                 method: str = "sendMessage") -> Call:
    """Wait until the bot has sent `count` messages to `chat`; the last one."""
    deadline = time.monotonic() + 10
    while len(botapi.sent(chat, method)) < count:
        assert time.monotonic() < deadline, f"no answer {count} in chat {chat}"
        await asyncio.sleep(0.02)
    return botapi.sent(chat, method)[count - 1]


def subscriber(sessions: sessionmaker[Session], address: str) -> Subscriber | None:
    with sessions() as session:
        return session.scalar(select(Subscriber).where(Subscriber.address == address))


def test_start_subscribe_settings_unsubscribe(botapi: BotApiDouble, history: History,
                                              db_sessions: sessionmaker[Session]) -> None:
    history.new(history.run(), "Exercise", section="press")

    async def script(service: BotService) -> None:
        botapi.command(1, "/start")
        welcome = await answer(botapi, 1)
        assert "CSTO" in welcome.text
        assert welcome.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "sub"
        botapi.tap(1, "sub", welcome.message_id or 0)
        assert "Subscribed" in (await answer(botapi, 1, 2)).text
        botapi.command(1, "/settings")
        panel = await answer(botapi, 1, 3)
        assert "Your settings" in panel.text
        assert "Other language, machine-translated: off" in panel.text
        buttons = [b for row in panel.params["reply_markup"]["inline_keyboard"] for b in row]
        assert {"▫️ Other language, translated", "✅ Press"} <= {b["text"] for b in buttons}
        for data in ("mode:daily", "edits", "lang:ru", "translated", "ui:ru"):
            botapi.tap(1, data, panel.message_id or 0)
        await answer(botapi, 1, 4, "editMessageText")
        botapi.command(1, "/keywords Minsk, exercise")
        assert "Minsk, exercise" in (await answer(botapi, 1, 4)).text
        botapi.command(1, "/unsubscribe")
        assert "Подписка отменена" in (await answer(botapi, 1, 5)).text

    run_bot(botapi, db_sessions, script)
    saved = subscriber(db_sessions, "1")
    assert saved is not None and saved.status == "unsubscribed"
    assert (saved.mode, saved.include_edits, saved.languages, saved.ui_language) == (
        "daily", False, ["en"], "ru")
    assert saved.accept_translated
    assert saved.keywords == ["Minsk", "exercise"]


def test_russian_users_are_answered_in_russian(botapi: BotApiDouble,
                                               db_sessions: sessionmaker[Session]) -> None:
    async def script(service: BotService) -> None:
        botapi.command(2, "/subscribe", language="ru")
        assert "Вы подписаны" in (await answer(botapi, 2)).text
        botapi.command(2, "/language en", language="ru")
        assert "English" in (await answer(botapi, 2, 2)).text
        botapi.command(2, "/help", language="ru")
        assert "/subscribe" in (await answer(botapi, 2, 3)).text

    run_bot(botapi, db_sessions, script)


def test_history_commands_and_bad_arguments(botapi: BotApiDouble, history: History,
                                            db_sessions: sessionmaker[Session]) -> None:
    event = history.new(history.run(), "Joint <exercise> in Minsk")

    async def script(service: BotService) -> None:
        for n, (text, expected) in enumerate([
                ("/latest 3", "Joint &lt;exercise&gt; in Minsk"),
                ("/latest many", "Usage: /latest [N]"),
                ("/search", "Usage: /search TEXT"),
                (f"/item {event.item_id}", "Revisions"),
                ("/item 999999", "There is no item 999999"),
                ("/frobnicate", "I do not know that command"),
                ("hello", "I answer commands only"),
                ("/status", "for the bot's administrators only")], start=1):
            botapi.command(3, text)
            assert expected in (await answer(botapi, 3, n)).text, text

    run_bot(botapi, db_sessions, script)


def test_admin_commands_and_source_alerts(botapi: BotApiDouble, history: History,
                                          db_sessions: sessionmaker[Session]) -> None:
    history.subscriber("5")

    async def script(service: BotService) -> None:
        botapi.command(ADMIN, "/stats")
        assert "1 active" in (await answer(botapi, ADMIN)).text
        botapi.command(ADMIN, "/status")
        assert "csto-en" in (await answer(botapi, ADMIN, 2)).text
        await asyncio.sleep(0.3)  # the watcher has taken its first look
        set_alerted(db_sessions, True)
        assert "is failing" in (await answer(botapi, ADMIN, 3)).text
        set_alerted(db_sessions, False)
        assert "works again" in (await answer(botapi, ADMIN, 4)).text

    run_bot(botapi, db_sessions, script)


def set_alerted(sessions: sessionmaker[Session], alerted: bool) -> None:
    with sessions() as session, session.begin():
        source = session.scalar(select(Source).where(Source.name == "csto-en"))
        if source is None:
            source = Source(name="csto-en", url="https://example.org/", language="en",
                            consecutive_failures=0, baseline_done=True)
            session.add(source)
        source.alerted, source.consecutive_failures = alerted, 3 if alerted else 0
        source.last_error = "cannot reach the site" if alerted else None


def test_groups_only_admins_subscribe_and_other_bots_commands_are_ignored(
        botapi: BotApiDouble, db_sessions: sessionmaker[Session]) -> None:
    group = -4001
    botapi.admins.add((str(group), 7))

    async def script(service: BotService) -> None:
        botapi.command(group, "/subscribe@csto_test_bot", user_id=8, chat_type="group")
        assert "Only an administrator" in (await answer(botapi, group)).text
        botapi.command(group, "/subscribe@csto_test_bot", user_id=7, chat_type="group")
        assert "Subscribed" in (await answer(botapi, group, 2)).text
        botapi.command(group, "/subscribe@other_bot", user_id=7, chat_type="group")
        botapi.command(group, "/weather", user_id=7, chat_type="group")
        botapi.command(group, "/help@csto_test_bot", user_id=7, chat_type="group")
        assert "Commands" in (await answer(botapi, group, 3)).text

    run_bot(botapi, db_sessions, script)
    saved = subscriber(db_sessions, str(group))
    assert saved is not None and saved.status == "active"
    assert len(botapi.sent(group)) == 3


def test_settings_choose_the_preferred_version_and_divergence_alerts_status_lists_them(
        botapi: BotApiDouble, history: History, db_sessions: sessionmaker[Session]) -> None:
    from datetime import timedelta

    from core.models import ChangeEvent, Item, StoryPair, utcnow
    from monitor import divergence_store

    ru = history.new(history.run("ru"), "Министры обороны встретились в Минске")
    en = history.new(history.run("en"), "Defence ministers met in Minsk")
    now = utcnow()
    with db_sessions() as session, session.begin():
        session.add(StoryPair(en_item_id=en.item_id, ru_item_id=ru.item_id, confidence=1.0,
                              evidence=[], manual=True, paired_at=now))
        item = session.get_one(Item, ru.item_id)
        item.first_seen = session.get_one(Item, en.item_id).first_seen = now - timedelta(2)
        session.add(ChangeEvent(item=item, kind="removed", url=item.url, title=item.title,
                                detected_at=now - timedelta(hours=30)))
        session.flush()
        assert len(divergence_store.record_due(session, now, timedelta(hours=24))) == 1

    async def script(service: BotService) -> None:
        botapi.command(1, "/subscribe")
        await answer(botapi, 1)
        botapi.command(1, "/settings")
        panel = await answer(botapi, 1, 2)
        assert "A story once, preferably in: en · Divergence alerts: off" in panel.text
        buttons = [b["callback_data"] for row in panel.params["reply_markup"][
            "inline_keyboard"] for b in row]
        assert {"pref:en", "pref:ru", "divergence"} <= set(buttons)
        for data in ("pref:ru", "divergence"):
            botapi.tap(1, data, panel.message_id or 0)
        redrawn = await answer(botapi, 1, 2, "editMessageText")
        assert "preferably in: ru · Divergence alerts: on" in redrawn.text
        botapi.command(ADMIN, "/status")
        status = (await answer(botapi, ADMIN)).text
        assert "<b>Versions differ</b>:" in status
        assert ("The Russian version was removed from the site 30 h ago; the English "
                "version was not.") in status

    run_bot(botapi, db_sessions, script)
    saved = subscriber(db_sessions, "1")
    assert saved is not None and (saved.preferred_language, saved.notify_divergence) == (
        "ru", True)


def test_help_offers_the_email_sign_up_page(botapi: BotApiDouble,
                                            db_sessions: sessionmaker[Session]) -> None:
    email = {"sender": "CSTO <news@example.org>", "public_url": "https://csto.example.org",
             "secret": "a-long-test-secret-0123456789"}

    async def script(service: BotService) -> None:
        botapi.command(2, "/help", language="ru")
        assert "По почте: https://csto.example.org/subscribe" in (
            await answer(botapi, 2)).text

    run_bot(botapi, db_sessions, script, email=email)


def test_help_without_the_form_offers_no_page(botapi: BotApiDouble,
                                              db_sessions: sessionmaker[Session]) -> None:
    email = {"sender": "CSTO <news@example.org>", "public_url": "https://csto.example.org",
             "secret": "a-long-test-secret-0123456789", "self_service": False}

    async def script(service: BotService) -> None:
        botapi.command(2, "/help")
        text = (await answer(botapi, 2)).text
        assert "/subscribe – receive news here" in text and "By email" not in text

    run_bot(botapi, db_sessions, script, email=email)
