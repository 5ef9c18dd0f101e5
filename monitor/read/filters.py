"""The one builder of the history filters, for the CLI, the web page, the API and the bot.

Each asks in its own words (`history.Filters`, the web form's `Query`, the API's
`ItemsQuery` / `ChangesQuery`) and says it here as a `Filter`; the WHERE conditions come
from this module only, so a filter means the same wherever a reader sets it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, exists
from sqlalchemy.orm import Session

from core.models import ChangeEvent, Item
from monitor.read.search import newest_first_condition, search_condition

# How a search is applied: every match, only what a page of `limit` newest needs
# (`newest_first_condition`), or not here (a ranked listing matches while it ranks).
ALL, NEWEST, RANKED = "all", "newest", "ranked"


@dataclass(frozen=True)
class Filter:
    """What a reader narrows the history to; None (or "") means any."""

    search: str | None = None
    section: str | None = None
    language: str | None = None
    status: str | None = None
    kind: str | None = None  # items: one change of this kind at least; changes: this kind
    published_from: date | None = None
    published_to: date | None = None  # inclusive
    detected_from: datetime | None = None
    detected_before: datetime | None = None  # exclusive


def _search(session: Session, f: Filter, how: str, limit: int) -> list[ColumnElement[bool]]:
    # A blank search is still a search (it matches nothing); the web form drops it.
    if not f.search or how == RANKED:
        return []
    text = f.search or ""
    if how == NEWEST:
        return [newest_first_condition(session, text, limit)]
    return [search_condition(session, text)]


def _common(f: Filter) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if f.section:
        found.append(Item.section == f.section)
    if f.language:
        found.append(Item.language == f.language)
    if f.status:
        found.append(Item.status == f.status)
    return found


def item_conditions(session: Session, f: Filter, *, how: str = ALL,
                    limit: int = 0) -> list[ColumnElement[bool]]:
    """Conditions on `Item` (dates: the article's own)."""
    found = _common(f) + _search(session, f, how, limit)
    if f.published_from:
        found.append(Item.published >= f.published_from)
    if f.published_to:
        found.append(Item.published <= f.published_to)
    if f.kind:
        # Items that had at least one change of this kind (a silent first poll has none).
        found.append(exists().where(ChangeEvent.item_id == Item.id,
                                    ChangeEvent.kind == f.kind))
    return found


def change_conditions(session: Session, f: Filter) -> list[ColumnElement[bool]]:
    """Conditions on `ChangeEvent` joined to its `Item` (dates: when it was detected)."""
    found = _common(f) + _search(session, f, ALL, 0)
    if f.kind:
        found.append(ChangeEvent.kind == f.kind)
    if f.detected_from:
        found.append(ChangeEvent.detected_at >= f.detected_from)
    if f.detected_before:
        found.append(ChangeEvent.detected_at < f.detected_before)
    return found
