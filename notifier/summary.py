"""Short summaries of news items for notifications: the lead, cut at sentence boundaries."""

from __future__ import annotations

import re

from monitor.sentences import clean, split_sentences

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def summarize(lead: str, body: list[str] | str, max_sentences: int = 3,
              max_chars: int = 600) -> str:
    """The lead (or the first body paragraph) cut to whole sentences within the limits."""
    if max_sentences < 1 or max_chars < 2:
        raise ValueError("max_sentences must be >= 1 and max_chars >= 2")
    text = clean(lead) or _first_paragraph(body)
    if not text:
        return ""
    sentences = split_sentences(text)
    picked: list[str] = []
    for sentence in sentences[:max_sentences]:
        if len(" ".join([*picked, sentence])) > max_chars:
            break
        picked.append(sentence)
    if not picked:  # even the first sentence is too long
        return truncate(sentences[0], max_chars)
    return " ".join(picked)


def _first_paragraph(body: list[str] | str) -> str:
    paragraphs = _PARAGRAPH_BREAK.split(body) if isinstance(body, str) else body
    return next((p for p in map(clean, paragraphs) if p), "")


def truncate(text: str, max_chars: int) -> str:
    """`text` cut at a word boundary so that, with the added "…", it fits in `max_chars`."""
    text = clean(text)
    if len(text) <= max_chars:
        return text
    room = max_chars - 1  # keep a place for "…"
    head = text[:room]
    if not text[room].isspace() and " " in head:
        head = head.rsplit(" ", 1)[0]  # drop the partial last word
    return (head.rstrip(" ,;:—–-«“„(") or head) + "…"
