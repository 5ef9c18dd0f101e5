"""Telegram HTML: escaping scraped text, a plain-text fallback, and 4,096-character parts."""

from __future__ import annotations

import html
import re

MAX_LENGTH = 4096  # Telegram's limit for one message's text
_TAG = re.compile(r"</?(?:b|i|u|s|a|code|pre|blockquote)(?:\s[^>]*)?>")


def escape(text: str) -> str:
    """Scraped text as literal HTML text: `<`, `>`, `&` and quotes escaped."""
    return html.escape(text, quote=True)


def link(url: str, label: str) -> str:
    return f'<a href="{escape(url)}">{escape(label)}</a>'


def to_plain(text: str) -> str:
    """What the HTML says, without markup: for resending when Telegram rejects the HTML."""
    return html.unescape(_TAG.sub("", text))


def split(text: str, limit: int = MAX_LENGTH) -> list[str]:
    """Parts of at most `limit` characters, cut at paragraph boundaries where possible."""
    parts: list[str] = []
    current = ""
    for paragraph in text.split("\n\n"):
        for piece in _cut(paragraph, limit):
            candidate = f"{current}\n\n{piece}" if current else piece
            if len(candidate) <= limit:
                current = candidate
            else:
                parts.append(current)
                current = piece
    if current:
        parts.append(current)
    return parts or [""]


def _cut(paragraph: str, limit: int) -> list[str]:
    """A paragraph longer than a message, cut at line breaks, then spaces, then anywhere."""
    pieces: list[str] = []
    while len(paragraph) > limit:
        at = paragraph.rfind("\n", 0, limit)
        if at <= 0:
            at = paragraph.rfind(" ", 0, limit)
        if at <= 0:
            at = _hard_cut(paragraph, limit)
        pieces.append(paragraph[:at])
        paragraph = paragraph[at:].lstrip()
    return [*pieces, paragraph]


def _hard_cut(text: str, limit: int) -> int:
    """Where to cut a text without spaces: at `limit`, but never inside an entity (&amp;)."""
    amp = text.rfind("&", max(limit - 10, 1), limit)
    return amp if amp != -1 and ";" not in text[amp:limit] else limit
