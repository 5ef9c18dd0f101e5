"""The real daemon, a Russian replica of the site, the Bot API double and a LibreTranslate
double: a reader of English who accepts translated news gets a Russian-only story
translated; when the provider fails, untranslated, at once and exactly once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from tests.e2e.harness import Daemon, source, write_config
from tests.replica import ReplicaServer, make_article
from tests.telegram.botapi import TOKEN, BotApiDouble, check_html
from tests.translation.doubles import TranslatorDouble
from tests.translation.helpers import config

TITLE = "Саммит ОДКБ в Минске"
LEAD = "Лидеры обсудили безопасность. Встреча прошла в Минске."


def test_a_russian_story_reaches_an_english_reader_translated_or_untranslated(
        tmp_path: Path, replica_factory: Callable[..., ReplicaServer], database_url: str,
        botapi: BotApiDouble, libretranslate: TranslatorDouble) -> None:
    russian = replica_factory(language="ru")
    path = write_config(
        tmp_path / "config.yaml", [source(russian.listing_url, "csto-ru", "ru")],
        database_url, poll_jitter="0s", delivery={"interval": "1s", "lease": "3s"},
        crawl={"download_delay": "0s", "autothrottle": False, "download_timeout": "1s",
               "retries": 0, "recheck_interval": "1h"},
        telegram={"token": TOKEN, "api_url": botapi.url},
        translation=config(libretranslate))
    daemon = Daemon(path, tmp_path).start()
    try:
        daemon.wait_for_log("first poll: stored")
        daemon.wait_for_log("telegram bot @csto_test_bot is listening")
        botapi.command(1, "/subscribe")
        botapi.wait_for(lambda: len(botapi.sent(1)) == 1, what="subscribed")
        botapi.command(1, "/settings")
        botapi.wait_for(lambda: len(botapi.sent(1)) == 2, what="the settings panel")
        panel = botapi.sent(1)[1].message_id or 0
        for n, data in enumerate(("lang:ru", "translated"), start=1):  # English, translated
            botapi.tap(1, data, panel)
            botapi.wait_for(lambda n=n: len(botapi.sent(1, "editMessageText")) == n)
        first = russian.world.publish(make_article(
            TITLE, language="ru", slug="sammit-odkb-v-minske", body=[LEAD, "Второй абзац."],
            published=date(2025, 7, 30)))
        botapi.wait_for(lambda: len(botapi.sent(1)) == 3, 30, "the translated story")
        libretranslate.fail = "500"
        second = russian.world.publish(make_article(
            "Учения в Таджикистане", language="ru", slug="ucheniya-v-tadzhikistane",
            body=["Войска отработали задачи."], published=date(2025, 7, 31)))
        botapi.wait_for(lambda: len(botapi.sent(1)) == 4, 30, "the untranslated story")
        daemon.wait_for(lambda: "translation failed" in daemon.err, 10, "the failure logged")
    finally:
        assert daemon.stop() == 0
    translated, untranslated = (call.text for call in botapi.sent(1)[2:])
    for text in (translated, untranslated):
        check_html(text)
    assert translated.startswith(f'<b><a href="{russian.url_for(first)}">CSTO summit in '
                                 "Minsk</a></b>\n<i>2025-07-30 · CSTO news · Machine "
                                 "translation (LibreTranslate)</i>")
    assert "The leaders discussed security." in translated
    assert "Учения в Таджикистане</a></b>" in untranslated
    assert "In Russian: machine translation unavailable" in untranslated
    assert russian.url_for(second) in untranslated
    assert len(botapi.sent(1)) == 4  # each story once
    assert daemon.err.count("translation failed") == 1
    assert "LibreTranslate answered HTTP 500" in daemon.err  # the cause, and the fix:
    assert "see the translation server's log" in daemon.err
    assert "Traceback" not in daemon.err
