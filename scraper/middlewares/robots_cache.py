"""robots.txt obeyed, but fetched once a day per site rather than once per crawl.

Scrapy's RobotsTxtMiddleware keeps its parsers per crawler, and the daemon starts a new
crawler for every poll: without this cache an idle poll would cost two requests
(robots.txt, then the listing's 304) instead of one.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, ClassVar

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.utils.httpobj import urlparse_cached

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response
    from scrapy.robotstxt import RobotParser


class CachedRobotsTxtMiddleware(RobotsTxtMiddleware):
    # Shared by every crawler of the process: netloc -> (parser, fetched at).
    _cache: ClassVar[dict[str, tuple[RobotParser, float]]] = {}

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._ttl = crawler.settings.getfloat("ROBOTSTXT_CACHE_SECONDS", 86400.0)

    async def robot_parser(self, request: Request) -> RobotParser | None:
        netloc = urlparse_cached(request).netloc
        cached = self._cache.get(netloc)
        if netloc not in self._parsers and cached and time.monotonic() - cached[1] < self._ttl:
            self._parsers[netloc] = cached[0]
        return await super().robot_parser(request)

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        await super()._parse_robots(response, netloc, request)
        parser = self._parsers[netloc]
        if parser is not None and response.status < 500:
            # The parser keeps the spider only for decoding; do not pin old spiders in memory.
            if hasattr(parser, "spider"):
                parser.spider = None
            self._cache[netloc] = (parser, time.monotonic())  # type: ignore[assignment]
