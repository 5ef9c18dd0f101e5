"""Exponential backoff between retries (Scrapy's RetryMiddleware retries at once).

A retried request carries `retry_times` in its meta; before it is downloaded again it
waits `RETRY_BACKOFF_BASE * 2 ** (retry_times - 1)` seconds, at most
`RETRY_BACKOFF_MAX`. The wait happens before the request takes a download slot, so
other requests go on meanwhile. Needs the asyncio reactor (`await asyncio.sleep`).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from scrapy.exceptions import NotConfigured

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response


class RetryBackoffMiddleware:
    def __init__(self, base: float, cap: float) -> None:
        self.base = base
        self.cap = cap

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        base = crawler.settings.getfloat("RETRY_BACKOFF_BASE", 0.0)
        if base <= 0 or not crawler.settings.getbool("RETRY_ENABLED"):
            raise NotConfigured
        return cls(base, crawler.settings.getfloat("RETRY_BACKOFF_MAX", 60.0))

    def delay(self, retry_times: int) -> float:
        return 0.0 if retry_times < 1 else min(self.cap, self.base * 2 ** (retry_times - 1))

    async def process_request(self, request: Request) -> Request | Response | None:
        delay = self.delay(int(request.meta.get("retry_times", 0)))
        if delay > 0:
            await asyncio.sleep(delay)
        return None
