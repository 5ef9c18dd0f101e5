"""The cost of an idle revisit, measured at the replica: a crawl whose listing is unchanged
(answered 304) with one revisit due of an unchanged page, sent with the page's validators.

    .venv/bin/python -m bench.replay_idle   (prints JSON; bench.replay runs it)
"""

from __future__ import annotations

import asyncio
import json
from typing import Any


async def _crawls(server: Any) -> dict[str, Any]:
    from core.config import Settings
    from monitor.crawl_settings import scrapy_settings
    from scraper.request import CrawlRequest, Revisit
    from scraper.runner import SourceCrawler

    url = server.listing_url
    settings = Settings.model_validate({
        "sources": [{"name": "bench", "url": url, "language": "en"}],
        "crawl": {"download_delay": "0s", "autothrottle": False}})
    crawler = SourceCrawler(scrapy_settings(settings))
    request = CrawlRequest(source_name="bench", source_url=url, language="en", pages=1)
    first = await crawler.crawl(request)
    entry, item = first.listing[0], next(i for i in first.items if i.url == first.listing[0].url)
    etag, modified = first.page_validators[entry.url]
    revisit = Revisit(url=entry.url, published=item.published, title=item.title,
                      lead=item.lead, listing_hash=item.listing_hash, etag=etag,
                      last_modified=modified)
    known = {i.url: _known(i) for i in first.items}
    server.clear_log()
    again = await crawler.crawl(CrawlRequest(
        source_name="bench", source_url=url, language="en", pages=1, known=known,
        etag=first.etag, last_modified=first.last_modified, revisits=(revisit,)))
    answers = [(r.path, r.status) for r in server.requests]
    return {"requests": again.requests, "answers": answers,
            "unchanged": again.revisits_unchanged == [entry.url]}


def _known(item: Any) -> Any:
    from scraper.items import KnownItem

    return KnownItem(item.listing_hash, item.published, active=True)


def worker() -> dict[str, Any]:
    from scraper.reactor import ensure_reactor, shutdown_reactor
    from tests.replica import ReplicaServer, sample_world

    loop = asyncio.new_event_loop()

    async def start() -> None:
        ensure_reactor()

    loop.run_until_complete(start())
    try:
        with ReplicaServer(sample_world(6, "en"), markup="bitrix", language="en").start() as s:
            return loop.run_until_complete(_crawls(s))
    finally:
        shutdown_reactor()


if __name__ == "__main__":
    print(json.dumps(worker()), flush=True)
