"""What one crawl of one source is asked to do: one value from the poller to the spider."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from scraper.items import KnownDocument, KnownItem, ListingEntry
from scraper.prefetch import Prefetched


def conditional_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    """The headers that make a GET conditional on the stored validators (304 if unchanged)."""
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


@dataclass(frozen=True)
class Revisit:
    """A stored item's page to read again, conditionally (its schedule said so).

    It carries what the listing showed when the page was last read, so that the page is
    read as its listing entry would have it read, and the stored listing hash is kept.
    """

    url: str
    published: date | None
    title: str
    lead: str
    listing_hash: str
    etag: str | None = None  # the page's validators when it was last read
    last_modified: str | None = None
    # The files the page linked to: re-checked (conditionally) when the page answers 304,
    # since a file can be replaced under the same link without the page changing.
    attachments: tuple[str, ...] = ()

    def entry(self) -> ListingEntry:
        """A stand-in listing entry (page 0: not from a listing)."""
        return ListingEntry(url=self.url, published=self.published, title=self.title,
                            lead=self.lead, page=0, position=-1)


@dataclass(frozen=True)
class CrawlRequest:
    source_name: str
    source_url: str  # the news listing
    language: str  # en | ru
    pages: int  # listing pages to read at most
    recheck_latest: int = 0  # also re-read this many of the newest known items' pages
    # Stored items' pages due for a revisit, read conditionally after the listing (even
    # when it answers 304), unless the listing already makes the spider read them.
    revisits: tuple[Revisit, ...] = ()
    known: Mapping[str, KnownItem] = field(default_factory=dict)  # by canonical URL
    etag: str | None = None  # validators of listing page 1, for a conditional request
    last_modified: str | None = None
    selectors: Mapping[str, str | None] = field(default_factory=dict)  # optional CSS
    # Also read each detail page with a main-content extractor and count strong
    # disagreements with the body (a few ms per page): polls, not the archive.
    second_opinion: bool = False
    # Read only these detail pages once more (an edit's confirmation): no listing, no probes.
    reread: tuple[ListingEntry, ...] = ()
    # Fetch the files attached to each detail page read (conditionally, with the stored
    # validators by URL), each at most `max_document_bytes` long.
    fetch_documents: bool = False
    documents: Mapping[str, KnownDocument] = field(default_factory=dict)
    max_document_bytes: int = 20 << 20
    # The first listing page's answer, already downloaded (scraper.idle): the spider's
    # request for it is answered with this instead of going to the site again.
    prefetched: Prefetched | None = None
