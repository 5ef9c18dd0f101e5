"""Which blocks of the article region are the story, by structure and text shape.

The region (from the date line to the back links) also holds what the page puts around
the story, and that changes between two requests without an edit: lists of other stories
("read also", latest news), breadcrumbs, share and print widgets, counters, photos with
captions and credits, promotional lines. They are told by what they are, never by class
names:
- lists of other stories: an element made of items that each lead with a link to another
  story (a date, a lead may go with it), plus at most a short heading;
- link-only lines (menus, share buttons, promos, breadcrumbs), except files and a bare
  address that is the text of a paragraph;
- captions: inside `figure`, or short text by an image with a time, a credit or the
  image's own alt text;
- the text shapes of `scraper/extract/furniture.py`.
Captions are kept apart (`Story.captions`), never in the body.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

from lxml.html import HtmlElement

from scraper.extract import furniture
from scraper.extract.attachments import is_attachment_line, is_file_link
from scraper.extract.text import Block, collapse, match_key, tag_of
from scraper.urls import canonical_detail_url

_MAX_LABELS = 3  # a list's own lines besides its items: a heading, a "more" link
_ITEM_LINK_SHARE = 0.3  # an item is mostly its link (or starts with it)
_HEADING_WORDS = 6
_CAPTION_CHARS = 300
_TRAIL_CHARS = 40  # a breadcrumb's link: a section name
_TRAIL_SEPARATORS = " /|»›>→·•–—-\\"
_MEDIA_TAGS = ("img", "picture", "video", "iframe")
_EMPHASIS_TAGS = frozenset(("b", "strong"))
_IMAGE_BOX_CHARS = 400  # an element holding an image and at most this much text
_CREDIT_CHARS = 120  # besides the caption itself


@dataclass
class Story:
    blocks: list[Block] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)


def _chars(element: HtmlElement) -> int:
    return len("".join(element.text_content().split()))


class _Page:
    """Facts about the page that the rules share, computed once per element."""

    def __init__(self, region: list[Block], date_block: Block, title: str, url: str) -> None:
        self.region, self.date_block, self.url = region, date_block, url
        self.title = match_key(title)
        self._chars: dict[HtmlElement, int] = {}
        self._targets: dict[str, str | None] = {}
        self._own = canonical_detail_url(url, url, url)
        # lxml elements hash by identity: the date line's elements and their ancestors.
        self._holds_date = {
            node for source in date_block.sources for node in _self_and_ancestors(source)
        }

    def chars(self, element: HtmlElement) -> int:
        if element not in self._chars:
            self._chars[element] = _chars(element)
        return self._chars[element]

    def other_story(self, link: HtmlElement) -> str | None:
        """The canonical URL of another story this link leads to (cached per href)."""
        href = link.get("href") or ""
        if "/news/" not in href and "/statements/" not in href:
            return None  # the only paths of stories: spares resolving menus and buttons
        if href not in self._targets:
            target = canonical_detail_url(href, self.url, self.url)
            self._targets[href] = target if target != self._own else None
        return self._targets[href]

    def below_article(self, element: HtmlElement) -> Iterator[HtmlElement]:
        """The element and its ancestors up to (not including) one holding the date."""
        for node in (element, *element.iterancestors()):
            if node in self._holds_date or tag_of(node) in ("body", "html"):
                return
            yield node

    @cached_property
    def clusters(self) -> list[HtmlElement]:
        return _find_clusters(self)


def story_of(region: list[Block], date_block: Block, title: str, url: str) -> Story:
    """The story's blocks in order, and the captions found among the region's blocks."""
    page = _Page(region, date_block, title, url)
    story = Story()
    kinds = [_kind(block, page) for block in region]
    kinds = _drop_list_headings(region, kinds)
    kinds = _drop_trail_ends(region, kinds, title)
    for block, kind in zip(region, kinds, strict=True):
        if kind == "story":
            story.blocks.append(block)
        elif kind == "caption":
            story.captions.append(block.text)
    return story


def _kind(block: Block, page: _Page) -> str:
    """story, caption, list (of other stories), links (a link-only line), or furniture."""
    if any(_figure(node) for node in page.below_article(block.element)):
        return "caption"
    if any(block.within(cluster) for cluster in page.clusters):
        return "list"
    if is_attachment_line(block):
        return "story"  # the caller keeps attachment lines out of the body
    if _link_only(block) or _trail(block, page.title):
        return "links"
    if _caption(block, page):
        return "caption"
    if furniture.is_furniture_text(block.text) or _widget(block):
        return "furniture"
    return "story"


def _figure(element: HtmlElement) -> bool:
    """A figure's caption, or a figure of an image (a figure may also hold a quotation)."""
    tag = tag_of(element)
    return tag == "figcaption" or (
        tag == "figure" and next(element.iter(*_MEDIA_TAGS), None) is not None
    )


