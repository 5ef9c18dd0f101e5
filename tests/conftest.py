"""Shared fixtures. Replica fixtures: `world`, `replica`, `replica_factory`, `any_replica`."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.replica import ReplicaServer, World, sample_world

# Database fixtures (SQLite and PostgreSQL) for every test module.
pytest_plugins = ["tests.fixtures.db"]

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
