"""Translations fetched for pairing before a poll's transaction (monitor.pair_translations)
against the LibreTranslate double: answered from what was fetched, never waiting past the
translator's timeout, even behind another task's request."""

from __future__ import annotations

import asyncio
import time

from sqlalchemy.orm import Session, sessionmaker

from monitor.pair_translations import prefetch, wanted
from tests.translation.doubles import TranslatorDouble
from tests.translation.helpers import translator

TITLE = "Саммит ОДКБ в Минске"


def test_pairing_reads_the_translations_fetched_before(
        libretranslate: TranslatorDouble, db_sessions: sessionmaker[Session]) -> None:
    fetched = asyncio.run(prefetch(translator(libretranslate, db_sessions), [TITLE], 0.5))
    assert fetched.translate(TITLE, "ru", "en") == "CSTO summit in Minsk"
    assert fetched.translate("Другой заголовок", "ru", "en") is None  # never fetched
    assert fetched.translate(TITLE, "en", "ru") is None
    assert len(libretranslate.requests) == 1


def test_only_russian_titles_with_an_english_version_to_compare_are_asked() -> None:
    assert wanted({"ru": [TITLE, TITLE, " "], "en": ["CSTO summit"]}) == [TITLE]
    assert wanted({"ru": [TITLE]}) == []  # nothing to pair with
    assert wanted({"en": ["CSTO summit"]}) == []


def test_a_hanging_provider_costs_the_timeout_at_most(
        libretranslate: TranslatorDouble, db_sessions: sessionmaker[Session]) -> None:
    libretranslate.fail, libretranslate.hang = "timeout", 5.0
    shared = translator(libretranslate, db_sessions, timeout="3s")  # a notifier's request

    async def both() -> tuple[float, int]:
        other = asyncio.create_task(shared.translate(["Переговоры продолжатся в среду."],
                                                     "ru", "en"))
        await asyncio.sleep(0.2)  # the notifier's request holds the translator's lock
        started = time.monotonic()
        fetched = await prefetch(shared, [TITLE], 0.5)
        took = time.monotonic() - started
        await other
        return took, len(fetched)

    took, found = asyncio.run(both())
    assert found == 0
    assert took < 2.0, took  # 0.5 s and the grace, not the other request's 3 s
