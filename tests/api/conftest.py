"""Fixtures: the live web server with the API (rate limit raised), on SQLite and PostgreSQL.

`database_url` comes from tests/fixtures/db.py, `sessions` and `history_ids` from
tests/web/conftest.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.web.conftest import history_ids, sessions
from tests.web.helpers import LiveServer, settings_for

__all__ = ["history_ids", "sessions"]  # the web tests' fixtures, shared


@pytest.fixture
def api(database_url: str, sessions: sessionmaker[Session]) -> Iterator[LiveServer]:
    live = LiveServer(settings_for(database_url, http={"api_rate": 10_000}), sessions).start()
    yield live
    live.stop()
