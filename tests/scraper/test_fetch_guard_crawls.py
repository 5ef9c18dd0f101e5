"""Whole crawls of the replica (127.0.0.1) whose pages lead to another loopback address
(127.0.0.2, a real server that must see no request): a detail page redirecting there, and
a file linked there next to one of the site's. The command's view of the same is in
tests/test_e2e_fetch_guard.py."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from scraper.request import CrawlRequest
from scraper.runner import SourceCrawler
from tests.replica import ReplicaServer, World, attachment_path, make_article, sample_world


@pytest.fixture
def sites() -> Iterator[tuple[World, ReplicaServer, ReplicaServer]]:
    world = sample_world(4, "en")
    with (ReplicaServer(world, language="en") as site,
          ReplicaServer(World(), host="127.0.0.2", language="en") as other):
        yield world, site, other


def test_a_page_redirecting_to_another_private_host_is_not_followed(
        run: Any, source_crawler: SourceCrawler,
        sites: tuple[World, ReplicaServer, ReplicaServer]) -> None:
    world, site, other = sites
    moved = world.publish(make_article("The Council met", published=date.today(),
                                       attachments=[("Annex.pdf", "Annex.pdf")]))
    world.page_redirects[moved.path] = other.url + moved.path
    kept = world.publish(make_article(
        "The Council adopted a declaration", published=date.today(),
        attachments=[("Annex.pdf", "Annex.pdf"),
                     (other.url + attachment_path("Secret.pdf"), "Secret.pdf")]))

    report = run(source_crawler.crawl(CrawlRequest(
        source_name="en", source_url=site.listing_url, language="en", pages=1,
        fetch_documents=True)))

    assert other.requests == []
    assert report.detail_errors == [
        f"{moved.url(site.url)}: not fetched (redirected to {moved.url(other.url)}: "
        "127.0.0.2 is a loopback address, not the source's host)"]
    assert [item.url for item in report.items if item.title.startswith("The Council")] == [
        kept.url(site.url)]
    documents = {d.name: (d.http_status, d.refused, d.error) for d in report.documents}
    assert documents == {
        "Annex.pdf": (200, False, ""),
        "Secret.pdf": (0, True, "127.0.0.2 is a loopback address, not the source's host")}