def _self_and_ancestors(element: HtmlElement) -> Iterator[HtmlElement]:
    yield element
    yield from element.iterancestors()


def _link_only(block: Block) -> bool:
    """Mostly link text and neither a file nor one address written out as a paragraph."""
    if not block.is_link or furniture.is_bare_url(block.text):
        return False
    return not any(is_file_link(a) for a in block.links)


def _trail(block: Block, title: str) -> bool:
    """Breadcrumbs: short links and separators, ending with (the start of) the title."""
    if len(block.links) < 2 or len(block.key) > len(title) + _TRAIL_CHARS * len(block.links):
        return False
    rest = block.key
    for link in block.links:
        text = collapse(link.text_content())
        if len(text) > _TRAIL_CHARS:
            return False
        rest = rest.replace(text, " ", 1)
    rest = rest.strip(_TRAIL_SEPARATORS).rstrip("…").strip()
    return not rest.strip(_TRAIL_SEPARATORS) or (len(rest) >= 3 and title.startswith(rest))


def _widget(block: Block) -> bool:
    """Widget words, the link texts counted apart (buttons often touch each other)."""
    if len(block.key) > furniture.MAX_FURNITURE_CHARS or not block.links:
        return False
    rest = block.key
    words: list[str] = []
    for link in block.links:
        text = collapse(link.text_content())
        words += text.split()
        rest = rest.replace(text, " ", 1)
    return furniture.is_widget(words + rest.split())


# --- lists of other stories ----------------------------------------------------------


def _find_clusters(page: _Page) -> list[HtmlElement]:
    """The largest elements below the article's own container made of story items and at
    most a label or two (a heading, dates): lists of other stories."""
    items = _items(page)
    if len(items) < 2:
        return []
    found: list[HtmlElement] = []
    judged: dict[HtmlElement, bool | None] = {}  # items share ancestors: judge each once
    for item in items:
        best = None
        parent = item.getparent()
        for node in page.below_article(item if parent is None else parent):
            if node not in judged:
                judged[node] = _judge(node, items, page)
            if judged[node] is False:
                break
            if judged[node]:
                best = node
        if best is not None and best not in found:
            found.append(best)
    return found


def _judge(node: HtmlElement, items: list[HtmlElement], page: _Page) -> bool | None:
    """True: a list of other stories; False: more than that; None: not two items yet."""
    inside = [i for i in items if i is node or node in i.iterancestors()]
    return None if len(inside) < 2 else _list_of(node, inside, page)


def _list_of(node: HtmlElement, items: list[HtmlElement], page: _Page) -> bool:
    """Whether the node's text outside its items is labels only (a heading, dates)."""
    below = set(node.iter())
    in_items = {e for item in items for e in item.iter()}
    labels = [
        b for b in page.region
        if b.sources[0] in below and not all(s in in_items for s in b.sources)
    ]
    headings = [b for b in labels if not furniture.is_meta_line(b.text)]  # dates: any number
    return len(headings) <= _MAX_LABELS and all(_label(b) for b in headings)


