"""Translated until the official version pairs: an English reader who accepts translations
gets a Russian-only story machine-translated; when its English version arrives and pairs,
the Telegram message becomes the official English one (edited, not sent again) and email
sends nothing more."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from core.models import ChangeEvent, StoryPair, utcnow
from tests.email.smtpd import SmtpServer
from tests.telegram.botapi import BotApiDouble, check_html
from tests.translation.doubles import TranslatorDouble
from tests.translation.stories import Stories, deliver
from tests.translation.test_delivery import (  # noqa: F401 (fixtures)
    EN_LEAD,
    EN_TITLE,
    LEAD,
    TITLE,
    email,
    smtp,
    stories,
    telegram,
)

OFFICIAL = "CSTO leaders met in Minsk"  # the English site's own title, not the translation


def pair(sessions: sessionmaker[Session], en: ChangeEvent, ru: ChangeEvent) -> None:
    with sessions() as session, session.begin():
        session.add(StoryPair(en_item_id=en.item_id, ru_item_id=ru.item_id, confidence=0.9,
                              evidence=[], manual=False, paired_at=utcnow()))


def test_the_official_english_version_replaces_the_translation_in_place(
        botapi: BotApiDouble, smtp: SmtpServer, libretranslate: TranslatorDouble,  # noqa: F811
        stories: Stories, db_sessions: sessionmaker[Session]) -> None:  # noqa: F811
    stories.subscriber("telegram", "101", languages=["en"], accept_translated=True)
    stories.subscriber("email", "ann@example.org", languages=["en"], accept_translated=True)
    notifiers = {"telegram": telegram(botapi, libretranslate, db_sessions),
                 "email": email(smtp, libretranslate, db_sessions)}
    bots = [notifiers["telegram"].bot]  # type: ignore[attr-defined]
    russian = stories.new(TITLE, LEAD)
    assert deliver(db_sessions, notifiers, [russian], bots).sent == 3  # 101, ann, channel
    (first,) = botapi.sent("101")
    assert EN_TITLE in first.text and "Machine translation (LibreTranslate)" in first.text

    english = stories.new(OFFICIAL, EN_LEAD, language="en")
    pair(db_sessions, english, russian)
    assert deliver(db_sessions, notifiers, [english], bots).sent == 2  # two edits
    (edit,) = botapi.sent("101", "editMessageText")
    check_html(edit.text)
    assert edit.message_id == first.message_id and len(botapi.sent("101")) == 1
    assert OFFICIAL in edit.text and "Machine translation" not in edit.text
    assert f'Russian version: <a href="{russian.url}">{TITLE}</a>' in edit.text
    (post,) = botapi.sent("@csto_news", "editMessageText")  # the channel, English too
    assert OFFICIAL in post.text and "#CSTO_news" in post.text
    assert len(smtp.handler.to("ann@example.org")) == 1  # the translated mail, only
    assert libretranslate.texts == [TITLE, LEAD]  # nothing more to translate
