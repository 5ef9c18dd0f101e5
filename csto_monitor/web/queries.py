"""The history page's queries: filtered, paged items and items per month."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session, selectinload

from core.events import EVENT_KINDS
from core.models import Item
from monitor.read.facets import facets
from monitor.read.filters import RANKED, Filter, item_conditions
from monitor.read.search import ranked_ids

PAGE_SIZE = 20
KINDS = EVENT_KINDS


@dataclass(frozen=True)
class Query:
    """What the history form asks for; empty strings mean "any"."""

    q: str = ""
    section: str = ""
    lang: str = ""
    since: date | None = None
    until: date | None = None
    kind: str = ""
    sort: str = ""  # with a search: "" = by relevance, "date" = newest first
    page: int = 1


def as_filter(query: Query) -> Filter:
    return Filter(search=query.q.strip() or None, section=query.section, language=query.lang,
                  kind=query.kind, published_from=query.since, published_to=query.until)


def conditions(session: Session, query: Query) -> list[ColumnElement[bool]]:
    return item_conditions(session, as_filter(query))


def _filtered(session: Session, stmt: Select[Any], query: Query) -> Select[Any]:
    return stmt.where(*conditions(session, query))


@dataclass
class Page:
    items: list[Item]
    total: int


def page_of_items(session: Session, query: Query) -> Page:
    total = session.scalar(_filtered(session, select(func.count(Item.id)), query)) or 0
    offset = (query.page - 1) * PAGE_SIZE
    if query.q.strip() and query.sort != "date":
        unsearched = select(Item.id).where(
            *item_conditions(session, as_filter(query), how=RANKED))
        ids = ranked_ids(session, unsearched, query.q, PAGE_SIZE, offset)
        found = {item.id: item for item in session.scalars(
            select(Item).where(Item.id.in_(ids)).options(selectinload(Item.revisions)))}
        return Page([found[i] for i in ids if i in found], total)
    stmt = (_filtered(session, select(Item), query).options(selectinload(Item.revisions))
            .order_by(Item.published.desc().nulls_last(), Item.id.desc())
            .offset(offset).limit(PAGE_SIZE))
    return Page(list(session.scalars(stmt)), total)


def search_facets(session: Session, query: Query) -> dict[str, dict[str, int]]:
    """With a search: its matches by section, language and year (the page's filters)."""
    if not query.q.strip():
        return {}
    return facets(session, as_filter(query))


def month_counts(session: Session, query: Query) -> Counter[tuple[int, int]]:
    """Items published per (year, month), under the same filters (paging aside)."""
    stmt = _filtered(session, select(Item.published).where(Item.published.is_not(None)), query)
    return Counter((day.year, day.month) for day in session.scalars(stmt) if day)


def sections(session: Session) -> list[str]:
    return list(session.scalars(select(Item.section).distinct().order_by(Item.section)))


def item_with_revisions(session: Session, item_id: int) -> Item | None:
    return session.scalar(select(Item).where(Item.id == item_id)
                          .options(selectinload(Item.revisions), selectinload(Item.documents)))
