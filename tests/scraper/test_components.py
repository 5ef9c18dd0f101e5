"""The item pipeline, the backoff middleware and the settings."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from scrapy import Request
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.utils.test import get_crawler

from scraper.items import ListingEntry, NewsItem, ProbeResult
from scraper.middlewares.retry_backoff import RetryBackoffMiddleware
from scraper.pipelines.validate_items import ValidateItemsPipeline
from scraper.settings import build_settings
from scraper.spiders.news import NewsSpider


def news(**changes: object) -> NewsItem:
    values: dict[str, object] = dict(
        url="https://en.odkb-csto.org/news/news_odkb/x/",
        section="news_odkb",
        slug="x",
        language="en",
        published=date(2025, 2, 7),
        title="Title",
        lead="Lead",
    )
    values.update(changes)
    return NewsItem(**values)  # type: ignore[arg-type]


def test_pipeline_drops_items_without_title_or_date() -> None:
    crawler = get_crawler(NewsSpider)
    pipeline = ValidateItemsPipeline.from_crawler(crawler)
    assert pipeline.process_item(news()) == news()
    other = [ProbeResult("u", 404), ListingEntry("u", None, "", "", 1, 0)]
    assert [pipeline.process_item(item) for item in other] == other  # only NewsItem is checked
    with pytest.raises(DropItem, match="/x/: no title found"):
        pipeline.process_item(news(title="  "))
    with pytest.raises(DropItem, match="no title and no date"):
        pipeline.process_item(news(title="", published=None))
    assert crawler.stats is not None
    assert crawler.stats.get_value("validate_items/dropped") == 2


def test_backoff_grows_exponentially_and_is_capped() -> None:
    middleware = RetryBackoffMiddleware(base=2.0, cap=10.0)
    assert [middleware.delay(n) for n in range(5)] == [0.0, 2.0, 4.0, 8.0, 10.0]


def test_backoff_waits_only_before_retries() -> None:
    middleware = RetryBackoffMiddleware(base=0.05, cap=1.0)
    loop = asyncio.new_event_loop()  # no crawl runs here: a plain loop is enough
    try:
        start = loop.time()
        assert loop.run_until_complete(middleware.process_request(Request("http://x/"))) is None
        first = loop.time() - start
        retried = Request("http://x/", meta={"retry_times": 2})
        assert loop.run_until_complete(middleware.process_request(retried)) is None
        second = loop.time() - start - first
    finally:
        loop.close()
    assert first < 0.05 <= second + 0.01


def test_backoff_is_off_without_a_base() -> None:
    with pytest.raises(NotConfigured):
        RetryBackoffMiddleware.from_crawler(get_crawler(settings_dict={"RETRY_BACKOFF_BASE": 0}))
    middleware = RetryBackoffMiddleware.from_crawler(
        get_crawler(settings_dict={"RETRY_BACKOFF_BASE": 1.5, "RETRY_BACKOFF_MAX": 5})
    )
    assert (middleware.base, middleware.cap) == (1.5, 5.0)


def test_settings() -> None:
    settings = build_settings(
        user_agent="ua",
        download_timeout=30,
        download_delay=1.5,
        autothrottle=True,
        retries=2,
        retry_backoff=2,
        obey_robots_txt=True,
    )
    assert settings["AUTOTHROTTLE_ENABLED"] is True
    assert settings["AUTOTHROTTLE_START_DELAY"] == 1.5
    assert settings["CONCURRENT_REQUESTS_PER_DOMAIN"] == 1
    assert settings["RETRY_TIMES"] == 2
    assert settings["TELNETCONSOLE_ENABLED"] is False
    assert settings["REMOTE_CONTROL_ENABLED"] is False
    assert settings["COOKIES_ENABLED"] is False
    assert settings["TWISTED_REACTOR"].endswith("AsyncioSelectorReactor")
    assert settings["LOG_LEVEL"] == "WARNING"
    crawler = get_crawler(NewsSpider, settings)
    assert crawler.settings.getfloat("DOWNLOAD_TIMEOUT") == 30
