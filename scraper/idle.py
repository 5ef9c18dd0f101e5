"""An idle poll without a Scrapy crawl: the listing's conditional request made directly.

Most polls find nothing new: the listing answers 304 to the stored validators. Building a
Scrapy crawl for that one request (crawler, engine, downloader, middlewares) cost more
than half of an idle poll's CPU (docs/benchmarks.md, section 1). `IdlePollCrawler` makes
the request itself with an HTTP client kept for the process, robots.txt checked against
the process's cached copy (`scraper.robots`), and returns the not-modified report. Any
other answer (the listing changed, an error status, a failed download) is handed with the
crawl request to the inner crawler, whose spider uses it instead of downloading the page
again (`scraper.middlewares.prefetched`): retries, redirects and error messages are
Scrapy's, as before. What this path does not know how to judge (robots.txt that
redirects or fails, a URL that is not http(s)) goes to the inner crawler untouched.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiohttp

from scraper import robots
from scraper.crawler import ManagedCrawler
from scraper.prefetch import Failure, Prefetched
from scraper.report import CrawlReport
from scraper.request import CrawlRequest, conditional_headers
from scraper.urls import listing_page_url

log = logging.getLogger(__name__)
# Scrapy's DEFAULT_REQUEST_HEADERS (tests/scraper/test_idle.py compares them), so that the
# site sees the same request whichever path makes it; the client adds Accept-Encoding.
DEFAULT_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "en",
}


@dataclass(frozen=True)
class IdleOptions:
    """The parts of the crawl settings the listing's own request obeys."""

    user_agent: str
    download_timeout: float  # seconds, for the whole download as Scrapy's DOWNLOAD_TIMEOUT
    obey_robots_txt: bool = True
    robots_ttl: float = robots.DEFAULT_TTL
    # Seconds between two requests to the site, as Scrapy's DOWNLOAD_DELAY spaces them: kept
    # after robots.txt and before a handed-over answer, whose crawl's first request Scrapy
    # would otherwise send at once (its download slot never saw this one).
    download_delay: float = 0.0


@dataclass(frozen=True)
class _Robots:
    """What robots.txt says of the listing: allowed, or unknown (the inner crawler asks)."""

    allowed: bool | None
    requests: int = 0


class IdlePollCrawler:
    """Answers an idle poll (304) itself; hands everything else to `inner`."""

    def __init__(self, inner: ManagedCrawler, options: IdleOptions) -> None:
        self.inner = inner
        self._options = options
        self._session: aiohttp.ClientSession | None = None
        self._stopping = False

    async def crawl(self, request: CrawlRequest) -> CrawlReport:
        if self._stopping:
            return CrawlReport(source=request.source_name, stopped=True)
        url = listing_page_url(request.source_url, 1)
        if request.reread or request.prefetched or urlsplit(url).scheme not in ("http", "https"):
            return await self.inner.crawl(request)
        verdict = await self._robots(url)
        if not verdict.allowed:  # refused or unknown: Scrapy's middleware says why
            return _plus(await self.inner.crawl(request), verdict.requests)
        if verdict.requests:
            await asyncio.sleep(self._options.download_delay)
        fetched = await self._get(url, conditional_headers(request.etag,
                                                           request.last_modified))
        if fetched.status == 304 and not request.revisits:
            return CrawlReport(source=request.source_name, not_modified=True,
                               requests=1 + verdict.requests, responses=1 + verdict.requests,
                               finish_reason="finished")
        await asyncio.sleep(self._options.download_delay)
        report = await self.inner.crawl(dataclasses.replace(request, prefetched=fetched))
        return _plus(report, verdict.requests)

    async def _robots(self, url: str) -> _Robots:
        if not self._options.obey_robots_txt:
            return _Robots(allowed=True)
        parts = urlsplit(url)
        parser = robots.cached(parts.netloc, self._options.robots_ttl)
        requests = 0
        if parser is None:
            answer = await self._get(f"{parts.scheme}://{parts.netloc}/robots.txt", {})
            requests = 1
            if answer.failure or not (200 <= answer.status < 300 or 400 <= answer.status < 500):
                return _Robots(allowed=None, requests=requests)
            parser = robots.parse(answer.body)
            robots.remember(parts.netloc, parser)
        return _Robots(parser.can_fetch(url, self._options.user_agent), requests)

    async def _get(self, url: str, headers: dict[str, str]) -> Prefetched:
        """One GET, redirects not followed (Scrapy's middlewares follow them, guarded)."""
        try:
            async with self._client().get(url, headers=headers, allow_redirects=False) as answer:
                body = await answer.read()
                kept = tuple((k, v) for k, v in answer.headers.items()
                             if k.lower() not in ("content-encoding", "content-length"))
                return Prefetched(url, answer.status, kept, body)
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            log.debug("GET %s failed: %r", url, exc)
            return Prefetched(url, failure=_failure(exc), detail=str(exc))

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                headers={**DEFAULT_HEADERS, "User-Agent": self._options.user_agent},
                timeout=aiohttp.ClientTimeout(total=self._options.download_timeout),
                # One connection per poll, as Scrapy's crawl had: polls are minutes apart.
                connector=aiohttp.TCPConnector(force_close=True),
                cookie_jar=aiohttp.DummyCookieJar(),  # cookies are off in Scrapy too
                trust_env=True,  # HTTP(S)_PROXY and NO_PROXY, as Scrapy's proxy middleware
            )
        return self._session

    async def stop(self) -> None:
        """Refuse new crawls, stop the inner crawler's, close the client."""
        self._stopping = True
        await self.inner.stop()
        await self.close()

    async def close(self) -> None:
        """Close the client (its connections) before the event loop ends; a later crawl
        opens another."""
        if self._session is not None:
            await self._session.close()

    def collect_between_crawls(self) -> None:
        self.inner.collect_between_crawls()


def _plus(report: CrawlReport, requests: int) -> CrawlReport:
    """The inner crawl's report, counting the requests made here before it."""
    report.requests += requests
    return report


def _failure(exc: BaseException) -> Failure:
    if isinstance(exc, TimeoutError | asyncio.TimeoutError):
        return "timeout"
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return "dns"
    if isinstance(exc, aiohttp.ClientConnectorError) and isinstance(
            exc.os_error, ConnectionRefusedError):
        return "refused"
    return "failed"
