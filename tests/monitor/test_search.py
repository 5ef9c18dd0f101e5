"""Full-text search over items (migration 0012, monitor.read.search) on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, Table, insert, inspect, select, text
from sqlalchemy.orm import Session

from core.db import make_engine
from core.migrate import alembic_config, upgrade
from core.models import ChangeEvent, Item, Source
from monitor.read import history
from monitor.read.history import Filters
from monitor.read.search import fts5_query, search_condition
from monitor.read.search_query import PHRASE, PREFIX, WORD, Term, parse

MINISTERS = "Meeting of the CSTO Council of Defence Ministers"
ZASEDANIE = "Заседание Совета министров обороны ОДКБ"
YEREVAN = "Secretary General visits Yerevan"

HOSTILE = ['"', "'", "*", "-", "NEAR(", "NEAR(Minsk", "AND OR", "AND", "NOT", ":", "\\",
           "%", "_", "", " ", "  \t\n ", '"Minsk', 'Minsk"', "Minsk*", "-Minsk", "Minsk -",
           "title:Minsk", "body:", "^Minsk", "(Minsk OR Yerevan)", "Minsk AND NOT Yerevan",
           "it's", "a\\", "\\'", "'; DROP TABLE items; --", "Min%sk", "Mi_sk", "{title}: x",
           "Minsk + Yerevan", "a & b | !c <-> d:*", "x:*", "x:A", "\x00", "Minsk\x00x",
           "\udcff", "\u200b", "…", "«»", "ё*"]


def add_item(session: Session, source: Source, n: int, language: str, title: str, lead: str,
             body: str) -> Item:
    item = Item(source=source, url=f"https://odkb-csto.org/news/{language}/{n}/",
                section="news_odkb", slug=f"story-{n}", language=language,
                published=date(2025, 7, n), title=title, lead=lead, body=body)
    session.add(item)
    session.flush()
    return item


def add_source(session: Session) -> Source:
    source = Source(name="csto", url="https://odkb-csto.org/news/", language="en")
    session.add(source)
    return source


@pytest.fixture
def stored(db_session: Session) -> dict[str, Item]:
    source = add_source(db_session)
    items = {
        "ministers": add_item(
            db_session, source, 1, "en", MINISTERS, "The ministers discussed joint exercises.",
            "Minsk hosted the CSTO-led meeting.\n\n"
            "The second paragraph mentions Kazakhstan and peacekeeping."),
        "zasedanie": add_item(
            db_session, source, 2, "ru", ZASEDANIE, "Министры обсудили совместные учения.",
            "В Минске состоялось заседание «Совета».\n\nВторой абзац о миротворцах."),
        "yerevan": add_item(
            db_session, source, 3, "en", YEREVAN, "Talks on regional security.",
            "Collective Rapid Reaction Forces were discussed."),
    }
    db_session.flush()
    return items


def check_index(session: Session) -> None:
    """SQLite: compare the FTS5 index with the items table (raises if they differ)."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("INSERT INTO items_search(items_search, rank) "
                             "VALUES ('integrity-check', 1)"))


def titles(session: Session, search: str | None, **filters: object) -> set[str]:
    return {row["title"] for row in history.items(session, Filters(search=search, **filters))}


