"""Where the article's body is: the blocks after its date line, up to the back links.

When the date line and the story's first paragraph share a container that holds none of
the page's lists of other stories (the sidebar), that container is the article: the body
ends where it ends, and lists, widgets and asides inside it are left to the story rules
(`scraper/extract/story.py`) instead of ending the body, since page furniture is often
placed between paragraphs. Without such a container the body ends at the first menu,
aside or list of news entries, as it always did.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from scraper.extract import furniture
from scraper.extract.attachments import is_file_link
from scraper.extract.text import Block, match_key, only_date, select, tag_of
from scraper.urls import absolute_url, canonical_detail_url, same_site

_BACK_LINK = re.compile(r"^(?:[←«<‹\s]*)(?:go back|back to|back$|назад|вернуться)", re.I)
_LISTING_PATH = re.compile(r"^/(?:news|documents/statements)(?:/[^/]+)?/?$")
_TITLE_LOOKBACK = 8  # blocks between the title and its date line (counters, photos)
_ASIDE_TAGS = frozenset(("aside", "nav"))
_ASIDE_ROLES = frozenset(("navigation", "complementary"))


def body_region(
    root: HtmlElement,
    blocks: list[Block],
    date_index: int,
    title: str,
    url: str,
    body_selector: str | None,
) -> list[Block]:
    """Blocks after the date line up to the back links (or the end of the article)."""
    after = blocks[date_index + 1 :]
    containers = select(root, body_selector) if body_selector else []
    if containers:
        inside = [b for b in after if any(b.within(c) for c in containers)]
        if not inside:  # the date line sits below the body container
            inside = [b for b in blocks if any(b.within(c) for c in containers)]
        after = inside
    date_block = blocks[date_index]
    article = None if containers else article_container(blocks, date_index, title, url)
    if article is not None:
        return _within(article, after, date_block, url)
    region: list[Block] = []
    for position, block in enumerate(after):
        # Only the next two blocks matter: no copy of the whole rest per block.
        if _ends_body(block, after[position + 1 : position + 3], date_block, url):
            break
        region.append(block)
    return region


def article_container(
    blocks: list[Block], date_index: int, title: str, url: str
) -> HtmlElement | None:
    """The smallest element holding the title, the date line and the story's first
    paragraph, when it holds no list of other stories before the date (a sidebar)."""
    first = next((b for b in blocks[date_index + 1 :] if _story_like(b, url)), None)
    if first is None:
        return None
    common: HtmlElement | None = first.element
    for block in (_title_block(blocks, date_index, title), blocks[date_index]):
        holds = {node for source in block.sources for node in _ancestors(source)}
        if common is not None:
            common = next((n for n in _ancestors(common) if n in holds), None)
    if common is None or tag_of(common) in ("body", "html"):
        return None
    inside = set(common.iter())  # lxml elements hash by identity
    sidebar = any(
        b.is_link
        and any(source in inside for source in b.sources)
        and any(_other_story(a, url) for a in b.links)
        for b in blocks[:date_index]
    )
    return None if sidebar else common


def _title_block(blocks: list[Block], date_index: int, title: str) -> Block:
    """The nearest block up to the date line that starts with the title (else the date's)."""
    key = match_key(title)
    for block in reversed(blocks[max(0, date_index - _TITLE_LOOKBACK) : date_index + 1]):
        if key and block.key.startswith(key):
            return block
    return blocks[date_index]


def _story_like(block: Block, url: str) -> bool:
    """A first paragraph candidate: neither links, furniture text nor a back link."""
    return not (
        block.is_link
        or _is_back_link(block, url)
        or furniture.is_furniture_text(block.text)
        or only_date(block.text)
    )


def _other_story(link: HtmlElement, url: str) -> bool:
    target = canonical_detail_url(link.get("href"), url, url)
    return target is not None and target != canonical_detail_url(url, url, url)


def _within(article: HtmlElement, after: list[Block], date_block: Block, url: str) -> list[Block]:
    """The article's blocks up to the back links; asides and menus inside it left out."""
    region: list[Block] = []
    inside = set(article.iter())  # lxml elements hash by identity
    for block in after:
        if not any(source in inside for source in block.sources) or _is_back_link(block, url):
            break
        if not _in_aside(block, date_block, article):
            region.append(block)
    return region


def _ends_body(block: Block, following: list[Block], date_block: Block, url: str) -> bool:
    if _is_back_link(block, url):
        return True
    if _outside_article(block, date_block):
        return True
    if _starts_menu([block, *following[:2]]):
        return True
    return bool(following) and is_news_entry(block, following[0], url)


def is_news_entry(block: Block, follower: Block, url: str) -> bool:
    """A lone date over a linked lead: an entry of a sidebar or of related news."""
    return (
        only_date(block.text) is not None
        and follower.is_link
        and any(canonical_detail_url(a.get("href"), url, url) for a in follower.links)
    )


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


def _in_aside(block: Block, date_block: Block, top: HtmlElement | None = None) -> bool:
    """In an aside or a menu (one that does not hold the date line), below `top`."""
    for ancestor in _ancestors(block.element):
        if ancestor is top:
            return False
        if tag_of(ancestor) in _ASIDE_TAGS or ancestor.get("role") in _ASIDE_ROLES:
            return not date_block.within(ancestor)
    return False


def _outside_article(block: Block, date_block: Block) -> bool:
    """In a sidebar, a menu, or the page footer (one that does not hold the article)."""
    if _in_aside(block, date_block):
        return True
    for ancestor in _ancestors(block.element):
        if tag_of(ancestor) == "footer" and not any(
            tag_of(a) in ("article", "main") for a in ancestor.iterancestors()
        ):
            return not date_block.within(ancestor)
    return False


def _ancestors(element: HtmlElement) -> Iterator[HtmlElement]:
    yield element
    yield from element.iterancestors()
