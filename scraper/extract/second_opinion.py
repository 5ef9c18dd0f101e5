"""A second opinion on an article's body from a well-kept main-content extractor.

trafilatura reads the same HTML its own way (no dates, titles or link patterns of this
site); its paragraphs, less the ones that are links, the title or furniture text, are
compared with the body by the token-set (Jaccard) similarity of their words. A similarity
below `STRONG_DISAGREEMENT` means one of the two is probably wrong about what the story is:
the poll counts it (`/metrics`) and logs the URL, nothing else changes.

It costs ~5 ms of CPU per page (about twice the rule-based extraction), so it runs on the
few detail pages of a poll, not on an archive crawl; trafilatura (~0.6 s, ~5 MB) is
imported at the first comparison, not when the daemon starts.

It is optional: when it raises (trafilatura missing a dependency, say jusText's
`lxml.html.clean`), the spider keeps the page from its own extraction, counts the failure
(`csto_code_errors_total{stage="second_opinion"}`) and `second_opinion_failed` logs it once
per process.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from lxml import etree

from scraper.code_errors import describe_exception
from scraper.extract import furniture
from scraper.extract.text import match_key

logger = logging.getLogger(__name__)
STRONG_DISAGREEMENT = 0.5
_WORD = re.compile(r"\w+")
_LINK_SHARE = 0.8  # a paragraph mostly made of links: a list entry or a button
_PARAGRAPH_TAGS = ("p", "head", "item", "quote", "cell")


@dataclass(frozen=True)
class Opinion:
    similarity: float  # 0 (no word in common) .. 1 (the same words)

    @property
    def strong_disagreement(self) -> bool:
        return self.similarity < STRONG_DISAGREEMENT


def second_opinion(html: str, url: str, title: str, body: list[str]) -> Opinion | None:
    """Compare `body` with trafilatura's reading of `html`; None if it found no text."""
    paragraphs = _their_paragraphs(html, url, title)
    if not paragraphs and not body:
        return None
    ours, theirs = _words(body), _words(paragraphs)
    union = ours | theirs
    return Opinion(len(ours & theirs) / len(union) if union else 1.0)


class _LoggedOnce:
    """Whether this process has logged a failure of the second opinion yet: it fails on
    every page alike (a missing module), and one line says all there is to say."""

    done = False


def second_opinion_failed(url: str, exc: BaseException) -> None:
    """Log the first failure of the second opinion in this process; later ones are only
    counted (the spider's CrawlOutcome, then /metrics)."""
    if _LoggedOnce.done:
        return
    _LoggedOnce.done = True
    logger.error("the second-opinion extractor (trafilatura) failed on %s: %s; pages are "
                 "stored from our own extraction without the comparison (failures are "
                 "counted in csto_code_errors_total{stage=\"second_opinion\"}; logged once "
                 "per process)", url, describe_exception(exc).rstrip("."))


def _their_paragraphs(html: str, url: str, title: str) -> list[str]:
    import trafilatura  # heavy: only when a comparison is made

    xml = trafilatura.extract(
        html, url=url, output_format="xml", include_links=True, include_comments=False,
        include_images=False, fast=True, deduplicate=False,
    )
    if not xml:
        return []
    try:
        root = etree.fromstring(xml.encode("utf-8"))
    except etree.XMLSyntaxError:
        return []
    title_key = match_key(title)
    return [text for element in root.iter(*_PARAGRAPH_TAGS)
            if (text := _story_text(element, title_key))]


def _story_text(element: Any, title_key: str) -> str:
    """The paragraph's text, or "" for links, the title and furniture text."""
    text = match_key("".join(element.itertext()))
    linked = sum(len(match_key("".join(ref.itertext()))) for ref in element.iter("ref"))
    if not text or linked >= _LINK_SHARE * len(text) or text == title_key:
        return ""
    return "" if furniture.is_furniture_text(text) else text


def _words(paragraphs: list[str]) -> set[str]:
    return {word.lower() for text in paragraphs for word in _WORD.findall(text)}
