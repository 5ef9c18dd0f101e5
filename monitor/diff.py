"""Compare a crawl report with the stored items and return the change events (pure, no I/O)."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from difflib import SequenceMatcher

from monitor.snapshot import (
    Change,
    EditedChange,
    NewChange,
    RemovedChange,
    Scope,
    StoredItem,
    body_text,
)
from monitor.titles import RESLUG_SIMILARITY, TitleRarity
from scraper.items import NewsItem
from scraper.report import CrawlReport

# Minimum plain similarity of two titles naming one story (identical or lightly edited);
# a re-slug is judged by `monitor.titles` instead, which knows the source's template words.
TITLE_SIMILARITY = 0.85

# Invisible characters the site's editor sprinkles into text; they are never a real edit:
# soft hyphen, zero-width space, word joiner, BOM, invisible math operators, and the
# direction marks and embeddings a copy from a right-to-left aware editor leaves behind.
# ZWJ/ZWNJ stay: they change how some scripts (and emoji) are drawn.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u180e\u200b\u200e\u200f\u2060\u2061\u2062"
                                     "\u2063\u2064\ufeff\u202a\u202b\u202c\u202d\u202e"
                                     "\u2066\u2067\u2068\u2069"))
_SPACES = re.compile(r"\s+")  # str patterns match Unicode spaces: nbsp, thin, narrow nbsp
# Quote marks in any style fold to the ASCII ones, double to '"' and single (apostrophes and
# primes included) to "'": «», “”, „“ and "" are the same quotation. One character for one,
# so a folded text splits into the same words as the text shown.
_QUOTES = str.maketrans(dict.fromkeys("«»“”„‟″‶〝〞＂", '"')
                        | dict.fromkeys("‘’‚‛′‵‹›＇`´", "'"))


def tidy(text: str) -> str:
    """Text as shown: NFC, invisible characters dropped, whitespace runs one space, stripped."""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    return _SPACES.sub(" ", text).strip()


def fold_typography(text: str) -> str:
    """Quote styles folded to one form and "…" to "...": what an edit never is.

    Dashes and digits are left alone: "3-5" vs "3–5" may be typography, but "1-2" vs "12"
    or a minus sign would be real edits, and no fold can tell them apart.
    """
    return text.translate(_QUOTES).replace("…", "...")


def normalise(text: str) -> str:
    """What the change detector compares: `tidy` text with its typography folded."""
    return fold_typography(tidy(text))


def _title_key(title: str) -> str:
    return normalise(title).casefold()


def title_similarity(a: str, b: str) -> float:
    """Similarity of two titles in [0, 1], ignoring case and whitespace."""
    key_a, key_b = _title_key(a), _title_key(b)
    if key_a == key_b:
        return 1.0
    # autojunk would discard frequent characters in long titles and skew the ratio.
    return SequenceMatcher(None, key_a, key_b, autojunk=False).ratio()


def titles_match(a: str, b: str) -> bool:
    """Whether two titles name the same story (identical or only lightly edited)."""
    return title_similarity(a, b) >= TITLE_SIMILARITY


def changed_fields(stored: StoredItem, item: NewsItem) -> tuple[str, ...]:
    """Names of the compared fields that differ, in the contract order."""
    fields: list[str] = []
    if normalise(stored.title) != normalise(item.title):
        fields.append("title")
    if stored.published != item.published:
        fields.append("published")
    if normalise(stored.lead) != normalise(item.lead):
        fields.append("lead")
    if normalise(stored.body) != normalise(body_text(item.body)):
        fields.append("body")
    if stored.attachments is not None and set(stored.attachments) != set(item.attachments):
        fields.append("documents")
    return tuple(fields)


@dataclass(frozen=True)
class _Match:
    score: float
    rank: int  # the crawled item's rank in output order
    key: str  # the stored item's key (canonical URL)
    stored: StoredItem
    reason: str  # what the old URL answered: "404", "410" or "redirect"


# A redirect to the new URL is the site's own word: it outranks any title similarity.
_REDIRECT_SCORE = 2.0


def _ordered_items(report: CrawlReport) -> list[NewsItem]:
    """Crawled items, one per URL, newest listing position first; unlisted ones last."""
    positions: dict[str, int] = {}
    for entry in report.listing:
        positions.setdefault(entry.url, entry.position)
    unique: dict[str, NewsItem] = {}
    for item in report.items:
        unique.setdefault(item.url, item)
    # sorted() is stable, so unlisted items keep the order the spider reported them in.
    return sorted(unique.values(), key=lambda item: positions.get(item.url, math.inf))


@dataclass(frozen=True)
class _Reslugs:
    """What the probes of stored items missing from the listing said, for re-slugs."""

    report: CrawlReport
    stored: Mapping[str, StoredItem]
    present: set[str]  # listed or crawled URLs: not missing
    rarity: TitleRarity

    def missing(self, urls: set[str]) -> list[tuple[str, StoredItem]]:
        """Active stored items of these probed URLs, missing from the listing."""
        return [(url, item) for url, item in self.stored.items()
                if item.active and url in urls and url not in self.present]

    def alike(self, stored: StoredItem, item: NewsItem) -> float | None:
        """The titles' similarity if the two could be one story (same date), else None."""
        if item.published is None or stored.published != item.published:
            return None
        score = self.rarity.similarity(stored.title, item.title)
        return score if score >= RESLUG_SIMILARITY else None

    def matches(self, unknown: Iterable[tuple[int, NewsItem]]) -> dict[int, _Match]:
        """Pair unknown crawled items with confirmed candidates: the old URL redirects to
        the new one, or is gone (404/410) and the titles agree; each at most once."""
        redirects, gone = self.report.redirects, self.report.gone_urls
        statuses = {p.url: str(p.status) for p in self.report.probes if p.url in gone}
        candidates = self.missing(gone | redirects.keys())
        pairs: list[_Match] = []
        for rank, item in unknown:
            for key, cand in candidates:
                if key in redirects:
                    if redirects[key] == item.url:
                        pairs.append(_Match(_REDIRECT_SCORE, rank, key, cand, "redirect"))
                elif (score := self.alike(cand, item)) is not None:
                    pairs.append(_Match(score, rank, key, cand, statuses[key]))
        # Ties go to the newest listing position, then the oldest stored record.
        pairs.sort(key=lambda m: (-m.score, m.rank, m.stored.id, m.key))
        matched: dict[int, _Match] = {}
        used: set[str] = set()
        for pair in pairs:
            if pair.rank not in matched and pair.key not in used:
                matched[pair.rank] = pair
                used.add(pair.key)
        return matched

    def undecided(self, item: NewsItem) -> bool:
        """Whether `item` may be a re-slug of a stored item whose probe told nothing (an
        error): it waits for the next poll rather than be announced as new on a guess."""
        unsure = self.missing(self.report.unsettled_urls)
        return any(self.alike(cand, item) is not None for _, cand in unsure)


