"""End to end through the outbox: a Russian-only story reaches an English reader who
accepts translations translated (Telegram through the Bot API double, email through a real
SMTP server), with each provider's double; untranslated, exactly once, when it fails."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.config import Settings
from core.models import ChangeEvent, Delivery, DigestEntry
from notifier.channels.email import EmailNotifier
from notifier.channels.telegram import TelegramNotifier
from notifier.digest import DigestMessage, Period, load_digest
from notifier.message import EventMessage
from tests.email.smtpd import Recorder, SmtpServer
from tests.telegram.botapi import BotApiDouble, check_html
from tests.telegram.conftest import telegram_config
from tests.translation.doubles import TranslatorDouble
from tests.translation.helpers import translator
from tests.translation.stories import Stories, deliver

TITLE = "Саммит ОДКБ в Минске"
LEAD = "Лидеры обсудили безопасность. Встреча прошла в Минске."
EN_TITLE = "CSTO summit in Minsk"
EN_LEAD = "The leaders discussed security. The meeting took place in Minsk."
LABELS = {"libretranslate": "LibreTranslate", "deepl": "DeepL"}


@pytest.fixture
def stories(db_sessions: sessionmaker[Session]) -> Stories:
    return Stories(db_sessions)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(Recorder()).start()
    yield server
    server.stop()


def telegram(botapi: BotApiDouble, double: TranslatorDouble | None,
             sessions: sessionmaker[Session]) -> TelegramNotifier:
    return TelegramNotifier(telegram_config(botapi), sessions,
                            translator=translator(double, sessions) if double else None)


def test_an_english_reader_gets_a_russian_story_translated_once_per_text(
        botapi: BotApiDouble, provider_double: TranslatorDouble, stories: Stories,
        db_sessions: sessionmaker[Session]) -> None:
    stories.subscriber("telegram", "101", languages=["en"], accept_translated=True)
    stories.subscriber("telegram", "104", languages=["en"], accept_translated=True)
    stories.subscriber("telegram", "102", languages=["en"])  # English only: as before
    stories.subscriber("telegram", "103", languages=["ru"], ui_language="ru")
    notifier = telegram(botapi, provider_double, db_sessions)
    new = stories.new(TITLE, LEAD)
    assert deliver(db_sessions, {"telegram": notifier}, [new], [notifier.bot]).sent == 4
    label = LABELS[provider_double.kind]
    (first,), (second,) = botapi.sent("101"), botapi.sent("104")
    assert first.text == second.text and first.params["parse_mode"] == "HTML"
    check_html(first.text)
    assert first.text.startswith(f'<b><a href="{new.url}">{EN_TITLE}</a></b>\n'
                                 f"<i>2026-11-27 · CSTO news · Machine translation ({label})</i>")
    assert EN_LEAD in first.text and TITLE not in first.text
    assert botapi.sent("102") == []
    (russian,) = botapi.sent("103")  # the reader of Russian: the original, no note
    assert TITLE in russian.text and "Новости ОДКБ" in russian.text
    assert "перевод" not in russian.text
    (post,) = botapi.sent("@csto_news")  # the channel: as before (its own language)
    assert TITLE in post.text
    assert provider_double.texts == [TITLE, LEAD]  # two readers, one request

    body = "Первый абзац.\n\nПереговоры продолжатся в среду."
    edit = stories.edit(new, body=body)
    deliver(db_sessions, {"telegram": notifier}, [edit], [notifier.bot])
    update = botapi.sent("101")[1].text
    check_html(update)
    assert update.startswith(f'<b>Updated:</b> <a href="{edit.url}">{EN_TITLE}</a>')
    assert "+ <b>Переговоры продолжатся в среду.</b>\n" \
           "  ↳ <i>The talks will continue on Wednesday.</i>" in update
    assert botapi.sent("104")[1].text == update
    assert provider_double.texts == [TITLE, LEAD, "Переговоры продолжатся в среду."]


@pytest.mark.parametrize("failure", ["500", "timeout", "403", "429"])
def test_when_the_provider_fails_the_story_goes_out_untranslated_exactly_once(
        botapi: BotApiDouble, provider_double: TranslatorDouble, stories: Stories,
        db_sessions: sessionmaker[Session], failure: str) -> None:
    provider_double.fail, provider_double.hang = failure, 3.0
    stories.subscriber("telegram", "101", languages=["en"], accept_translated=True)
    stories.subscriber("telegram", "104", languages=["en"], accept_translated=True)
    notifier = telegram(botapi, provider_double, db_sessions)
    new = stories.new(TITLE, LEAD)
    result = deliver(db_sessions, {"telegram": notifier}, [new], [notifier.bot])
    assert (result.sent, result.retrying, result.failed) == (3, 0, 0)
    for reader in ("101", "104"):
        (message,) = botapi.sent(reader)
        assert f'<a href="{new.url}">{TITLE}</a>' in message.text and LEAD in message.text
        assert "In Russian: machine translation unavailable" in message.text
    assert len(provider_double.requests) == 1  # not asked again for the second reader
    with db_sessions() as session:
        assert {d.attempts for d in session.scalars(select(Delivery))} == {1}
    assert deliver(db_sessions, {"telegram": notifier}, [], [notifier.bot]).sent == 0


def test_without_a_translator_the_accepted_story_is_marked_as_russian(
        botapi: BotApiDouble, stories: Stories, db_sessions: sessionmaker[Session]) -> None:
    stories.subscriber("telegram", "101", languages=["en"], accept_translated=True)
    notifier = telegram(botapi, None, db_sessions)
    deliver(db_sessions, {"telegram": notifier}, [stories.new(TITLE, LEAD)], [notifier.bot])
    (message,) = botapi.sent("101")
    assert TITLE in message.text and "· In Russian</i>" in message.text


def plain(mail: EmailMessage) -> str:
    body = mail.get_body(("plain",))
    assert body is not None
    return str(body.get_content()).replace("\r\n", "\n")


def email_settings(port: int, double: TranslatorDouble) -> Settings:
    from tests.translation.helpers import config

    return Settings.model_validate({
        "database_url": "sqlite:////nonexistent/unused.db",
        "sources": [{"name": "csto-ru", "url": "https://odkb-csto.org/news/",
                     "language": "ru"}],
        "translation": config(double),
        "email": {"smtp_host": "127.0.0.1", "smtp_port": port,
                  "sender": "CSTO <news@example.org>", "connect_timeout": "2s",
                  "command_timeout": "2s"}})


def email(smtp: SmtpServer, double: TranslatorDouble, sessions: sessionmaker[Session]
          ) -> EmailNotifier:
    settings = email_settings(smtp.port, double)
    return EmailNotifier(settings, sessions, translator(double, sessions))


def test_an_english_mailbox_gets_the_russian_story_translated(
        smtp: SmtpServer, provider_double: TranslatorDouble, stories: Stories,
        db_sessions: sessionmaker[Session]) -> None:
    stories.subscriber("email", "ann@example.org", languages=["en"], accept_translated=True)
    stories.subscriber("email", "bob@example.org", languages=["en"])
    notifier = email(smtp, provider_double, db_sessions)
    new = stories.new(TITLE, LEAD, section="smi")
    assert deliver(db_sessions, {"email": notifier}, [new]).sent == 1
    (mail,) = smtp.handler.to("ann@example.org")
    assert mail["Subject"] == f"[CSTO] {EN_TITLE}"
    label = LABELS[provider_double.kind]
    text = plain(mail)
    html = mail.get_body(("html",)).get_content()
    assert f"* {EN_TITLE}\n  27 Nov 2026 · Media about the CSTO · Machine translation " \
           f"({label})\n" in text
    assert EN_LEAD in text and new.url in text
    assert f'<a href="{new.url}" style="color:#1d4ed8;text-decoration:none;">{EN_TITLE}</a>' \
        in html
    assert f"Media about the CSTO &middot; Machine translation ({label})" in html
    assert smtp.handler.to("bob@example.org") == []


@pytest.mark.parametrize("failure", ["500", "timeout", "403", "429"])
def test_a_failing_provider_never_holds_back_the_mail(
        smtp: SmtpServer, provider_double: TranslatorDouble, stories: Stories,
        db_sessions: sessionmaker[Session], failure: str) -> None:
    provider_double.fail, provider_double.hang = failure, 3.0
    stories.subscriber("email", "ann@example.org", languages=["en"], accept_translated=True)
    notifier = email(smtp, provider_double, db_sessions)
    result = deliver(db_sessions, {"email": notifier}, [stories.new(TITLE, LEAD)])
    assert (result.sent, result.retrying, result.failed) == (1, 0, 0)
    (mail,) = smtp.handler.to("ann@example.org")
    assert mail["Subject"] == f"[CSTO] {TITLE}"
    assert "In Russian: machine translation unavailable" in mail.get_body(
        ("plain",)).get_content()


def test_a_digest_lists_the_russian_stories_translated(
        smtp: SmtpServer, provider_double: TranslatorDouble, stories: Stories,
        db_sessions: sessionmaker[Session]) -> None:
    stories.subscriber("email", "ann@example.org", languages=["en"], accept_translated=True,
                       mode="daily")
    notifier = email(smtp, provider_double, db_sessions)
    russian = stories.new(TITLE, LEAD)
    english = stories.new("Exercise in Tajikistan", "Troops trained.", language="en",
                          section="speech")
    digest = queued_digest(db_sessions, "email", "ann@example.org", [russian, english])
    assert digest.translate_to == "en"

    async def send() -> None:
        await notifier.send_digest(digest, "ann@example.org")
        await notifier.close_batch()

    asyncio.run(send())
    (mail,) = smtp.handler.to("ann@example.org")
    text = plain(mail)
    label = LABELS[provider_double.kind]
    assert f"* {EN_TITLE}\n  27 Nov 2026 · CSTO news · Machine translation ({label})" in text
    assert "* Exercise in Tajikistan\n  27 Nov 2026 · Speeches\n" in text
    assert provider_double.texts == [TITLE, LEAD]


def queued_digest(sessions: sessionmaker[Session], channel: str, address: str,
                  events: list[ChangeEvent]) -> DigestMessage:
    """A digest listing `events`, queued as the daemon queues one, loaded as it is sent."""
    with sessions() as session, session.begin():
        start, end = datetime(2026, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
        delivery = Delivery(channel=channel, recipient=address, period="daily:x",
                            period_start=start, period_end=end, idempotency_key="digest:x")
        session.add(delivery)
        session.flush()
        for event in events:
            session.add(DigestEntry(delivery_id=delivery.id, event_id=event.id,
                                    channel=channel, recipient=address))
        session.flush()
        return load_digest(session, delivery)


def test_a_telegram_digest_lists_the_russian_story_translated(
        botapi: BotApiDouble, provider_double: TranslatorDouble, stories: Stories,
        db_sessions: sessionmaker[Session]) -> None:
    stories.subscriber("telegram", "301", languages=["en"], accept_translated=True,
                       mode="daily")
    notifier = telegram(botapi, provider_double, db_sessions)
    russian = stories.new(TITLE, LEAD, section="statements")
    digest = queued_digest(db_sessions, "telegram", "301", [russian])

    async def send() -> None:
        try:
            await notifier.send_digest(digest, "301")
        finally:
            await notifier.bot.shutdown()

    asyncio.run(send())
    (message,) = botapi.sent("301")
    check_html(message.text)
    label = LABELS[provider_double.kind]
    assert (f'• [new] <a href="{russian.url}">{EN_TITLE}</a> · 2026-11-27 · Statements · '
            f"Machine translation ({label})") in message.text


def test_a_digest_of_a_reader_of_every_language_is_not_translated() -> None:
    period = Period("daily", "daily:x", datetime(2026, 1, 1, tzinfo=UTC),
                    datetime(2026, 1, 2, tzinfo=UTC))
    message = EventMessage(event_id=1, kind="new", title=TITLE, url="https://odkb-csto.org/",
                           published=None, section="smi", language="ru", summary=LEAD,
                           detected_at=period.start)
    from notifier.translated import translate_digest

    digest = DigestMessage(period, "en", [message])
    assert asyncio.run(translate_digest(digest, None)) is digest
