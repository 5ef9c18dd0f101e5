"""Issue 21: `csto-monitor reindex` rebuilds the search index from the stored text, with a
progress bar for a large one; the migration re-indexes rows stored before it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from core import search_index
from core.models import Item, Source
from monitor.read import history
from monitor.read.history import Filters
from tests.e2e.harness import cli


def _store(sessions: sessionmaker[Session], count: int) -> None:
    with sessions() as session, session.begin():
        source = Source(name="csto-ru", url="https://odkb-csto.org/news/", language="ru")
        session.add(source)
        for n in range(count):
            session.add(Item(source=source, url=f"https://odkb-csto.org/news/{n}/",
                             slug=f"s{n}", section="news_odkb", language="ru",
                             published=date(2025, 1, 1), title=f"Заседание номер {n}",
                             lead="Учения в Армении.", body="Текст."))


def _found(sessions: sessionmaker[Session], query: str) -> int:
    with sessions() as session:
        return len(history.items(session, Filters(search=query, limit=1000)))


def _empty_the_index(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, session.begin():
        if session.get_bind().dialect.name == "sqlite":
            session.execute(text("DELETE FROM items_search"))
        else:
            session.execute(text("UPDATE items SET search_stems = NULL, search_exact = NULL"))


def test_reindex_command_rebuilds_what_was_lost(sessions: sessionmaker[Session],
                                                database_url: str, tmp_path: Path) -> None:
    _store(sessions, 3)
    assert _found(sessions, "учение Армения") == 3
    _empty_the_index(sessions)
    assert _found(sessions, "учение Армения") == 0
    config = tmp_path / "config.yaml"
    config.write_text(f"database_url: '{database_url}'\nsources: [{{name: csto-ru, "
                      "url: 'https://odkb-csto.org/news/', language: ru}]\n")
    result = cli(config, "reindex")
    assert result.code == 0, result.err
    assert "search index rebuilt: 3 item(s)" in result.out
    assert "Re-indexing" not in result.err  # a small index: no progress bar
    assert _found(sessions, "учение Армения") == 3
    assert _found(sessions, '"номер 2"') == 1


def test_a_large_reindex_shows_a_progress_bar(sessions: sessionmaker[Session],
                                              monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    _store(sessions, 30)
    monkeypatch.setattr(search_index, "PROGRESS_FROM", 10)
    monkeypatch.setattr(search_index, "BATCH", 7)  # several batches
    _empty_the_index(sessions)
    with sessions() as session, session.begin():
        assert search_index.reindex(session.connection()) == 30
    err = capsys.readouterr().err
    assert "Re-indexing 30 rows for search" in err and "Search index rebuilt: 30 rows." in err
    assert _found(sessions, "заседания") == 30
