"""The CSTO news spider: listing pages, then new or changed details, then probes; or,
to confirm a suspected edit, only the detail pages of the listing entries it is given.

It knows nothing of storage: it is told what is already known (`KnownItem` per canonical
URL) and yields `ListingEntry`, `NewsItem` and `ProbeResult`. What went wrong is kept in
`outcome` as readable lines for the crawl report.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import scrapy
from scrapy.http import Request, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from scraper.documents.fetch import document_request, failed, fetched, refused
from scraper.extract.detail import DetailFields, ExtractionError, extract_detail
from scraper.extract.listing import ListingRow, extract_listing
from scraper.extract.second_opinion import second_opinion, second_opinion_failed
from scraper.extract.text import SelectorError
from scraper.failures import describe_failure
from scraper.guard.resolver import guarded_resolver
from scraper.guard.urls import host_of, url_refusal
from scraper.items import FetchedDocument, ListingEntry, NewsItem, ProbeResult
from scraper.request import CrawlRequest, Revisit, conditional_headers
from scraper.urls import canonical_detail_url, listing_page_url, section_and_slug

logger = logging.getLogger(__name__)
_GONE = [404, 410]  # a probe must see these statuses, not have them filtered out
# A probe is not redirected: where the old URL sends its reader is the evidence a re-slug
# needs (one request), and the target page is read from the listing anyway.
_PROBE_STATUSES = [*_GONE, 301, 302, 303, 307, 308]
_REVISIT_STATUSES = [304, *_GONE]  # a revisit is answered 304, or says the page is gone


@dataclass
class CrawlOutcome:
    """What the spider learnt besides its items."""

    not_modified: bool = False
    listing_pages_ok: int = 0
    listing_errors: list[str] = field(default_factory=list)
    detail_errors: list[str] = field(default_factory=list)
    etag: str | None = None
    last_modified: str | None = None
    second_opinions: int = 0  # detail pages also read by the second-opinion extractor
    disagreements: int = 0  # ... whose body it disagreed with strongly
    second_opinion_failures: int = 0  # ... where it raised instead (the page is kept)
    revisited: list[ListingEntry] = field(default_factory=list)  # revisits answered 200
    revisits_unchanged: list[str] = field(default_factory=list)  # ... answered 304
    page_validators: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)


class NewsSpider(scrapy.Spider):
    name = "csto_news"
    # Engine tuning only; politeness (download settings) stays in scraper/settings.py.
    # Scrapy declares it an instance attribute but reads it from the class: no ClassVar.
    custom_settings: dict[str, Any] = {  # noqa: RUF012
        # Scrapy would re-read and `ast`-parse a callback's source on every response to warn
        # about `return value` in generators: its cache is keyed by the bound method, a new
        # object per request (~6 % of a backfill's CPU).
        "WARN_ON_GENERATOR_RETURN_VALUE": False,
        # Items are validated synchronously: the default of 100 parallel item slots only
        # costs 100 asyncio tasks per response (~10 % of a backfill's CPU).
        "CONCURRENT_ITEMS": 1,
    }

    def __init__(self, *, request: CrawlRequest, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.source_name = request.source_name
        self.source_url = request.source_url
        self.language = request.language
        self.pages = max(1, request.pages)
        self.recheck_latest = request.recheck_latest
        self.known = dict(request.known)
        self.etag = request.etag
        self.last_modified = request.last_modified
        self.selectors = dict(request.selectors)
        self.second_opinion = request.second_opinion
        # Detail pages to read once more, and nothing else (an edit's confirmation).
        self.reread = list(request.reread)
        self.fetch_documents = request.fetch_documents
        self.documents = dict(request.documents)
        self.max_document_bytes = request.max_document_bytes
        self.revisits = list(request.revisits)
        self.prefetched = request.prefetched
        self._requested: set[str] = set()  # detail pages and probes already asked for
        self.outcome = CrawlOutcome()
        self._entries: list[ListingEntry] = []
        self._listed: set[str] = set()  # their URLs: a set per page would be quadratic
        self._followed_up = False

    async def start(self) -> AsyncIterator[Request]:
        if self.reread:
            for entry in self.reread:
                yield self._detail_request(entry)
            return
        yield self._listing_request(1)

    # --- listing ----------------------------------------------------------------

    def _listing_request(self, page: int) -> Request:
        headers: dict[str, str] = {}
        meta: dict[str, Any] = {}
        if page == 1:
            headers = conditional_headers(self.etag, self.last_modified)
            meta["handle_httpstatus_list"] = [304]
            if self.prefetched is not None:  # answered by scraper.middlewares.prefetched
                meta["prefetched"], self.prefetched = self.prefetched, None
        return Request(
            listing_page_url(self.source_url, page),
            callback=self.parse_listing,
            errback=self.listing_failed,
            cb_kwargs={"page": page},
            headers=headers,
            meta=meta,
            dont_filter=True,
        )

    def parse_listing(self, response: Response, page: int) -> Iterator[Any]:
        if response.status == 304:
            self.outcome.not_modified = True
            yield from self._revisit_requests()
            return
        if page == 1:
            self._record_validators(response)
        rows = self._listing_rows(response)
        if rows is None:
            yield from self._follow_up()
            return
        self.outcome.listing_pages_ok += 1
        if not rows and page == 1:
            self.outcome.listing_errors.append(
                f"no news items found on {response.url}: the page markup may have changed"
            )
        fresh = [row for row in rows if row.url not in self._listed]
        for row in fresh:
            yield self._add_entry(row, page)
        # The CMS answers a too-large page number with its last page again.
        if fresh and page < self.pages:
            yield self._listing_request(page + 1)
        else:
            yield from self._follow_up()

    def _listing_rows(self, response: Response) -> list[ListingRow] | None:
        if not isinstance(response, TextResponse):
            self.outcome.listing_errors.append(f"{response.url}: not an HTML page")
            return None
        try:
            return extract_listing(
                response.text, response.url, self.source_url, self.selectors.get("listing_item")
            )
        except SelectorError as exc:
            self.outcome.listing_errors.append(f"{response.url}: {exc}")
            return None

    def _add_entry(self, row: ListingRow, page: int) -> ListingEntry:
        entry = ListingEntry(
            url=row.url,
            published=row.published,
            title=row.title,
            lead=row.lead,
            page=page,
            position=len(self._entries),
        )
        self._entries.append(entry)
        self._listed.add(entry.url)
        return entry

    def _record_validators(self, response: Response) -> None:
        for header, attribute in (("ETag", "etag"), ("Last-Modified", "last_modified")):
            value = response.headers.get(header)
            if value:
                setattr(self.outcome, attribute, value.decode("latin-1"))

    def listing_failed(self, failure: Failure) -> Iterator[Any]:
        request: Request = failure.request  # type: ignore[attr-defined]
        self.outcome.listing_errors.append(describe_failure(failure, request))
        if request.cb_kwargs.get("page", 1) > 1:
            yield from self._follow_up()  # what the earlier pages found is still worth it

    # --- details and probes -----------------------------------------------------

    def _follow_up(self) -> Iterator[Request]:
        if self._followed_up:
            return
        self._followed_up = True
        for entry in self._entries:
            if self._needs_detail(entry):
                self._requested.add(entry.url)
                yield self._detail_request(entry)
        for url in self._urls_to_probe():
            self._requested.add(url)
            yield Request(
                url,
                callback=self.parse_probe,
                errback=self.probe_failed,
                cb_kwargs={"url": url},
                meta={"handle_httpstatus_list": _PROBE_STATUSES, "dont_redirect": True},
            )
        yield from self._revisit_requests()

    def _revisit_requests(self) -> Iterator[Request]:
        """The due revisits the listing did not already have read, each conditional."""
        revisits, self.revisits = self.revisits, []
        for revisit in revisits:
            if revisit.url in self._requested:
                continue
            headers = conditional_headers(revisit.etag, revisit.last_modified)
            yield Request(revisit.url, callback=self.parse_revisit,
                          errback=self.detail_failed, cb_kwargs={"revisit": revisit},
                          headers=headers, dont_filter=True,
                          meta={"handle_httpstatus_list": _REVISIT_STATUSES})

    def parse_revisit(self, response: Response, revisit: Revisit) -> Iterator[Any]:
        """304: unchanged, one request spent (and one per attached file, re-checked
        conditionally); 404/410: gone (as a probe); else the page is read like a listed
        one, keeping the stored listing hash, its files fetched as for any page read."""
        if response.status == 304:
            self.outcome.revisits_unchanged.append(revisit.url)
            if self.fetch_documents:
                yield from self._document_requests(revisit.attachments, revisit.url)
            return
        if response.status in _GONE:
            yield ProbeResult(url=revisit.url, status=response.status)
            return
        entry = revisit.entry()
        self.outcome.revisited.append(entry)
        for result in self.parse_detail(response, entry):
            if isinstance(result, NewsItem):
                result.listing_hash = revisit.listing_hash
            yield result

    def _detail_request(self, entry: ListingEntry) -> Request:
        return Request(entry.url, callback=self.parse_detail, errback=self.detail_failed,
                       cb_kwargs={"entry": entry})

    def _needs_detail(self, entry: ListingEntry) -> bool:
        known = self.known.get(entry.url)
        return (
            known is None
            or not known.active
            or known.listing_hash != entry.fingerprint()
            or entry.position < self.recheck_latest
        )

    def _urls_to_probe(self) -> list[str]:
        """Known items missing from the listing although they are in its date range."""
        dates = [entry.published for entry in self._entries if entry.published]
        if not dates:
            return []
        oldest: date = min(dates)
        listed = self._listed
        return [
            url
            for url, item in self.known.items()
            if item.active
            and url not in listed
            and item.published is not None
            and item.published >= oldest
        ]

    def parse_detail(self, response: Response, entry: ListingEntry) -> Iterator[Any]:
        if not isinstance(response, TextResponse):
            self.outcome.detail_errors.append(f"{entry.url}: not an HTML page")
            return
        self._record_page_validators(response, entry.url)
        try:
            fields = extract_detail(
                response.text,
                response.url,
                listing_title=entry.title,
                title_selector=self.selectors.get("detail_title"),
                body_selector=self.selectors.get("detail_body"),
            )
        except (ExtractionError, SelectorError) as exc:
            self.outcome.detail_errors.append(f"{entry.url}: {exc}")
            return
        if self.second_opinion:
            self._compare(response.text, entry.url, fields)
        section, slug = section_and_slug(entry.url)
        yield NewsItem(
            url=entry.url,
            section=section,
            slug=slug,
            language=self.language,
            published=fields.published,
            title=fields.title,
            lead=entry.lead or fields.lead,
            body=fields.body,
            attachments=fields.attachments,
            listing_hash=entry.fingerprint(),
        )
        if self.fetch_documents:
            yield from self._document_requests(fields.attachments, entry.url)

    def _record_page_validators(self, response: Response, url: str) -> None:
        etag, modified = (response.headers.get(h) for h in ("ETag", "Last-Modified"))
        self.outcome.page_validators[url] = (etag.decode("latin-1") if etag else None,
                                             modified.decode("latin-1") if modified else None)

    def _compare(self, html: str, url: str, fields: DetailFields) -> None:
        """Count (and log) a strong disagreement of the second opinion with the body."""
        try:
            opinion = second_opinion(html, url, fields.title, fields.body)
        except Exception as exc:  # an optional check: it must never cost the page itself
            self.outcome.second_opinion_failures += 1
            second_opinion_failed(url, exc)
            return
        if opinion is None:
            return
        self.outcome.second_opinions += 1
        if opinion.strong_disagreement:
            self.outcome.disagreements += 1
            logger.info("%s: the second-opinion extractor disagrees with the body "
                        "(word similarity %.2f)", url, opinion.similarity)

    def detail_failed(self, failure: Failure) -> None:
        request: Request = failure.request  # type: ignore[attr-defined]
        self.outcome.detail_errors.append(describe_failure(failure, request))

    def _document_requests(self, urls: Iterable[str], item_url: str
                           ) -> Iterator[Request | FetchedDocument]:
        """A request per attached file; a link that must not be fetched (not http(s), a
        private address) is recorded as refused without one. The downloader's guard
        (scraper.middlewares.fetch_guard) checks host names and redirects."""
        own = {host_of(self.source_url)}
        for url in urls:
            yield self._document_request(url, item_url, own)

    def _document_request(self, url: str, item_url: str, own: set[str]
                          ) -> Request | FetchedDocument:
        reason = url_refusal(url, own)
        if reason is None:
            try:
                return document_request(url, item_url, self.documents.get(url),
                                        self.max_document_bytes, self.parse_document,
                                        self.document_failed)
            except ValueError as exc:  # Scrapy's own refusal of the URL
                reason = str(exc)
        return refused(url, item_url, reason)

    def parse_document(self, response: Response, item_url: str) -> Iterator[FetchedDocument]:
        yield fetched(response, item_url)

    def document_failed(self, failure: Failure) -> Iterator[FetchedDocument]:
        yield failed(failure, self.max_document_bytes, guarded_resolver().refusal)

    def parse_probe(self, response: Response, url: str) -> Iterator[ProbeResult]:
        location = None
        if 300 <= response.status < 400 and (target := response.headers.get("Location")):
            location = canonical_detail_url(target.decode("latin-1"), response.url,
                                            self.source_url)
        yield ProbeResult(url=url, status=response.status, location=location)

    def probe_failed(self, failure: Failure) -> Iterator[ProbeResult]:
        request: Request = failure.request  # type: ignore[attr-defined]
        self.outcome.detail_errors.append(f"{describe_failure(failure, request)} (probe)")
        # Any answer is the URL's status (only 404/410 count as removal evidence); none is
        # status 0: the monitor must know the probe was made and told nothing.
        status = failure.value.response.status if isinstance(failure.value, HttpError) else 0
        yield ProbeResult(url=request.cb_kwargs["url"], status=status)
