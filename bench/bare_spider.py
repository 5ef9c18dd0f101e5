"""The ceiling for the archive crawl: a bare Scrapy spider that stores nothing.

It reads the same listing pages and detail pages as `csto-monitor backfill` with the
product's own Scrapy settings (built from the same config file: one request at a time per
domain, robots.txt obeyed, same user agent, timeouts and retries) and parses them with
plain fixed selectors for the replica's Bitrix markup (title, date, body text). Items are
counted, not stored, validated or reported on.

    .venv/bin/python -m bench.bare_spider --config cfg.yaml --pages 250

Prints one JSON line: {"items": N, "requests": N, "responses": N, "listed": N}.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.http import Request, Response

from core.config import Settings, load_settings
from monitor.crawl_settings import scrapy_settings
from scraper.spiders.news import NewsSpider


def bare_settings(settings: Settings) -> dict[str, Any]:
    """The product's download settings and engine tuning; no pipeline (nothing is stored)."""
    return {**scrapy_settings(settings), **NewsSpider.custom_settings, "ITEM_PIPELINES": {}}


def canonical(href: str, page_url: str) -> str:
    """The detail URL without query or fragment, with its trailing slash (as the product)."""
    parts = urlsplit(urljoin(page_url, href))
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return f"{parts.scheme}://{parts.netloc}{path}"


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, *, source_url: str, pages: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.source_url, self.pages = source_url, pages
        self.details: dict[str, None] = {}  # listing order, one per URL

    async def start(self) -> AsyncIterator[Request]:
        yield Request(self.source_url, self.parse_listing, cb_kwargs={"page": 1},
                      dont_filter=True)

    def parse_listing(self, response: Response, page: int) -> Iterator[Request]:
        before = len(self.details)
        for href in response.css("div.news-list > div.news-item > a::attr(href)").getall():
            self.details.setdefault(canonical(href, response.url), None)
        if len(self.details) > before and page < self.pages:
            yield Request(f"{self.source_url}?PAGEN_1={page + 1}", self.parse_listing,
                          cb_kwargs={"page": page + 1}, dont_filter=True)
            return
        for url in self.details:  # like the product: every detail once the listing is read
            yield Request(url, self.parse_detail)

    def parse_detail(self, response: Response) -> Iterator[dict[str, Any]]:
        article = response.css("div.news-detail")
        yield {
            "url": response.url,
            "title": " ".join(article.css("p.news-title::text").getall()).strip(),
            "date": article.css("span.news-date-time::text").get(),
            "body": [" ".join(p.css("::text").getall()).strip() for p in article.css("p")],
        }


def crawl(config: Path, pages: int) -> dict[str, int]:
    settings = load_settings(config, env={})
    process = CrawlerProcess(bare_settings(settings))
    crawler = process.create_crawler(BareSpider)
    items: list[int] = []

    def counted(item: Any) -> None:
        items.append(1)

    crawler.signals.connect(counted, signal=signals.item_scraped)
    process.crawl(crawler, source_url=str(settings.sources[0].url), pages=pages)
    process.start()
    stats = crawler.stats
    assert stats is not None and isinstance(crawler.spider, BareSpider)
    return {"items": len(items),
            "requests": int(stats.get_value("downloader/request_count", 0)),
            "responses": int(stats.get_value("downloader/response_count", 0)),
            "listed": len(crawler.spider.details)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--pages", type=int, default=250)
    args = parser.parse_args()
    print(json.dumps(crawl(args.config, args.pages)), flush=True)


if __name__ == "__main__":
    main()
