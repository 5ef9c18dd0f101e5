"""One message per story per reader on Telegram: the Bot API double sees one sendMessage
per story and reader, then an editMessageText of that very message when the other
language version arrives; readers of one language get what they always got."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from core.models import ChangeEvent, Delivery, StoryPair, utcnow
from notifier import outbox
from notifier.channels.telegram import TelegramNotifier
from notifier.dispatch import DispatchResult, deliver_due
from tests.telegram.botapi import BotApiDouble, check_html
from tests.telegram.conftest import History, make_notifier

KINDS = ("new", "edited", "removed", "document_changed", "diverged")
EDIT = "editMessageText"


def headline(text: str) -> str:
    """A message's first line as the reader sees it (the title, linked)."""
    return re.sub(r"<[^>]+>", "", text.split("\n", 1)[0])


def queue(sessions: sessionmaker[Session], notifier: TelegramNotifier,
          events: Sequence[ChangeEvent]) -> None:
    with sessions() as session, session.begin():
        merged = [session.get_one(ChangeEvent, e.id) for e in events]
        outbox.enqueue(session, merged, {"telegram": notifier}, KINDS)


def drain(sessions: sessionmaker[Session], notifier: TelegramNotifier) -> DispatchResult:
    async def run() -> DispatchResult:
        try:
            return await deliver_due(sessions, {"telegram": notifier})
        finally:
            await notifier.bot.shutdown()

    return asyncio.run(run())


def pair(sessions: sessionmaker[Session], en: ChangeEvent, ru: ChangeEvent) -> None:
    """As the poll that stores the second version does, before announcing it."""
    with sessions() as session, session.begin():
        session.add(StoryPair(en_item_id=en.item_id, ru_item_id=ru.item_id, confidence=0.9,
                              evidence=[], manual=False, paired_at=utcnow()))


def readers(history: History) -> None:
    history.subscriber("101")  # both languages (the default), messages in English
    history.subscriber("102", languages=["en"], accept_translated=True)
    history.subscriber("103", languages=["ru"], ui_language="ru")  # Russian only
    history.subscriber("104", languages=["en"])  # English only
    history.subscriber("105", languages=["ru"], ui_language="ru",
                       accept_translated=True)  # prefers Russian, takes English


def test_the_late_preferred_version_edits_the_message_the_reader_has(
        botapi: BotApiDouble, history: History, db_sessions: sessionmaker[Session]) -> None:
    readers(history)
    notifier = make_notifier(botapi, db_sessions)
    ru = history.new(history.run("ru"), "Министры обороны встретились в Минске")
    queue(db_sessions, notifier, [ru])
    assert drain(db_sessions, notifier).sent == 5  # the channel, 101, 102, 103, 105
    first = {chat: botapi.sent(chat)[0] for chat in ("@csto_news", "101", "102", "103", "105")}
    assert not botapi.sent("104")
    assert all("Министры обороны" in call.text for call in first.values())

    # Hours later the English version is published, and pairs with the Russian one.
    en = history.new(history.run("en"), "Defence ministers met in Minsk")
    pair(db_sessions, en, ru)
    queue(db_sessions, notifier, [en])
    assert drain(db_sessions, notifier).sent == 5  # 3 edits, 104's message, 105's edit
    for chat in ("@csto_news", "101", "102"):
        (edit,) = botapi.sent(chat, EDIT)
        assert edit.message_id == first[chat].message_id
        check_html(edit.text)
        assert headline(edit.text) == "Defence ministers met in Minsk"  # the preferred
        assert f'Russian version: <a href="{ru.url}">Министры обороны' in edit.text
        assert len(botapi.sent(chat)) == 1  # nothing sent again
    # 105 prefers Russian: its message stays Russian and gains the English link.
    (edit,) = botapi.sent("105", EDIT)
    assert edit.message_id == first["105"].message_id
    assert headline(edit.text).startswith("Министры обороны")
    assert f'Версия на английском: <a href="{en.url}">Defence ministers' in edit.text
    # Readers of one language: exactly what they always got.
    assert len(botapi.sent("103")) == 1 and not botapi.sent("103", EDIT)
    (english,) = botapi.sent("104")
    assert "Defence ministers" in english.text and "Russian version" not in english.text

    assert drain(db_sessions, notifier).sent == 0  # nothing left, nothing twice


def test_a_story_whose_versions_are_paired_gets_one_message_with_both_links(
        botapi: BotApiDouble, history: History, db_sessions: sessionmaker[Session]) -> None:
    """The first version announced, the second arrives paired: one message, edited; the
    second version's later edits are told to those who prefer it, the first's are not."""
    readers(history)
    notifier = make_notifier(botapi, db_sessions)
    en = history.new(history.run("en"), "Defence ministers met in Minsk")
    queue(db_sessions, notifier, [en])
    drain(db_sessions, notifier)
    ru = history.new(history.run("ru"), "Министры обороны встретились в Минске")
    pair(db_sessions, en, ru)
    queue(db_sessions, notifier, [ru])
    drain(db_sessions, notifier)
    (edit,) = botapi.sent("101", EDIT)
    assert headline(edit.text).startswith("Defence ministers")  # still the preferred version
    assert f'Russian version: <a href="{ru.url}">' in edit.text
    assert len(botapi.sent("103")) == 1 and "Министры" in botapi.sent("103")[0].text

    edited = history.edit(history.run("ru"), ru, "Министры обороны ОДКБ встретились")
    queue(db_sessions, notifier, [edited])
    drain(db_sessions, notifier)
    assert len(botapi.sent("101")) == 1  # the Russian version's edit: not 101's version
    assert len(botapi.sent("103")) == 2 and len(botapi.sent("105")) == 2
    assert len(botapi.sent("@csto_news")) == 1  # the channel follows its English version