@pytest.mark.parametrize(("query", "expected"), [
    # a word of the body, of the title, of the lead
    ("Kazakhstan", {MINISTERS}),
    ("миротворцах", {ZASEDANIE}),
    ("Yerevan", {YEREVAN}),
    ("Заседание", {ZASEDANIE}),
    ("exercises", {MINISTERS}),
    ("учения", {ZASEDANIE}),
    # case-insensitive, Latin and Cyrillic
    ("KAZAKHSTAN", {MINISTERS}),
    ("kazakhstan", {MINISTERS}),
    ("одкб", {ZASEDANIE}),
    ("ОДКБ", {ZASEDANIE}),
    ("ЗАСЕДАНИЕ", {ZASEDANIE}),
    # every word must occur (AND), possibly in different fields
    ("ministers Minsk", {MINISTERS}),
    ("Yerevan Rapid security", {YEREVAN}),
    ("ministers Yerevan", set()),
    ("Minsk OR Yerevan", set()),  # OR is a word, not an operator
    ("discussed", {MINISTERS, YEREVAN}),
    # word forms: a word finds its other forms; no implicit prefix any more
    ("exercise", {MINISTERS}),
    ("учение", {ZASEDANIE}),
    ("Минск", {ZASEDANIE}),
    ("Kazakh", set()),
    ("council minis", set()),
    # `word*` is a prefix of an exact word
    ("Kazakh*", {MINISTERS}),
    ("council minis*", {MINISTERS}),
    ("Kazakh* paragraph", {MINISTERS}),
    ("Kazakh* Yerevan", set()),
    # punctuation is ignored around words; inside one it makes a phrase
    ("Minsk,", {MINISTERS}),
    ("«Совета».", {ZASEDANIE}),
    ('"Minsk"', {MINISTERS}),
    ('"joint exercises"', {MINISTERS}),
    ('"exercises joint"', set()),
    ('"joint exercise"', set()),  # a phrase is of exact words
    ("-Minsk", {MINISTERS}),  # not a negation
    ("CSTO-led", {MINISTERS}),
    # no substring matches inside words any more
    ("akhst", set()),
    # nothing to search for: matches nothing
    ("%", set()),
    ("   ", set()),
    ("- * :", set()),
])
def test_search_finds_items_by_words(db_session: Session, stored: dict[str, Item], query: str,
                                     expected: set[str]) -> None:
    assert titles(db_session, query) == expected


def test_empty_search_is_no_filter_but_matches_nothing_as_a_condition(
        db_session: Session, stored: dict[str, Item]) -> None:
    assert titles(db_session, "") == titles(db_session, None) == {MINISTERS, ZASEDANIE, YEREVAN}
    for blank in ("", " ", "«»"):
        assert db_session.scalars(select(Item).where(search_condition(db_session, blank))
                                  ).all() == []


def test_search_combines_with_the_other_filters(db_session: Session,
                                                stored: dict[str, Item]) -> None:
    # newest first with --sort date; by relevance the lead's match beats the body's
    assert titles(db_session, "discussed", language="en", limit=1, sort="date") == {YEREVAN}
    assert titles(db_session, "discussed", language="en", limit=1) == {MINISTERS}
    assert titles(db_session, "ОДКБ", language="en") == set()
    assert titles(db_session, "ОДКБ", language="ru") == {ZASEDANIE}
    assert titles(db_session, "Minsk", section="other") == set()


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_input_never_raises(db_session: Session, stored: dict[str, Item],
                                    query: str) -> None:
    found = titles(db_session, query)
    assert found <= {MINISTERS, ZASEDANIE, YEREVAN}
    if not parse(query):
        assert found == set() or query == ""
    # the session is still usable: nothing was left in an aborted transaction
    assert titles(db_session, "Yerevan") == {YEREVAN}


def test_hostile_words_still_find_what_they_contain(db_session: Session,
                                                   stored: dict[str, Item]) -> None:
    for query in ('"Minsk', "Minsk*", "(Minsk", "Minsk)", "Minsk:",
                  "Minsk\\", "'Minsk'", "Minsk\x00"):
        assert titles(db_session, query) == {MINISTERS}, query


def test_update_of_a_text_is_reflected(db_session: Session, stored: dict[str, Item]) -> None:
    item = stored["yerevan"]
    item.body = "Exercise Interaction-2025 began near Lake Issyk-Kul."
    db_session.flush()
    assert titles(db_session, "Rapid") == set()
    assert titles(db_session, "Issyk-Kul") == {YEREVAN}
    item.title = "Visit to Bishkek"
    item.lead = "Новое вступление."
    db_session.flush()
    assert titles(db_session, "Yerevan") == set()
    assert titles(db_session, "Bishkek вступление") == {"Visit to Bishkek"}
    item.status = "removed"  # not a text column: the index keeps the item
    db_session.flush()
    assert titles(db_session, "Bishkek") == {"Visit to Bishkek"}
    check_index(db_session)


def test_deleted_item_is_no_longer_found(db_session: Session, stored: dict[str, Item]) -> None:
    db_session.delete(stored["ministers"])
    db_session.flush()
    assert titles(db_session, "Kazakhstan") == set()
    assert titles(db_session, "discussed") == {YEREVAN}
    check_index(db_session)


