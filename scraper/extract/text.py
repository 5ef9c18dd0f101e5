"""HTML to text blocks in document order, whitespace rules and `dd.mm.yyyy` dates.

Extraction works on these blocks rather than on class names: block-level elements and
`<br><br>` end a paragraph, a single `<br>` is a line break inside it. Each block
remembers which of its characters were link text, so that linked sidebars, menus and
back links can be told from the article's own text.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

import lxml.html
from cssselect import ExpressionError, SelectorSyntaxError
from lxml.etree import ParserError, XPathError
from lxml.html import HtmlElement

DATE_RE = re.compile(r"(?<!\d)(\d{2})\.(\d{2})\.(\d{4})(?!\d)")
# A private-use character stands for `<br>` until blocks are split and normalised.
BR = "\ue000"
# Zero-width characters and the soft hyphen: dropped (a regex: str.translate is slower).
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\xad]")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)

BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "html",
        "li",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    ]
)
SKIP_TAGS = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "head",
        "title",
        "meta",
        "link",
        "iframe",
        "svg",
        "object",
        "embed",
        "select",
        "option",
        "textarea",
        "input",
        "button",
        "canvas",
        "audio",
        "video",
        "map",
    ]
)
HEADING_TAGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))


def parse_date(day: str, month: str, year: str) -> date | None:
    """A real calendar date, or None (31.02.2025, month 13, year 0215 are rejected)."""
    try:
        value = date(int(year), int(month), int(day))
    except ValueError:
        return None
    return value if 1900 <= value.year <= 2100 else None


def iter_dates(text: str) -> Iterator[tuple[re.Match[str], date]]:
    """Every valid `dd.mm.yyyy` date in the text, with its match."""
    for match in DATE_RE.finditer(text):
        value = parse_date(*match.groups())
        if value is not None:
            yield match, value


def first_date(text: str) -> date | None:
    return next((value for _, value in iter_dates(text)), None)


def only_date(text: str) -> date | None:
    """The date if the text is nothing but one date (spaces aside)."""
    found = list(iter_dates(text))
    if len(found) == 1 and found[0][0].group(0) == text.strip():
        return found[0][1]
    return None


def _squash(text: str) -> str:
    """Runs of whitespace → one space, ends stripped (`str.split` and regex `\\s` agree on
    what whitespace is, and splitting is several times faster than a regex)."""
    return " ".join(text.split())


def collapse(text: str) -> str:
    """Every run of whitespace (line breaks and non-breaking spaces too) → one space."""
    return _squash(_INVISIBLE.sub("", text.replace(BR, " ")))


def _lines(text: str, separators: str) -> str:
    text = _INVISIBLE.sub("", text)
    for separator in separators:
        text = text.replace(separator, BR)
    if BR not in text:  # one line: most paragraphs
        return _squash(text)
    lines = (_squash(line) for line in text.split(BR))
    return "\n".join(line for line in lines if line)


def paragraph_text(raw: str) -> str:
    """Body text: a `<br>` is kept as "\\n", source newlines are plain spaces."""
    return _lines(raw, "")


def title_text(raw: str) -> str:
    """Title text: a `<br>` or a newline in the source is kept as one "\\n"."""
    return _lines(raw, "\n\r")


def match_key(text: str) -> str:
    """Whitespace-insensitive form for comparing two copies of the same text."""
    return collapse(text)


def parse_html(html: str | bytes) -> HtmlElement:
    """The document's root element; an empty document gives an empty `<html>`."""
    if isinstance(html, str):
        html = _XML_DECLARATION.sub("", html, count=1)
    try:
        return lxml.html.document_fromstring(html)
    except (ParserError, ValueError):
        return lxml.html.document_fromstring("<html><body></body></html>")


def tag_of(element: HtmlElement) -> str:
    return element.tag.lower() if isinstance(element.tag, str) else ""


@dataclass
class _Segment:
    text: str
    link: HtmlElement | None
    source: HtmlElement


@dataclass
class Block:
    """One paragraph of visible text and where it came from."""

    raw: str
    element: HtmlElement  # innermost block-level element holding the text
    sources: list[HtmlElement] = field(default_factory=list)  # elements holding its text
    links: list[HtmlElement] = field(default_factory=list)  # <a> elements inside it
    linked: int = 0  # visible characters inside links
    size: int = 0  # visible characters

    @cached_property
    def text(self) -> str:
        return paragraph_text(self.raw)

    @cached_property
    def title(self) -> str:
        return title_text(self.raw)

    @cached_property
    def key(self) -> str:
        return match_key(self.raw)

    @property
    def is_link(self) -> bool:
        """Mostly link text (sidebar leads, menus, back links, attachments)."""
        return self.size > 0 and self.linked >= 0.8 * self.size

    @cached_property
    def heading(self) -> str | None:
        for element in (self.element, *self.element.iterancestors()):
            if tag_of(element) in HEADING_TAGS:
                return tag_of(element)
        return None

    def within(self, container: HtmlElement) -> bool:
        return any(_is_inside(source, container) for source in self.sources)


