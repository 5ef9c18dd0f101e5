"""The idle poll's own request (scraper.idle) against the site replica: what the site sees.

An idle poll is one conditional request answered 304, with no Scrapy crawl built; a
changed listing is fetched once (its answer handed to the spider); robots.txt is still
obeyed; a failing listing ends in the same errors, after the same number of requests,
as a crawl by Scrapy alone.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from scrapy.settings import default_settings

from scraper import robots
from scraper.crawler import ManagedCrawler
from scraper.idle import DEFAULT_HEADERS, IdleOptions, IdlePollCrawler
from scraper.report import CrawlReport
from scraper.request import CrawlRequest
from scraper.runner import SourceCrawler
from scraper.settings import build_settings
from tests.replica import ReplicaServer, World, make_article, sample_world

AGENT = "csto-monitor-tests/0.1"
TIMEOUT = 0.5  # seconds: the `hang` fault outlasts it


@dataclass
class Recording:
    """The real Scrapy crawler, with the requests it was handed kept for the test."""

    inner: ManagedCrawler
    requests: list[CrawlRequest] = field(default_factory=list)

    async def crawl(self, request: CrawlRequest) -> CrawlReport:
        self.requests.append(request)
        return await self.inner.crawl(request)

    async def stop(self) -> None:
        await self.inner.stop()

    def collect_between_crawls(self) -> None:
        self.inner.collect_between_crawls()


def scrapy_crawler() -> SourceCrawler:
    return SourceCrawler(build_settings(
        user_agent=AGENT, download_timeout=TIMEOUT, download_delay=0, autothrottle=False,
        retries=1, retry_backoff=0.05, obey_robots_txt=True))


@pytest.fixture
def world() -> World:
    return sample_world(8, "en", hang_seconds=2.0)


@pytest.fixture
def site(world: World) -> Iterator[ReplicaServer]:
    robots.forget()  # each test sees robots.txt asked for once, as a new process would
    server = ReplicaServer(world, markup="bitrix").start()
    yield server
    server.stop()


@pytest.fixture
def recording(crawl_loop: Any) -> Recording:
    return Recording(scrapy_crawler())


@pytest.fixture
def idle(run: Any, recording: Recording) -> Iterator[IdlePollCrawler]:
    crawler = IdlePollCrawler(recording, IdleOptions(user_agent=AGENT, download_timeout=TIMEOUT))
    yield crawler
    run(crawler.close())


def request(url: str, **fields: Any) -> CrawlRequest:
    return CrawlRequest(source_name="en", source_url=url, language="en", pages=1, **fields)


def paths(site: ReplicaServer) -> list[str]:
    return [r.path for r in site.requests]


def test_idle_poll_is_one_conditional_request_without_a_crawl(
        run: Any, site: ReplicaServer, idle: IdlePollCrawler, recording: Recording) -> None:
    first = run(idle.crawl(request(site.listing_url)))
    assert len(first.listing) == 8 and first.etag and first.last_modified
    assert paths(site).count("/news/") == 1  # fetched once, then handed to the spider
    assert recording.requests[0].prefetched is not None
    site.clear_log()
    recording.requests.clear()

    again = run(idle.crawl(request(site.listing_url, etag=first.etag,
                                   last_modified=first.last_modified)))

    assert again.not_modified and again.listing_clean and again.requests == 1
    assert paths(site) == ["/news/"]  # robots.txt from the cache: one request in all
    sent = site.requests[0]
    assert sent.status == 304 and sent.headers["if-none-match"] == first.etag
    assert sent.headers["if-modified-since"] == first.last_modified
    assert sent.headers["user-agent"] == AGENT
    assert recording.requests == []  # no Scrapy crawl built for it
    idle_headers = {k: v for k, v in sent.headers.items() if not k.startswith("if-")}
    run(recording.inner.crawl(request(site.listing_url, etag=first.etag)))
    scrapy_headers = site.requests[-1].headers
    for name in ("accept", "accept-language", "user-agent"):
        assert idle_headers[name] == scrapy_headers[name]  # the site sees the same request


def test_default_headers_are_scrapys() -> None:
    assert default_settings.DEFAULT_REQUEST_HEADERS == DEFAULT_HEADERS


def test_changed_listing_is_fetched_once_and_read_by_the_spider(
        run: Any, world: World, site: ReplicaServer, idle: IdlePollCrawler) -> None:
    first = run(idle.crawl(request(site.listing_url)))
    world.publish(make_article("A new story of the CSTO", published=date(2026, 1, 5)))
    site.clear_log()

    changed = run(idle.crawl(request(site.listing_url, etag=first.etag,
                                     last_modified=first.last_modified)))

    assert not changed.not_modified and changed.listing_clean
    assert changed.listing[0].title == "A new story of the CSTO"
    assert changed.etag != first.etag
    listing = [r for r in site.requests if r.path == "/news/"]
    assert [r.status for r in listing] == [200]  # once, by the idle request
    assert changed.requests == len(site.requests)  # the report counts it, as Scrapy did


def test_robots_txt_disallowing_the_listing_is_obeyed(
        run: Any, world: World, site: ReplicaServer, idle: IdlePollCrawler) -> None:
    world.robots = "User-agent: *\nDisallow: /news/\n"

    report = run(idle.crawl(request(site.listing_url, etag='"x"')))

    assert paths(site) == ["/robots.txt"]  # asked once, then the listing left alone
    assert report.listing_errors == [
        f"{site.listing_url}: not fetched (Forbidden by robots.txt)"]
    assert not report.not_modified and not report.listing_clean


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("fault", ["http_503", "hang", "reset", "http_404"])
def test_a_failing_listing_ends_as_it_did_with_scrapy_alone(
        run: Any, world: World, site: ReplicaServer, idle: IdlePollCrawler,
        recording: Recording, fault: str) -> None:
    world.set_fault(fault)
    before = run(recording.inner.crawl(request(site.listing_url, etag='"x"')))
    asked_before = paths(site).count("/news/")
    site.clear_log()

    report = run(idle.crawl(request(site.listing_url, etag='"x"')))

    assert report.listing_errors == before.listing_errors and report.listing_errors
    assert paths(site).count("/news/") == asked_before  # retries included, none more
    assert (report.not_modified, report.listing) == (False, [])


def test_an_unreachable_site_ends_as_it_did_with_scrapy_alone(
        run: Any, idle: IdlePollCrawler, recording: Recording) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/news/"
    before = run(recording.inner.crawl(request(url)))

    report = run(idle.crawl(request(url)))

    assert report.listing_errors == before.listing_errors == [
        f"cannot reach {url}: connection refused"]


def test_revisits_due_after_a_304_are_read_by_the_spider(
        run: Any, site: ReplicaServer, idle: IdlePollCrawler, recording: Recording) -> None:
    from scraper.request import Revisit

    first = run(idle.crawl(request(site.listing_url)))
    page = first.items[0]
    site.clear_log()
    revisit = Revisit(url=page.url, published=page.published, title=page.title,
                      lead=page.lead, listing_hash="h")

    report = run(idle.crawl(request(site.listing_url, etag=first.etag, revisits=(revisit,))))

    assert report.not_modified and report.revisited[0].url == page.url
    assert [r.status for r in site.requests if r.path == "/news/"] == [304]  # once


def test_a_stopped_crawler_refuses_polls(run: Any, site: ReplicaServer,
                                         idle: IdlePollCrawler) -> None:
    run(idle.stop())
    report = run(idle.crawl(request(site.listing_url, etag='"x"')))
    assert report.stopped and site.requests == []


def test_the_download_delay_spaces_the_handed_over_listing_and_the_next_request(
        run: Any, site: ReplicaServer, recording: Recording) -> None:
    delay = 0.4
    idle = IdlePollCrawler(recording, IdleOptions(user_agent=AGENT, download_timeout=TIMEOUT,
                                                  download_delay=delay))
    try:
        run(idle.crawl(request(site.listing_url)))
    finally:
        run(idle.close())
    robots_txt, listing, first_detail = site.requests[:3]
    assert (robots_txt.path, listing.path) == ("/robots.txt", "/news/")
    assert listing.time - robots_txt.time >= delay * 0.9
    assert first_detail.time - listing.time >= delay * 0.9  # as Scrapy's slot would space them
