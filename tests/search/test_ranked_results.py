"""Issue 21: results ranked (title above lead above body above documents, newer first among
equals; `--sort date` keeps the old order), two-word AND across an item and its documents,
and the matched words shown in every channel: CLI bold, web <mark>, API ranges, bot <b>."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from core.models import Document, DocumentVersion, Item, Source
from monitor.read import history
from monitor.read.history import Filters
from tests.e2e.harness import cli
from tests.telegram.botapi import BotApiDouble
from tests.web.helpers import LiveServer, fetch, settings_for

# name: (published day, title, lead, body, document text)
ITEMS = {
    "body": (9, "Итоги недели", "Коротко о главном.", "В конце недели прошло совещание "
             "министров обороны в Минске.", ""),
    "lead": (5, "Новости штаба", "Совещания секретарей советов безопасности.", "Текст.", ""),
    "title": (1, "Совещание в Душанбе", "Встреча глав государств.", "Подробности позже.", ""),
    "document": (12, "Документы саммита", "Опубликованы материалы.", "Смотрите файл.",
                 "Протокол совещаний экспертов."),
    "title_newer": (3, "Совещание в Душанбе", "Встреча глав государств.",
                    "Подробности позже.", ""),  # the same text as "title", newer
    "mixed": (7, "Итоги сессии", "Коротко.", "На совещании обсуждались вопросы.",
              "Решение о границе Казахстана."),
    "kazakhstan": (8, "Делегация Казахстана", "Визит.", "Текст.", ""),
}


def _store(session: Session) -> dict[str, int]:
    source = Source(name="csto-ru", url="https://odkb-csto.org/news/", language="ru")
    session.add(source)
    ids = {}
    for name, (day, title, lead, body, document) in ITEMS.items():
        item = Item(source=source, url=f"https://odkb-csto.org/news/{name}/", slug=name,
                    section="news_odkb", language="ru", published=date(2025, 3, day),
                    title=title, lead=lead, body=body)
        session.add(item)
        session.flush()
        ids[name] = item.id
        if document:
            sha = f"{item.id:064d}"
            doc = Document(item_id=item.id, url=item.url + "f.pdf", name="f.pdf",
                           content_type="application/pdf", sha256=sha, status="ok",
                           etag=None, last_modified=None)
            session.add(doc)
            session.flush()
            session.add(DocumentVersion(document_id=doc.id, number=1, sha256=sha, bytes=1,
                                        content_type="application/pdf", status="ok",
                                        text=document))
    session.commit()
    return ids


@pytest.fixture
def ids(sessions: sessionmaker[Session]) -> dict[str, int]:
    with sessions() as session:
        return _store(session)


def order(sessions: sessionmaker[Session], ids: dict[str, int], query: str,
          **extra: object) -> list[str]:
    names = {v: k for k, v in ids.items()}
    with sessions() as session:
        return [names[row["id"]] for row in history.items(session, Filters(search=query,
                                                                           **extra))]


def test_title_above_lead_above_body_above_documents(sessions: sessionmaker[Session],
                                                     ids: dict[str, int]) -> None:
    found = order(sessions, ids, "совещание")
    assert found[:3] == ["title_newer", "title", "lead"]  # equal titles: the newer first
    assert set(found[3:5]) == {"body", "mixed"} and found[5:] == ["document"]
    assert order(sessions, ids, "совещание", sort="date") == [
        "document", "body", "mixed", "lead", "title_newer", "title"]


def test_two_words_must_both_be_found_across_item_and_documents(
        sessions: sessionmaker[Session], ids: dict[str, int]) -> None:
    assert order(sessions, ids, "совещание Казахстан") == ["mixed"]
    assert order(sessions, ids, "Казахстан") == ["kazakhstan", "mixed"]
    assert order(sessions, ids, "совещание Душанбе министр") == []


def test_phrase_and_prefix(sessions: sessionmaker[Session], ids: dict[str, int]) -> None:
    assert order(sessions, ids, '"совещание министров"') == ["body"]
    assert order(sessions, ids, '"совещания министров"') == []  # a phrase of exact words
    assert order(sessions, ids, "Душан*") == ["title_newer", "title"]
    assert set(order(sessions, ids, "совещ*")) == {"body", "lead", "title", "document",
                                                  "title_newer", "mixed"}


def test_snippets_mark_the_matched_forms(sessions: sessionmaker[Session],
                                         ids: dict[str, int]) -> None:
    with sessions() as session:
        rows = {row["id"]: row for row in history.items(session, Filters(search="совещание"))}
    body = rows[ids["body"]]["snippet"]
    assert [body["text"][a:b] for a, b in body["ranges"]] == ["совещание"]
    document = rows[ids["document"]]["snippet"]
    assert document["text"] == "Протокол совещаний экспертов."
    assert [document["text"][a:b] for a, b in document["ranges"]] == ["совещаний"]


@pytest.fixture
def config(database_url: str, tmp_path: Path) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(f"database_url: '{database_url}'\nsources: [{{name: csto-ru, "
                    "url: 'https://odkb-csto.org/news/', language: ru}]\n")
    return path


def test_cli_prints_snippets_bold_and_json_ranges(config: Path, ids: dict[str, int]) -> None:
    table = cli(config, "history", "--search", "совещание", env={"FORCE_COLOR": "1",
                                                                 "COLUMNS": "300"})
    assert table.code == 0, table.err
    assert "\x1b[1mсовещание\x1b[0m" in table.out
    found = json.loads(cli(config, "history", "--search", "Казахстан", "--format",
                           "json").out)
    assert [row["title"] for row in found] == ["Делегация Казахстана", "Итоги сессии"]
    snippet = found[0]["snippet"]
    assert [snippet["text"][a:b] for a, b in snippet["ranges"]] == ["Казахстана"]
    dated = json.loads(cli(config, "history", "--search", "совещание", "--sort", "date",
                           "--format", "json").out)
    assert [row["title"] for row in dated][:2] == ["Документы саммита", "Итоги недели"]


@pytest.fixture
def server(database_url: str, sessions: sessionmaker[Session]) -> Iterator[LiveServer]:
    live = LiveServer(settings_for(database_url, http={"api_rate": 10_000}), sessions).start()
    yield live
    live.stop()


def test_web_marks_words_and_api_gives_ranges(server: LiveServer, ids: dict[str, int]) -> None:
    page = fetch(server.url + "/?q=%D1%81%D0%BE%D0%B2%D0%B5%D1%89%D0%B0%D0%BD%D0%B8%D0%B5")
    assert page.status == 200
    assert "прошло <mark>совещание</mark> министров" in page.text
    assert "Протокол <mark>совещаний</mark> экспертов." in page.text
    first = page.text.index("Совещание в Душанбе")  # title matches above the body's
    assert first < page.text.index("Итоги недели")
    api = fetch(server.url + "/api/v1/items?q=%D1%81%D0%BE%D0%B2%D0%B5%D1%89%D0%B0%D0%BD"
                "%D0%B8%D0%B5&limit=2").json()
    assert [row["id"] for row in api["items"]] == [ids["title_newer"], ids["title"]]
    rest = fetch(server.url + "/api/v1/items?q=%D1%81%D0%BE%D0%B2%D0%B5%D1%89%D0%B0%D0%BD"
                 f"%D0%B8%D0%B5&limit=10&cursor={api['next_cursor']}").json()
    rows = {row["id"]: row for row in rest["items"]}
    assert [row["id"] for row in rest["items"]][::3] == [ids["lead"], ids["document"]]
    assert set(rows) == {ids[n] for n in ("lead", "body", "mixed", "document")}
    snippet = rows[ids["body"]]["snippet"]
    assert [snippet["text"][a:b] for a, b in snippet["ranges"]] == ["совещание"]


@pytest.fixture
def botapi() -> Iterator[BotApiDouble]:
    server = BotApiDouble().start()
    yield server
    server.stop()


def test_bot_search_answers_with_bold_words(botapi: BotApiDouble,
                                            sessions: sessionmaker[Session],
                                            ids: dict[str, int]) -> None:
    from tests.telegram.test_bot import answer, run_bot

    async def script(_service: object) -> None:
        botapi.command(7, "/search Казахстан")
        text = (await answer(botapi, 7)).text
        assert "Делегация <b>Казахстана</b>" in text
        assert text.index("Делегация") < text.index("Итоги сессии")
        assert "Решение о границе <b>Казахстана</b>." in text  # from the document

    run_bot(botapi, sessions, script)
    assert asyncio  # the bot runs on its own loop (run_bot)


def test_api_and_web_count_the_matches_by_section_language_and_year(
        server: LiveServer, sessions: sessionmaker[Session], ids: dict[str, int]) -> None:
    with sessions() as session, session.begin():  # one match elsewhere: another section, year
        item = session.get_one(Item, ids["kazakhstan"])
        item.section, item.published = "speech", date(2024, 5, 1)
    q = "%D0%9A%D0%B0%D0%B7%D0%B0%D1%85%D1%81%D1%82%D0%B0%D0%BD"  # Казахстан
    body = fetch(server.url + f"/api/v1/items?q={q}").json()
    assert body["facets"] == {"section": {"news_odkb": 1, "speech": 1},
                              "language": {"ru": 2}, "year": {"2024": 1, "2025": 1}}
    narrowed = fetch(server.url + f"/api/v1/items?q={q}&section=speech").json()
    assert narrowed["facets"]["year"] == {"2024": 1}
    assert fetch(server.url + "/api/v1/items").json()["facets"] is None  # no search
    page = fetch(server.url + f"/?q={q}").text
    assert 'href="/?q=%D0%9A%D0%B0%D0%B7%D0%B0%D1%85%D1%81%D1%82%D0%B0%D0%BD&amp;' \
           'since=2024-01-01&amp;until=2024-12-31">2024</a> (1)' in page
    assert "&amp;section=speech" in page and "&amp;lang=ru" in page


def test_the_page_from_the_index_ranks_as_the_whole_ranking(
        sessions: sessionmaker[Session], ids: dict[str, int]) -> None:
    """SQLite ranks a page in one FTS5 query (`ranked_ids`); every page of it must be the
    full ranking's, under filters too, with the items found through documents after."""
    from sqlalchemy import select

    from monitor.read import search

    with sessions() as session:
        for query in ("совещание", "Казахстан", "совещ*", '"совещание министров"'):
            for where in (None, Item.published >= date(2025, 3, 4)):
                base = select(Item.id) if where is None else select(Item.id).where(where)
                matching = base.where(search.search_condition(session, query))
                full = list(session.scalars(search.by_relevance(session, matching, query)))
                for limit in (1, 2, 3, 10):
                    for offset in (0, 1, 3, 5, 6):
                        assert search.ranked_ids(session, base, query, limit, offset) == \
                            full[offset:offset + limit], (query, limit, offset)
                # A listing that began before the items after `highest` were stored.
                highest = ids["mixed"]
                older = [i for i in full if i <= highest]
                for offset in (0, 1, 3):
                    assert search.ranked_ids(session, base, query, 2, offset, highest) == \
                        older[offset:offset + 2], (query, offset, highest)


