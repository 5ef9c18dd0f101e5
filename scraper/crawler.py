"""What the monitor asks of a crawler, and a crawler built at its first crawl.

The protocols live here, below the monitor, so that crawlers which wrap other crawlers
(`scraper.idle.IdlePollCrawler`, a crawl in a worker process) can be typed by them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

from scraper.report import CrawlReport
from scraper.request import CrawlRequest


class Crawler(Protocol):
    async def crawl(self, request: CrawlRequest) -> CrawlReport: ...


class ManagedCrawler(Crawler, Protocol):
    """A crawler owned by a long-lived process: stopped at shutdown (a crawl under way is
    abandoned, later ones refused), and told once the process froze its start-up objects
    (`gc.freeze()`), after which collecting before each crawl is cheap."""

    async def stop(self) -> None: ...

    def collect_between_crawls(self) -> None: ...


C = TypeVar("C", bound=ManagedCrawler)


class LazyCrawler(Generic[C]):
    """A crawler built at its first crawl: what it imports (Scrapy, Twisted) is loaded by a
    process only once it has something to crawl."""

    def __init__(self, build: Callable[[], C]) -> None:
        self._build = build
        self._crawler: C | None = None
        self._collect = False
        self._stopped = False

    def get(self) -> C:
        """The crawler, built now if it was not yet (inside the running event loop)."""
        if self._crawler is None:
            self._crawler = self._build()
            if self._collect:
                self._crawler.collect_between_crawls()
        return self._crawler

    @property
    def built(self) -> bool:
        return self._crawler is not None

    async def crawl(self, request: CrawlRequest) -> CrawlReport:
        if self._stopped:
            return CrawlReport(source=request.source_name, stopped=True)
        return await self.get().crawl(request)

    async def stop(self) -> None:
        self._stopped = True
        if self._crawler is not None:
            await self._crawler.stop()

    def collect_between_crawls(self) -> None:
        self._collect = True
        if self._crawler is not None:
            self._crawler.collect_between_crawls()
