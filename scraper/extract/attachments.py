"""Attached files of an article: `.pdf`, `.doc(x)`, `.xls(x)`, `.rar`, `.zip` links.

Their lines (`Download document <md5>.docx`, `Annex 2.pdf (1.2 MB)`) are not body text.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from scraper.extract.text import Block, match_key
from scraper.urls import absolute_url

_EXTENSIONS = r"\.(?:pdf|docx?|xlsx?|pptx?|rtf|odt|ods|rar|zip|7z)"
_FILE_NAME = re.compile(_EXTENSIONS + "$", re.I)
# An unlinked file name with at most a size note: `Annex 2.pdf (1.2 MB)`.
_FILE_LINE = re.compile(r"^[^\n]{0,150}" + _EXTENSIONS + r"(?:\s*\([^)]{0,30}\))?$", re.I)
_MAX_EXTRA_WORDS = 4  # `Download document` around the link, not a sentence


def is_file_link(link: HtmlElement) -> bool:
    href = (link.get("href") or "").strip()
    if not href or href.lower().startswith(("javascript:", "mailto:")):
        return False
    text = match_key(link.text_content())
    return bool(_FILE_NAME.search(urlsplit(href).path) or _FILE_NAME.search(text))


def attachment_urls(blocks: list[Block], page_url: str) -> list[str]:
    """Absolute URLs (without fragment) of the file links in these blocks, in order."""
    found: list[str] = []
    for block in blocks:
        for link in block.links:
            if is_file_link(link):
                target = absolute_url(link.get("href", ""), page_url)
                if target not in found:
                    found.append(target)
    return found


def is_attachment_line(block: Block) -> bool:
    """A file link with a few words around it, or a bare file name."""
    files = [a for a in block.links if is_file_link(a)]
    if not files:
        return bool(_FILE_LINE.match(block.key))
    remainder = block.key
    for link in files:
        remainder = remainder.replace(match_key(link.text_content()), " ")
    return len(remainder.split()) <= _MAX_EXTRA_WORDS