def test_an_update_waits_for_the_first_message_and_is_retried_never_duplicated(
        botapi: BotApiDouble, history: History, db_sessions: sessionmaker[Session]) -> None:
    history.subscriber("101")
    notifier = make_notifier(botapi, db_sessions, channel=None)
    ru = history.new(history.run("ru"), "Министры обороны встретились в Минске")
    en = history.new(history.run("en"), "Defence ministers met in Minsk")
    queue(db_sessions, notifier, [ru])
    pair(db_sessions, en, ru)
    queue(db_sessions, notifier, [en])  # queued before the first message went out
    with db_sessions() as session:
        rows = session.scalars(select(Delivery).order_by(Delivery.id)).all()
        assert [(r.event_id, r.edits_event_id) for r in rows] == [(ru.id, None),
                                                                   (en.id, ru.id)]
    botapi.failures.append((EDIT, (500, "Internal Server Error", None)))
    result = drain(db_sessions, notifier)
    assert (result.sent, result.retrying) == (1, 1)  # the message; the edit failed
    with db_sessions.begin() as session:  # its backoff over
        session.execute(update(Delivery).values(next_attempt_at=utcnow()))
    assert drain(db_sessions, notifier).sent == 1
    edits = botapi.sent("101", EDIT)
    assert len(edits) == 1 and edits[0].message_id == botapi.sent("101")[0].message_id
    assert len(botapi.sent("101")) == 1

    # A crash after the edit reached Telegram, before it was marked sent: the lease ends,
    # the edit is made again (the same text, the same message), nothing is sent anew.
    with db_sessions.begin() as session:
        session.execute(update(Delivery).where(Delivery.event_id == en.id)
                        .values(status="pending", sent_at=None,
                                next_attempt_at=utcnow() - timedelta(seconds=1)))
    assert drain(db_sessions, notifier).sent == 1
    assert len(botapi.sent("101")) == 1 and len(botapi.sent("101", EDIT)) == 2
    assert botapi.sent("101", EDIT)[1].text == edits[0].text


def test_without_a_message_to_edit_the_story_is_sent(
        botapi: BotApiDouble, history: History, db_sessions: sessionmaker[Session]) -> None:
    """The first message never arrived (the chat was unreachable then): the second version
    is sent as the story's message instead of editing nothing."""
    history.subscriber("101")
    notifier = make_notifier(botapi, db_sessions, channel=None)
    ru = history.new(history.run("ru"), "Министры обороны встретились в Минске")
    queue(db_sessions, notifier, [ru])
    with db_sessions.begin() as session:
        session.execute(update(Delivery).values(status="failed"))
    en = history.new(history.run("en"), "Defence ministers met in Minsk")
    pair(db_sessions, en, ru)
    queue(db_sessions, notifier, [en])
    assert drain(db_sessions, notifier).sent == 1
    (message,) = botapi.sent("101")
    assert headline(message.text).startswith("Defence ministers")
    assert "Russian version" in message.text and not botapi.sent("101", EDIT)
    with db_sessions() as session:
        assert session.scalar(select(func.count()).select_from(Delivery)
                              .where(Delivery.status == "sent")) == 1


def test_a_divergence_goes_to_the_readers_who_asked_not_the_channel(
        botapi: BotApiDouble, history: History, db_sessions: sessionmaker[Session]) -> None:
    from monitor import divergence_store

    history.subscriber("101", notify_divergence=True)
    history.subscriber("103", languages=["ru"], ui_language="ru", notify_divergence=True)
    history.subscriber("104", languages=["en"])
    notifier = make_notifier(botapi, db_sessions)
    ru = history.new(history.run("ru"), "Министры обороны встретились в Минске")
    en = history.new(history.run("en"), "Defence ministers met in Minsk")
    pair(db_sessions, en, ru)
    edited = history.edit(history.run("en"), en, "Defence ministers of the CSTO met")
    later = edited.detected_at + timedelta(hours=24, minutes=5)
    for _ in range(2):
        with db_sessions() as session, session.begin():
            events = divergence_store.record_due(session, later, timedelta(hours=24))
            outbox.enqueue(session, events, {"telegram": notifier}, KINDS)
    with db_sessions.begin() as session:  # recorded "a day later": due now
        session.execute(update(Delivery).values(next_attempt_at=utcnow()))
    assert drain(db_sessions, notifier).sent == 2
    (alert,) = [c for c in botapi.sent("101") if "Versions differ" in c.text]
    check_html(alert.text)
    assert "The English version was edited (title) 24 h ago; the Russian version was not." \
        in alert.text
    assert f'Russian version: <a href="{ru.url}">' in alert.text
    assert any("Версии расходятся" in c.text for c in botapi.sent("103"))
    assert not any("differ" in c.text for c in botapi.sent("104") + botapi.sent("@csto_news"))