# Equal texts score alike: a page's edge falls inside a group of ties.
TIED_DAYS = (4, 9, 2, 7, 1, 8, 3)  # stored in this order: ids do not follow the dates


@pytest.fixture
def tied(sessions: sessionmaker[Session]) -> list[int]:
    """The expected ranking of `совещание`: the title match, then the equal bodies newest
    first."""
    with sessions() as session:
        source = Source(name="csto-ru", url="https://odkb-csto.org/news/", language="ru")
        items = [Item(source=source, url="https://odkb-csto.org/news/title/", slug="title",
                      section="news_odkb", language="ru", published=date(2025, 1, 1),
                      title="Совещание в Минске", lead="Встреча.", body="Текст.")]
        items += [Item(source=source, url=f"https://odkb-csto.org/news/tie-{day}/",
                       slug=f"tie-{day}", section="news_odkb", language="ru",
                       published=date(2025, 2, day), title="Итоги недели", lead="Коротко.",
                       body="Прошло совещание министров.") for day in TIED_DAYS]
        session.add_all(items)
        session.commit()
        by_day = sorted(items[1:], key=lambda i: i.published or date.min, reverse=True)
        return [items[0].id] + [i.id for i in by_day]


def test_ties_at_the_page_edge_come_newest_first_on_every_page(
        sessions: sessionmaker[Session], tied: list[int]) -> None:
    with sessions() as session:
        for limit in (2, 3, 8):
            rows = history.items(session, Filters(search="совещание", limit=limit))
            assert [row["id"] for row in rows] == tied[:limit]


