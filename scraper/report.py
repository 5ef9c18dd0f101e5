"""The result of one crawl of one source, handed to the monitor."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from scraper.code_errors import CodeError
from scraper.items import FetchedDocument, ListingEntry, NewsItem, ProbeResult

GONE = (404, 410)
REDIRECTS = (301, 302, 303, 307, 308)


@dataclass
class CrawlReport:
    source: str
    not_modified: bool = False  # the first listing page answered 304
    listing: list[ListingEntry] = field(default_factory=list)
    items: list[NewsItem] = field(default_factory=list)
    probes: list[ProbeResult] = field(default_factory=list)
    documents: list[FetchedDocument] = field(default_factory=list)  # attached files
    listing_pages_ok: int = 0  # listing pages that answered 2xx and were parsed
    listing_errors: list[str] = field(default_factory=list)  # one line each, user-readable
    detail_errors: list[str] = field(default_factory=list)  # detail pages or probes that failed
    etag: str | None = None  # validators of listing page 1, for the next conditional request
    last_modified: str | None = None
    requests: int = 0
    responses: int = 0
    finish_reason: str | None = None
    stopped: bool = False  # abandoned on request (shutdown): never diff such a crawl
    second_opinions: int = 0  # detail pages also read by the second-opinion extractor
    disagreements: int = 0  # ... whose body it disagreed with strongly
    # Revisits (CrawlRequest.revisits): stand-in entries of those whose page was read (their
    # items are in `items`), and the URLs of those answered 304 Not Modified.
    revisited: list[ListingEntry] = field(default_factory=list)
    revisits_unchanged: list[str] = field(default_factory=list)
    # Validators of each detail page read (ETag, Last-Modified), for its next revisit.
    page_validators: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    # Exceptions raised by our own code (a callback, a pipeline): a bug, never the site's
    # fault; the crawl is not to be trusted (monitor.poll makes the poll an error).
    code_errors: list[CodeError] = field(default_factory=list)
    second_opinion_failures: int = 0  # pages whose second opinion raised (page still read)

    def code_error_counts(self) -> Counter[str]:
        """Exceptions in our own code by stage, the second opinion's included."""
        counts = Counter(error.stage for error in self.code_errors)
        if self.second_opinion_failures:
            counts["second_opinion"] += self.second_opinion_failures
        return counts

    @property
    def listing_clean(self) -> bool:
        """The listing part finished normally, every page answered, and items were found."""
        return (
            not self.stopped
            and self.finish_reason == "finished"
            and not self.listing_errors
            and (self.not_modified or len(self.listing) > 0)
        )

    @property
    def gone_urls(self) -> set[str]:
        return {p.url for p in self.probes if p.status in GONE}

    @property
    def redirects(self) -> dict[str, str]:
        """Probed URLs that redirect to another detail URL: old URL -> new URL."""
        return {p.url: p.location for p in self.probes
                if p.status in REDIRECTS and p.location and p.location != p.url}

    @property
    def unsettled_urls(self) -> set[str]:
        """Probed URLs whose answer says nothing of their story (an error, a timeout):
        whether it is still served is for a later probe to tell."""
        return {p.url for p in self.probes if not _settled(p.status)}


def _settled(status: int) -> bool:
    """Served (2xx), gone (404/410) or sent elsewhere (3xx)."""
    return 200 <= status < 300 or status in GONE or status in REDIRECTS
