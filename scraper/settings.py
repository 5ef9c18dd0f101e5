"""Scrapy settings for one process, built from the monitor's crawl configuration."""

from __future__ import annotations

import pickle
from typing import Any

from scrapy.settings import Settings, default_settings

ASYNCIO_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
_UNUSED_EXTENSIONS = tuple(f"scrapy.extensions.{name}" for name in (
    "telnet.TelnetConsole", "memusage.MemoryUsage", "memdebug.MemoryDebugger",
    "closespider.CloseSpider", "feedexport.FeedExporter", "logstats.LogStats",
    "spiderstate.SpiderState", "remote_control.RemoteControl",
))
# Scrapy imports every class named in a component setting, even one set to None (to merge
# keys given as paths and as classes), so leaving one out means leaving it out of the
# *_BASE setting: the remote-control extension alone imports aiohttp, and the cookies
# middleware (cookies are off) tldextract and requests, ~0.4 s of CPU and ~10 MB at start.
_EXTENSIONS = {path: order for path, order in default_settings.EXTENSIONS_BASE.items()
               if path not in _UNUSED_EXTENSIONS}
_UNUSED_DOWNLOADER_MIDDLEWARES = tuple(f"scrapy.downloadermiddlewares.{name}" for name in (
    "cookies.CookiesMiddleware", "httpcache.HttpCacheMiddleware",
    "robotstxt.RobotsTxtMiddleware",  # replaced by CachedRobotsTxtMiddleware
))
_DOWNLOADER_MIDDLEWARES = {
    **{path: order for path, order in default_settings.DOWNLOADER_MIDDLEWARES_BASE.items()
       if path not in _UNUSED_DOWNLOADER_MIDDLEWARES},
    # Before robots.txt (100) and Scrapy's offsite check (50): a refused request must not
    # make robots.txt be asked of its host.
    "scraper.middlewares.fetch_guard.FetchGuardMiddleware": 40,
    "scraper.middlewares.robots_cache.CachedRobotsTxtMiddleware": 100,
    # Any position works: a retried request passes every process_request again.
    "scraper.middlewares.retry_backoff.RetryBackoffMiddleware": 560,
    # Last before the download: the listing answer the idle poll already has passes every
    # other middleware as a downloaded one would (scraper.middlewares.prefetched).
    "scraper.middlewares.prefetched.PrefetchedMiddleware": 950,
}
_UNUSED_SCHEMES = ("file", "s3", "ftp", "data")


def build_settings(
    *,
    user_agent: str,
    download_timeout: float,
    download_delay: float,
    autothrottle: bool,
    retries: int,
    retry_backoff: float,
    obey_robots_txt: bool,
    log_level: str = "WARNING",
) -> dict[str, Any]:
    """Settings for `SourceCrawler`; durations are in seconds."""
    return {
        "BOT_NAME": "csto_monitor",
        "USER_AGENT": user_agent,
        "ROBOTSTXT_OBEY": obey_robots_txt,
        "DOWNLOAD_TIMEOUT": download_timeout,
        "DOWNLOAD_DELAY": download_delay,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        "AUTOTHROTTLE_ENABLED": autothrottle,
        "AUTOTHROTTLE_START_DELAY": download_delay,
        "AUTOTHROTTLE_MAX_DELAY": max(60.0, download_delay),
        "RETRY_ENABLED": retries > 0,
        "RETRY_TIMES": retries,
        "RETRY_BACKOFF_BASE": retry_backoff,
        "RETRY_BACKOFF_MAX": 60.0,
        "RETRY_GIVE_UP_LOG_LEVEL": "WARNING",  # the report carries the error
        "COOKIES_ENABLED": False,
        "HTTPCACHE_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,
        "TWISTED_REACTOR": ASYNCIO_REACTOR,
        # The host application configures logging; Scrapy only feeds its loggers.
        "LOG_ENABLED": True,
        "LOG_LEVEL": log_level,
        "LOGSTATS_INTERVAL": 0,
        "STATS_DUMP": False,
        # Built again for every crawl (one per poll): leave out what a poll never uses.
        "EXTENSIONS_BASE": _EXTENSIONS,
        "ITEM_PIPELINES": {"scraper.pipelines.validate_items.ValidateItemsPipeline": 300},
        "DOWNLOADER_MIDDLEWARES_BASE": _DOWNLOADER_MIDDLEWARES,
        # Pages and files are fetched over http(s) only: no local files, S3, FTP or data:.
        "DOWNLOAD_HANDLERS": dict.fromkeys(_UNUSED_SCHEMES),
    }


class CrawlSettings(Settings):
    """Scrapy `Settings` that each new Crawler copies cheaply.

    Every poll creates a Crawler, and `Crawler.__init__` deep-copies the settings: with
    `copy.deepcopy` that was ~40 % of an idle poll's CPU (py-spy, docs/benchmarks.md); a
    pickle round trip makes the same independent copy about five times faster.
    """

    def __deepcopy__(self, memo: dict[int, Any]) -> CrawlSettings:
        copied: CrawlSettings = pickle.loads(pickle.dumps(self, pickle.HIGHEST_PROTOCOL))
        return copied
