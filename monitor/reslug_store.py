"""Stored re-slug merges: listing an item's, and undoing one (`csto-monitor unmerge`).

A merge moved a stored story to a new URL at one of its revisions. Undoing it splits the
item in two: the story goes back to its old URL as it was before the merge, and what was
read at the new URL from the merge on (its revisions and events) becomes an item of its
own, announced once with a `new` event: the story the merge had swallowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.models import ChangeEvent, Item, ItemRevision, ReslugMerge
from scraper.urls import section_and_slug

WHY = {"404": "the old URL answered 404 Not Found", "410": "the old URL answered 410 Gone",
       "redirect": "the old URL redirected to the new one"}


class UnmergeError(Exception):
    """Why an item cannot be unmerged (one line for the operator)."""


@dataclass(frozen=True)
class Unmerged:
    merge: ReslugMerge
    restored: Item  # the story back at its old URL
    split: Item  # the new URL's story, now an item of its own
    event: ChangeEvent  # its `new` event, to announce


def merges_of(session: Session, item_ids: list[int]) -> list[ReslugMerge]:
    """The merges that moved these items, or split them off, oldest first."""
    return list(session.scalars(select(ReslugMerge).where(
        ReslugMerge.item_id.in_(item_ids) | ReslugMerge.split_item_id.in_(item_ids))
        .order_by(ReslugMerge.id)))


def describe(merge: ReslugMerge, item_id: int) -> str:
    """One line naming the old URL and why the merge was made (or undone)."""
    if merge.split_item_id == item_id and merge.item_id != item_id:
        return (f"split off #{merge.item_id} by `unmerge` on {merge.unmerged_at:%Y-%m-%d %H:%M}"
                f" UTC (merged from {merge.old_url})")
    line = (f"merged from {merge.old_url} at revision {merge.revision_number} "
            f"({WHY.get(merge.reason, merge.reason)})")
    if merge.unmerged_at is not None:
        line += f"; undone on {merge.unmerged_at:%Y-%m-%d %H:%M} UTC: #{merge.split_item_id}"
    return line


def unmerge(session: Session, item_id: int, now: datetime) -> Unmerged:
    """Undo the item's latest merge (see the module's doc); UnmergeError if it cannot."""
    item = session.get(Item, item_id)
    if item is None:
        raise UnmergeError(f"no item {item_id}: IDs are the numbers in the first column "
                           "of `csto-monitor history`")
    merge = _latest_merge(session, item)
    _check_free(session, merge.old_url)
    split = _split_off(session, item, merge)
    _restore(item, merge)
    session.flush()
    session.add(split)
    session.flush()
    _move_history(session, item, split, merge.revision_number)
    merge.unmerged_at, merge.split_item_id = now, split.id
    event = ChangeEvent(item_id=split.id, run_id=None, kind="new", detected_at=now,
                        url=split.url, title=split.title, revision_number=1)
    session.add(event)
    session.flush()
    return Unmerged(merge, item, split, event)


def _latest_merge(session: Session, item: Item) -> ReslugMerge:
    merge = session.scalar(select(ReslugMerge).where(ReslugMerge.item_id == item.id)
                           .order_by(ReslugMerge.id.desc()).limit(1))
    if merge is None:
        raise UnmergeError(f"item {item.id} was never merged from another URL: "
                           "nothing to undo")
    if merge.unmerged_at is not None:
        raise UnmergeError(f"item {item.id}'s merge from {merge.old_url} was already undone "
                           f"(the other story is #{merge.split_item_id})")
    if item.url != merge.new_url:
        raise UnmergeError(f"item {item.id} moved again since its merge (now {item.url}); "
                           "nothing was undone")
    return merge


def _check_free(session: Session, url: str) -> None:
    other = session.scalar(select(Item.id).where(Item.url == url))
    if other is not None:
        raise UnmergeError(f"the old URL {url} is item {other} now: unmerge cannot put the "
                           "story back there")


def _split_off(session: Session, item: Item, merge: ReslugMerge) -> Item:
    """The new URL's story as an item of its own (as the item is now)."""
    return Item(source_id=item.source_id, url=item.url, section=item.section, slug=item.slug,
                language=item.language, published=item.published, title=item.title,
                lead=item.lead, body=item.body, attachments=list(item.attachments),
                listing_hash=item.listing_hash, status=item.status,
                first_seen=merge.merged_at, last_changed=item.last_changed,
                last_seen=item.last_seen)


def _restore(item: Item, merge: ReslugMerge) -> None:
    """The item as its last revision before the merge had it, at its old URL."""
    before = [r for r in item.revisions if r.number < merge.revision_number][-1]
    item.url = merge.old_url
    item.section, item.slug = section_and_slug(merge.old_url)
    item.published, item.title, item.lead, item.body = (before.published, before.title,
                                                         before.lead, before.body)
    item.attachments = list(before.attachments)
    # Read again at the next poll that lists it; a probe tells if the old URL is gone.
    item.listing_hash, item.status, item.last_changed = "", "active", before.captured_at


def _move_history(session: Session, item: Item, split: Item, first: int) -> None:
    """Revisions and events from the merge on go to the split item, renumbered from 1."""
    unsynced = {"synchronize_session": False}  # both items are expired below
    session.execute(update(ItemRevision).where(
        ItemRevision.item_id == item.id, ItemRevision.number >= first).values(
        item_id=split.id, number=ItemRevision.number - first + 1).execution_options(**unsynced))
    session.execute(update(ItemRevision).where(  # what was first seen of that story
        ItemRevision.item_id == split.id, ItemRevision.number == 1).values(
        changed_fields=[]).execution_options(**unsynced))
    session.execute(update(ChangeEvent).where(
        ChangeEvent.item_id == item.id, ChangeEvent.revision_number >= first).values(
        item_id=split.id, revision_number=ChangeEvent.revision_number - first + 1)
        .execution_options(**unsynced))
    session.expire(item)
    session.expire(split)
