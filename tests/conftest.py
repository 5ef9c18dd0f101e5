"""Shared fixtures. Replica fixtures: `world`, `replica`, `replica_factory`, `any_replica`.

`make test` runs the suite in parallel (pytest-xdist: several worker processes, tests
handed out one by one, in any order). A new test is safe there when it:
- writes files only under `tmp_path` / `tmp_path_factory` (per worker), never in the
  repository, the home directory or a fixed /tmp path;
- listens on port 0 and reads the port back (ReplicaServer, BotApiDouble, LiveServer do),
  or takes one from `tests.fixtures.ports.free_port()` when a configuration must name it;
  never a fixed port (`write_config` gives each daemon's HTTP server a free one; use
  `with_own_http_port` for a second daemon on the same configuration);
- uses PostgreSQL through `database_url`, `db_session(s)`, `new_pg_database` or
  `throwaway_pg_database()`: uniquely named databases, dropped afterwards;
- runs in-process crawls on the worker's one reactor loop: `run(...)` / `crawl_loop`
  (tests/fixtures/crawl.py);
- does not depend on another test having run first, nor on running alone. A test that
  measures something machine-wide (timing under no load, a process count) is marked
  `@pytest.mark.xdist_group("NAME")`: tests of one group run on one worker, one at a time.
Waiting: poll for the condition (`Daemon.wait_for`, `BotApiDouble.wait_for`) with short
steps rather than sleeping a fixed time, and give the program under test short intervals
and timeouts through its configuration (see `tests.e2e.harness.write_config`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.replica import ReplicaServer, World, sample_world

# Database fixtures (SQLite and PostgreSQL) and the crawl loop, for every test module.
pytest_plugins = ["tests.fixtures.db", "tests.fixtures.crawl"]

# --- replica fixtures ------------------------------------------------------------------


@pytest.fixture
def world() -> World:
    """A fresh English World of 25 articles (the seed page's six, then samples)."""
    return sample_world(25, "en")


@pytest.fixture
def replica(world: World) -> Iterator[ReplicaServer]:
    """A started Bitrix-markup replica of `world`, stopped at teardown."""
    server = ReplicaServer(world, markup="bitrix").start()
    yield server
    server.stop()


@pytest.fixture
def replica_factory(world: World) -> Iterator[Callable[..., ReplicaServer]]:
    """Start more replicas: factory(markup='bitrix', language=None, world=None, **kwargs).

    Without a world it serves the `world` fixture (English), or, for language='ru', a fresh
    Russian sample world of 25 articles. All are stopped at teardown.
    """
    servers: list[ReplicaServer] = []
    shared = world

    def start(markup: str = "bitrix", language: str | None = None, world: World | None = None,
              **kwargs: object) -> ReplicaServer:
        if world is None:
            world = shared if language in (None, "en") else sample_world(25, language)
        server = ReplicaServer(world, markup=markup, language=language, **kwargs)
        servers.append(server.start())
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(params=["bitrix", "modern", "portal"])
def any_replica(request: pytest.FixtureRequest, world: World) -> Iterator[ReplicaServer]:
    """A started replica of `world`, once per markup (the test runs for each)."""
    server = ReplicaServer(world, markup=request.param).start()
    yield server
    server.stop()
