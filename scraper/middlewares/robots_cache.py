"""robots.txt obeyed, but fetched once a day per site rather than once per crawl.

Scrapy's RobotsTxtMiddleware keeps its parsers per crawler, and the daemon starts a new
crawler for every poll: without this cache an idle poll would cost two requests
(robots.txt, then the listing's 304) instead of one. The copies are the process's
(`scraper.robots`), shared with the idle poll's own request (`scraper.idle`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.robotstxt import ProtegoRobotParser
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.python import to_unicode

from scraper import robots

if TYPE_CHECKING:
    from protego import Protego
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response
    from scrapy.robotstxt import RobotParser


class _CachedParser:
    """A cached Protego parser, asked as Scrapy's ProtegoRobotParser asks it."""

    def __init__(self, parser: Protego) -> None:
        self.rp = parser

    def allowed(self, url: str | bytes, user_agent: str | bytes) -> bool:
        return bool(self.rp.can_fetch(to_unicode(url), to_unicode(user_agent)))


class CachedRobotsTxtMiddleware(RobotsTxtMiddleware):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._ttl = crawler.settings.getfloat("ROBOTSTXT_CACHE_SECONDS", robots.DEFAULT_TTL)

    async def robot_parser(self, request: Request) -> RobotParser | None:
        netloc = urlparse_cached(request).netloc
        cached = robots.cached(netloc, self._ttl)
        if netloc not in self._parsers and cached is not None:
            self._parsers[netloc] = _CachedParser(cached)  # type: ignore[assignment]
        return await super().robot_parser(request)

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        await super()._parse_robots(response, netloc, request)
        parser = self._parsers[netloc]
        if isinstance(parser, ProtegoRobotParser) and response.status < 500:
            robots.remember(netloc, parser.rp)
