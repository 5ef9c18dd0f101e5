"""Between a crawl and its diff: learn furniture, drop it, and confirm suspected edits.

The second and third lines of defence against announcing what did not happen (the first is
the extractor, which drops furniture it recognises by structure):

1. what the poll saw teaches the source's furniture (monitor.volatility), and the learned
   rules drop it from both sides of the comparison (monitor.noise);
2. an edit of a stored item's title, date, lead or body that remains is read once more,
   and only what both reads agree on is kept (monitor.confirm); what moved between the two
   reads is evidence for the learning too.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field

from monitor.confirm import confirmed_item, needs_confirmation
from monitor.diff import diff, reslug_moves
from monitor.noise import (
    NoiseRule,
    NoiseRules,
    clean_item,
    clean_stored,
    clean_text,
    split_body,
)
from monitor.snapshot import EditedChange, StoredItem
from monitor.volatility import Corpus, page_corpus
from scraper.items import ListingEntry, NewsItem
from scraper.report import CrawlReport

Reread = Callable[[Sequence[ListingEntry]], Awaitable[CrawlReport]]


@dataclass
class Settled:
    """A crawl report ready to diff: items cleaned, suspected edits confirmed."""

    report: CrawlReport
    rules: NoiseRules  # every rule of the source, the new ones included
    new_rules: list[NoiseRule] = field(default_factory=list)
    hits: Counter[NoiseRule] = field(default_factory=Counter)
    confirmations: int = 0  # detail pages read a second time


def _cleaned(items: Sequence[NewsItem], rules: NoiseRules
             ) -> tuple[list[NewsItem], Counter[NoiseRule]]:
    hits: Counter[NoiseRule] = Counter()
    cleaned = []
    for item in items:
        hits.update(clean_text(item.lead, item.body, rules, item.url).hits)
        cleaned.append(clean_item(item, rules))
    return cleaned, hits


def _suspects(stored: Mapping[str, StoredItem], report: CrawlReport,
              rules: NoiseRules) -> list[EditedChange]:
    clean = {url: clean_stored(item, rules) for url, item in stored.items()}
    changes = diff(clean, report, allow_removals=False)
    return [c for c in changes if isinstance(c, EditedChange) and needs_confirmation(c)]


async def settle(report: CrawlReport, stored: Mapping[str, StoredItem], known: NoiseRules,
                 reread: Reread) -> Settled:
    """Learn, clean and confirm; `stored` must cover `monitor.diff.scope(report)`."""
    # A re-slugged story's own title and lead, learned as furniture elsewhere with its old
    # page as their owner, stay its text on the new page.
    known = known.with_moves(reslug_moves(stored, report))
    corpus = page_corpus(stored, report.items, report.listing, known)
    rules = known.with_rules(corpus.rules())
    items, _ = _cleaned(report.items, rules)
    suspects = _suspects(stored, dataclasses.replace(report, items=items), rules)
    confirmations = 0
    if suspects:
        # Revisited pages have stand-in entries; a listed entry wins over one.
        entries = {e.url: e for e in [*report.revisited, *report.listing]}
        second = await reread([entries[c.item.url] for c in suspects if c.item.url in entries])
        if second.stopped:
            return Settled(dataclasses.replace(report, stopped=True), known)
        confirmations = second.requests
        rules = _learn_from_rereads(corpus, report, stored, suspects, second)
        report = _confirmed_report(report, stored, suspects, second, rules)
    items, hits = _cleaned(report.items, rules)
    report = dataclasses.replace(report, items=items,
                                 requests=report.requests + confirmations)
    new = [rule for rule in rules if rule not in known]
    return Settled(report, rules, new, hits, confirmations)


def _learn_from_rereads(corpus: Corpus, report: CrawlReport, stored: Mapping[str, StoredItem],
                        suspects: Sequence[EditedChange], second: CrawlReport) -> NoiseRules:
    """What moved between the two reads, added to the poll's evidence."""
    known = corpus.known  # the corpus holds pages cleaned with these
    first = {item.url: item for item in report.items}
    again = {item.url: item for item in second.items}
    for change in suspects:
        url = change.item.url
        if url in again and url in first:
            before = split_body(clean_stored(stored[change.stored.url], known).body)
            corpus.add_rereads(url, before, clean_item(first[url], known).body,
                               clean_item(again[url], known).body)
    return known.with_rules(corpus.rules())


def _confirmed_report(report: CrawlReport, stored: Mapping[str, StoredItem],
                      suspects: Sequence[EditedChange], second: CrawlReport,
                      rules: NoiseRules) -> CrawlReport:
    """The report with each suspect replaced by what both reads agree on; a suspect whose
    second read failed is deferred to the next poll, like any detail page that failed."""
    first = {item.url: item for item in report.items}
    again = {item.url: item for item in second.items}
    confirmed: dict[str, NewsItem | None] = {}
    errors = [*report.detail_errors, *second.detail_errors]
    for change in suspects:
        url = change.item.url
        if url not in again:
            confirmed[url] = None
            if not any(url in line for line in second.detail_errors):
                errors.append(f"{url}: not read again to confirm an edit; deferred")
            continue
        confirmed[url] = confirmed_item(clean_stored(stored[change.stored.url], rules),
                                        clean_item(first[url], rules),
                                        clean_item(again[url], rules))
    items = [confirmed.get(item.url, item) for item in report.items]
    return dataclasses.replace(report, items=[i for i in items if i is not None],
                               detail_errors=errors,
                               code_errors=[*report.code_errors, *second.code_errors])