def test_changes_are_searched_by_their_item(db_session: Session,
                                            stored: dict[str, Item]) -> None:
    for item in stored.values():
        db_session.add(ChangeEvent(item=item, kind="new", url=item.url, title=item.title))
    db_session.flush()
    found = history.changes(db_session, Filters(search="kazakhstan"))
    assert [e["title"] for e in found] == [MINISTERS]


def test_query_parsing_keeps_only_words() -> None:
    assert parse(' a "b c" - %  d\x00e f* ') == [
        Term(PHRASE, ("b", "c")), Term(WORD, ("d",)), Term(WORD, ("e",)),
        Term(PREFIX, ("f",))]  # "a" is a stop word, left out
    assert parse("the and") == [Term(PHRASE, ("the",)), Term(PHRASE, ("and",))]
    assert fts5_query(parse('учения "it\'s"')) == (
        '{title lead body} : ("учен" OR "учения") AND exact : "it s"')


def _fulltext_objects(session: Session) -> set[str]:
    if session.get_bind().dialect.name == "sqlite":
        names = set(session.scalars(text("SELECT name FROM sqlite_master")))
        return names & {"items_fts", "items_search", "items_fts_insert", "items_search_insert"}
    inspector = inspect(session.connection())
    columns = {"search_vector", "search_stems", "search_exact"}
    indexes = {"ix_items_search_vector", "ix_items_search_stems", "ix_items_search_exact"}
    return ({c["name"] for c in inspector.get_columns("items")} & columns
            | {i["name"] for i in inspector.get_indexes("items")} & indexes)


def test_downgrade_and_upgrade_again(database_url: str) -> None:
    """On a fresh database: head, back to 0001 (index gone), head again (old rows indexed)."""
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        with Session(engine) as session:
            source = add_source(session)
            add_item(session, source, 1, "en", MINISTERS, "", "Minsk hosted the meeting.")
            session.commit()
            assert len(_fulltext_objects(session)) >= 2
        command.downgrade(alembic_config(engine), "0001")
        with Session(engine) as session:
            assert session.scalar(text("SELECT version_num FROM alembic_version")) == "0001"
            assert _fulltext_objects(session) == set()
            # The ORM classes describe the head schema: write 0001's rows through its tables.
            items = Table("items", MetaData(), autoload_with=session.connection())
            now = datetime.now(UTC).replace(tzinfo=None)
            session.execute(insert(items).values(
                source_id=session.scalar(text("SELECT id FROM sources")),
                url="https://odkb-csto.org/news/ru/2/", section="news_odkb", slug="story-2",
                language="ru", published=date(2025, 7, 2), title=ZASEDANIE, lead="",
                body="В Минске.", attachments=[], listing_hash="", status="active",
                first_seen=now, last_changed=now, last_seen=now))
            session.commit()  # no trigger left behind on items
        upgrade(engine)
        with Session(engine) as session:
            head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
            assert session.scalar(text("SELECT version_num FROM alembic_version")) == head
            # rows written before the upgrade are indexed (SQLite: the rebuild)
            assert titles(session, "минске") == {ZASEDANIE}
            assert titles(session, "Minsk") == {MINISTERS}
        command.downgrade(alembic_config(engine), "0001")
        upgrade(engine)
        with Session(engine) as session:
            assert titles(session, "hosted") == {MINISTERS}
            check_index(session)
    finally:
        engine.dispose()


@pytest.mark.parametrize("query", ["discussed", "Minsk", "Kazakh", "akhst", "%", "ОДКБ"])
def test_the_plan_for_many_matches_lists_the_same_items(
        db_session: Session, stored: dict[str, Item], query: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """With many matches SQLite walks the date index instead: same items, same order."""
    def ids(limit: int) -> list[int]:
        return [row["id"] for row in history.items(db_session, Filters(search=query,
                                                                       limit=limit))]

    expected = ids(50)
    monkeypatch.setattr("monitor.read.search.WALK_DATE_INDEX_FROM", 0)  # always "many"
    assert ids(50) == expected and ids(1) == expected[:1]
