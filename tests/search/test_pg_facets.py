"""Issue 21 point 4 on PostgreSQL: a one-word search's facets, counted off `item_terms`
joined to `ix_items_facets` (migration 0018), are the counts of its matches, whatever the
filters, the items found only through their documents, and after edits of section,
language, date and text and deletions; other searches and filters are grouped with the
same counts; the migration builds the index and a downgrade drops it."""

from __future__ import annotations

from datetime import date

import pytest
from alembic import command
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from core.db import make_engine
from core.migrate import alembic_config, upgrade
from core.models import Item
from monitor.read import facets as facets_module
from monitor.read.facets import facets
from monitor.read.filters import Filter
from tests.search.facet_items import FILTERS, QUERIES, expected, store

# One lexeme each in both configurations, held in the items' own text: read off the table.
# "summit" is also in the documents of items that do not hold it themselves.
ONE_LEXEME = ("summit", "minsk", "meeting")


@pytest.fixture
def database_url(new_pg_database: str) -> str:
    """PostgreSQL only, migrated by `sessions` (tests/search/conftest.py)."""
    return new_pg_database


@pytest.fixture
def always_joined(monkeypatch: pytest.MonkeyPatch) -> None:
    """The join counts even a few matches (in use from 3 % of the items)."""
    monkeypatch.setattr(facets_module, "MATCHES_SHARE", 0)


def _check(session: Session, query: str, **narrow: str) -> None:
    f = Filter(search=query, **narrow)
    assert facets(session, f) == expected(session, f), (query, narrow)
    if query in ONE_LEXEME:  # the join counted them, not the grouped query
        assert facets_module._from_ranked_terms(session, f) is not None, (query, narrow)


@pytest.mark.usefixtures("always_joined")
@pytest.mark.parametrize("narrow", FILTERS, ids=["all", "section", "language", "both", "none"])
def test_facets_of_one_word_joined_off_item_terms_are_the_matches_counts(
        sessions: sessionmaker[Session], narrow: dict[str, str]) -> None:
    with sessions() as session:
        store(session)
        summit = expected(session, Filter(search="summit"))
        # Some items hold "summit" only in a document, and count.
        own = session.scalar(text("SELECT count(*) FROM item_terms WHERE token = 'summit'"))
        assert sum(summit["language"].values()) > own
        for query in (*ONE_LEXEME, *QUERIES):
            _check(session, query, **narrow)


def test_few_matches_or_other_filters_are_grouped_with_the_same_counts(
        sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch) -> None:
    with sessions() as session:
        store(session)
        session.execute(text("ANALYZE items"))
        monkeypatch.setattr(facets_module, "MATCHES_SHARE", 1.0)  # more than every item
        f = Filter(search="summit")
        assert facets_module._from_ranked_terms(session, f) is None
        assert facets(session, f) == expected(session, f)
        for f in (Filter(search="summit", status="active"),
                  Filter(search="summit", published_from=date(2003, 1, 1)),
                  Filter(search="summit", kind="new")):
            assert not facets_module._indexed(f)
            assert facets(session, f) == expected(session, f)


@pytest.mark.usefixtures("always_joined")
def test_edits_and_deletions_move_items_between_facets(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        store(session)
        items = list(session.scalars(select(Item).order_by(Item.id)))
        items[1].section = "interviews"  # a new value
        items[5].language = "ru"
        items[6].published = None
        items[10].published = date(1999, 12, 31)
        items[13].title = "Nothing to see"  # was "Summit in Minsk"
        items[14].body, items[14].section = "The summit opened.", "speech"
        session.delete(items[17])
        session.commit()
        for query in ONE_LEXEME:
            for narrow in [*FILTERS, {"section": "interviews"}]:
                _check(session, query, **narrow)


def _index(session: Session) -> str | None:
    return session.scalar(text("SELECT indexdef FROM pg_indexes "
                               "WHERE indexname = 'ix_items_facets'"))


@pytest.mark.usefixtures("always_joined")
def test_the_migration_builds_the_index_and_a_downgrade_drops_it(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    config = alembic_config(engine)
    command.downgrade(config, "0017")
    with Session(engine) as session:
        assert _index(session) is None
        store(session)
    upgrade(engine)
    with Session(engine) as session:
        assert _index(session) == ("CREATE INDEX ix_items_facets ON public.items USING btree "
                                   "(id) INCLUDE (section, language)")
        _check(session, "summit")
    engine.dispose()
