"""What the spider yields, and what it is told about items already known.

The spider yields three kinds of item:
- `ListingEntry`: one per news item found on a listing page (cheap, always yielded);
- `NewsItem`: a fully extracted detail page (only for items new or changed on the listing,
  due for a revisit and changed, or among the newest `recheck_latest` of a sweep);
- `ProbeResult`: the HTTP status of a known item's detail page that vanished from the
  listing range (404/410 is the evidence a removal needs; 404/410 or a redirect to a new
  URL the evidence a re-slug needs);
- `FetchedDocument`: what one attached file's URL answered (when the poll asks for them).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class ListingEntry:
    url: str  # canonical detail URL
    published: date | None
    title: str
    lead: str
    page: int  # 1-based listing page it was found on
    position: int  # 0-based position across all listing pages, newest first

    def fingerprint(self) -> str:
        """A stable hash of what the listing shows; a change triggers a detail fetch."""
        text = "\x1f".join([self.published.isoformat() if self.published else "", self.title,
                            self.lead])
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


@dataclass
class NewsItem:
    url: str  # canonical: scheme and host of the source, no query string or fragment
    section: str  # news_odkb, smi, speech, statements, ...
    slug: str
    language: str  # en | ru
    published: date | None  # the article's own date, never the sidebar's
    title: str
    lead: str
    body: list[str] = field(default_factory=list)  # paragraphs, in page order
    attachments: list[str] = field(default_factory=list)  # absolute URLs
    listing_hash: str = ""  # ListingEntry.fingerprint() of the entry that led here


@dataclass(frozen=True)
class ProbeResult:
    url: str
    status: int  # HTTP status of the detail URL (not followed); 0: nothing was answered
    location: str | None = None  # a redirect's target, canonical (None: not a detail URL)


@dataclass(frozen=True)
class KnownItem:
    """What the spider is told about an item already stored (keeps it storage-agnostic)."""

    listing_hash: str
    published: date | None
    active: bool  # False once recorded as removed


@dataclass(frozen=True)
class KnownDocument:
    """The validators stored for an attached file, for a conditional request, and the hash
    of its content (a server without validators answers 200: the same bytes are not read
    again)."""

    etag: str | None = None
    last_modified: str | None = None
    sha256: str = ""


@dataclass
class FetchedDocument:
    """What an attached file's URL answered: its bytes, 304, or why there are none."""

    url: str  # absolute, as linked from the item's page
    item_url: str  # canonical URL of the item that links it
    name: str  # the file name (Content-Disposition, else the URL's last segment)
    http_status: int  # 200, 304, 404 ...; 0 when nothing was answered
    body: bytes | None = None  # only with a 2xx answer within the byte limit
    etag: str | None = None
    last_modified: str | None = None
    too_large: bool = False  # larger than the byte limit: not downloaded
    refused: bool = False  # not requested: not http(s), or a private address (see guard)
    error: str = ""  # one readable line when there is no body
