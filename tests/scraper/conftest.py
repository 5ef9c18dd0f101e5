"""Fixtures for the scraper tests: fixture pages, a local site, crawlers.

Crawls run on the process's one reactor loop: `crawl_loop` and `run` (tests/fixtures/crawl.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from scraper.runner import SourceCrawler
from scraper.settings import build_settings
from tests.scraper.site import Site, serve


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
