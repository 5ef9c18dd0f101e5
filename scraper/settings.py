"""Scrapy settings for one process, built from the monitor's crawl configuration."""

from __future__ import annotations

from typing import Any

ASYNCIO_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"


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
        "ITEM_PIPELINES": {"scraper.pipelines.validate_items.ValidateItemsPipeline": 300},
        # Any position works: a retried request passes every process_request again.
        "DOWNLOADER_MIDDLEWARES": {
            "scraper.middlewares.retry_backoff.RetryBackoffMiddleware": 560,
            "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
            "scraper.middlewares.robots_cache.CachedRobotsTxtMiddleware": 100,
        },
    }
