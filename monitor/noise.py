"""Learned furniture of a source's pages (noise rules), and cleaning items with them (pure).

Furniture is text inside an article's block that is not the story and changes without an
edit: a view counter, a "related news" list, a timestamped caption, a rotating promotion.
A rule names one such paragraph, either by its exact text or by its SHAPE: the text with
every number, time and date masked as "#", so that "Views: 1 234" and "Views: 1 301"
are one rule. Rules are learned per source (monitor.volatility) and applied to both sides
of every comparison, and to what is stored.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from monitor.diff import normalise
from monitor.snapshot import StoredItem, body_text
from scraper.items import NewsItem

RuleKind = Literal["shape", "text"]
# Longer paragraphs are prose: a shape never matches them, however many numbers they hold.
SHAPE_MAX_CHARS = 160

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
    "|января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря"
    "|январь|февраль|март|апрель|май|июнь|июль|август|сентябрь|октябрь|ноябрь|декабрь"
)
# A number with its separators: 1 234, 1,234, 14:32:05, 12.03.2025, 2025-03-12.
_NUMBER = re.compile(r"\d+(?:[.,:/\-\u00a0\u202f ]\d+)*")
# Cache-busting tokens: long hexadecimal runs holding at least one digit.
_HEX = re.compile(r"(?<![0-9a-z])(?=[0-9a-f]*\d)[0-9a-f]{8,}(?![0-9a-z])", re.I)
# A month name only counts as part of a date next to a masked number ("May" is a word too).
_MONTH_NEXT_TO_NUMBER = re.compile(rf"#\s*(?:{_MONTHS})\b\.?|\b(?:{_MONTHS})\.?\s*#", re.I)
_MASK_RUN = re.compile(r"#(?:[\s.,:/\-–—]*#)+")


def shape(text: str) -> str | None:
    """The text with numbers, times and dates masked, or None (too long, nothing masked)."""
    text = normalise(text)
    if len(text) > SHAPE_MAX_CHARS:
        return None
    masked = _NUMBER.sub("#", _HEX.sub("#", text))
    if "#" not in masked:
        return None
    previous = ""
    while previous != masked:  # "# May #" needs two passes
        previous, masked = masked, _MONTH_NEXT_TO_NUMBER.sub("#", masked)
    return _MASK_RUN.sub("#", masked)


@dataclass(frozen=True)
class NoiseRule:
    kind: RuleKind
    pattern: str  # a normalised text ("text"), or a shape ("shape")
    example: str  # a paragraph the rule was learned from
    evidence: str  # why it was learned, for the operator
    # The page whose own text this is (a "related news" rule holds another item's title or
    # lead): there it is the story, and it is kept.
    owner: str = ""


class NoiseRules:
    """A source's rules, indexed for matching a paragraph in constant time."""

    def __init__(self, rules: Iterable[NoiseRule] = (),
                 moves: Mapping[str, str] | None = None) -> None:
        self._rules: dict[tuple[str, str], NoiseRule] = {}
        for rule in rules:
            self._rules.setdefault((rule.kind, rule.pattern), rule)
        # Re-slugged stories (old URL -> new URL): a rule owned by the old page is the
        # story's own text on the new page too.
        self._moves = dict(moves or {})
        # A poll matches the same paragraphs many times (both reads, the stored copy).
        self._seen: dict[str, NoiseRule | None] = {}

    def __iter__(self) -> Iterator[NoiseRule]:
        return iter(self._rules.values())

    def __len__(self) -> int:
        return len(self._rules)

    def __contains__(self, rule: object) -> bool:
        return isinstance(rule, NoiseRule) and (rule.kind, rule.pattern) in self._rules

    def with_rules(self, rules: Iterable[NoiseRule]) -> NoiseRules:
        return NoiseRules([*self, *rules], self._moves)

    def with_moves(self, moves: Mapping[str, str]) -> NoiseRules:
        """These rules, knowing that the stories of these URLs moved (old -> new)."""
        return NoiseRules(self, {**self._moves, **moves}) if moves else self

    def match(self, paragraph: str, url: str = "") -> NoiseRule | None:
        """The rule that makes this paragraph furniture on the page at `url`, if any."""
        if not self._rules:
            return None
        if paragraph not in self._seen:
            self._seen[paragraph] = self._lookup(paragraph)
        found = self._seen[paragraph]
        if found is not None and url and url in (found.owner, self._moves.get(found.owner)):
            masked = shape(paragraph)  # its own story, unless also of a furniture shape
            found = self._rules.get(("shape", masked)) if masked else None
        return found

    def _lookup(self, paragraph: str) -> NoiseRule | None:
        found = self._rules.get(("text", normalise(paragraph)))
        if found is None:
            masked = shape(paragraph)
            found = self._rules.get(("shape", masked)) if masked else None
        return found


@dataclass(frozen=True)
class Cleaned:
    lead: str
    body: list[str]
    hits: tuple[NoiseRule, ...]  # one per paragraph dropped (the lead counted once more)


def clean_text(lead: str, body: Sequence[str], rules: NoiseRules, url: str = "") -> Cleaned:
    """Drop furniture paragraphs from a body; a lead that is furniture becomes the next
    paragraph that is not (the extractor takes the lead from the body when the listing
    shows none, so a counter above the text would otherwise be the lead)."""
    kept: list[str] = []
    hits: list[NoiseRule] = []
    lead_at: int | None = None  # index in `kept` where a furniture lead stood
    lead_key = normalise(lead)
    lead_rule = rules.match(lead, url) if lead else None
    for paragraph in body:
        rule = rules.match(paragraph, url)
        if rule is None:
            kept.append(paragraph)
            continue
        hits.append(rule)
        if lead_rule is not None and lead_at is None and normalise(paragraph) == lead_key:
            lead_at = len(kept)
    if lead_rule is None:
        return Cleaned(lead, kept, tuple(hits))
    following = kept[lead_at:] if lead_at is not None else kept
    return Cleaned(following[0] if following else "", kept, (*hits, lead_rule))


def clean_item(item: NewsItem, rules: NoiseRules) -> NewsItem:
    """The item without its furniture (the same object when there is none)."""
    cleaned = clean_text(item.lead, item.body, rules, item.url)
    if not cleaned.hits:
        return item
    return dataclasses.replace(item, lead=cleaned.lead, body=cleaned.body)


def split_body(body: str) -> list[str]:
    """A stored body's paragraphs (stored joined by blank lines; none holds a blank line)."""
    return body.split("\n\n") if body else []


def clean_stored(item: StoredItem, rules: NoiseRules) -> StoredItem:
    """The stored item as it compares: without furniture stored before a rule was learned."""
    cleaned = clean_text(item.lead, split_body(item.body), rules, item.url)
    if not cleaned.hits:
        return item
    return dataclasses.replace(item, lead=cleaned.lead, body=body_text(cleaned.body))
