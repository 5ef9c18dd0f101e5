"""A mutable, thread-safe in-memory model of the CSTO news site served by the replica."""

from __future__ import annotations

import dataclasses
import hashlib
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import quote, unquote, urljoin

LANGUAGES = ("en", "ru")
SECTIONS = ("news_odkb", "smi", "speech", "statements")
LISTING_STYLES = ("title_and_lead", "lead_only", "title_only")
DATE_STYLES = ("after_title", "own_line", "glued", "nbsp")
# Faults of listing pages; detail pages accept the transport ones and http_NNN.
LISTING_FAULTS = ("hang", "reset", "truncated", "garbage", "empty_listing", "markup_changed")
DETAIL_FAULTS = ("hang", "reset", "truncated", "garbage")
SLASHLESS_POLICIES = ("redirect", "serve", "404")
_HTTP_FAULT = re.compile(r"^http_([1-5]\d\d)$")


def section_path(section: str) -> str:
    """The listing path of a section: /news/<section>/ or /documents/statements/."""
    return "/documents/statements/" if section == "statements" else f"/news/{section}/"


def attachment_path(filename: str) -> str:
    """The /upload/... path an attachment file is served at; an absolute URL (a link to
    another host, or not http at all) is linked as it is."""
    if "://" in filename:
        return filename
    folder = hashlib.md5(filename.encode("utf-8")).hexdigest()[:3]
    return f"/upload/iblock/{folder}/{quote(filename)}"


def norm_text(text: str) -> str:
    """Text as a reader sees it: nbsp and newlines become spaces, runs collapse, ends strip."""
    return " ".join(text.replace("\xa0", " ").split())


def fault_status(fault: str | None) -> int | None:
    """The HTTP status of an 'http_NNN' fault, else None."""
    match = _HTTP_FAULT.match(fault or "")
    return int(match.group(1)) if match else None


def check_fault(fault: str | None, allowed: tuple[str, ...]) -> None:
    """Raise ValueError unless fault is None, 'http_NNN' or one of allowed."""
    if fault is not None and fault not in allowed and fault_status(fault) is None:
        raise ValueError(f"unknown fault {fault!r}; use None, 'http_NNN' or one of {allowed}")


@dataclass(frozen=True)
class Article:
    """One news item; frozen: change it with World.edit so the site notices."""

    id: int
    language: str
    section: str
    slug: str  # as it appears in the URL (already percent-encoded where the site does that)
    published: date
    title: str  # may contain "\n" (rendered as a line break)
    lead: str = ""
    subtitle: str | None = None
    body: list[str] = field(default_factory=list)
    attachments: list[tuple[str, str]] = field(default_factory=list)  # (filename, label)
    signature: str | None = None
    link_query: str = ""  # e.g. "?bxajaxid=<32 hex>", "?sphrase_id=7", "?ELEMENT_ID=123"
    link_fragment: str = ""  # e.g. "#loaded"
    link_absolute_http: bool = False  # listing link is http://host:port/...
    link_no_trailing_slash: bool = False
    listing_style: str = "title_and_lead"
    date_style: str = "after_title"
    modified: datetime | None = None  # set by World on runtime publish/edit/reslug

    def __post_init__(self) -> None:
        for value, allowed in ((self.language, LANGUAGES), (self.section, SECTIONS),
                               (self.listing_style, LISTING_STYLES),
                               (self.date_style, DATE_STYLES)):
            if value not in allowed:
                raise ValueError(f"{value!r} is not one of {allowed}")

    @property
    def path(self) -> str:
        """The canonical detail path, e.g. /news/news_odkb/<slug>/."""
        return f"{section_path(self.section)}{self.slug}/"

    def url(self, base_url: str) -> str:
        """The canonical absolute detail URL on a server (no query, no fragment)."""
        return base_url.rstrip("/") + self.path

    @property
    def changed_at(self) -> datetime:
        """When the listing last changed because of this item (for Last-Modified)."""
        return self.modified or datetime.combine(self.published, time(), UTC)

    @property
    def expected_title(self) -> str:
        """The title as a scraper should read it (whitespace normalised)."""
        return norm_text(self.title)

    @property
    def expected_lead(self) -> str:
        """The lead as a scraper should read it (whitespace normalised)."""
        return norm_text(self.lead)

    @property
    def expected_body(self) -> list[str]:
        """Body paragraphs as a scraper should read them: normalised, blank ones dropped."""
        return [text for text in map(norm_text, self.body) if text]

    @property
    def expected_paragraphs(self) -> list[str]:
        """Every text paragraph after the date line: subtitle, body, signature (normalised)."""
        texts = [self.subtitle or "", *self.body, self.signature or ""]
        return [text for text in map(norm_text, texts) if text]

    def attachment_urls(self, base_url: str) -> list[str]:
        """Absolute URLs of the attachments, in page order."""
        return [urljoin(base_url.rstrip("/") + "/", attachment_path(name))
                for name, _ in self.attachments]


