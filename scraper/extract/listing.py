"""News items of a listing page, found by their links and dates, not by class names.

An item is a link to a detail page (`/news/<section>/<slug>/`, `/documents/statements/
<slug>/` on the source's site) together with its block: the smallest ancestor of the
link that holds a `dd.mm.yyyy` date and no link to another item. Links without such a
block (menus, banners) are not items.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from scraper.extract.text import (
    HEADING_TAGS,
    collapse,
    iter_dates,
    match_key,
    only_date,
    parse_html,
    select,
    tag_of,
    text_blocks,
    title_text,
)
from scraper.urls import canonical_detail_url

logger = logging.getLogger(__name__)

# Link texts that say nothing about the item.
_FILLER_LINKS = frozenset(
    [
        "read more",
        "more",
        "details",
        "continue reading",
        "read",
        "подробнее",
        "далее",
        "читать далее",
        "читать полностью",
        "читать",
        "ещё",
        "еще",
    ]
)
_EDGE_PUNCTUATION = " \t\n|:–—-•·"
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_OUTSIDE_CONTENT = frozenset(("aside", "nav"))


@dataclass(frozen=True)
class ListingRow:
    url: str  # canonical detail URL
    published: date | None
    title: str
    lead: str


@dataclass
class _Occurrence:
    url: str
    block: HtmlElement
    order: int  # document position of its first link


def extract_listing(
    html: str | bytes, page_url: str, source_url: str, item_selector: str | None = None
) -> list[ListingRow]:
    """Items of one listing page in page order, one per canonical URL."""
    root = parse_html(html)
    if item_selector:
        rows = _extract(select(root, item_selector), page_url, source_url, narrowed=True)
        if rows:
            return rows
        # A stale selector (the site was redesigned) must not hide the items.
        logger.info("listing_item selector %r found no items; using links and dates", item_selector)
    return _extract([root], page_url, source_url, narrowed=False)


def _extract(
    scopes: list[HtmlElement], page_url: str, source_url: str, narrowed: bool
) -> list[ListingRow]:
    links = _detail_links(scopes, page_url, source_url, skip_asides=not narrowed)
    owners = _urls_below(links)
    dated: dict[HtmlElement, bool] = {}
    occurrences: list[_Occurrence] = []
    for order, (link, url) in enumerate(links):
        scope = next(s for s in scopes if _inside(link, s))
        block = _item_block(link, url, scope, owners, dated)
        if block is not None and not any(o.url == url and o.block is block for o in occurrences):
            occurrences.append(_Occurrence(url, block, order))
    chosen = _one_per_url(occurrences)
    rows = (_row(o, page_url, source_url) for o in chosen)
    return [row for row in rows if row.title]


def _detail_url(href: str | None, page_url: str, source_url: str) -> str | None:
    """`canonical_detail_url`, cached across the pages of a crawl.

    A listing links every pager page (`/news/?PAGEN_1=N`, 250 links on a 5,000-item
    archive) and resolving them was most of a page's extraction time. A link with an
    absolute path resolves the same against any page of the site, so for those only the
    page's origin is part of the cache key.
    """
    href = (href or "").strip()
    if href.startswith("/") and not href.startswith("//"):
        page_url = _origin(page_url)
    return _cached_detail_url(href, page_url, source_url)


@lru_cache(maxsize=4096)
def _cached_detail_url(href: str, page_url: str, source_url: str) -> str | None:
    return canonical_detail_url(href, page_url, source_url)


@lru_cache(maxsize=256)
def _origin(page_url: str) -> str:
    parts = urlsplit(page_url)
    return f"{parts.scheme}://{parts.netloc}/"


def _inside(element: HtmlElement, container: HtmlElement) -> bool:
    return element is container or any(a is container for a in element.iterancestors())


def _detail_links(
    scopes: list[HtmlElement], page_url: str, source_url: str, skip_asides: bool
) -> list[tuple[HtmlElement, str]]:
    links: list[tuple[HtmlElement, str]] = []
    for scope in scopes:
        for link in scope.iter("a"):
            url = _detail_url(link.get("href"), page_url, source_url)
            if url is None or any(link is seen for seen, _ in links):
                continue
            if skip_asides and _outside_content(link):
                continue
            links.append((link, url))
    return links


def _outside_content(link: HtmlElement) -> bool:
    """In a sidebar, a menu or the page footer: they repeat items out of listing order."""
    ancestors = list(link.iterancestors())
    for position, element in enumerate(ancestors):
        tag = tag_of(element)
        if tag in _OUTSIDE_CONTENT or element.get("role") in ("navigation", "complementary"):
            return True
        if tag == "footer" and not any(
            tag_of(a) in ("article", "main") for a in ancestors[position + 1 :]
        ):
            return True
    return False


def _urls_below(links: list[tuple[HtmlElement, str]]) -> dict[HtmlElement, set[str]]:
    """For every ancestor of an item link: the item URLs linked below it."""
    owners: dict[HtmlElement, set[str]] = {}
    for link, url in links:
        for element in (link, *link.iterancestors()):
            owners.setdefault(element, set()).add(url)
    return owners


def _item_block(
    link: HtmlElement,
    url: str,
    scope: HtmlElement,
    owners: dict[HtmlElement, set[str]],
    dated: dict[HtmlElement, bool],
) -> HtmlElement | None:
    for element in link.iterancestors():
        if owners.get(element, set()) - {url}:
            return None  # grew into a neighbour: this link has no date of its own
        if element not in dated:
            dated[element] = _block_date(element)[0] is not None
        if dated[element]:
            return element
        if element is scope:
            return None
    return None


def _one_per_url(occurrences: list[_Occurrence]) -> list[_Occurrence]:
    """First occurrence per URL, unless another one sits in a longer list of items.

    A "latest news" box before the list repeats the newest items: the occurrence in the
    container with more items (the listing itself) carries the listing's title and lead.
    """
    sizes = Counter(o.block.getparent() for o in occurrences)
    best: dict[str, _Occurrence] = {}
    for occurrence in occurrences:
        current = best.get(occurrence.url)
        if (
            current is None
            or sizes[occurrence.block.getparent()] > sizes[current.block.getparent()]
        ):
            best[occurrence.url] = occurrence
    return sorted(best.values(), key=lambda o: o.order)


def _block_date(block: HtmlElement) -> tuple[date | None, HtmlElement | None]:
    """The item's date, and the element holding nothing but it (if any)."""
    for element in block.iter():
        if element is block or not isinstance(element.tag, str):
            continue
        value = only_date(collapse(element.text_content()))
        if value is not None:
            return value, element
    for element in block.iter("time"):
        match = _ISO_DATE.match(element.get("datetime", ""))
        if match:
            try:
                return date(*map(int, match.groups())), None
            except ValueError:
                pass
    found = next(iter_dates(collapse(block.text_content())), None)
    return (found[1], None) if found else (None, None)