def _is_inside(element: HtmlElement, container: HtmlElement) -> bool:
    return element is container or any(a is container for a in element.iterancestors())


def _visible(text: str) -> int:
    """Characters other than whitespace and `<br>` marks."""
    return len("".join(text.split())) - text.count(BR)


class _Builder:
    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.segments: list[_Segment] = []
        self.open_blocks: list[HtmlElement] = []

    def add(self, text: str | None, link: HtmlElement | None, source: HtmlElement) -> None:
        if text:
            self.segments.append(_Segment(text, link, source))

    def flush(self) -> None:
        segments = self.segments
        if segments and self.open_blocks:
            # Most flushes hold one text node: nothing to split (the hot path of a page).
            paragraphs = [segments] if len(segments) == 1 else _split_paragraphs(segments)
            for paragraph in paragraphs:
                block = _make_block(paragraph, self.open_blocks[-1])
                if block is not None:
                    self.blocks.append(block)
        self.segments = []


def _split_paragraphs(segments: list[_Segment]) -> Iterator[list[_Segment]]:
    """Split at two `<br>` with only whitespace between them."""
    current: list[_Segment] = []
    after_br = False
    for segment in segments:
        if segment.text == BR:
            if after_br:
                yield current
                current, after_br = [], False
                continue
            after_br = True
        elif segment.text.strip():
            after_br = False
        current.append(segment)
    yield current


def _make_block(segments: list[_Segment], element: HtmlElement) -> Block | None:
    raw = "".join(s.text for s in segments)
    if raw.isspace():  # the whitespace between tags: over half of all flushes
        return None
    text = paragraph_text(raw)
    if not text:  # also covers no visible character at all
        return None
    size = _visible(raw)
    if len(segments) == 1:  # one text node: most blocks
        link = segments[0].link
        block = Block(raw, element, [segments[0].source], [] if link is None else [link],
                      0 if link is None else size, size)
    else:
        # lxml elements compare and hash by identity: dict keys dedupe them in order.
        links = list(dict.fromkeys(s.link for s in segments if s.link is not None))
        sources = list(dict.fromkeys(s.source for s in segments))
        linked = sum(_visible(s.text) for s in segments if s.link is not None)
        block = Block(raw, element, sources, links, linked, size)
    block.__dict__["text"] = text  # the cached property, already computed
    return block


def _walk(
    element: HtmlElement,
    tag: str,
    builder: _Builder,
    link: HtmlElement | None,
    skip: Collection[HtmlElement],
) -> None:
    if tag == "br":
        builder.add(BR, link, element)
        return
    is_block = tag in BLOCK_TAGS
    if is_block:
        builder.flush()
        builder.open_blocks.append(element)
    if tag == "a" and element.get("href") is not None:
        link = element
    builder.add(element.text, link, element)
    for child in element:
        child_tag = tag_of(child)  # computed once here, passed down (this is the hot loop)
        if child_tag and child_tag not in SKIP_TAGS and child not in skip:
            _walk(child, child_tag, builder, link, skip)
        builder.add(child.tail, link, element)
    if is_block:
        builder.flush()
        builder.open_blocks.pop()


def text_blocks(root: HtmlElement, skip: Collection[HtmlElement] = ()) -> list[Block]:
    """The visible text of `root` as paragraphs in document order (`skip`: left out)."""
    builder = _Builder()
    builder.open_blocks.append(root)
    _walk(root, tag_of(root), builder, None, set(skip))  # lxml elements hash by identity
    builder.flush()
    return builder.blocks


class SelectorError(ValueError):
    """A configured CSS selector that cannot be used."""


def select(root: HtmlElement, css: str) -> list[HtmlElement]:
    """Elements matching a configured CSS selector, with a readable error if it is invalid."""
    try:
        return list(root.cssselect(css))
    except (SelectorSyntaxError, ExpressionError, XPathError) as exc:
        raise SelectorError(f"invalid CSS selector {css!r}: {exc}") from None
