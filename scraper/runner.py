"""Run one crawl of one source inside the host's asyncio loop and report on it."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Callable, Mapping
from typing import Any

# Imported here, not at the first request: Scrapy loads its HTTP handler deep inside a
# crawl, where the three deprecated-class shims of its TLS modules each walk the whole
# stack with inspect.stack() (~0.1 s of CPU for every `check`); near the top of the stack
# the same import costs ~15 ms. It does not import twisted.internet.reactor.
import scrapy.core.downloader.handlers.http11  # noqa: F401
from scrapy import signals
from scrapy.crawler import AsyncCrawlerRunner, Crawler
from scrapy.http import Response
from twisted.python.failure import Failure

from scraper.code_errors import CodeError, from_item_error, from_spider_error
from scraper.items import FetchedDocument, ListingEntry, NewsItem, ProbeResult
from scraper.reactor import ensure_reactor
from scraper.report import CrawlReport
from scraper.request import CrawlRequest
from scraper.settings import CrawlSettings
from scraper.spiders.news import CrawlOutcome, NewsSpider

logger = logging.getLogger(__name__)
# Called with every item the spider yields (listing entries too), e.g. for a progress bar.
ItemHook = Callable[[Any], None]


class _Collector:
    """Receives the items of one crawl (signals keep weak references: keep this alive)."""

    def __init__(self, on_item: ItemHook | None = None) -> None:
        self.on_item = on_item
        self.listing: list[ListingEntry] = []
        self.items: list[NewsItem] = []
        self.probes: list[ProbeResult] = []
        self.documents: list[FetchedDocument] = []
        self.dropped: list[str] = []
        self.code_errors: list[CodeError] = []
        self.stopped = False

    def item_scraped(self, item: Any) -> None:
        if isinstance(item, ListingEntry):
            self.listing.append(item)
        elif isinstance(item, NewsItem):
            self.items.append(item)
        elif isinstance(item, ProbeResult):
            self.probes.append(item)
        elif isinstance(item, FetchedDocument):
            self.documents.append(item)
        if self.on_item is not None:
            self.on_item(item)

    def item_dropped(self, item: Any, exception: BaseException) -> None:
        self.dropped.append(f"dropped: {exception}")

    def spider_error(self, failure: Failure, response: Response | Failure | None) -> None:
        """A callback or errback raised: Scrapy logged it and went on without its output."""
        self.code_errors.append(from_spider_error(failure, response))

    def item_error(self, item: Any, response: Response | None, failure: Failure) -> None:
        """An item pipeline raised something other than DropItem: the item is lost."""
        self.code_errors.append(from_item_error(item, response, failure))


class SourceCrawler:
    """One `AsyncCrawlerRunner` for the process; `crawl()` once per source and poll."""

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self._runner = AsyncCrawlerRunner(CrawlSettings(dict(settings)))
        self._active: dict[Crawler, _Collector] = {}
        self._stopping = False
        self._collect = False
        level = settings.get("LOG_LEVEL")
        if level:  # LOG_LEVEL only acts through configure_logging(), which the host skips
            logging.getLogger("scrapy").setLevel(level)

    async def crawl(self, request: CrawlRequest, on_item: ItemHook | None = None
                    ) -> CrawlReport:
        """Crawl one source; failures end up in the report, never as exceptions."""
        if self._stopping:  # a poll that reached its crawl after shutdown began
            return CrawlReport(source=request.source_name, stopped=True)
        ensure_reactor()
        if self._collect:
            gc.collect()  # free the last crawl's reference cycles before this one allocates
        crawler = self._runner.create_crawler(NewsSpider)
        collector = _Collector(on_item)
        crawler.signals.connect(collector.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(collector.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(collector.spider_error, signal=signals.spider_error)
        crawler.signals.connect(collector.item_error, signal=signals.item_error)
        self._active[crawler] = collector
        failure: str | None = None
        try:
            await self._runner.crawl(crawler, request=request)
        except asyncio.CancelledError:
            collector.stopped = True
            await asyncio.shield(crawler.stop_async())
            raise
        except Exception as exc:  # a crawl must not take the daemon down
            logger.exception("crawl of %s failed", request.source_name)
            failure = f"crawl of {request.source_url} failed: {type(exc).__name__}: {exc}"
        finally:
            self._active.pop(crawler, None)
        if _cancel_requested():
            collector.stopped = True
        return _report(request.source_name, crawler, collector, failure)

    def collect_between_crawls(self) -> None:
        """Run the garbage collector before each crawl: for a long-lived process that froze
        the objects of its start (`gc.freeze()`), which makes a collection cheap (~0.5 ms);
        without the freeze it walks the whole heap (~100 ms)."""
        self._collect = True

    async def stop(self) -> None:
        """Abandon the running crawls and refuse new ones; their reports say `stopped=True`."""
        self._stopping = True
        for collector in self._active.values():
            collector.stopped = True
        await self._runner.stop()


def _cancel_requested() -> bool:
    """Whether our task was cancelled (the scheduler's shutdown) while the crawl ran.

    Awaiting Scrapy's crawl task hands a cancellation on to that task, and Scrapy's engine
    swallows it: the crawl then returns normally, half done, with finish_reason None. Only
    our own task's pending request tells that it was abandoned rather than failed.
    """
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


def _report(
    source_name: str, crawler: Crawler, collector: _Collector, failure: str | None
) -> CrawlReport:
    spider = getattr(crawler, "spider", None)
    outcome = spider.outcome if isinstance(spider, NewsSpider) else CrawlOutcome()
    stats = crawler.stats
    listing_errors = list(outcome.listing_errors)
    if failure:
        listing_errors.append(failure)
    return CrawlReport(
        source=source_name,
        not_modified=outcome.not_modified,
        listing=list(collector.listing),
        items=list(collector.items),
        probes=list(collector.probes),
        documents=list(collector.documents),
        listing_pages_ok=outcome.listing_pages_ok,
        listing_errors=listing_errors,
        detail_errors=[*outcome.detail_errors, *collector.dropped],
        etag=outcome.etag,
        last_modified=outcome.last_modified,
        requests=int(stats.get_value("downloader/request_count", 0)) if stats else 0,
        responses=int(stats.get_value("downloader/response_count", 0)) if stats else 0,
        finish_reason=stats.get_value("finish_reason") if stats else None,
        stopped=collector.stopped,
        second_opinions=outcome.second_opinions,
        disagreements=outcome.disagreements,
        revisited=list(outcome.revisited),
        revisits_unchanged=list(outcome.revisits_unchanged),
        page_validators=dict(outcome.page_validators),
        code_errors=list(collector.code_errors),
        second_opinion_failures=outcome.second_opinion_failures,
    )
