"""Fixtures for the scraper tests: fixture pages, a local site, one shared event loop.

The Twisted reactor stays bound to the first asyncio loop of the process, so every
in-process crawl of the test session runs on one loop (`crawl_loop`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

import pytest

from scraper.reactor import ensure_reactor, reactor_loop, shutdown_reactor
from scraper.runner import SourceCrawler
from scraper.settings import build_settings
from tests.scraper.site import Site, serve

T = TypeVar("T")


@pytest.fixture(scope="session")
def crawl_loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = reactor_loop()  # another package of the session may have started it already
    created = loop is None
    if loop is None:
        loop = asyncio.new_event_loop()

    async def start() -> None:
        ensure_reactor()

    loop.run_until_complete(start())
    yield loop
    if created:
        shutdown_reactor()


@pytest.fixture(scope="session")
def run(crawl_loop: asyncio.AbstractEventLoop) -> Any:
    def run(coro: Coroutine[Any, Any, T]) -> T:
        return crawl_loop.run_until_complete(coro)

    return run


@pytest.fixture(scope="session")
def site() -> Iterator[Site]:
    site, server = serve()
    yield site
    server.shutdown()
    server.server_close()


def _test_crawler() -> SourceCrawler:
    settings = build_settings(
        user_agent="csto-monitor-tests/0.1",
        download_timeout=2,
        download_delay=0,
        autothrottle=False,
        retries=1,
        retry_backoff=0.05,
        obey_robots_txt=True,
    )
    return SourceCrawler(settings)


@pytest.fixture(scope="session")
def source_crawler(crawl_loop: asyncio.AbstractEventLoop) -> SourceCrawler:
    return _test_crawler()


@pytest.fixture
def stoppable_crawler(crawl_loop: asyncio.AbstractEventLoop) -> SourceCrawler:
    """A crawler of its own, for a test that stops it (a stopped one refuses new crawls)."""
    return _test_crawler()
