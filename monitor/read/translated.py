"""Russian-only stories found by the English of their title and lead (issue 21, point 5).

When translation is configured, the English of a Russian title or lead is stored once
(`translations`, keyed by the SHA-256 of the text: monitor.translation.cache) and indexed
as English text (`core.search_index`). A story with an English version is found by that
version already and stays listed once, so only unpaired Russian items are looked up here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlalchemy.orm import Session

from core.analyzer import digest
from core.models import CachedTranslation, Item, StoryPair

SOURCE, TARGET = "ru", "en"


def russian_to_english() -> list[ColumnElement[bool]]:
    return [CachedTranslation.source == SOURCE, CachedTranslation.target == TARGET]


def _digest(column: Any) -> ColumnElement[str]:
    """As indexed (`core.search_index`); SQLite's is registered on every connection."""
    return func.csto_sha256(column)


def russian_only_items(session: Session, digests: Iterable[str]) -> set[int]:
    """The unpaired Russian items whose title or lead is the text of one of `digests`."""
    wanted = sorted(set(digests))
    if not wanted:
        return set()
    paired = exists().where(or_(StoryPair.ru_item_id == Item.id, StoryPair.en_item_id == Item.id))
    return set(session.scalars(select(Item.id).where(
        Item.language == SOURCE, ~paired,
        or_(_digest(Item.title).in_(wanted), _digest(Item.lead).in_(wanted)))))


def english_texts(session: Session, items: Iterable[Item]) -> dict[int, list[str]]:
    """The stored English title and lead of these Russian items, by item id."""
    keys = {item.id: [digest(item.title), digest(item.lead)]
            for item in items if item.language == SOURCE}
    wanted = sorted({key for pair in keys.values() for key in pair})
    if not wanted:
        return {}
    found = {key: text for key, text in session.execute(
        select(CachedTranslation.text_sha256, CachedTranslation.translation)
        .where(*russian_to_english(), CachedTranslation.text_sha256.in_(wanted)))}
    return {i: [found[k] for k in pair if k in found] for i, pair in keys.items()}