def _label(block: Block) -> bool:
    """A heading or a date: a few words, no sentence."""
    words = block.key.split()
    return len(words) <= _HEADING_WORDS and block.key[-1] not in ".!?…;,"


def _items(page: _Page) -> list[HtmlElement]:
    """Elements each holding one link to another story, led by that link."""
    items: list[HtmlElement] = []
    for block in page.region:
        for link in block.links:
            target = page.other_story(link)
            item = _item_of(link, target, page) if target else None
            if item is not None and item not in items:
                items.append(item)
    return items


def _item_of(link: HtmlElement, target: str, page: _Page) -> HtmlElement | None:
    """The largest ancestor of the link with no other story link in it, if link-led."""
    item = None
    for node in page.below_article(link):
        targets = {page.other_story(a) for a in node.iter("a")} - {None}
        if targets != {target}:
            break
        item = node
    if item is None:
        return None
    link_chars = page.chars(link)
    led = match_key(item.text_content()).lstrip(" 0123456789.:-–—|·")
    if link_chars >= _ITEM_LINK_SHARE * page.chars(item) or led.startswith(
        match_key(link.text_content())
    ):
        return item
    return None


# --- captions ------------------------------------------------------------------------


def _caption(block: Block, page: _Page) -> bool:
    """Short text by an image, with a time, a credit or the image's own description."""
    if len(block.key) > _CAPTION_CHARS:
        return False
    image = _image_by(block, page)
    if image is None:
        return False
    described = {match_key(image.get(a) or "") for a in ("alt", "title")} - {""}
    return _stamped(block.key) or furniture.is_credit(block.text) or block.key in described


def _stamped(text: str) -> bool:
    """A time at the start or the end (`Signing ceremony, 14:05`), not inside a sentence."""
    text = text.strip(" .)]")
    return any(
        match.start() == 0 or match.end() == len(text)
        for match in furniture.TIME_RE.finditer(text)
    )


def _image_by(block: Block, page: _Page) -> HtmlElement | None:
    """An image in a small box around the block (the block, a credit line and little else),
    or an image without text just before the block's element."""
    room = min(page.chars(block.element) + _CREDIT_CHARS, _IMAGE_BOX_CHARS)
    for node in list(page.below_article(block.element))[:3]:
        if page.chars(node) > room:
            break
        image = next(node.iter("img"), None)
        if image is not None:
            return image
    previous = block.element.getprevious()
    if previous is None or page.chars(previous) > 0:
        return None
    return previous if tag_of(previous) == "img" else next(previous.iter("img"), None)


# --- neighbours ----------------------------------------------------------------------


def _drop_list_headings(region: list[Block], kinds: list[str]) -> list[str]:
    """A short bold or heading line right before a list of links: that list's heading."""
    out = list(kinds)
    for i, block in enumerate(region[:-1]):
        if kinds[i] == "story" and kinds[i + 1] in ("links", "list") and _heading(block):
            out[i] = "furniture"
    return out


def _heading(block: Block) -> bool:
    words = block.key.split()
    if not words or len(words) > _HEADING_WORDS or block.key[-1] in ".!?…;,":
        return False
    if block.heading is not None or block.key.endswith(":"):
        return True
    return _all_emphasis(block)


def _all_emphasis(block: Block) -> bool:
    strong = "".join(
        "".join(e.text_content().split())
        for e in block.element.iter(*_EMPHASIS_TAGS)
    )
    return len(strong) >= block.size > 0


def _drop_trail_ends(region: list[Block], kinds: list[str], title: str) -> list[str]:
    """Breadcrumbs end with the page itself: a title copy right after link-only lines."""
    key = match_key(title)
    out = list(kinds)
    for i in range(1, len(region)):
        if kinds[i] == "story" and kinds[i - 1] == "links" and region[i].key == key:
            out[i] = "furniture"
    return out
