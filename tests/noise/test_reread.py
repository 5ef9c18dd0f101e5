"""The crawler's second read of suspected pages: those detail pages only, nothing else."""

from __future__ import annotations

from typing import Any

from scraper.items import ListingEntry
from scraper.runner import SourceCrawler
from tests.replica import ReplicaServer, World

SELECTORS: dict[str, str | None] = {"listing_item": None, "detail_title": None, "detail_body": None}


def test_reread_reads_the_given_pages_only(run: Any, world: World, replica: ReplicaServer,
                                           source_crawler: SourceCrawler) -> None:
    first = run(source_crawler.crawl(
        source_name="en", source_url=replica.listing_url, language="en", pages=1,
        recheck_latest=0, known={}, etag=None, last_modified=None, selectors=SELECTORS))
    entries: list[ListingEntry] = first.listing[2:4]
    replica.clear_log()
    again = run(source_crawler.reread(source_name="en", source_url=replica.listing_url,
                                      language="en", entries=entries, selectors=SELECTORS))
    assert sorted(item.url for item in again.items) == sorted(e.url for e in entries)
    assert again.listing == [] and again.probes == [] and again.detail_errors == []
    paths = [r.path for r in replica.requests if r.path != "/robots.txt"]
    assert sorted(paths) == sorted(e.url.removeprefix(replica.url) for e in entries)
    assert again.requests == len(replica.requests)
    before = {i.url: i for i in first.items}
    assert all(item == before[item.url] for item in again.items)  # same page, same item


def test_a_failed_reread_is_a_detail_error(run: Any, world: World, replica: ReplicaServer,
                                           source_crawler: SourceCrawler) -> None:
    first = run(source_crawler.crawl(
        source_name="en", source_url=replica.listing_url, language="en", pages=1,
        recheck_latest=0, known={}, etag=None, last_modified=None, selectors=SELECTORS))
    entry = first.listing[0]
    world.set_detail_fault(entry.url.removeprefix(replica.url), "http_503")
    again = run(source_crawler.reread(source_name="en", source_url=replica.listing_url,
                                      language="en", entries=[entry], selectors=SELECTORS))
    assert again.items == [] and len(again.detail_errors) == 1
    assert entry.url in again.detail_errors[0]
