"""The article of a detail page: title, its own date, body paragraphs and attachments.

The page shows, in order: a sidebar of the latest news (dates and linked leads), the
title, the title again followed by the date, the body, attachments, and back links. The
sidebar's dates are never the article's: the article's date is the one that follows the
title (or its immediate repeat), and the body runs from there to the back links.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from difflib import SequenceMatcher
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from scraper.extract.attachments import attachment_urls, is_attachment_line, is_file_link
from scraper.extract.text import (
    DATE_RE,
    Block,
    match_key,
    only_date,
    parse_date,
    parse_html,
    select,
    tag_of,
    text_blocks,
    title_text,
)
from scraper.urls import absolute_url, canonical_detail_url, same_site

_SEPARATORS = r"[\s,;:|/–—-]*"
_LEADING_DATE = re.compile(_SEPARATORS + DATE_RE.pattern)
_TRAILING_DATE = re.compile(_SEPARATORS + DATE_RE.pattern + r"\s*$")
_BACK_LINK = re.compile(r"^(?:[←«<‹\s]*)(?:go back|back to|back$|назад|вернуться)", re.I)
_LISTING_PATH = re.compile(r"^/(?:news|documents/statements)(?:/[^/]+)?/?$")
_MAX_TITLE_CHARS = 600  # longer blocks are paragraphs, not titles
_DATE_WINDOW = 4  # blocks after the title where its date line may be


class ExtractionError(Exception):
    """The page has no recognisable article; `reason` says what was missing."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class DetailFields:
    title: str
    published: date
    lead: str  # the first body paragraph but the subtitle; the spider prefers the listing's
    body: list[str] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)  # absolute URLs
    subtitle: str | None = None  # a heading right after the date; also body[0]


@dataclass(frozen=True)
class _Anchor:
    """Where the article starts: its title, and the block holding its date."""

    title: str
    published: date
    date_index: int
    rest: str  # text glued after the date in that block (`21.05.2020On May 26…`)


def extract_detail(
    html: str | bytes,
    url: str,
    listing_title: str | None = None,
    title_selector: str | None = None,
    body_selector: str | None = None,
) -> DetailFields:
    """Extract the article; raise ExtractionError if no title or no date is found."""
    root = parse_html(html)
    blocks = text_blocks(root)
    anchor = _find_anchor(root, blocks, url, listing_title, title_selector)
    region = _body_region(root, blocks, anchor, url, body_selector)
    attachments = attachment_urls(region, url)
    paragraphs = [anchor.rest] if anchor.rest else []
    subtitle = None
    for block in region:
        if is_attachment_line(block):
            continue
        if not paragraphs and block.heading not in (None, "h1"):
            subtitle = block.text
        paragraphs.append(block.text)
    paragraphs = _drop_title_copies(paragraphs, anchor.title)
    lead = next((p for p in paragraphs if p != subtitle), "")
    return DetailFields(anchor.title, anchor.published, lead, paragraphs, attachments, subtitle)


# --- title and date ---------------------------------------------------------------


def _find_anchor(
    root: HtmlElement,
    blocks: list[Block],
    url: str,
    listing_title: str | None,
    title_selector: str | None,
) -> _Anchor:
    title_found: str | None = None
    for strategy in (
        lambda: _by_selector(root, blocks, url, title_selector),
        lambda: _by_repeat(blocks),
        lambda: _by_listing_title(blocks, url, listing_title),
        lambda: _by_h1(root, blocks, url),
        lambda: _by_trailing_date(blocks),
    ):
        anchor, title = strategy()
        if anchor is not None:
            return anchor
        title_found = title_found or title
    if title_found:
        raise ExtractionError(f"no article date (dd.mm.yyyy) after the title {title_found!r}")
    raise ExtractionError(
        "no article title found (no heading or title line followed by a dd.mm.yyyy date)"
    )


_Found = tuple[_Anchor | None, str | None]


def _by_selector(root: HtmlElement, blocks: list[Block], url: str, css: str | None) -> _Found:
    if not css:
        return None, None
    for element in select(root, css):
        found = _from_element(element, blocks, url)
        if found[1]:
            return found
    return None, None


