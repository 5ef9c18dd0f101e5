"""Fixtures: the live web server with the API (rate limit raised), on SQLite and PostgreSQL.

`database_url` comes from tests/fixtures/db.py, `sessions` and `history_ids` from
tests/web/conftest.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from core.db import make_engine, session_factory
from core.migrate import upgrade
from tests.web.helpers import LiveServer, sample_history, settings_for


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    upgrade(engine)
    yield session_factory(engine)
    engine.dispose()


@pytest.fixture
def history_ids(sessions: sessionmaker[Session]) -> dict[str, int]:
    return sample_history(sessions)


@pytest.fixture
def api(database_url: str, sessions: sessionmaker[Session]) -> Iterator[LiveServer]:
    live = LiveServer(settings_for(database_url, http={"api_rate": 10_000}), sessions).start()
    yield live
    live.stop()
