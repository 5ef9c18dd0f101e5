"""Issue 21 on PostgreSQL: a one-word search ranks off the table of ranked words
(`item_terms`, migration 0015) in exactly the order `ts_rank_cd` gives; an edit, a new
date or a deletion of an item moves it; the migration and `csto-monitor reindex` fill the
table from the stored text."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from core.db import make_engine, session_factory
from core.migrate import alembic_config, upgrade
from core.models import Item
from monitor.read import ranked_terms, search
from monitor.read.filters import Filter, item_conditions
from monitor.read.search_query import parse
from tests.e2e.harness import cli
from tests.search import ranked_items
from tests.search.ranked_items import Text, reindex_config, titles

# (day or None, language, title, lead, body): the same texts on several days make ties.
TEXTS: list[Text] = [
    (1, "en", "Summit in Minsk", "Leaders met.", "The summit adopted a declaration."),
    (2, "en", "Summit in Minsk", "Leaders met.", "The summit adopted a declaration."),
    (None, "en", "Summit in Minsk", "Leaders met.", "The summit adopted a declaration."),
    (3, "en", "Weekly notes", "Summits and exercises.", "Nothing else."),
    (4, "en", "Weekly notes", "A summit; the summit's agenda.", "Summits, summits, summits."),
    (5, "en", "Exercises", "Troops trained.", "The exercise ended before the summit."),
    (6, "en", "Council", "Ministers met.", "They prepared the summit, the summit and a summit."),
    (7, "en", "O'Neil visited", "See C:\\temp\\notes and http://x.org/a?b='c'", "No summit."),
    (8, "en", "Exercise report", "Drills.", "Units exercised near the border."),
]
DOCUMENT_ONLY: Text = (9, "en", "Files", "Materials published.", "See the file.")


def store(session: Session) -> list[int]:
    return ranked_items.store(session, TEXTS, DOCUMENT_ONLY, "Summit protocol.")


@pytest.fixture
def database_url(new_pg_database: str) -> str:
    """PostgreSQL only, migrated by `sessions` (tests/search/conftest.py)."""
    return new_pg_database


def by_ts_rank_cd(session: Session, query: str, f: Filter, limit: int, offset: int
                  ) -> list[int]:
    """The general ranking (`ts_rank_cd` over every match), as before the table."""
    base = select(Item.id).where(*item_conditions(session, f), search.search_condition(
        session, query))
    ranked = search.by_relevance(session, base, query)
    return list(session.scalars(ranked.offset(offset).limit(limit)))


def by_table(session: Session, query: str, f: Filter, limit: int, offset: int
             ) -> list[int] | None:
    base = select(Item.id).where(*item_conditions(session, f, how="ranked"))
    terms = parse(query)
    return ranked_terms.page(session, base, terms, limit, offset,
                             lambda: search._elsewhere(session, terms))


@pytest.mark.parametrize("f", [Filter(), Filter(section="news"), Filter(language="ru"),
                               Filter(published_from=date(2025, 3, 2))])
def test_a_word_ranks_off_the_table_as_ts_rank_cd_does(sessions: sessionmaker[Session],
                                                       f: Filter) -> None:
    with sessions() as session:
        store(session)
        for word in ("summit", "summits", "exercises", "met", "minsk", "protocol"):
            for limit, offset in ((50, 0), (2, 0), (3, 2), (4, 5), (5, 20)):
                expected = by_ts_rank_cd(session, word, f, limit, offset)
                assert by_table(session, word, f, limit, offset) == expected, (
                    word, limit, offset)


def test_a_cursor_page_off_the_table_holds_the_items_stored_before_it_only(
        sessions: sessionmaker[Session]) -> None:
    """`ranked_ids(highest=…)` (the API's cursor pages): the table's page is of the items
    up to that id, as the general ranking's is."""
    with sessions() as session:
        ids = store(session)
        highest = ids[5]
        for word in ("summit", "exercises", "protocol"):
            assert ranked_terms.one_lexeme(session, parse(word)) is not None
            full = by_ts_rank_cd(session, word, Filter(), 50, 0)
            older = [i for i in full if i <= highest]
            assert older != full, word  # the bound matters
            for limit, offset in ((2, 0), (3, 2), (50, 0)):
                assert search.ranked_ids(session, select(Item.id), word, limit, offset,
                                         highest=highest) == older[offset:offset + limit], (
                    word, limit, offset)


def test_the_table_is_read_for_one_word_only(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        store(session)
        assert ranked_terms.one_lexeme(session, parse("Summits")) == "summit"
        for query in ("summit minsk", '"summit"', "summ*", "учение"):  # учен | учение
            assert ranked_terms.one_lexeme(session, parse(query)) is None, query


def test_an_edit_moves_an_item_in_the_ranking(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        ids = store(session)
    assert titles(sessions, "drills") == ["Exercise report|2025-03-08"]
    with sessions() as session, session.begin():
        council = session.get_one(Item, ids[6])
        council.title = "Drills"  # a title above the other's lead
        session.get_one(Item, ids[8]).lead = "Report."
    assert titles(sessions, "drills") == ["Drills|2025-03-06"]
    assert titles(sessions, "council") == []
    with sessions() as session, session.begin():
        session.get_one(Item, ids[0]).published = date(2025, 3, 28)  # newer among equals
    assert titles(sessions, "minsk")[0] == "Summit in Minsk|2025-03-28"
    with sessions() as session, session.begin():
        session.get_one(Item, ids[2]).published = date(2025, 4, 1)  # had none: now first
    assert titles(sessions, "minsk")[0] == "Summit in Minsk|2025-04-01"
    with sessions() as session, session.begin():
        session.delete(session.get_one(Item, ids[2]))
    assert titles(sessions, "minsk") == ["Summit in Minsk|2025-03-28",
                                          "Summit in Minsk|2025-03-02"]
    with sessions() as session:
        assert _rows(session) == _expected_rows(session)  # no row left behind


def _rows(session: Session) -> list[Any]:
    return sorted(session.execute(text("SELECT token, score, published::text, item_id "
                                       "FROM item_terms")).all())


def _expected_rows(session: Session) -> list[Any]:
    return sorted(session.execute(text(
        "SELECT t.token, t.score, t.published::text, t.item_id FROM items AS i, "
        "csto_item_terms(i.id, i.published, i.search_stems) AS t")).all())


def test_every_word_of_an_item_has_its_score(sessions: sessionmaker[Session]) -> None:
    """Lexemes with quotes and backslashes too (a URL's, a name's) are ranked."""
    with sessions() as session:
        ids = store(session)
        lexemes = session.scalar(text("SELECT count(*) FROM items, unnest(search_stems)"))
        rows = _rows(session)
        assert len(rows) == lexemes and all(score > 0 for _, score, _, _ in rows)
        assert [t for t, _, _, item in rows if item == ids[7] and "'" in t]  # a URL's
        for lexeme in ("a\\b'c", "o'neil", "''", "plain"):  # as stored, not parsed again
            assert session.scalar(text("SELECT array_to_tsvector(ARRAY[CAST(:x AS text)]) "
                                       "@@ csto_lexeme_query(:x)"), {"x": lexeme}), lexeme


def test_reindex_refills_the_table(sessions: sessionmaker[Session], new_pg_database: str,
                                   tmp_path: Path) -> None:
    with sessions() as session:
        store(session)
        expected = _rows(session)
    summit = titles(sessions, "summit")
    with sessions() as session, session.begin():
        session.execute(text("TRUNCATE item_terms"))
    assert titles(sessions, "summit") == ["Files|2025-03-09"]  # the table is what ranks
    result = cli(reindex_config(tmp_path, new_pg_database), "reindex")
    assert result.code == 0, result.err
    with sessions() as session:
        assert _rows(session) == expected
    assert titles(sessions, "summit") == summit


def test_the_migration_fills_the_table_from_stored_items(new_pg_database: str) -> None:
    engine = make_engine(new_pg_database)
    upgrade(engine, "0014")
    sessions = session_factory(engine)
    with sessions() as session:
        store(session)
    upgrade(engine)
    with sessions() as session:
        assert _rows(session) == _expected_rows(session) and _rows(session)
        general = by_ts_rank_cd(session, "summit", Filter(), 50, 0)
        assert by_table(session, "summit", Filter(), 50, 0) == general and len(general) == 9
    command.downgrade(alembic_config(engine), "0014")
    with sessions() as session:
        assert session.scalar(text("SELECT to_regclass('item_terms')")) is None
    engine.dispose()