def _from_element(element: HtmlElement, blocks: list[Block], url: str) -> _Found:
    """The title held by one element (h1 or selected), with the date after it."""
    title = "\n".join(b.title for b in text_blocks(element))
    indices = [i for i, b in enumerate(blocks) if b.within(element)]
    if not title or not indices:
        return None, None
    match = _TRAILING_DATE.search(title)
    if match is not None and parse_date(*match.groups()) and match.start() > 0:
        published = parse_date(*match.groups())
        title = title_text(title[: match.start()])
        if published is not None:
            return _Anchor(title, published, indices[-1], ""), title
    return _date_after(blocks, indices[-1], title, url), title


def _by_repeat(blocks: list[Block]) -> _Found:
    """A line immediately repeated and followed by a date: `T` then `T 07.02.2025`."""
    for i, block in enumerate(blocks):
        if not _title_like(block):
            continue
        if i + 1 < len(blocks) and blocks[i + 1].key.startswith(block.key):
            follower = blocks[i + 1]
            dated = _leading_date(follower.text, len(block.key))
            if dated is None and len(follower.key) == len(block.key) and i + 2 < len(blocks):
                dated = _leading_date(blocks[i + 2].text, 0)
                if dated is not None:
                    return _Anchor(block.title, dated[0], i + 2, dated[1]), block.title
            if dated is not None:
                return _Anchor(block.title, dated[0], i + 1, dated[1]), block.title
        inner = _repeat_inside(block, i)
        if inner is not None:
            return inner, inner.title
    return None, None


def _repeat_inside(block: Block, index: int) -> _Anchor | None:
    """Both copies in one block: `T<br>T 07.02.2025` or `T\xa0\xa0T 07.02.2025`."""
    for match in DATE_RE.finditer(block.key):
        before = block.key[: match.start()].rstrip(" ,;:|/–—-")
        half = (len(before) - 1) // 2
        if half > 0 and before[half] == " " and before[:half] == before[half + 1 :]:
            dated = _leading_date(block.text, 2 * half + 1)
            if dated is not None:
                title = title_text(block.title[:half])  # title, text and key align
                return _Anchor(title, dated[0], index, dated[1])
    return None


def _by_listing_title(blocks: list[Block], url: str, listing_title: str | None) -> _Found:
    if not listing_title:
        return None, None
    key = match_key(listing_title)
    for i, block in enumerate(blocks):
        if not block.is_link and block.key == key:
            return _date_after(blocks, i, block.title, url), block.title
    return None, None


def _by_h1(root: HtmlElement, blocks: list[Block], url: str) -> _Found:
    for element in root.iter("h1"):
        found = _from_element(element, blocks, url)
        if found[1]:
            return found
    return None, None


def _by_trailing_date(blocks: list[Block]) -> _Found:
    """A single unlinked `Title 07.02.2025` line (no heading, no repeat)."""
    for i, block in enumerate(blocks):
        match = _TRAILING_DATE.search(block.title)
        if block.is_link or match is None or len(block.key) > _MAX_TITLE_CHARS:
            continue
        published = parse_date(*match.groups())
        title = title_text(block.title[: match.start()])
        if published is not None and sum(c.isalpha() for c in title) >= 3:
            return _Anchor(title, published, i, ""), title
    return None, None


def _title_like(block: Block) -> bool:
    return (
        not block.is_link
        and len(block.key) <= _MAX_TITLE_CHARS
        and sum(c.isalpha() for c in block.key) >= 3
    )


def _leading_date(text: str, offset: int) -> tuple[date, str] | None:
    """A date right at `offset` (after separators) and the text glued after it."""
    match = _LEADING_DATE.match(text, offset)
    if match is None:
        return None
    published = parse_date(*match.groups())
    if published is None:
        return None
    return published, text[match.end() :].strip()


