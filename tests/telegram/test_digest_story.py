"""A bot subscriber's daily digest lists a paired story once, in the preferred version,
with a link to the other: Bot API double over HTTP, injected clock, SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from core.models import DigestEntry
from tests.fixtures.digests import Timeline
from tests.telegram.botapi import BotApiDouble
from tests.telegram.conftest import digest_passes, make_notifier

MINSK_RU, MINSK_EN = "Министры обороны встретились в Минске", "Defence ministers met in Minsk"


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)



def listed(text: str) -> list[str]:
    """The titles of the digest's lines ("• [new] <a ...>Title</a> · ..."), in order."""
    return re.findall(r"^• \[[^]]+\] <a [^>]*>([^<]*)</a>", text, re.MULTILINE)


def test_a_telegram_digest_lists_a_paired_story_once_linking_the_other(
        botapi: BotApiDouble, db_sessions: sessionmaker[Session]) -> None:
    news = Timeline(db_sessions)
    news.subscriber("telegram", "601", since=at(1, 12), mode="daily", languages=["en", "ru"])
    news.subscriber("telegram", "602", since=at(1, 12), mode="daily", languages=["ru"],
                    ui_language="ru")
    news.subscriber("telegram", "603", since=at(1, 12), mode="daily", languages=[],
                    preferred_language="ru", ui_language="ru")
    notifier = make_notifier(botapi, db_sessions, daily_at="07:00")
    daemon_pass = digest_passes(botapi, notifier)

    ru = news.version("ru", MINSK_RU, at(1, 20))
    en = news.version("en", MINSK_EN, at(2, 3))
    news.pair(en, ru, at(2, 3))
    news.edit(ru, "Министры обороны ОДКБ встретились в Минске", at(2, 5))
    assert daemon_pass(at(2, 8)) == 3
    # A day later only an edit of the English version: for 603 (prefers Russian) nothing.
    news.edit(en, "Defence ministers of the CSTO met in Minsk", at(2, 10))
    assert daemon_pass(at(3, 8)) == 1

    both = [call.text for call in botapi.sent("601")]
    assert len(both) == 2 and "Your CSTO digest for 2026-03-02</b> · 1 change(s)" in both[0]
    assert listed(both[0]) == [MINSK_EN]
    assert re.search(r"\n   Russian version: <a href=\"https://odkb-csto.org/news/news_odkb/"
                     r"\w+/\">Министры обороны ОДКБ встретились в Минске</a>", both[0])
    assert listed(both[1]) == ["Defence ministers of the CSTO met in Minsk"]
    ru_first = [call.text for call in botapi.sent("603")]
    assert len(ru_first) == 1
    assert listed(ru_first[0]) == ["Министры обороны ОДКБ встретились в Минске", MINSK_RU]
    assert "Версия на английском: <a" in ru_first[0]
    ru_only = [call.text for call in botapi.sent("602")]  # as always: both events, no link
    assert listed(ru_only[0]) == listed(ru_first[0]) and "Версия" not in ru_only[0]
    with db_sessions() as session:
        assert session.scalar(select(func.count()).select_from(DigestEntry)
                              .where(DigestEntry.recipient == "601")) == 4
