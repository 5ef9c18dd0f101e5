"""Reading what is stored for a source, and writing a poll's changes in one transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, insert, select
from sqlalchemy.orm import Session

from core import config
from core.models import ChangeEvent, CrawlRun, Item, ItemRevision, ReslugMerge, Source
from monitor.documents import file_list
from monitor.snapshot import (
    Change,
    EditedChange,
    NewChange,
    RemovedChange,
    Scope,
    StoredItem,
    body_text,
)
from scraper.items import KnownItem, ListingEntry, NewsItem


def get_source(session: Session, spec: config.SourceSettings) -> Source:
    """The row for a configured source, created on first use and kept in step with config."""
    source = session.scalar(select(Source).where(Source.name == spec.name))
    if source is None:
        source = Source(name=spec.name, url=str(spec.url), language=spec.language,
                        consecutive_failures=0, alerted=False, baseline_done=False)
        session.add(source)
        session.flush()
    elif source.url != str(spec.url):
        # A new URL means the old validators no longer apply.
        source.url, source.etag, source.last_modified = str(spec.url), None, None
    source.language = spec.language
    return source


def source_items(session: Session, source_id: int) -> list[Item]:
    return list(session.scalars(select(Item).where(Item.source_id == source_id)))


def stored_snapshot(items: Iterable[Item]) -> dict[str, StoredItem]:
    return {
        i.url: StoredItem(id=i.id, url=i.url, published=i.published, title=i.title,
                          lead=i.lead, body=i.body, active=i.status == "active",
                          attachments=tuple(i.attachments))
        for i in items
    }


def known_snapshot(items: Iterable[Item]) -> dict[str, KnownItem]:
    return {i.url: KnownItem(listing_hash=i.listing_hash, published=i.published,
                             active=i.status == "active") for i in items}


@dataclass(frozen=True)
class KnownWindow:
    """What the spider is told before a crawl: the newest items, or the whole history."""

    items: dict[str, KnownItem]
    since: date | None  # every item published on or after it (or undated) is in `items`

    def covers(self, listing: Sequence[ListingEntry], listed_outside: int) -> bool:
        """Whether the spider saw through this window all it would have with every item.

        It looks up listed URLs (`listed_outside`: stored ones not in the window) and
        probes the known items dated no earlier than the listing's oldest date.
        """
        if self.since is None:
            return True
        dates = [entry.published for entry in listing if entry.published is not None]
        return listed_outside == 0 and (not dates or min(dates) >= self.since)


def known_window(session: Session, source_id: int, newest: int) -> KnownWindow:
    """Known items published since the `newest`-th newest date; all of them if newest <= 0.

    Indexed on (source_id, published): a poll does not read the whole history.
    """
    since = None
    if newest > 0:
        since = session.scalar(
            select(Item.published)
            .where(Item.source_id == source_id, Item.published.is_not(None))
            .order_by(Item.published.desc()).offset(newest - 1).limit(1)
        )
    query = select(Item.id, Item.url, Item.listing_hash, Item.published, Item.status).where(
        Item.source_id == source_id)
    rows: list[Row[Any]] = []
    if since is None:
        rows += session.execute(query)
    else:  # two index ranges: an OR would let SQLite scan the whole source instead
        rows += session.execute(query.where(Item.published >= since))
        rows += session.execute(query.where(Item.published.is_(None)))
    known = {row.url: KnownItem(listing_hash=row.listing_hash, published=row.published,
                                active=row.status == "active")
             for row in sorted(rows, key=lambda row: row.id)}
    return KnownWindow(known, since)


def count_stored(session: Session, source_id: int, urls: Iterable[str]) -> int:
    """How many of these URLs are stored items of the source (looked up by URL alone)."""
    wanted = set(urls)
    if not wanted:
        return 0
    found = session.execute(select(Item.source_id).where(Item.url.in_(wanted)))
    return sum(1 for row in found if row.source_id == source_id)


def scoped_snapshot(session: Session, source_id: int, scope: Scope) -> dict[str, StoredItem]:
    """`stored_snapshot` of only the items in `scope` (see `monitor.diff.scope`)."""
    columns = (Item.id, Item.url, Item.published, Item.title, Item.lead, Item.body,
               Item.status, Item.attachments)
    rows: list[Any] = []
    if scope.urls:  # source_id checked here: on it, SQLite would scan the whole source
        rows += (r for r in session.execute(select(*columns, Item.source_id).where(
            Item.url.in_(scope.urls))) if r.source_id == source_id)
    if scope.dates:  # status is filtered here: on it, SQLite would pick the wrong index
        rows += (r for r in session.execute(select(*columns).where(
            Item.source_id == source_id, Item.published.in_(scope.dates)))
            if r.status == "active")
    return {
        r.url: StoredItem(id=r.id, url=r.url, published=r.published, title=r.title,
                          lead=r.lead, body=r.body, active=r.status == "active",
                          attachments=tuple(r.attachments or ()))
        for r in sorted(rows, key=lambda r: r.id)
    }


def recent_listing_counts(session: Session, source_id: int, limit: int = 5) -> list[int]:
    """Listing sizes of the last clean polls that read the listing, newest first."""
    rows = session.scalars(
        select(CrawlRun.listing_items)
        .where(CrawlRun.source_id == source_id,
               CrawlRun.outcome.in_(("baseline", "unchanged", "changed")),
               CrawlRun.listing_items > 0)  # a 304 poll that diffed revisits only
        .order_by(CrawlRun.started_at.desc(), CrawlRun.id.desc())
        .limit(limit)
    )
    return list(rows)


def _item_values(item: NewsItem) -> dict[str, Any]:
    return {
        "url": item.url, "section": item.section, "slug": item.slug,
        "language": item.language, "published": item.published, "title": item.title,
        "lead": item.lead, "body": body_text(item.body), "attachments": list(item.attachments),
    }


def _add_revision(session: Session, row: Item, number: int, fields: Sequence[str],
                  now: datetime) -> None:
    session.add(ItemRevision(
        item_id=row.id, number=number, captured_at=now, url=row.url, published=row.published,
        title=row.title, lead=row.lead, body=row.body, attachments=list(row.attachments),
        changed_fields=list(fields),
    ))


def _insert_item(session: Session, source: Source, item: NewsItem, now: datetime) -> Item:
    row = Item(source_id=source.id, listing_hash=item.listing_hash, status="active",
               first_seen=now, last_changed=now, last_seen=now, **_item_values(item))
    session.add(row)
    session.flush()
    _add_revision(session, row, 1, (), now)
    return row


def _update_item(
    session: Session, change: EditedChange, now: datetime
) -> tuple[Item, dict[str, Any], int]:
    row = session.get_one(Item, change.stored.id)
    previous = {f: _jsonable(getattr(row, f)) for f in change.fields
                if f not in ("status", "documents")}
    if "documents" in change.fields:
        previous["documents"] = file_list(row.attachments)
    if "status" in change.fields:
        previous["status"] = row.status
    for key, value in _item_values(change.item).items():
        setattr(row, key, value)
    row.status, row.listing_hash = "active", change.item.listing_hash
    row.last_changed = row.last_seen = now
    number = len(row.revisions) + 1
    session.flush()
    _add_revision(session, row, number, change.fields, now)
    return row, previous, number


def _jsonable(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _event(row: Item, run: CrawlRun, kind: str, now: datetime, **extra: Any) -> ChangeEvent:
    return ChangeEvent(item_id=row.id, run_id=run.id, kind=kind, detected_at=now,
                       url=row.url, title=row.title, **extra)


def apply_changes(session: Session, source: Source, run: CrawlRun, changes: Sequence[Change],
                  *, record_events: bool) -> list[ChangeEvent]:
    """Write items, revisions and (unless silent) change events; return the events."""
    now, events = run.started_at, []
    for change in changes:
        if isinstance(change, NewChange):
            row = _insert_item(session, source, change.item, now)
            events.append(_event(row, run, "new", now, revision_number=1))
        elif isinstance(change, EditedChange):
            row, previous, number = _update_item(session, change, now)
            if change.reslug:
                session.add(ReslugMerge(item_id=row.id, old_url=change.stored.url,
                                        new_url=row.url, reason=change.reslug,
                                        revision_number=number, merged_at=now))
            events.append(_event(row, run, "edited", now, fields=list(change.fields),
                                 previous=previous, revision_number=number))
        elif isinstance(change, RemovedChange):
            row = session.get_one(Item, change.stored.id)
            row.status, row.last_changed = "removed", now
            events.append(_event(row, run, "removed", now))
    if not record_events:
        return []
    session.add_all(events)
    session.flush()
    return events


def refresh_seen(session: Session, source: Source, listed_urls: Iterable[str],
                 crawled: Iterable[NewsItem], now: datetime) -> None:
    """Mark listed items as seen; remember listing hashes of items whose detail was read."""
    hashes = {i.url: i.listing_hash for i in crawled}
    listed = set(listed_urls)
    wanted = listed | hashes.keys()
    if not wanted:
        return
    # By URL alone (unique): with a source_id condition too, SQLite scans the whole source
    # once the list has 10 URLs or more.
    rows = session.scalars(select(Item).where(Item.url.in_(wanted)))
    for row in (row for row in rows if row.source_id == source.id):
        if row.url in listed:
            row.last_seen = now
        if row.url in hashes and row.status == "active":
            row.listing_hash = hashes[row.url]


def start_run(session: Session, source: Source, started_at: datetime) -> CrawlRun:
    run = CrawlRun(source_id=source.id, started_at=started_at, outcome="error")
    session.add(run)
    session.flush()
    return run


def insert_new_items(session: Session, source: Source, items: Sequence[NewsItem],
                     now: datetime) -> None:
    """Insert items not stored yet with their first revision, as silently as
    `apply_changes(..., record_events=False)` does for `NewChange`s, in bulk statements.

    For a backfill: one ORM flush per item was most of the time storing an archive took.
    """
    if not items:
        return
    rows = [{"source_id": source.id, "listing_hash": item.listing_hash, "status": "active",
             "first_seen": now, "last_changed": now, "last_seen": now, **_item_values(item)}
            for item in items]
    connection = session.connection()
    ids = dict(connection.execute(insert(Item).returning(Item.url, Item.id), rows).tuples().all())
    connection.execute(insert(ItemRevision), [
        {"item_id": ids[row["url"]], "number": 1, "captured_at": now, "url": row["url"],
         "published": row["published"], "title": row["title"], "lead": row["lead"],
         "body": row["body"], "attachments": list(row["attachments"]), "changed_fields": []}
        for row in rows])
