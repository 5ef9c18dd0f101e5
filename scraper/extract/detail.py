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

from lxml.html import HtmlElement

from scraper.extract import furniture
from scraper.extract.attachments import attachment_urls, is_attachment_line
from scraper.extract.region import body_region, is_news_entry
from scraper.extract.story import story_of
from scraper.extract.text import (
    DATE_RE,
    Block,
    match_key,
    only_date,
    parse_date,
    parse_html,
    select,
    text_blocks,
    title_text,
)

_SEPARATORS = r"[\s,;:|/–—-]*"
# A date line may name itself: `Published: 07.02.2025`, `Дата публикации: 07.02.2025`.
_DATE_LABEL = (
    r"(?:(?:published|posted|date|дата(?: публикации)?|опубликовано|добавлено)"
    + _SEPARATORS + ")?"
)
# Right after the title, a date may be glued to a first paragraph that starts with a
# number (`24.05.202524 мая 2025 года …`): the year has four digits, so a digit may follow.
_GLUED_DATE = DATE_RE.pattern.removesuffix(r"(?!\d)")
_LEADING_DATE = re.compile(_SEPARATORS + _DATE_LABEL + _GLUED_DATE, re.IGNORECASE)
_TRAILING_DATE = re.compile(_SEPARATORS + DATE_RE.pattern + r"\s*$")
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
    captions: list[str] = field(default_factory=list)  # photo captions, never in the body


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
    region = body_region(root, blocks, anchor.date_index, anchor.title, url, body_selector)
    attachments = attachment_urls(region, url)
    story = story_of(region, blocks[anchor.date_index], anchor.title, url)
    rest = anchor.rest
    paragraphs = [rest] if rest and not furniture.is_furniture_text(rest) else []
    subtitle = None
    for block in story.blocks:
        if is_attachment_line(block):
            continue
        if not paragraphs and block.heading not in (None, "h1"):
            subtitle = block.text
        paragraphs.append(block.text)
    paragraphs = _drop_title_copies(paragraphs, anchor.title)
    lead = next((p for p in paragraphs if p != subtitle), "")
    return DetailFields(
        anchor.title, anchor.published, lead, paragraphs, attachments, subtitle, story.captions
    )


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
    inside = set(element.iter())  # lxml elements hash by identity
    indices = [i for i, b in enumerate(blocks) if any(s in inside for s in b.sources)]
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
        follows = i + 1 < len(blocks) and blocks[i + 1].key.startswith(block.key)
        # The cheap tests first: this loop may run over every block of the page.
        if not (follows or DATE_RE.search(block.key)) or not _title_like(block):
            continue
        if follows:
            follower = blocks[i + 1]
            dated = _leading_date(follower.text, len(block.key))
            after = _past_furniture(blocks, i + 2)  # a counter may sit between them
            if dated is None and len(follower.key) == len(block.key) and after < len(blocks):
                dated = _leading_date(blocks[after].text, 0)
                if dated is not None:
                    return _Anchor(block.title, dated[0], after, dated[1]), block.title
            if dated is not None:
                return _Anchor(block.title, dated[0], i + 1, dated[1]), block.title
        inner = _repeat_inside(block, i)
        if inner is not None:
            return inner, inner.title
    return None, None


def _repeat_inside(block: Block, index: int) -> _Anchor | None:
    """Both copies in one block: `T<br>T 07.02.2025` or `T\xa0\xa0T 07.02.2025`."""
    for match in re.finditer(_GLUED_DATE, block.key):
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
    for j in _next_blocks(blocks, index):
        block = blocks[j]
        match = next((m for m in re.finditer(_GLUED_DATE, block.text)
                      if parse_date(*m.groups())), None)
        if match is None:
            if len(block.key) > _MAX_TITLE_CHARS:
                return None  # already in the body
            continue
        before = block.text[: match.start()]
        labelled = re.fullmatch(_SEPARATORS + _DATE_LABEL, before, re.IGNORECASE)
        if block.is_link or (before.strip() and not labelled and not _similar(before, key)):
            continue
        if j + 1 < len(blocks) and is_news_entry(block, blocks[j + 1], url):
            continue
        dated = _leading_date(block.text, match.start())
        if dated is not None:
            return _Anchor(title, dated[0], j, dated[1])
    return None


def _furniture_line(block: Block) -> bool:
    """A counter, a credit, a widget... between a title and its date (not a date line)."""
    return DATE_RE.search(block.text) is None and furniture.is_furniture_text(block.text)


def _past_furniture(blocks: list[Block], index: int) -> int:
    """The first index from `index` on whose block is not furniture text."""
    while index < len(blocks) and _furniture_line(blocks[index]):
        index += 1
    return index


def _next_blocks(blocks: list[Block], index: int) -> Iterator[int]:
    """Indices of the blocks after `index` where a date line may be: `_DATE_WINDOW` of
    them, not counting furniture (a counter, a photo credit) in between."""
    counted = 0
    for j in range(index + 1, len(blocks)):
        if counted >= _DATE_WINDOW:
            return
        yield j
        if not _furniture_line(blocks[j]):
            counted += 1


def _similar(text: str, key: str) -> bool:
    other = match_key(text).strip(" ,;:|/–—-")
    return other == key or SequenceMatcher(None, other, key).ratio() >= 0.85


# --- body -------------------------------------------------------------------------


def _drop_title_copies(paragraphs: list[str], title: str) -> list[str]:
    """Leading copies of the title or a lone date (some layouts print them twice)."""
    key = match_key(title)
    start = 0
    while start < len(paragraphs) and (
        match_key(paragraphs[start]) == key or only_date(paragraphs[start])
    ):
        start += 1
    return paragraphs[start:]
