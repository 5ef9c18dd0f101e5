"""The daemon's poll job, in process against the replica: an idle poll is one request and
one small transaction, with no delivery round; a poll that found news delivers it at once.

The statements the job sends to the database are read from the engine's own events (what
the database saw), the requests from the replica's log (what the site saw).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select

from core.config import load_settings
from core.models import Delivery
from csto_monitor.daemon import Daemon
from csto_monitor.runtime import Monitor
from tests.e2e.harness import source, write_config
from tests.replica import ReplicaServer, World, make_article


class Statements:
    """Every SQL statement the engine sends, while recording."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.sent.append(" ".join(statement.split()))

    def touching(self, table: str) -> list[str]:
        return [s for s in self.sent if f" {table}" in s or f'"{table}"' in s]


@pytest.fixture
def daemon(run: Any, tmp_path: Path, replica: ReplicaServer, database_url: str
           ) -> Iterator[Daemon]:
    config = write_config(tmp_path / "c.yaml", [source(replica.listing_url, pages=1)],
                          database_url)
    settings = load_settings(config, env={})

    async def build() -> Daemon:
        return Daemon(Monitor.build(settings, io.StringIO()))

    built = run(build())
    spec = settings.sources[0]
    run(built.poll_job(spec))  # the baseline
    run(built.poll_job(spec))  # the first conditional poll (schedules the revisits)
    yield built
    run(built.monitor.crawler.close())
    built.monitor.engine.dispose()


def test_an_idle_poll_job_is_one_request_and_no_delivery_round(
        run: Any, daemon: Daemon, replica: ReplicaServer) -> None:
    statements = Statements()
    event.listen(daemon.monitor.engine, "before_cursor_execute", statements)
    replica.clear_log()
    try:
        run(daemon.poll_job(daemon.settings.sources[0]))
    finally:
        event.remove(daemon.monitor.engine, "before_cursor_execute", statements)
    assert [(r.path, r.status) for r in replica.requests] == [("/news/", 304)]
    assert statements.touching("deliveries") == []  # no delivery round
    assert statements.touching("change_events") == []  # nor the divergence check
    assert [s for s in statements.sent if s.startswith("UPDATE items")] == []  # nor revisits


def test_a_poll_job_that_finds_news_delivers_it_at_once(
        run: Any, daemon: Daemon, world: World, replica: ReplicaServer) -> None:
    world.publish(make_article("A new story of the CSTO", published=date(2026, 1, 5)))
    run(daemon.poll_job(daemon.settings.sources[0]))  # no delivery job runs in this test
    with daemon.monitor.sessions() as session:
        statuses = list(session.scalars(select(Delivery.status)))
    assert statuses and set(statuses) == {"sent"}
    assert [r.status for r in replica.requests_to("/news/")][-1:] == [200]
