"""The API's queries: keyset-paged items and change events, and one item in full.

They reuse the history's rows (`monitor.read.history.item_row` / `change_row`, the JSON of
`csto-monitor history`) and its full-text search (`monitor.read.search`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, tuple_
from sqlalchemy.orm import Session, contains_eager, selectinload

from core.models import ChangeEvent, Item, ItemRevision
from csto_monitor.web.api.cursor import BadCursor, Position
from monitor.read.facets import facets
from monitor.read.filters import NEWEST, RANKED, Filter, change_conditions, item_conditions
from monitor.read.history import (
    add_counterparts,
    add_snippets,
    change_row,
    item_row,
    where_found,
)
from monitor.read.schemas import ChangesQuery, ItemsQuery, moment
from monitor.read.search import ranked_ids

ITEM_ORDER = (Item.published.desc().nulls_last(), Item.id.desc())
CHANGE_ORDER = (ChangeEvent.detected_at.desc(), ChangeEvent.id.desc())


def items_filter(q: ItemsQuery) -> Filter:
    return Filter(search=q.q, section=q.section, language=q.lang, status=q.status,
                  published_from=q.since, published_to=q.until)


def changes_filter(q: ChangesQuery) -> Filter:
    return Filter(section=q.section, language=q.lang, kind=q.kind,
                  detected_from=moment(q.since, end=False) if q.since else None,
                  detected_before=moment(q.until, end=True) if q.until else None)


def _after_item(position: Position) -> ColumnElement[bool]:
    """Rows after `position` in ITEM_ORDER (undated items come last)."""
    if position.key is None:
        return and_(Item.published.is_(None), Item.id < position.id)
    try:
        day = date.fromisoformat(position.key)
    except ValueError:
        raise BadCursor("not a cursor this API gave out; start again without it") from None
    return or_(tuple_(Item.published, Item.id) < tuple_(day, position.id),
               Item.published.is_(None))


def _ranked(q: ItemsQuery) -> bool:
    return bool(q.q and q.q.strip()) and q.sort == "relevance"


def _offset(position: Position | None) -> int:
    """A ranked listing's cursor holds the rows given so far ("@N"): relevance has no
    key to page on."""
    if position is None:
        return 0
    key = position.key or ""
    if not key.startswith("@") or not key[1:].isdigit():
        raise BadCursor("not a cursor this API gave out; start again without it")
    return int(key[1:])


def search_facets(session: Session, q: ItemsQuery) -> dict[str, dict[str, int]] | None:
    """With a search: the matches by section, language and year."""
    return facets(session, items_filter(q)) if q.q and q.q.strip() else None


def item_ids(session: Session, q: ItemsQuery, position: Position | None) -> list[int]:
    """The ids of one page (and one more, to tell whether a next page exists)."""
    # A ranked listing matches in ranked_ids.
    query = select(Item.id).where(*item_conditions(
        session, items_filter(q), how=RANKED if _ranked(q) else NEWEST, limit=q.limit))
    if _ranked(q):
        return ranked_ids(session, query, q.q or "", q.limit + 1, _offset(position),
                          highest=position.high if position is not None else None)
    if position is not None:
        # `+ 0`: a condition on the id itself would let SQLite scan by rowid and sort.
        query = query.where(_after_item(position), Item.id + 0 <= position.high)
    return list(session.scalars(query.order_by(*ITEM_ORDER).limit(q.limit + 1)))


def items_page(session: Session, q: ItemsQuery, position: Position | None
               ) -> tuple[list[dict[str, Any]], Position | None]:
    """One page of items as `history` rows, and where the next page starts."""
    high = position.high if position else highest(session, Item.id)
    ids = item_ids(session, q, position)
    count = (select(func.count(ItemRevision.id)).where(ItemRevision.item_id == Item.id)
             .scalar_subquery())
    found = {item.id: (item, n) for item, n in session.execute(
        select(Item, count).where(Item.id.in_(ids[:q.limit])))}
    ordered = [found[i] for i in ids[:q.limit] if i in found]
    rows = add_counterparts(session, [item_row(item, n) for item, n in ordered])
    if q.q:
        where_found(session, q.q, rows)
        add_snippets(session, q.q, rows, {item.id: item for item, _ in ordered})
    if len(ids) <= q.limit or not rows:
        return rows, None
    last = rows[-1]
    if _ranked(q):
        return rows, Position(f"@{_offset(position) + q.limit}", last["id"], high)
    return rows, Position(last["published"], last["id"], high)


def highest(session: Session, column: Any) -> int:
    return int(session.scalar(select(func.max(column))) or 0)


def changes_page(session: Session, q: ChangesQuery, position: Position | None
                 ) -> tuple[list[dict[str, Any]], Position | None]:
    """One page of change events as `history --changes` rows, and the next page's start."""
    query = (select(ChangeEvent).join(ChangeEvent.item)
             .options(contains_eager(ChangeEvent.item))
             .where(*change_conditions(session, changes_filter(q))))
    high = position.high if position else highest(session, ChangeEvent.id)
    if position is not None:
        query = query.where(_after_change(position), ChangeEvent.id <= position.high)
    events = list(session.scalars(query.order_by(*CHANGE_ORDER).limit(q.limit + 1)))
    rows = [change_row(e) for e in events[:q.limit]]
    if len(events) <= q.limit:
        return rows, None
    last = events[q.limit - 1]
    return rows, Position(last.detected_at.isoformat(), last.id, high)


def _after_change(position: Position) -> ColumnElement[bool]:
    try:
        when = datetime.fromisoformat(position.key or "")
    except ValueError:
        raise BadCursor("not a cursor this API gave out; start again without it") from None
    return tuple_(ChangeEvent.detected_at, ChangeEvent.id) < tuple_(when, position.id)


def item_detail(session: Session, item_id: int) -> dict[str, Any] | None:
    """The item with its body, attachments and every revision, oldest first."""
    item = session.scalar(select(Item).where(Item.id == item_id)
                          .options(selectinload(Item.revisions)))
    if item is None:
        return None
    [row] = add_counterparts(session, [item_row(item, len(item.revisions))])
    row.update(body=item.body, attachments=list(item.attachments), revisions=[
        {"number": r.number, "detected_at": r.captured_at, "fields": list(r.changed_fields),
         "url": r.url, "title": r.title, "published": r.published, "lead": r.lead,
         "body": r.body, "attachments": list(r.attachments)} for r in item.revisions])
    return row
