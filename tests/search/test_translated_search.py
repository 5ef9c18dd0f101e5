"""Issue 21, point 5: with translation configured, a Russian-only story is found by an
English query through the stored English of its title and lead ("translation" in
`found_in`, the words marked in its snippet; the web page, the API and the bot say so); a
paired story is listed once, by its English version; without a stored translation nothing
changes. Recall and precision over the translation set (tests/search/translated_set.py)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import yaml
from sqlalchemy.orm import Session, sessionmaker

from core import search_index
from core.models import Item, Source, StoryPair
from monitor.read import history
from monitor.read.history import Filters
from tests.api.helpers import conforms
from tests.e2e.harness import cli
from tests.search.corpus import store_translations, write_translated_corpus
from tests.search.inflections import ENGLISH
from tests.telegram.botapi import BotApiDouble
from tests.translation.doubles import TranslatorDouble
from tests.translation.helpers import config as translation_config
from tests.translation.helpers import translator
from tests.web.helpers import LiveServer, fetch, settings_for

# name: (language, title, lead)
ITEMS = {
    "ru_only": ("ru", "Саммит ОДКБ в Минске",
                "Лидеры обсудили безопасность. Встреча прошла в Минске."),
    "ru_paired": ("ru", "Саммит в Астане", "Главы государств встретились в Астане."),
    "en_paired": ("en", "Summit in Astana", "The heads of state met in Astana."),
    "ru_untranslated": ("ru", "Учения в Таджикистане", "Прошли учения миротворцев."),
}
# The double's answers for the paired story's Russian text (the others are its own).
DICTIONARY = {"Саммит в Астане": "Summit in Astana",
              "Главы государств встретились в Астане.": "The heads of state met in Astana.",
              "Учения в Таджикистане": "Exercises in Tajikistan",
              "Прошли учения миротворцев.": "Peacekeepers held exercises."}


@pytest.fixture
def double() -> Iterator[TranslatorDouble]:
    started = TranslatorDouble("libretranslate", dictionary=DICTIONARY).start()
    yield started
    started.stop()


@pytest.fixture
def ids(sessions: sessionmaker[Session]) -> dict[str, int]:
    with sessions() as session:
        sources = {lang: Source(name=f"csto-{lang}", url=f"https://odkb-csto.org/{lang}/",
                                language=lang) for lang in ("ru", "en")}
        found = {}
        for day, (name, (lang, title, lead)) in enumerate(ITEMS.items(), start=1):
            item = Item(source=sources[lang], url=f"https://odkb-csto.org/{lang}/{name}/",
                        slug=name, section="news_odkb", language=lang,
                        published=date(2025, 4, day), title=title, lead=lead, body="")
            session.add(item)
            session.flush()
            found[name] = item.id
        session.add(StoryPair(en_item_id=found["en_paired"], ru_item_id=found["ru_paired"],
                              confidence=0.9, evidence=[]))
        session.commit()
        return found


def translate(sessions: sessionmaker[Session], double: TranslatorDouble,
              names: list[str]) -> None:
    """What delivering the stories to an English reader stores: title and lead in English."""
    texts = [text for name in names for text in ITEMS[name][1:]]
    asyncio.run(translator(double, sessions).translate(texts, "ru", "en"))


def search(sessions: sessionmaker[Session], ids: dict[str, int], query: str,
           **extra: object) -> dict[str, dict[str, object]]:
    names = {v: k for k, v in ids.items()}
    with sessions() as session:
        return {names[row["id"]]: row
                for row in history.items(session, Filters(search=query, **extra))}


def test_an_english_query_finds_a_russian_only_story_in_its_translation(
        sessions: sessionmaker[Session], ids: dict[str, int], double: TranslatorDouble) -> None:
    assert set(search(sessions, ids, "summits")) == {"en_paired"}  # nothing translated yet
    translate(sessions, double, ["ru_only", "ru_paired"])
    found = search(sessions, ids, "summits")
    # The paired story once, by its English version; the Russian-only one by its English.
    assert set(found) == {"en_paired", "ru_only"}
    assert found["ru_only"]["found_in"] == ["translation"]
    assert found["en_paired"]["found_in"] == ["item"]
    snippet = found["ru_only"]["snippet"]
    assert isinstance(snippet, dict) and "summit" in str(snippet["text"]).lower()
    marked = [str(snippet["text"])[a:b] for a, b in snippet["ranges"]]  # type: ignore[misc]
    assert marked == ["summit"]


def test_every_word_is_needed_across_the_translated_title_and_lead(
        sessions: sessionmaker[Session], ids: dict[str, int], double: TranslatorDouble) -> None:
    translate(sessions, double, ["ru_only", "ru_untranslated"])
    assert set(search(sessions, ids, "summit leaders")) == {"ru_only"}  # title + lead
    assert set(search(sessions, ids, "summit exercises")) == set()
    assert set(search(sessions, ids, "exercise")) == {"ru_untranslated"}
    assert set(search(sessions, ids, "exercise", sort="date")) == {"ru_untranslated"}
    # The story's own Russian text is still found as before, and said so.
    own = search(sessions, ids, "учение")
    assert set(own) == {"ru_untranslated"} and own["ru_untranslated"]["found_in"] == ["item"]


def test_the_rebuilt_index_still_finds_the_translation(
        sessions: sessionmaker[Session], ids: dict[str, int], double: TranslatorDouble) -> None:
    translate(sessions, double, ["ru_only"])
    with sessions() as session, session.begin():
        search_index.reindex(session.connection(), quiet=True)
    assert set(search(sessions, ids, "security")) == {"ru_only"}


def test_the_cli_says_found_in_the_translation(database_url: str, tmp_path: Path,
                                               sessions: sessionmaker[Session],
                                               ids: dict[str, int],
                                               double: TranslatorDouble) -> None:
    translate(sessions, double, ["ru_only"])
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({
        "database_url": database_url, "translation": translation_config(double),
        "sources": [{"name": "csto-ru", "url": "https://odkb-csto.org/ru/", "language": "ru"}]}))
    table = cli(config, "history", "--search", "security", env={"COLUMNS": "300"})
    assert table.code == 0, table.err
    assert "Саммит ОДКБ в Минске" in table.out and "translation" in table.out
    [row] = json.loads(cli(config, "history", "--search", "security", "--format", "json").out)
    assert row["found_in"] == ["translation"] and row["language"] == "ru"


@pytest.fixture
def server(database_url: str, sessions: sessionmaker[Session]) -> Iterator[LiveServer]:
    live = LiveServer(settings_for(database_url, http={"api_rate": 10_000}), sessions).start()
    yield live
    live.stop()


def results(page: str) -> dict[str, str]:
    """The web page's results by title: each one's <li> element."""
    found = {}
    for part in page.split('<ol class="results">', 1)[-1].split("</ol>", 1)[0].split("<li>")[1:]:
        title = part.split('">', 1)[1].split("</a>", 1)[0]
        found[title] = part
    return found


def test_the_web_page_says_found_in_the_english_translation(
        server: LiveServer, sessions: sessionmaker[Session], ids: dict[str, int],
        double: TranslatorDouble) -> None:
    translate(sessions, double, ["ru_only", "ru_paired", "ru_untranslated"])
    shown = results(fetch(server.url + "/?q=summits").text)
    # The paired story once, by its English version (its Russian text's English not shown).
    assert set(shown) == {"Саммит ОДКБ в Минске", "Summit in Astana"}
    russian, english = shown["Саммит ОДКБ в Минске"], shown["Summit in Astana"]
    assert "Found in the English translation" in russian
    assert "CSTO <mark>summit</mark> in Minsk" in russian  # the words, in the English
    assert "Found in the English translation" not in english  # found in its own text
    assert "<mark>Summit</mark> in Astana" in english
    # A Russian story found by its own Russian words is not marked, translated or not.
    own = results(fetch(server.url + "/?q=%D1%83%D1%87%D0%B5%D0%BD%D0%B8%D0%B5").text)  # учение
    assert list(own) == ["Учения в Таджикистане"]
    assert "translation" not in own["Учения в Таджикистане"]


def test_the_api_items_carry_found_in(server: LiveServer, sessions: sessionmaker[Session],
                                      ids: dict[str, int], double: TranslatorDouble) -> None:
    translate(sessions, double, ["ru_only", "ru_paired"])
    items = "/api/v1/items"
    body = conforms(fetch(server.url + items + "?q=summits"), items)
    found = {row["id"]: row for row in body["items"]}
    assert set(found) == {ids["ru_only"], ids["en_paired"]}  # the pair once, by its English
    assert found[ids["ru_only"]]["found_in"] == ["translation"]
    assert found[ids["en_paired"]]["found_in"] == ["item"]
    snippet = found[ids["ru_only"]]["snippet"]
    assert [snippet["text"][a:b] for a, b in snippet["ranges"]] == ["summit"]
    dated = conforms(fetch(server.url + items + "?q=summits&sort=date"), items)
    assert {r["id"]: r["found_in"] for r in dated["items"]} == {
        ids["ru_only"]: ["translation"], ids["en_paired"]: ["item"]}
    plain = conforms(fetch(server.url + items), items)
    assert [row["found_in"] for row in plain["items"]] == [None] * 4  # without a search


@pytest.fixture
def botapi() -> Iterator[BotApiDouble]:
    started = BotApiDouble().start()
    yield started
    started.stop()


def test_the_bot_says_found_in_the_english_translation(
        botapi: BotApiDouble, sessions: sessionmaker[Session], ids: dict[str, int],
        double: TranslatorDouble) -> None:
    from tests.telegram.test_bot import answer, run_bot

    translate(sessions, double, ["ru_only", "ru_paired"])

    async def script(_service: object) -> None:
        botapi.command(7, "/search summits")
        lines = (await answer(botapi, 7)).text.split("\n")
        [russian] = [n for n, line in enumerate(lines) if "Саммит ОДКБ в Минске" in line]
        [english] = [n for n, line in enumerate(lines) if "Summit in Astana" in line]
        assert "found in the English translation" in lines[russian]
        assert "CSTO <b>summit</b> in Minsk" in lines[russian + 1]  # its snippet
        assert "translation" not in lines[english]
        assert "Саммит в Астане" not in "\n".join(lines)  # the pair once

    run_bot(botapi, sessions, script)


def test_recall_and_precision_over_the_translation_set(sessions: sessionmaker[Session]
                                                       ) -> None:
    """English queries find Russian-only stories through their stored English alone
    (marked so), and a paired story by its English version only."""
    with sessions() as session:
        corpus = write_translated_corpus(session)
        session.commit()
    store_translations(sessions, corpus.dictionary)
    hits = relevant = returned = 0
    with sessions() as session:
        for query in ENGLISH:
            rows = history.items(session, Filters(search=query, limit=1000))
            got = {row["id"] for row in rows}
            hits += len(got & corpus.relevant[query])
            relevant += len(corpus.relevant[query])
            returned += len(got)
            assert not got & corpus.paired_russian, query
            assert all(row["found_in"] == ["translation"] for row in rows
                       if row["id"] in corpus.russian_only), query
    assert relevant >= 40 and len(corpus.paired_russian) >= 5
    assert hits / relevant >= 0.95 and hits / max(returned, 1) >= 0.95, (hits, relevant,
                                                                        returned)