def _date_after(blocks: list[Block], index: int, title: str, url: str) -> _Anchor | None:
    """The title's date: in the next blocks, alone or after a (near) copy of the title."""
    key = match_key(title)
    own = blocks[index]
    if len(own.key) > len(key) and own.key.startswith(key):  # `Title <span>date</span>`
        dated = _leading_date(own.text, len(key))
        if dated is not None:
            return _Anchor(title, dated[0], index, dated[1])
    for j in range(index + 1, min(index + 1 + _DATE_WINDOW, len(blocks))):
        block = blocks[j]
        match = next((m for m in DATE_RE.finditer(block.text) if parse_date(*m.groups())), None)
        if match is None:
            if len(block.key) > _MAX_TITLE_CHARS:
                return None  # already in the body
            continue
        before = block.text[: match.start()]
        if block.is_link or (before.strip() and not _similar(before, key)):
            continue
        if j + 1 < len(blocks) and _is_news_entry(block, blocks[j + 1], url):
            continue
        dated = _leading_date(block.text, match.start())
        if dated is not None:
            return _Anchor(title, dated[0], j, dated[1])
    return None


def _similar(text: str, key: str) -> bool:
    other = match_key(text).strip(" ,;:|/–—-")
    return other == key or SequenceMatcher(None, other, key).ratio() >= 0.85


def _is_news_entry(block: Block, follower: Block, url: str) -> bool:
    """A lone date over a linked lead: an entry of a sidebar or of related news."""
    return (
        only_date(block.text) is not None
        and follower.is_link
        and any(canonical_detail_url(a.get("href"), url, url) for a in follower.links)
    )


# --- body -------------------------------------------------------------------------


def _body_region(
    root: HtmlElement,
    blocks: list[Block],
    anchor: _Anchor,
    url: str,
    body_selector: str | None,
) -> list[Block]:
    """Blocks after the date line up to the back links (or the end of the article)."""
    after = blocks[anchor.date_index + 1 :]
    containers = select(root, body_selector) if body_selector else []
    if containers:
        inside = [b for b in after if any(b.within(c) for c in containers)]
        if not inside:  # the date line sits below the body container
            inside = [b for b in blocks if any(b.within(c) for c in containers)]
        after = inside
    date_block = blocks[anchor.date_index]
    region: list[Block] = []
    for position, block in enumerate(after):
        # Only the next two blocks matter: no copy of the whole rest per block.
        if _ends_body(block, after[position + 1 : position + 3], date_block, url):
            break
        region.append(block)
    return region


def _ends_body(block: Block, following: list[Block], date_block: Block, url: str) -> bool:
    if _is_back_link(block, url):
        return True
    if _outside_article(block, date_block):
        return True
    if _starts_menu([block, *following[:2]]):
        return True
    return bool(following) and _is_news_entry(block, following[0], url)


def _starts_menu(blocks: list[Block]) -> bool:
    """Three link-only lines in a row (not files) are a menu, not article text."""
    return len(blocks) == 3 and all(
        b.is_link and not any(is_file_link(a) for a in b.links) for b in blocks
    )


def _is_back_link(block: Block, url: str) -> bool:
    short = len(block.key) <= 60
    if _BACK_LINK.match(block.key) and (block.is_link or short):
        return True
    return block.is_link and short and any(_is_listing_link(a, url) for a in block.links)


def _is_listing_link(link: HtmlElement, url: str) -> bool:
    href = (link.get("href") or "").strip()
    if href.lower().startswith("javascript:") and "back" in href.lower():
        return True
    target = absolute_url(href, url)
    return same_site(target, url) and bool(_LISTING_PATH.match(urlsplit(target).path))


def _outside_article(block: Block, date_block: Block) -> bool:
    """In a sidebar, a menu, or the page footer (one that does not hold the article)."""
    for ancestor in _ancestors(block.element):
        tag = tag_of(ancestor)
        role = ancestor.get("role")
        if tag in ("aside", "nav") or role in ("navigation", "complementary"):
            return not date_block.within(ancestor)
        if tag == "footer" and not any(
            tag_of(a) in ("article", "main") for a in ancestor.iterancestors()
        ):
            return not date_block.within(ancestor)
    return False


def _ancestors(element: HtmlElement) -> Iterator[HtmlElement]:
    yield element
    yield from element.iterancestors()


def _drop_title_copies(paragraphs: list[str], title: str) -> list[str]:
    """Leading copies of the title or a lone date (some layouts print them twice)."""
    key = match_key(title)
    start = 0
    while start < len(paragraphs) and (
        match_key(paragraphs[start]) == key or only_date(paragraphs[start])
    ):
        start += 1
    return paragraphs[start:]