def _is_filler(text: str) -> bool:
    key = match_key(text).casefold().strip(" .…»›→>")
    return not any(c.isalpha() for c in key) or key in _FILLER_LINKS


def _link_text(link: HtmlElement, date_element: HtmlElement | None) -> str:
    skip = [date_element] if date_element is not None else []
    text = "\n".join(b.title for b in text_blocks(link, skip))
    for match, _ in iter_dates(text):  # a date inside the link is not part of the title
        if not text[: match.start()].strip() or not text[match.end() :].strip():
            text = (text[: match.start()] + text[match.end() :]).strip(_EDGE_PUNCTUATION)
            break
    return title_text(text)


def _title_link(
    block: HtmlElement,
    url: str,
    date_element: HtmlElement | None,
    page_url: str,
    source_url: str,
) -> tuple[HtmlElement | None, str, list[HtmlElement]]:
    """The link giving the title (a heading's, else the longest text) and the other
    links to the same URL that only repeat it or say "Read more"."""
    same = [
        a
        for a in block.iter("a")
        if _detail_url(a.get("href"), page_url, source_url) == url
    ]
    texts = {a: _link_text(a, date_element) for a in same}
    meaningful = [a for a in same if not _is_filler(texts[a])]
    if not meaningful:
        return None, "", same
    in_heading = [a for a in meaningful if _in_heading(a, block)]
    best = max(in_heading or meaningful, key=lambda a: len(match_key(texts[a])))
    title = texts[best]
    redundant = [
        a
        for a in same
        if a is not best and (_is_filler(texts[a]) or match_key(texts[a]) == match_key(title))
    ]
    return best, title, [best, *redundant]


def _in_heading(link: HtmlElement, block: HtmlElement) -> bool:
    inner = any(tag_of(x) in HEADING_TAGS for x in link.iter())
    if inner or link is block:
        return inner
    for ancestor in link.iterancestors():
        if tag_of(ancestor) in HEADING_TAGS:
            return True
        if ancestor is block:
            break
    return False


def _row(occurrence: _Occurrence, page_url: str, source_url: str) -> ListingRow:
    block = occurrence.block
    published, date_element = _block_date(block)
    _, title, skip = _title_link(block, occurrence.url, date_element, page_url, source_url)
    if date_element is not None:
        skip.append(date_element)
    paragraphs = [b.text for b in text_blocks(block, skip)]
    rest = "\n".join(p for p in paragraphs if match_key(p) != match_key(title))
    if date_element is None:
        rest = _drop_first_date(rest)
    lead = "\n".join(
        line.strip(_EDGE_PUNCTUATION) for line in rest.split("\n") if line.strip(_EDGE_PUNCTUATION)
    )
    if not title:  # an image link: the first line of text is the title
        title, _, lead = lead.partition("\n")
    return ListingRow(occurrence.url, published, title, lead)


def _drop_first_date(text: str) -> str:
    found = next(iter_dates(text), None)
    if found is None:
        return text
    match = found[0]
    return text[: match.start()] + text[match.end() :]
