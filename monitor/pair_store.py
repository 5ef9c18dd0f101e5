"""Stored pairs of language versions: reading an item's counterpart, pairing automatically
after a poll or over the whole history, and an operator's manual pair and unpair.

Decisions are made by `monitor.pairing` (pure); this module reads the candidates and
writes `story_pairs` and `story_pair_rejections` (migration 0009). Automatic pairing only
ever links two items that are both unpaired and whose combination no operator rejected:
it never changes a pair that exists, manual or not.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.models import Item, PairRejection, StoryPair, utcnow
from monitor.pairing import DEFAULT_RULES, Decision, Rules, TextTranslator, Version, decide

log = logging.getLogger(__name__)
LANGUAGE_NAMES = {"en": "English", "ru": "Russian"}
# Dates read at once when pairing the whole history (the site publishes 1-3 items a day).
_BATCH_DAYS = 500


class PairingError(ValueError):
    """An operator's pair or unpair that cannot be done, worded with its cause and fix."""


@dataclass(frozen=True)
class Counterpart:
    """The other language version of an item, and how sure the pairing is."""

    pair_id: int
    id: int
    url: str
    language: str
    title: str
    published: date | None
    status: str
    confidence: float
    manual: bool
    evidence: list[dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        """The `counterpart` of `history --format json` and the API."""
        return {"id": self.id, "url": self.url, "language": self.language,
                "confidence": round(self.confidence, 2), "manual": self.manual}


@dataclass(frozen=True)
class PairMade:
    """A pair written by automatic pairing or by an operator."""

    en_item_id: int
    ru_item_id: int
    confidence: float
    manual: bool


# --- reading ---------------------------------------------------------------------------


def counterparts(session: Session, item_ids: Iterable[int]) -> dict[int, Counterpart]:
    """The counterpart of each of these items that has one, by item id."""
    ids = sorted(set(item_ids))
    if not ids:
        return {}
    found: dict[int, Counterpart] = {}
    for own_column, other_column in ((StoryPair.en_item_id, StoryPair.ru_item_id),
                                     (StoryPair.ru_item_id, StoryPair.en_item_id)):
        # The other item's few shown columns only: not its body (a search lists 50 rows).
        rows = session.execute(
            select(own_column, StoryPair, *_SHOWN).join(Item, Item.id == other_column)
            .where(own_column.in_(ids)))
        for own, pair, item_id, url, language, title, published, status in rows:
            found[own] = Counterpart(
                pair_id=pair.id, id=item_id, url=url, language=language, title=title,
                published=published, status=status, confidence=pair.confidence,
                manual=pair.manual, evidence=list(pair.evidence))
    return found


_SHOWN = (Item.id, Item.url, Item.language, Item.title, Item.published, Item.status)


def counterpart(session: Session, item_id: int) -> Counterpart | None:
    """The other language version of an item, or None."""
    return counterparts(session, [item_id]).get(item_id)


def pair_of(session: Session, item_id: int) -> StoryPair | None:
    """The stored pair an item is in, or None."""
    return session.scalar(select(StoryPair).where(
        or_(StoryPair.en_item_id == item_id, StoryPair.ru_item_id == item_id)))


# --- automatic pairing -----------------------------------------------------------------


def _unpaired(session: Session) -> Any:
    return ~exists().where(or_(StoryPair.en_item_id == Item.id, StoryPair.ru_item_id == Item.id))


def _versions(session: Session, condition: Any) -> list[Version]:
    rows = session.execute(select(
        Item.id, Item.language, Item.section, Item.slug, Item.published, Item.title,
        Item.lead, Item.body).where(condition, _unpaired(session),
                                    Item.language.in_(("en", "ru"))))
    return [Version(id=r.id, language=r.language, section=r.section, slug=r.slug,
                    published=r.published, title=r.title, lead=r.lead, body=r.body)
            for r in rows]


def _rejected(session: Session, ids: Collection[int]) -> set[tuple[int, int]]:
    if not ids:
        return set()
    rows = session.execute(select(PairRejection.en_item_id, PairRejection.ru_item_id)
                           .where(PairRejection.en_item_id.in_(sorted(ids))))
    return {(r.en_item_id, r.ru_item_id) for r in rows}


def _write(session: Session, decisions: Sequence[Decision], now: datetime) -> list[PairMade]:
    """Insert the pairs in a savepoint: a concurrent poll that paired one of these items
    first wins, and this poll's transaction goes on."""
    if not decisions:
        return []
    try:
        with session.begin_nested():
            session.add_all(StoryPair(
                en_item_id=d.en_id, ru_item_id=d.ru_id, confidence=d.confidence,
                evidence=[e.as_json() for e in d.evidence], manual=False, paired_at=now)
                for d in decisions)
    except IntegrityError:
        log.warning("pairing: another process paired some of these items first; left as is")
        return []
    return [PairMade(d.en_id, d.ru_id, d.confidence, False) for d in decisions]


def _cluster(session: Session, days: set[date]) -> tuple[date, date]:
    """The run of unpaired items' dates, each within a day of the next, around `days`:
    no candidate or rival of these items lies outside it."""
    low, high = min(days), max(days)
    while True:
        dates = {d for d in session.scalars(select(Item.published).distinct().where(
            Item.published.between(low - timedelta(days=1), high + timedelta(days=1)),
            _unpaired(session))) if d is not None}
        new_low, new_high = min(dates | {low}), max(dates | {high})
        if (new_low, new_high) == (low, high):
            return low, high
        low, high = new_low, new_high


def pair_around(session: Session, days: Iterable[date | None],
                translator: TextTranslator | None = None, rules: Rules = DEFAULT_RULES,
                now: datetime | None = None) -> list[PairMade]:
    """Pair the unpaired items dated on or near these days (those of a poll's new items),
    in the caller's transaction."""
    wanted = {day for day in days if day is not None}
    if not wanted:
        return []
    low, high = _cluster(session, wanted)
    return _pair_range(session, low, high, translator, rules, now or utcnow())


def titles_around(session: Session, days: Iterable[date | None]
                  ) -> dict[str, list[str]]:
    """The titles of the unpaired items, by language, that `pair_around(session, days)`
    would read: what a poll translates before its transaction (monitor.pair_translations)."""
    wanted = {day for day in days if day is not None}
    if not wanted:
        return {}
    low, high = _cluster(session, wanted)
    found: dict[str, list[str]] = {}
    for version in _versions(session, Item.published.between(low, high)):
        found.setdefault(version.language, []).append(version.title)
    return found


def _pair_range(session: Session, low: date, high: date, translator: TextTranslator | None,
                rules: Rules, now: datetime) -> list[PairMade]:
    versions = _versions(session, Item.published.between(low, high))
    en_ids = {v.id for v in versions if v.language == "en"}
    decisions = decide(versions, translator=translator, rejected=_rejected(session, en_ids),
                       rules=rules)
    return _write(session, decisions, now)


def pair_history(session: Session, translator: TextTranslator | None = None,
                 rules: Rules = DEFAULT_RULES) -> list[PairMade]:
    """Pair every unpaired item of the history, a run of dates at a time; commits nothing."""
    days = sorted(d for d in session.scalars(select(Item.published).distinct().where(
        Item.published.is_not(None), _unpaired(session))) if d is not None)
    made: list[PairMade] = []
    now = utcnow()
    for low, high in _runs(days, _BATCH_DAYS):
        made += _pair_range(session, low, high, translator, rules, now)
    return made


def _runs(days: list[date], max_days: int) -> Iterable[tuple[date, date]]:
    """Ranges of `days` that split only where two dates are more than a day apart."""
    start = previous = None
    count = 0
    for day in days:
        if start is None:
            start, count = day, 0
        elif previous is not None and (day - previous).days > 1 and count >= max_days:
            yield start, previous
            start, count = day, 0
        previous, count = day, count + 1
    if start is not None and previous is not None:
        yield start, previous


# --- an operator's decisions -----------------------------------------------------------


def _item(session: Session, item_id: int) -> Item:
    item = session.get(Item, item_id)
    if item is None:
        raise PairingError(f"no stored item {item_id}; list items with `csto-monitor "
                           "history` (the first column is the ID)")
    return item


def _reject(session: Session, pair: StoryPair, now: datetime) -> None:
    known = session.scalar(select(PairRejection).where(
        PairRejection.en_item_id == pair.en_item_id,
        PairRejection.ru_item_id == pair.ru_item_id))
    if known is None:
        session.add(PairRejection(en_item_id=pair.en_item_id, ru_item_id=pair.ru_item_id,
                                  rejected_at=now))
    session.delete(pair)


def pair_manually(session: Session, first_id: int, second_id: int) -> tuple[PairMade,
                                                                              list[StoryPair]]:
    """Make the two items one story (an operator's decision, never undone automatically).

    Pairs either item was in are undone and rejected (returned); raises PairingError for
    an unknown item or two items of one language.
    """
    first, second = _item(session, first_id), _item(session, second_id)
    if first.id == second.id:
        raise PairingError(f"both IDs are item {first.id}; give the ID of its English and of "
                           "its Russian version")
    if first.language == second.language or {first.language, second.language} != {"en", "ru"}:
        raise PairingError(
            f"items {first.id} and {second.id} are both {_language(first.language)}"
            if first.language == second.language else
            f"items {first.id} ({first.language}) and {second.id} ({second.language}) are "
            "not an English and a Russian version")
    en, ru = (first, second) if first.language == "en" else (second, first)
    now = utcnow()
    replaced = [p for p in {pair_of(session, en.id), pair_of(session, ru.id)} if p is not None
                and (p.en_item_id, p.ru_item_id) != (en.id, ru.id)]
    for pair in replaced:
        _reject(session, pair, now)
    session.execute(delete(PairRejection).where(PairRejection.en_item_id == en.id,
                                                PairRejection.ru_item_id == ru.id))
    session.flush()
    same = pair_of(session, en.id)
    if same is None:
        session.add(StoryPair(en_item_id=en.id, ru_item_id=ru.id, confidence=1.0, evidence=[],
                              manual=True, paired_at=now))
    else:
        same.manual, same.confidence, same.paired_at = True, 1.0, now
    session.flush()
    return PairMade(en.id, ru.id, 1.0, True), replaced


def _language(code: str) -> str:
    name = LANGUAGE_NAMES.get(code, code)
    return (f"{name} ({code}): a pair joins an English and a Russian version; find the "
            f"other language's ID with `csto-monitor history --lang "
            f"{'ru' if code == 'en' else 'en'}`")


def unpair(session: Session, item_id: int) -> StoryPair:
    """Undo the item's pair and reject it: automatic pairing never makes it again."""
    item = _item(session, item_id)
    pair = pair_of(session, item.id)
    if pair is None:
        raise PairingError(f"item {item.id} has no counterpart: nothing to unpair; pair it "
                           "with `csto-monitor pair ID ID`")
    _reject(session, pair, utcnow())
    session.flush()
    return pair
