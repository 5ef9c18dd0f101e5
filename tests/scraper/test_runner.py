"""Whole crawls against a local copy of the site, on the session's one event loop."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Mapping
from datetime import date
from typing import Any

import pytest

from scraper.items import KnownItem, ProbeResult
from scraper.report import CrawlReport
from scraper.request import CrawlRequest
from scraper.runner import SourceCrawler
from tests.scraper.site import ETAG, ITEM_1, LAST_MODIFIED, Site

SELECTORS: dict[str, str | None] = {"listing_item": None, "detail_title": None, "detail_body": None}


async def crawl(
    crawler: SourceCrawler,
    source_url: str,
    known: Mapping[str, KnownItem] | None = None,
    **options: Any,
) -> CrawlReport:
    arguments: dict[str, Any] = dict(
        source_name="en",
        source_url=source_url,
        language="en",
        pages=5,
        recheck_latest=0,
        known=known or {},
        etag=None,
        last_modified=None,
        selectors=SELECTORS,
    )
    arguments.update(options)
    return await crawler.crawl(CrawlRequest(**arguments))


def known_items(site: Site) -> dict[str, KnownItem]:
    base = site.base
    hostile_hash = "filled in by the test from a first crawl"
    return {
        f"{base}{ITEM_1}": KnownItem(hostile_hash, date(2025, 2, 7), active=True),
        f"{base}/news/news_odkb/removed-item/": KnownItem("h", date(2025, 1, 20), active=True),
        f"{base}/news/news_odkb/withdrawn-item/": KnownItem("h", date(2025, 1, 12), active=True),
        f"{base}/news/news_odkb/moved-off-listing/": KnownItem("h", date(2025, 1, 18), active=True),
        f"{base}/news/news_odkb/very-old-item/": KnownItem("h", date(2024, 6, 1), active=True),
        f"{base}/news/news_odkb/already-removed/": KnownItem("h", date(2025, 1, 25), active=False),
    }


def test_full_crawl_then_not_modified(run: Any, site: Site, source_crawler: SourceCrawler) -> None:
    source = f"{site.base}/news/"
    first = run(crawl(source_crawler, source))  # warms up the reactor and the imports
    hostile = next(e for e in first.listing if e.url.endswith("/hostile-title/"))
    item_1 = next(e for e in first.listing if e.url == f"{site.base}{ITEM_1}")
    known = known_items(site)
    known[hostile.url] = KnownItem(hostile.fingerprint(), hostile.published, active=True)
    known[item_1.url] = KnownItem(item_1.fingerprint(), item_1.published, active=True)
    site.hits.clear()

    started = time.perf_counter()
    report = run(crawl(source_crawler, source, known, recheck_latest=1))
    elapsed = time.perf_counter() - started
    print(f"\nsecond in-process crawl (3 listing pages, 7 details, 3 probes): {elapsed:.2f} s")

    assert report.listing_clean and report.finish_reason == "finished"
    assert report.listing_pages_ok == 3  # page 3 repeated page 2: paging stopped there
    assert site.hits["/news/?PAGEN_1=3"] == 1 and site.hits["/news/?PAGEN_1=4"] == 0
    assert [(e.position, e.page) for e in report.listing] == [
        (0, 1),
        (1, 1),
        (2, 1),
        (3, 1),
        (4, 2),
        (5, 2),
        (6, 2),
        (7, 2),
    ]
    assert (report.etag, report.last_modified) == (ETAG, LAST_MODIFIED)
    # unchanged and known: the hostile item is not fetched; item 1 is, as the newest
    assert site.hits["/news/news_odkb/hostile-title/"] == 0
    assert site.hits[ITEM_1] == 1
    urls = [item.url for item in report.items]
    assert len(urls) == 5 and item_1.url in urls
    by_url = {item.url: item for item in report.items}
    assert by_url[item_1.url].published == date(2025, 2, 7)
    assert by_url[item_1.url].body[-1].startswith("Allow me to wish you")
    assert sorted(report.probes, key=lambda p: p.url) == [
        ProbeResult(f"{site.base}/news/news_odkb/moved-off-listing/", 200),
        ProbeResult(f"{site.base}/news/news_odkb/removed-item/", 404),
        ProbeResult(f"{site.base}/news/news_odkb/withdrawn-item/", 410),
    ]
    assert report.gone_urls == {
        f"{site.base}/news/news_odkb/removed-item/",
        f"{site.base}/news/news_odkb/withdrawn-item/",
    }
    assert sorted(report.detail_errors) == [
        f"{site.base}/news/news_odkb/broken-page/: no article date (dd.mm.yyyy) after the "
        "title 'A page the scraper cannot read'",
        f"{site.base}/news/speech/speech_of_the_csto_secretary_general_at_the_osce/: HTTP 500",
    ]
    assert site.hits["/news/speech/speech_of_the_csto_secretary_general_at_the_osce/"] == 2
    assert report.responses >= 14 and report.requests == report.responses

    site.hits.clear()
    again = run(
        crawl(source_crawler, source, known, etag=report.etag, last_modified=report.last_modified)
    )
    assert again.not_modified and again.listing_clean
    assert (again.listing, again.items, again.probes, again.listing_errors) == ([], [], [], [])
    assert site.headers["/news/"]["If-None-Match"] == ETAG
    assert site.headers["/news/"]["If-Modified-Since"] == LAST_MODIFIED
    # One request: robots.txt is cached for the process (CachedRobotsTxtMiddleware).
    assert dict(site.hits) == {"/news/": 1}


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_source(run: Any, source_crawler: SourceCrawler) -> None:
    source = f"http://127.0.0.1:{_closed_port()}/news/"
    report = run(crawl(source_crawler, source))
    assert report.listing_errors == [f"cannot reach {source}: connection refused"]
    assert not report.listing_clean
    assert (report.listing, report.items, report.responses) == ([], [], 0)


def test_page_markup_changed(run: Any, site: Site, source_crawler: SourceCrawler) -> None:
    report = run(crawl(source_crawler, f"{site.base}/robots.txt"))
    assert report.listing_errors == [
        f"no news items found on {site.base}/robots.txt: the page markup may have changed"
    ]
    assert not report.listing_clean


def test_stop_abandons_a_crawl(run: Any, site: Site, stoppable_crawler: SourceCrawler) -> None:
    async def crawl_then_stop() -> CrawlReport:
        task = asyncio.ensure_future(crawl(stoppable_crawler, f"{site.base}/slow/news/"))
        await asyncio.sleep(0.3)
        await stoppable_crawler.stop()
        return await task

    started = time.perf_counter()
    report = run(crawl_then_stop())
    assert report.stopped and not report.listing_clean
    assert time.perf_counter() - started < 5
    # A poll that reaches its crawl after shutdown began gets a stopped report, no requests.
    late = run(crawl(stoppable_crawler, f"{site.base}/news/"))
    assert late.stopped and late.requests == 0


@pytest.mark.parametrize("host", ["no-such-host.invalid"])
def test_unknown_host(run: Any, source_crawler: SourceCrawler, host: str) -> None:
    report = run(crawl(source_crawler, f"http://{host}/news/"))
    assert len(report.listing_errors) == 1
    assert report.listing_errors[0].startswith(f"cannot reach http://{host}/news/: ")
