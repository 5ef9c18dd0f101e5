"""robots.txt parsers kept for the process, shared by every crawl path.

The daemon polls each source every few minutes; robots.txt is fetched once a day per
site (`ROBOTSTXT_CACHE_SECONDS`), whether by Scrapy's middleware
(`scraper.middlewares.robots_cache`) or by the idle poll's own request
(`scraper.idle`): both read and fill this cache, so neither asks again for what the
other just fetched. Protego is the parser Scrapy uses; this module imports no Scrapy.
"""

from __future__ import annotations

import time

from protego import Protego

DEFAULT_TTL = 86400.0  # seconds a fetched robots.txt is trusted

# netloc -> (parser, time.monotonic() when fetched)
_cache: dict[str, tuple[Protego, float]] = {}


def parse(body: bytes) -> Protego:
    """As Scrapy's ProtegoRobotParser does: UTF-8 (BOM dropped), undecodable bytes ignored."""
    return Protego.parse(body.decode("utf-8-sig", errors="ignore"))


def cached(netloc: str, ttl: float = DEFAULT_TTL) -> Protego | None:
    entry = _cache.get(netloc)
    if entry is None or time.monotonic() - entry[1] >= ttl:
        return None
    return entry[0]


def remember(netloc: str, parser: Protego) -> None:
    _cache[netloc] = (parser, time.monotonic())


def forget() -> None:
    """Drop every cached copy (tests; a process that must ask again)."""
    _cache.clear()
