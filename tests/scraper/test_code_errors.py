"""Exceptions in our own crawl code reach the report (Scrapy's spider_error and item_error
signals), and a failing second opinion never costs the page.

Faults are injected into the process by replacing one of our functions; the crawls are
real (the local site, tests/scraper/site.py). The real command: tests/test_e2e_code_faults.py.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from scrapy.http import HtmlResponse

from scraper.extract import second_opinion as second_opinion_module
from scraper.items import ListingEntry, NewsItem
from scraper.pipelines.validate_items import ValidateItemsPipeline
from scraper.runner import SourceCrawler
from scraper.spiders import news as news_module
from tests.scraper.site import ITEM_1, Site, page
from tests.scraper.test_runner import crawl
from tests.scraper.test_spider import spider

LXML_SPLIT = ("lxml.html.clean module is now a separate project lxml_html_clean.\n"
              "Install lxml[html-clean] or lxml_html_clean directly.")


def test_a_callback_that_raises_is_reported_with_its_page_and_stage(
        run: Any, site: Site, source_crawler: SourceCrawler,
        monkeypatch: pytest.MonkeyPatch) -> None:
    healthy = run(crawl(source_crawler, f"{site.base}/news/"))
    extract = news_module.extract_detail

    def broken_on_item_1(html: str, url: str, **kwargs: Any) -> Any:
        if url.endswith(ITEM_1):
            raise KeyError("dateline")
        return extract(html, url, **kwargs)

    monkeypatch.setattr(news_module, "extract_detail", broken_on_item_1)
    report = run(crawl(source_crawler, f"{site.base}/news/"))
    assert [(e.stage, e.url, e.error) for e in report.code_errors] == [
        ("detail", f"{site.base}{ITEM_1}", "KeyError: 'dateline'")]
    assert {i.url for i in report.items} == {i.url for i in healthy.items} - {
        f"{site.base}{ITEM_1}"}
    assert report.code_error_counts() == {"detail": 1}
    assert not healthy.code_errors


def test_a_pipeline_that_raises_is_reported(run: Any, site: Site,
                                            source_crawler: SourceCrawler,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    validate = ValidateItemsPipeline.process_item

    def broken(self: ValidateItemsPipeline, item: Any) -> Any:
        if isinstance(item, NewsItem) and item.url.endswith(ITEM_1):
            raise TypeError("unhashable type: 'list'")
        return validate(self, item)

    monkeypatch.setattr(ValidateItemsPipeline, "process_item", broken)
    report = run(crawl(source_crawler, f"{site.base}/news/"))
    assert [(e.stage, e.url, e.error) for e in report.code_errors] == [
        ("pipeline", f"{site.base}{ITEM_1}", "TypeError: unhashable type: 'list'")]
    assert f"{site.base}{ITEM_1}" not in {i.url for i in report.items}


def test_a_failing_second_opinion_keeps_the_page_and_is_logged_once(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    def missing_module(*args: Any) -> Any:
        raise ImportError(LXML_SPLIT)

    monkeypatch.setattr(news_module, "second_opinion", missing_module)
    monkeypatch.setattr(second_opinion_module._LoggedOnce, "done", False)
    url = "https://en.odkb-csto.org/news/news_odkb/the-csto-secretary-general-participated/"
    response = HtmlResponse(url, body=page("bitrix/detail_seed.html").encode(),
                            encoding="utf-8")
    news = spider()
    news.second_opinion = True
    with caplog.at_level(logging.ERROR, logger="scraper.extract.second_opinion"):
        items = [item for _ in range(3) for item in
                 news.parse_detail(response, ListingEntry(url, None, "", "", 1, 0))]
    assert [type(i) for i in items] == [NewsItem] * 3 and items[0].body
    assert (news.outcome.second_opinion_failures, news.outcome.second_opinions) == (3, 0)
    assert [r.getMessage() for r in caplog.records] == [
        f"the second-opinion extractor (trafilatura) failed on {url}: ImportError: "
        "lxml.html.clean module is now a separate project lxml_html_clean; pages are stored "
        "from our own extraction without the comparison (failures are counted in "
        'csto_code_errors_total{stage="second_opinion"}; logged once per process)']
