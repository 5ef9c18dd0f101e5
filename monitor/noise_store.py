"""Stored noise rules: loading, adding, counting hits, forgetting; and keeping stored
bodies free of furniture once a rule is learned."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import ColumnElement, delete, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from core.models import Item, ItemRevision, LearnedRule
from monitor.noise import NoiseRule, NoiseRules, clean_text, split_body
from monitor.snapshot import body_text

_WORD = re.compile(r"[^\W\d_]{3,}")


def rule_key(kind: str, pattern: str) -> str:
    return hashlib.sha256(f"{kind}\x1f{pattern}".encode()).hexdigest()[:40]


def load_rules(session: Session, source_id: int) -> NoiseRules:
    rows = session.scalars(select(LearnedRule).where(LearnedRule.source_id == source_id)
                           .order_by(LearnedRule.id))
    return NoiseRules(NoiseRule("shape" if row.kind == "shape" else "text", row.pattern,
                                row.example, row.evidence, row.owner) for row in rows)


def add_rules(session: Session, source_id: int, rules: Iterable[NoiseRule],
              now: datetime) -> None:
    for rule in rules:
        session.add(LearnedRule(source_id=source_id, kind=rule.kind,
                                key=rule_key(rule.kind, rule.pattern), pattern=rule.pattern,
                                example=rule.example, evidence=rule.evidence,
                                owner=rule.owner, learned_at=now, hits=0))
    session.flush()


def move_owners(session: Session, source_id: int, moves: Mapping[str, str]) -> None:
    """Re-slugged stories (old URL -> new URL): their own text is owned by the new page."""
    if not moves:
        return
    rows = session.scalars(select(LearnedRule).where(LearnedRule.source_id == source_id,
                                                     LearnedRule.owner.in_(moves)))
    for row in rows:
        row.owner = moves[row.owner]


def record_hits(session: Session, source_id: int, hits: Counter[NoiseRule],
                now: datetime) -> None:
    """Count the paragraphs each rule dropped from what a poll read."""
    if not hits:
        return
    keys = {rule_key(rule.kind, rule.pattern): n for rule, n in hits.items()}
    rows = session.scalars(select(LearnedRule).where(LearnedRule.source_id == source_id,
                                                     LearnedRule.key.in_(keys)))
    for row in rows:
        row.hits += keys[row.key]
        row.last_hit_at = now


def forget_rules(session: Session, source_ids: Iterable[int]) -> int:
    """Delete the rules of these sources; how many there were."""
    ids = list(source_ids)
    result = session.execute(delete(LearnedRule).where(LearnedRule.source_id.in_(ids)))
    return int(getattr(result, "rowcount", 0) or 0)


def count_rules(session: Session) -> dict[int, int]:
    """Learned rules per source id."""
    rows = session.execute(select(LearnedRule.source_id, func.count())
                           .group_by(LearnedRule.source_id)).tuples()
    return {source_id: n for source_id, n in rows}


def _fragment(rule: NoiseRule) -> str:
    """The longest word of a rule: a LIKE filter for the rows it may clean ("" for none)."""
    return max(_WORD.findall(rule.pattern), key=len, default="")


def clean_stored_rows(session: Session, source_id: int, new: Iterable[NoiseRule],
                      rules: NoiseRules) -> int:
    """Remove furniture from the stored items and revisions that the `new` rules match, so
    that no stored body keeps text learned to be furniture. Silent: the story did not
    change, only what is known about the page. Returns how many rows were cleaned."""
    fragments = {_fragment(rule) for rule in new}
    if not fragments:
        return 0
    items = select(Item).where(Item.source_id == source_id)
    revisions = select(ItemRevision).join(Item, Item.id == ItemRevision.item_id).where(
        Item.source_id == source_id)
    if "" not in fragments:  # a filter only: SQLite's LIKE ignores case, PostgreSQL's not
        items = items.where(_containing(fragments, Item.body, Item.lead))
        revisions = revisions.where(_containing(fragments, ItemRevision.body,
                                                ItemRevision.lead))
    cleaned = sum(_clean_row(row, rules) for row in session.scalars(items))
    cleaned += sum(_clean_row(row, rules) for row in session.scalars(revisions))
    session.flush()
    return cleaned


def _containing(fragments: Iterable[str], *columns: InstrumentedAttribute[str]
                ) -> ColumnElement[bool]:
    return or_(*(column.contains(f, autoescape=True) for f in fragments for column in columns))


def clean_items(session: Session, item_ids: Iterable[int], rules: NoiseRules) -> None:
    """Clean these items and every revision of theirs (silently)."""
    ids = list(item_ids)
    if not ids:
        return
    for item in session.scalars(select(Item).where(Item.id.in_(ids))):
        _clean_row(item, rules)
    for revision in session.scalars(select(ItemRevision).where(ItemRevision.item_id.in_(ids))):
        _clean_row(revision, rules)
    session.flush()


def _clean_row(row: Item | ItemRevision, rules: NoiseRules) -> bool:
    result = clean_text(row.lead, split_body(row.body), rules, row.url)
    if not result.hits:
        return False
    row.lead, row.body = result.lead, body_text(result.body)
    return True
