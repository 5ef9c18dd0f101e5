"""Confirming a suspected edit from two reads of the page (pure, no I/O).

An edit is announced only when the changed text is stable across both reads: each change
from the stored item to the first read (a field, or one paragraph replaced, removed or
added at a place) counts only when the second read makes the very same change. What is
left is the stored version, so a page that flaps, or a block that changes on every read
and is not known as furniture yet, announces nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from difflib import SequenceMatcher

from monitor.diff import normalise
from monitor.noise import split_body
from monitor.snapshot import Change, EditedChange, StoredItem
from scraper.items import NewsItem

# The fields a re-read must confirm; "url" and "status" need no second opinion.
CONFIRMED_FIELDS = frozenset({"title", "published", "lead", "body"})

# One change of a paragraph list: stored[start:end] becomes `new` (empty: a removal).
_Op = tuple[int, int, tuple[str, ...]]


def needs_confirmation(change: Change) -> bool:
    return isinstance(change, EditedChange) and bool(CONFIRMED_FIELDS & set(change.fields))


def _ops(stored: Sequence[str], read: Sequence[str]) -> list[_Op]:
    """The changes from `stored` to `read`, paragraph by paragraph (a replaced run paired in
    order), so that a stable edit next to a block that differs on every read is confirmed
    alone."""
    keys_a, keys_b = [normalise(p) for p in stored], [normalise(p) for p in read]
    ops: list[_Op] = []
    matcher = SequenceMatcher(None, keys_a, keys_b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        pairs = min(i2 - i1, j2 - j1)
        ops += [(i1 + k, i1 + k + 1, (keys_b[j1 + k],)) for k in range(pairs)]
        ops += [(i, i + 1, ()) for i in range(i1 + pairs, i2)]
        ops += [(i2, i2, (key,)) for key in keys_b[j1 + pairs:j2]]
    return ops


def merge_paragraphs(stored: Sequence[str], first: Sequence[str],
                     second: Sequence[str]) -> list[str]:
    """`stored` with only the paragraph changes both reads agree on."""
    texts = {normalise(p): p for p in (*second, *first)}  # as the first read wrote them
    confirmed = set(_ops(stored, second))
    merged: list[str] = []
    position = 0
    for start, end, new in _ops(stored, first):
        merged += stored[position:start]
        merged += [texts[key] for key in new] if (start, end, new) in confirmed \
            else stored[start:end]
        position = end
    return merged + list(stored[position:])


def _agreed_text(stored: str, first: str, second: str) -> str:
    return first if normalise(first) == normalise(second) else stored


def confirmed_item(stored: StoredItem, first: NewsItem, second: NewsItem) -> NewsItem:
    """What both reads agree on, field by field and paragraph by paragraph; the stored
    version where they disagree. All three are compared cleaned of known furniture."""
    body = merge_paragraphs(split_body(stored.body), first.body, second.body)
    return dataclasses.replace(
        first,
        title=_agreed_text(stored.title, first.title, second.title),
        published=first.published if first.published == second.published else stored.published,
        lead=_agreed_text(stored.lead, first.lead, second.lead),
        body=body,
    )
