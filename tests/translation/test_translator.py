"""The translator against doubles of LibreTranslate and DeepL, on SQLite and PostgreSQL:
what each API is sent, the cache (a text is never requested twice), the request budget,
and failures that give no translation at once instead of an exception or a wait."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest
from sqlalchemy.orm import Session, sessionmaker

from monitor.translation.service import Translator
from tests.translation.doubles import API_KEY, FAILURES, TranslatorDouble
from tests.translation.helpers import LIBRE_KEY, counter, translator

TITLE = "Саммит ОДКБ в Минске"
LEAD = "Лидеры обсудили безопасность. Встреча прошла в Минске."


def test_each_api_is_asked_as_documented_and_a_text_only_once(
        provider_double: TranslatorDouble, db_sessions: sessionmaker[Session]) -> None:
    first = translator(provider_double, db_sessions)
    answer = asyncio.run(first.translate([TITLE, LEAD, ""], "ru", "en"))
    assert answer == ["CSTO summit in Minsk",
                      "The leaders discussed security. The meeting took place in Minsk.", ""]
    (body,) = provider_double.requests
    if provider_double.kind == "libretranslate":
        assert body == {"q": [TITLE, LEAD], "source": "ru", "target": "en", "format": "text",
                        "api_key": LIBRE_KEY}
    else:
        assert body == {"text": [TITLE, LEAD], "source_lang": "RU", "target_lang": "EN-GB"}
        assert provider_double.headers[0]["Authorization"] == f"DeepL-Auth-Key {API_KEY}"
    # Another process (a restart) shares the database: nothing is asked again; only a
    # text never seen is.
    again = translator(provider_double, db_sessions)
    assert asyncio.run(again.translate([LEAD, TITLE], "ru", "en"))[1] == "CSTO summit in Minsk"
    assert len(provider_double.requests) == 1
    asyncio.run(again.translate([TITLE, "Новый текст."], "ru", "en"))
    assert provider_double.texts == [TITLE, LEAD, "Новый текст."]


def test_sends_needing_one_text_at_once_ask_for_it_once(
        libretranslate: TranslatorDouble, db_sessions: sessionmaker[Session]) -> None:
    shared = translator(libretranslate, db_sessions)

    async def many() -> list[list[str | None]]:
        return list(await asyncio.gather(*(shared.translate([TITLE], "ru", "en")
                                           for _ in range(6))))

    assert asyncio.run(many()) == [["CSTO summit in Minsk"]] * 6
    assert libretranslate.texts == [TITLE]


def test_the_same_language_is_not_translated(libretranslate: TranslatorDouble,
                                             db_sessions: sessionmaker[Session]) -> None:
    assert asyncio.run(translator(libretranslate, db_sessions).translate(
        ["Summit"], "en", "en")) == ["Summit"]
    assert libretranslate.requests == []


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize("failure", FAILURES)
def test_a_failure_gives_no_translation_at_once_logged_once_and_counted(
        provider_double: TranslatorDouble, db_sessions: sessionmaker[Session], failure: str,
        caplog: pytest.LogCaptureFixture) -> None:
    provider_double.fail, provider_double.hang = failure, 4.0
    clock = Clock()
    # Not the helpers' 500 ms: the answers after the outage must come in time on a loaded
    # machine too (one took longer than 500 ms under CI's load).
    subject = translator(provider_double, db_sessions, timeout="1500ms")
    subject.clock = clock
    cause = {"500": "http_error", "timeout": "timeout", "403": "forbidden",
             "429": "rate_limited", "garbage": "garbage"}[failure]
    labels = {"provider": provider_double.kind, "cause": cause}
    before = counter("csto_translation_failures", **labels)
    started = time.monotonic()
    with caplog.at_level(logging.INFO, "monitor.translation"):
        assert asyncio.run(subject.translate([TITLE, LEAD], "ru", "en")) == [None, None]
        assert time.monotonic() - started < 3.0  # the 1.5 s timeout, not the 4 s hang
        # While the provider is left alone, nothing is asked and nothing waits.
        clock.now += 5
        assert asyncio.run(subject.translate([TITLE], "ru", "en")) == [None]
        assert len(provider_double.requests) == 1
        clock.now += 3600 + 1
        assert asyncio.run(subject.translate([TITLE], "ru", "en")) == [None]  # still failing
        provider_double.fail = None
        clock.now += 3600 + 1
        assert asyncio.run(subject.translate([TITLE], "ru", "en")) == ["CSTO summit in Minsk"]
    assert counter("csto_translation_failures", **labels) == before + 2
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1, warnings  # once per outage, with the cause and the fix
    fix = {"500": "translation server's log", "timeout": "translation.timeout",
           "403": "translation.api_key", "429": "max_requests_per_minute",
           "garbage": "check that the address"}[failure]
    assert "untranslated" in warnings[0] and fix in warnings[0]
    assert API_KEY not in warnings[0] and LIBRE_KEY not in warnings[0]
    assert any("works again" in r.getMessage() for r in caplog.records)


def test_beyond_the_budget_texts_go_untranslated_without_a_request(
        libretranslate: TranslatorDouble, db_sessions: sessionmaker[Session]) -> None:
    clock = Clock()
    subject: Translator = translator(libretranslate, db_sessions, max_requests_per_minute=2)
    subject.clock = clock
    before = counter("csto_translations", provider="libretranslate", outcome="skipped")
    results = [asyncio.run(subject.translate([f"Текст {n}."], "ru", "en"))[0]
               for n in range(3)]
    assert results == ["[en] Текст 0.", "[en] Текст 1.", None]
    assert len(libretranslate.requests) == 2
    assert counter("csto_translations", provider="libretranslate",
                   outcome="skipped") == before + 1
    assert asyncio.run(subject.translate(["Текст 1."], "ru", "en")) == ["[en] Текст 1."]
    clock.now += 61
    assert asyncio.run(subject.translate(["Текст 2."], "ru", "en")) == ["[en] Текст 2."]
    assert len(libretranslate.requests) == 3
