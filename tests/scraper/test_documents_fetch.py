"""Attached files fetched by the spider after an item's page: bytes, 304, 404, too large."""

from __future__ import annotations

import dataclasses
from typing import Any

from scraper.items import FetchedDocument, KnownDocument
from scraper.report import CrawlReport
from scraper.request import CrawlRequest
from scraper.runner import SourceCrawler
from tests.documents import files
from tests.replica import ReplicaServer, World

PDF_NAME, DOCX_NAME, BIG_NAME, GONE_NAME = "Statement annex.pdf", "decl.docx", "big.pdf", "gone.pdf"


def _attach(world: World) -> str:
    """The newest article gets four files; returns its path."""
    article = world.articles_in("en")[0]
    names = [PDF_NAME, DOCX_NAME, BIG_NAME, GONE_NAME]
    world.edit(article.id, attachments=[(name, name) for name in names])
    world.put_file(PDF_NAME, files.pdf(["The annex text."]))
    world.put_file(DOCX_NAME, files.docx(["The declaration."]))
    world.put_file(BIG_NAME, files.oversized(2))
    world.missing_files.add(GONE_NAME)
    return article.path


def _crawl(run: Any, crawler: SourceCrawler, replica: ReplicaServer, **options: Any
           ) -> CrawlReport:
    request = CrawlRequest(source_name="en", source_url=replica.listing_url, language="en",
                           pages=1, fetch_documents=True, max_document_bytes=1 << 20)
    return run(crawler.crawl(dataclasses.replace(request, **options)))


def test_files_fetched_after_the_page_then_conditionally(
        run: Any, source_crawler: SourceCrawler, world: World, replica: ReplicaServer) -> None:
    path = _attach(world)
    report = _crawl(run, source_crawler, replica)
    by_name = {d.name: d for d in report.documents if d.item_url == replica.url_for(path)}
    assert set(by_name) == {PDF_NAME, DOCX_NAME, BIG_NAME, GONE_NAME}
    pdf = by_name[PDF_NAME]
    assert pdf.http_status == 200 and pdf.body == world.files[PDF_NAME] and pdf.etag
    assert by_name[BIG_NAME].too_large and by_name[BIG_NAME].body is None
    assert "larger than 1 MB" in by_name[BIG_NAME].error
    assert (by_name[GONE_NAME].http_status, by_name[GONE_NAME].body) == (404, None)
    assert report.listing_clean and not report.detail_errors

    known = {d.url: KnownDocument(d.etag, d.last_modified) for d in report.documents}
    replica.clear_log()
    again = _crawl(run, source_crawler, replica, documents=known)
    statuses = {d.name: d.http_status for d in again.documents
                if d.item_url == replica.url_for(path)}
    assert statuses[PDF_NAME] == statuses[DOCX_NAME] == 304
    pdf_requests = [r for r in replica.requests if r.path.endswith("Statement%20annex.pdf")]
    assert len(pdf_requests) == 1 and pdf_requests[0].status == 304


def test_no_files_unless_asked(run: Any, source_crawler: SourceCrawler, world: World,
                               replica: ReplicaServer) -> None:
    _attach(world)
    report = _crawl(run, source_crawler, replica, fetch_documents=False)
    assert report.documents == [] and not replica.requests_to("/upload/")


def test_a_document_is_a_plain_value() -> None:
    assert FetchedDocument(url="u", item_url="i", name="n", http_status=0).body is None