class World:
    """The site's state: articles, removals and injected faults; safe to share with a server."""

    def __init__(self, articles: Iterable[Article] = (), page_size: int = 20,
                 hang_seconds: float = 5.0) -> None:
        self._lock = threading.RLock()
        self._items: dict[int, Article] = {}
        self._seq: dict[int, int] = {}
        self._next_seq = 0
        self._fault: str | None = None
        self._fault_times: int | None = None
        self._detail_times: dict[str, int] = {}
        self._last_stamp = datetime(1970, 1, 1, tzinfo=UTC)
        self.removed_at: datetime | None = None
        self.gone: dict[str, int] = {}  # path -> 404/410 for removed and re-slugged items
        self.moved: dict[str, str] = {}  # old path -> new path of items re-slugged with a 301
        self.detail_faults: dict[str, str] = {}  # detail path -> fault
        self.page_size = page_size
        self.hang_seconds = hang_seconds
        self.slashless = "redirect"  # how a detail path without trailing slash is answered
        # Detail pages carry page furniture (counter, related list, photo, promo, share
        # widget, breadcrumbs) inside the article, as the real site does; False: plain pages.
        self.furniture = True
        # Attached files by file name (see attachment_path); others answer a placeholder.
        self.files: dict[str, bytes] = {}
        self.file_changed: dict[str, datetime] = {}  # Last-Modified of a replaced file
        self.missing_files: set[str] = set()  # these answer 404
        self.redirects: dict[str, str] = {}  # file name -> where it answers 302 to
        self.page_redirects: dict[str, str] = {}  # detail path -> where it answers 301 to
        self.robots: str | None = None  # robots.txt served instead of the site's usual one
        for article in reversed(list(articles)):  # given in listing order, newest first
            self._add(article)

    def put_file(self, name: str, data: bytes) -> None:
        """Serve (or replace) the attached file of this name, with a new Last-Modified."""
        with self._lock:
            self.files[name] = data
            self.file_changed[name] = self._stamp()

    # --- reading -----------------------------------------------------------------
    @property
    def articles(self) -> list[Article]:
        """All articles, newest first (by date, then the latest inserted first)."""
        with self._lock:
            return sorted(self._items.values(),
                          key=lambda a: (a.published, self._seq[a.id]), reverse=True)

    def articles_in(self, language: str, section: str | None = None) -> list[Article]:
        """Articles of one language (and optionally one section), newest first."""
        return [a for a in self.articles
                if a.language == language and section in (None, a.section)]

    def get(self, article_id: int) -> Article:
        """The current version of an article; KeyError if absent or removed."""
        with self._lock:
            return self._items[article_id]

    def find(self, path: str, language: str) -> Article | None:
        """The article of a language whose canonical path equals path (compared unquoted)."""
        wanted = unquote(path)
        return next((a for a in self.articles_in(language) if unquote(a.path) == wanted), None)

    def gone_status(self, path: str) -> int | None:
        """404/410 if path belonged to a removed or re-slugged article."""
        wanted = unquote(path)
        with self._lock:
            return next((s for p, s in list(self.gone.items()) if unquote(p) == wanted), None)

    def last_modified(self, language: str) -> datetime:
        """Latest change of a language's listing: publish, edit, reslug or removal."""
        times = [a.changed_at for a in self.articles_in(language)]
        if self.removed_at is not None:
            times.append(self.removed_at)
        return max(times, default=datetime(2000, 1, 1, tzinfo=UTC))

    # --- changing ----------------------------------------------------------------
    def publish(self, article: Article) -> Article:
        """Add an article now (stamped as modified now); its path stops being gone."""
        with self._lock:
            if article.id in self._items:
                raise ValueError(f"article id {article.id} already published")
            return self._add(dataclasses.replace(article, modified=self._stamp()))

    def edit(self, article_id: int, **fields: object) -> Article:
        """Change fields of an article (not its id); returns the new version."""
        if "id" in fields:
            raise ValueError("the id of an article cannot change")
        with self._lock:
            old = self._items[article_id]
            new = dataclasses.replace(old, **fields, modified=self._stamp())
            if new.path != old.path:
                self.gone[old.path] = 404
            self._items[article_id] = new
            self.gone.pop(new.path, None)
            self.moved.pop(new.path, None)
            return new

    def reslug(self, article_id: int, new_slug: str, redirect: bool = False) -> Article:
        """Move an article to a new slug: the old URL answers 404, or with `redirect` a
        301 to the new URL."""
        with self._lock:
            old = self._items[article_id].path
            new = self.edit(article_id, slug=new_slug)
            if redirect:
                self.gone.pop(old, None)
                self.moved[old] = new.path
            return new

    def moved_to(self, path: str) -> str | None:
        """The path a re-slugged article's old path redirects to, if it does."""
        wanted = unquote(path)
        with self._lock:
            return next((new for old, new in list(self.moved.items())
                         if unquote(old) == wanted), None)

    def remove(self, article_id: int, status: int = 404) -> Article:
        """Delete an article: its URL then answers status (404 or 410)."""
        with self._lock:
            article = self._items.pop(article_id)
            del self._seq[article_id]
            self.gone[article.path] = status
            self.removed_at = self._stamp()
            return article

    def _add(self, article: Article) -> Article:
        with self._lock:
            self._items[article.id] = article
            self._seq[article.id] = self._next_seq
            self._next_seq += 1
            self.gone.pop(article.path, None)
            self.moved.pop(article.path, None)
            self._last_stamp = max(self._last_stamp, article.changed_at)
            return article

    def _stamp(self) -> datetime:
        """A whole-second time, strictly later than any earlier change (HTTP dates are coarse)."""
        now = datetime.now(UTC).replace(microsecond=0)
        self._last_stamp = max(now, self._last_stamp + timedelta(seconds=1))
        return self._last_stamp

    # --- faults ------------------------------------------------------------------
    @property
    def fault(self) -> str | None:
        """The fault of listing pages (None = healthy)."""
        return self._fault

    @fault.setter
    def fault(self, value: str | None) -> None:
        self.set_fault(value)

    def set_fault(self, fault: str | None, times: int | None = None) -> None:
        """Break listing pages; with times, only the next `times` listing requests."""
        check_fault(fault, LISTING_FAULTS)
        with self._lock:
            self._fault, self._fault_times = fault, times

    def set_detail_fault(self, path: str, fault: str | None, times: int | None = None) -> None:
        """Break one detail path (canonical, with trailing slash); None heals it."""
        check_fault(fault, DETAIL_FAULTS)
        with self._lock:
            self._detail_times.pop(path, None)
            if fault is None:
                self.detail_faults.pop(path, None)
                return
            self.detail_faults[path] = fault
            if times is not None:
                self._detail_times[path] = times

    def take_listing_fault(self) -> str | None:
        """The fault to apply to one listing request (counts down a limited fault)."""
        with self._lock:
            fault = self._fault
            if fault is not None and self._fault_times is not None:
                self._fault_times -= 1
                if self._fault_times <= 0:
                    self._fault, self._fault_times = None, None
            return fault

    def take_detail_fault(self, path: str) -> str | None:
        """The fault to apply to one request of a detail path (counts down a limited fault)."""
        with self._lock:
            key = next((p for p in list(self.detail_faults) if unquote(p) == unquote(path)), None)
            if key is None:
                return None
            fault = self.detail_faults[key]
            if key in self._detail_times:
                self._detail_times[key] -= 1
                if self._detail_times[key] <= 0:
                    self.set_detail_fault(key, None)
            return fault