def _rarity(stored: Mapping[str, StoredItem], report: CrawlReport, wanted: Scope) -> TitleRarity:
    """Word rarity among the titles in scope: the stored ones and those just read."""
    titles = {url: item.title for url, item in stored.items()
              if url in wanted.urls or (item.active and item.published in wanted.dates)}
    titles.update((item.url, item.title) for item in report.items)
    return TitleRarity(titles.values())


def _item_change(known: StoredItem | None, item: NewsItem, match: _Match | None
                 ) -> Change | None:
    if known is None:
        return NewChange(item)
    head = ("url",) if match else ()
    status = () if known.active else ("status",)
    fields = head + status + changed_fields(known, item)
    if not fields:
        return None
    return EditedChange(known, item, fields, reslug=match.reason if match else None)


def _removals(
    stored: Mapping[str, StoredItem], report: CrawlReport, spared: set[str]
) -> list[Change]:
    """Active items proven gone (404/410), never listed or crawled in this report."""
    gone = report.gone_urls - spared - {entry.url for entry in report.listing}
    removed = [item for url, item in stored.items() if item.active and url in gone]
    removed.sort(key=lambda item: (item.id, item.url))
    return [RemovedChange(item) for item in removed]


def scope(report: CrawlReport) -> Scope:
    """The stored items `diff(stored, report)` reads: given only these, it returns the same.

    Listed, crawled and probed URLs are looked up by URL (re-slug candidates are probed
    ones); the only other items it reads are the active ones published on the date of a
    crawled item, whose titles tell the source's template words from a story's own.
    """
    urls = {e.url for e in report.listing} | {i.url for i in report.items} | {
        p.url for p in report.probes}
    dates = {i.published for i in report.items if i.published is not None}
    return Scope(frozenset(urls), frozenset(dates))


def _reslugs(stored: Mapping[str, StoredItem], report: CrawlReport, items: list[NewsItem]
             ) -> tuple[_Reslugs, dict[int, _Match]]:
    present = {item.url for item in items} | {entry.url for entry in report.listing}
    reslugs = _Reslugs(report, stored, present, _rarity(stored, report, scope(report)))
    unknown = [(rank, item) for rank, item in enumerate(items) if item.url not in stored]
    return reslugs, reslugs.matches(unknown)


def reslug_moves(stored: Mapping[str, StoredItem], report: CrawlReport) -> dict[str, str]:
    """The re-slugs `diff(stored, report)` finds, old URL -> new URL. They depend on URLs,
    probes, dates and titles only: the same before and after furniture is cleaned."""
    items = _ordered_items(report)
    _, matches = _reslugs(stored, report, items)
    return {match.key: items[rank].url for rank, match in matches.items()}


def diff(
    stored: Mapping[str, StoredItem], report: CrawlReport, *, allow_removals: bool
) -> list[Change]:
    """Change events of `report` against `stored` (keyed by canonical URL, all states).

    Order: crawled items by listing position (newest first, unlisted ones after), then
    removals by stored id. A new item that may be a re-slug of a stored one whose probe
    failed is left out (no event; the next poll decides).
    """
    items = _ordered_items(report)
    crawled = {item.url for item in items}
    reslugs, matches = _reslugs(stored, report, items)
    changes: list[Change] = []
    for rank, item in enumerate(items):
        match = matches.get(rank)
        known = match.stored if match else stored.get(item.url)
        if known is None and reslugs.undecided(item):
            continue
        change = _item_change(known, item, match)
        if change is not None:
            changes.append(change)
    if allow_removals:
        spared = crawled | {match.key for match in matches.values()}
        changes.extend(_removals(stored, report, spared))
    return changes
