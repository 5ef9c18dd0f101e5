"""ProcessCrawler: crawls of the site replica run by a real worker process.

Each test runs its own event loop (the daemon's side installs no Twisted reactor), and the
worker is a real `python -m scraper.crawl_worker` process.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Coroutine
from typing import Any

import pytest

from scraper.report import CrawlReport
from scraper.request import CrawlRequest
from scraper.worker_crawler import ProcessCrawler
from tests.e2e.harness import process_alive
from tests.replica import ReplicaServer, World

OPTIONS = {"user_agent": "csto-monitor-test", "download_timeout": 30.0,
           "download_delay": 0.0, "autothrottle": False, "retries": 0,
           "retry_backoff": 0.0, "obey_robots_txt": True, "log_level": "DEBUG"}


def request(replica: ReplicaServer, pages: int = 1) -> CrawlRequest:
    return CrawlRequest(source_name="csto-en", source_url=replica.listing_url, language="en",
                        pages=pages)


def run(coro: Coroutine[Any, Any, Any]) -> Any:
    return asyncio.run(coro)


def test_a_crawl_comes_back_as_the_report_of_the_site(world: World,
                                                      replica: ReplicaServer) -> None:
    async def crawl() -> tuple[CrawlReport, CrawlReport]:
        crawler = ProcessCrawler(OPTIONS)
        try:
            first = await crawler.crawl(request(replica))
            again = await crawler.crawl(CrawlRequest(
                source_name="csto-en", source_url=replica.listing_url, language="en",
                pages=1, etag=first.etag, last_modified=first.last_modified))
        finally:
            await crawler.stop()
        return first, again

    first, again = run(crawl())
    newest = world.articles_in("en")[:20]
    assert first.listing_clean and first.finish_reason == "finished"
    assert [e.url for e in first.listing] == [replica.url_for(a) for a in newest]
    assert sorted(i.url for i in first.items) == sorted(replica.url_for(a) for a in newest)
    assert all(i.body for i in first.items)
    assert again.not_modified and again.requests == 1  # one conditional request, robots cached


def test_the_worker_stops_when_idle_and_the_next_crawl_starts_another(
        replica: ReplicaServer) -> None:
    async def crawl() -> tuple[int | None, int | None, int | None, CrawlReport]:
        crawler = ProcessCrawler(OPTIONS, idle_after=0.5)
        try:
            await crawler.crawl(request(replica))
            first = crawler.worker_pid
            await asyncio.sleep(3)
            idle = crawler.worker_pid
            report = await crawler.crawl(request(replica))
            return first, idle, crawler.worker_pid, report
        finally:
            await crawler.stop()

    first, idle, second, report = run(crawl())
    assert first is not None and second is not None and first != second
    assert idle is None and not process_alive(first)
    assert report.listing_clean
    assert not process_alive(second)  # stop() ended it


def test_a_cancelled_crawl_is_abandoned_and_the_worker_serves_the_next(
        world: World, replica: ReplicaServer) -> None:
    world.hang_seconds = 30

    async def crawl() -> tuple[int | None, int | None, CrawlReport]:
        crawler = ProcessCrawler(OPTIONS)
        try:
            world.fault = "hang"
            task = asyncio.create_task(crawler.crawl(request(replica)))
            while not any(r.fault == "hang" for r in replica.requests):
                await asyncio.sleep(0.05)
            pid = crawler.worker_pid
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            world.fault = None
            started = time.monotonic()
            report = await crawler.crawl(request(replica))
            assert time.monotonic() - started < 20  # not behind the abandoned crawl
            return pid, crawler.worker_pid, report
        finally:
            await crawler.stop()

    before, after, report = run(crawl())
    assert before is not None and before == after
    assert report.listing_clean
    assert not process_alive(before)


def test_the_workers_log_records_reach_the_daemons_log(
        replica: ReplicaServer, caplog: pytest.LogCaptureFixture) -> None:
    async def crawl() -> int | None:
        crawler = ProcessCrawler(OPTIONS)
        try:
            await crawler.crawl(request(replica))
            return crawler.worker_pid
        finally:
            await crawler.stop()

    with caplog.at_level(logging.DEBUG):
        logging.getLogger("scrapy").setLevel(logging.DEBUG)  # the worker takes our levels
        try:
            pid = run(crawl())
        finally:
            logging.getLogger("scrapy").setLevel(logging.NOTSET)
    crawled = [r for r in caplog.records if r.name.startswith("scrapy") and r.process == pid]
    assert any("Crawled (200)" in r.getMessage() for r in crawled), caplog.text[-2000:]
