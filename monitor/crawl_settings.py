"""The Scrapy settings of a crawl, from the validated configuration.

A module of its own, light to import: the daemon, `backfill` and the archive benchmark's
bare spider (the ceiling must download exactly as the product does) all build them here.
The daemon only takes the plain options (`crawl_options`): its crawl worker builds the
Scrapy settings from them, so that the daemon never imports Scrapy.
"""

from __future__ import annotations

import logging
from typing import Any

from core.config import Settings


def crawl_options(settings: Settings) -> dict[str, Any]:
    """`scraper.settings.build_settings`'s keyword arguments: plain values."""
    crawl = settings.crawl
    return {
        "user_agent": settings.user_agent,
        "download_timeout": crawl.download_timeout.total_seconds(),
        "download_delay": crawl.download_delay.total_seconds(),
        "autothrottle": crawl.autothrottle,
        "retries": crawl.retries,
        "retry_backoff": crawl.retry_backoff.total_seconds(),
        "obey_robots_txt": crawl.obey_robots_txt,
        # Failed downloads are reported in the poll's one-line outcome; Scrapy's own
        # tracebacks only when debugging.
        "log_level": "DEBUG" if logging.getLogger().level == logging.DEBUG else "CRITICAL",
    }


def scrapy_settings(settings: Settings) -> dict[str, object]:
    from scraper.settings import build_settings  # Scrapy: only where a crawl runs

    return build_settings(**crawl_options(settings))
