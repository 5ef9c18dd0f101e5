"""Issue 21 point 4 on PostgreSQL: the facets of a search of words of one lexeme each,
counted off the index of `item_terms` (each row with its item's section-and-language
number, migration 0018), are the counts of its matches, whatever the filters, the items
found only through their documents, and after edits of section, language, date and text
and deletions; other searches and filters are grouped with the same counts; the migration
fills the numbers of stored items, and a downgrade restores 0015's table."""

from __future__ import annotations

from datetime import date

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from core.db import make_engine
from core.migrate import alembic_config, upgrade
from monitor.read import facets as facets_module
from monitor.read.facets import facets
from monitor.read.filters import Filter
from tests.search.facet_items import EDITED_FILTERS, FILTERS, QUERIES, edit, expected, store

# Words of one lexeme each in both configurations: read off the table. "summit" is also in
# the documents of items that do not hold it themselves; "protocol" only in documents.
INDEXED = ("summit", "minsk", "meeting", "summit minsk", "minsk summit protocol",
           "summit summit", "protocol")


@pytest.fixture
def database_url(new_pg_database: str) -> str:
    """PostgreSQL only, migrated by `sessions` (tests/search/conftest.py)."""
    return new_pg_database


def _check(session: Session, query: str, **narrow: str) -> None:
    f = Filter(search=query, **narrow)
    assert facets(session, f) == expected(session, f), (query, narrow)
    if query in INDEXED:  # the index counted them, not the grouped query
        assert facets_module._from_ranked_terms(session, f) is not None, (query, narrow)


@pytest.mark.parametrize("narrow", FILTERS, ids=["all", "section", "language", "both", "none"])
def test_facets_of_words_counted_off_item_terms_are_the_matches_counts(
        sessions: sessionmaker[Session], narrow: dict[str, str]) -> None:
    with sessions() as session:
        store(session)
        summit = expected(session, Filter(search="summit"))
        # Some items hold "summit" only in a document, and count.
        own = session.scalar(text("SELECT count(*) FROM item_terms WHERE token = 'summit'"))
        assert sum(summit["language"].values()) > own
        for query in (*INDEXED, *QUERIES):
            _check(session, query, **narrow)


def test_other_searches_and_filters_are_grouped_with_the_same_counts(
        sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        store(session)
        for query in ('"summit in minsk"', "summ*", "учения", "summit учения"):
            assert facets_module._from_ranked_terms(session, Filter(search=query)) is None
        for f in (Filter(search="summit", status="active"),
                  Filter(search="summit", published_from=date(2003, 1, 1)),
                  Filter(search="summit", kind="new")):
            assert not facets_module._indexed(f)
            assert facets(session, f) == expected(session, f)


def test_edits_and_deletions_move_items_between_facets(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        store(session)
        edit(session)
        for query in INDEXED:
            for narrow in EDITED_FILTERS:
                _check(session, query, **narrow)
        assert _numbers(session) == _items(session)


def _numbers(session: Session) -> set[tuple[int, str, str]]:
    """(item, section, language) as `item_terms` holds them, and as they should be."""
    return {tuple(row) for row in session.execute(text(
        "SELECT DISTINCT t.item_id, k.section, k.language FROM item_terms AS t "
        "JOIN section_languages AS k ON k.id = t.section_language"))}


def _items(session: Session) -> set[tuple[int, str, str]]:
    return {tuple(row) for row in session.execute(text(
        "SELECT i.id, i.section, i.language FROM items AS i "
        "WHERE EXISTS (SELECT FROM item_terms AS t WHERE t.item_id = i.id)"))}


def test_the_migration_numbers_stored_items_and_a_downgrade_restores_0015(
        database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    config = alembic_config(engine)
    command.downgrade(config, "0017")
    with Session(engine) as session:
        assert session.scalar(text("SELECT to_regclass('section_languages')")) is None
        store(session)  # through 0015's triggers
        before = session.execute(text("SELECT count(*) FROM item_terms")).scalar()
    upgrade(engine)
    with Session(engine) as session:
        assert _numbers(session) == _items(session) and len(_items(session)) > 100
        assert session.execute(text("SELECT count(*) FROM item_terms")).scalar() == before
        _check(session, "summit")
    command.downgrade(config, "0017")
    with Session(engine) as session:
        columns = session.scalars(text(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'item_terms' ORDER BY ordinal_position")).all()
        assert columns == ["token", "score", "published", "item_id"]
        assert session.execute(text("SELECT count(*) FROM item_terms")).scalar() == before
    engine.dispose()
