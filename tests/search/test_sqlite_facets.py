"""Issue 21 point 4 on SQLite: a search's facets counted by FTS5 (migration 0017) are the
counts of its matches, whatever the query, its filters, the items found through their
documents, and after edits of section, language, date and text and deletions; the
migration builds the index's `facets` column and `facet_values` for stored items, a
downgrade restores 0016's index, `csto-monitor reindex` refills both."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from core import search_facets
from core.db import make_engine, session_factory
from core.migrate import alembic_config, upgrade
from core.models import Document, Item
from monitor.read import facets as facets_module
from monitor.read.facets import facets
from monitor.read.filters import Filter
from tests.e2e.harness import cli
from tests.search.facet_items import (
    EDITED_FILTERS,
    FILTERS,
    ONLY_IN_DOCUMENTS,
    QUERIES,
    edit,
    expected,
    store,
)
from tests.search.ranked_items import reindex_config, titles


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite only, migrated by `sessions` (tests/search/conftest.py)."""
    return f"sqlite:///{tmp_path / 'csto.db'}"


@pytest.fixture
def always_indexed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The index counts even a few matches (in use from 60 matches per facet value)."""
    monkeypatch.setattr(facets_module, "MATCHES_PER_VALUE", 0)


def _check(session: Session, query: str, **narrow: str) -> None:
    f = Filter(search=query, **narrow)
    want = expected(session, f)
    assert facets(session, f) == want, (query, narrow)
    if any(want["section"].values()) and query not in ONLY_IN_DOCUMENTS:
        # The index counted them, not the grouped query.
        assert facets_module._from_search_index(session, f) is not None, (query, narrow)


@pytest.mark.usefixtures("always_indexed")
@pytest.mark.parametrize("narrow", FILTERS, ids=["all", "section", "language", "both", "none"])
def test_facets_counted_by_the_index_are_the_matches_counts(
        sessions: sessionmaker[Session], narrow: dict[str, str]) -> None:
    with sessions() as session:
        store(session)
        for query in QUERIES:
            _check(session, query, **narrow)
        # Matches found through a document count, once, whatever else matched.
        assert sum(facets(session, Filter(search="protocol"))["language"].values()) == \
            len(session.scalars(select(Document.id)).all())


def test_few_matches_or_other_filters_are_grouped_with_the_same_counts(
        sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        store(session)
        for f in (Filter(search="summit"), Filter(search="summit", status="active"),
                  Filter(search="summit", published_from=date(2003, 1, 1)),
                  Filter(search="summit", kind="new")):
            assert facets_module._from_search_index(session, f) is None  # 150 items only
            assert facets(session, f) == expected(session, f)


@pytest.mark.usefixtures("always_indexed")
def test_edits_and_deletions_move_items_between_facets(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        store(session)
        edit(session)
        for query in ("summit", "summit minsk", "учения", "protocol"):
            for narrow in EDITED_FILTERS:
                _check(session, query, **narrow)
        assert _values(session) == _counted(session)


def _values(session: Session) -> dict[tuple[str, str], int]:
    return {(facet, value): n for facet, value, n in session.execute(
        text("SELECT facet, value, items FROM facet_values WHERE items > 0"))}


def _counted(session: Session) -> dict[tuple[str, str], int]:
    return {(facet, value): n for facet, counts in expected(session, Filter()).items()
            for value, n in counts.items()}


def _facet_column(session: Session) -> dict[int, str]:
    return {row[0]: row[1] for row in session.execute(
        text("SELECT rowid, facets FROM items_search"))}


def _tokens(session: Session) -> dict[int, str]:
    return {item.id: search_facets.item_tokens(item.section, item.language, item.published)
            for item in session.scalars(select(Item))}


def test_reindex_refills_the_column_and_the_values(
        sessions: sessionmaker[Session], database_url: str, tmp_path: Path) -> None:
    with sessions() as session:
        store(session)
    with sessions() as session, session.begin():
        session.execute(text("DELETE FROM facet_values"))
        session.execute(text("UPDATE items_search SET facets = ''"))
    result = cli(reindex_config(tmp_path, database_url), "reindex")
    assert result.code == 0, result.err
    with sessions() as session:
        assert _values(session) == _counted(session)
        assert _facet_column(session) == _tokens(session)


@pytest.mark.usefixtures("always_indexed")
def test_the_migration_builds_the_column_and_a_downgrade_restores_0016(database_url: str
                                                                       ) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    config = alembic_config(engine)
    command.downgrade(config, "0016")
    sessions = session_factory(engine)
    with sessions() as session:
        columns = [row[1] for row in session.execute(text("PRAGMA table_info(items_search)"))]
        assert columns == ["title", "lead", "body", "exact"]
        assert not session.scalar(text("SELECT count(*) FROM sqlite_master "
                                       "WHERE name LIKE 'facet_values%'"))
        store(session)  # through 0016's triggers
    summit = titles(sessions, "summit")
    assert summit
    upgrade(engine)
    with sessions() as session:
        assert _facet_column(session) == _tokens(session)
        assert _values(session) == _counted(session)
        for query in ("summit", "protocol"):
            _check(session, query)
    assert titles(sessions, "summit") == summit  # the stored analysis moved over
    command.downgrade(config, "0016")
    assert titles(sessions, "summit") == summit
    engine.dispose()