def test_api_cursor_pages_continue_the_ranked_order(server: LiveServer,
                                                     tied: list[int]) -> None:
    url = server.url + "/api/v1/items?q=%D1%81%D0%BE%D0%B2%D0%B5%D1%89%D0%B0%D0%BD%D0%B8%D0%B5"
    listed: list[int] = []
    page = fetch(url + "&limit=3").json()
    while True:
        listed += [row["id"] for row in page["items"]]
        if not page["next_cursor"]:
            break
        page = fetch(url + f"&limit=3&cursor={page['next_cursor']}").json()
    assert listed == tied


def test_a_document_stored_in_the_same_session_is_searched(
        sessions: sessionmaker[Session], ids: dict[str, int]) -> None:
    """What documents hold is asked once per request, not kept past the session's writes."""
    with sessions() as session:
        assert order_in(session, ids, "ратификация") == []
        sha = "f" * 64
        doc = Document(item_id=ids["lead"], url="https://odkb-csto.org/news/lead/r.pdf",
                       name="r.pdf", content_type="application/pdf", sha256=sha, status="ok",
                       etag=None, last_modified=None)
        session.add(doc)
        session.flush()
        session.add(DocumentVersion(document_id=doc.id, number=1, sha256=sha, bytes=1,
                                    content_type="application/pdf", status="ok",
                                    text="Ратификации договора."))
        session.flush()
        assert order_in(session, ids, "ратификация") == ["lead"]


def order_in(session: Session, ids: dict[str, int], query: str) -> list[str]:
    names = {v: k for k, v in ids.items()}
    return [names[row["id"]] for row in history.items(session, Filters(search=query))]
