"""A listing page already downloaded (or whose download failed), handed to the spider.

`scraper.idle.IdlePollCrawler` makes the listing's conditional request itself; when the
answer is anything but a plain 304 it hands the answer over with the crawl request, and
the downloader middleware `scraper.middlewares.prefetched` answers the spider's first
listing request with it instead of downloading it again. Plain data (no Scrapy): it
travels in a `CrawlRequest`, also to a crawl in another process.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# How a download failed, as Scrapy's download handler would have raised it.
Failure = Literal["timeout", "refused", "dns", "failed"]


@dataclass(frozen=True)
class Prefetched:
    url: str
    status: int = 0
    headers: tuple[tuple[str, str], ...] = ()  # as received, repeated names kept
    body: bytes = b""  # decoded (no Content-Encoding left)
    failure: Failure | None = None  # the download failed: no status, headers or body
    detail: str = ""  # the failure's own message
