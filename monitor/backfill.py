"""`csto-monitor backfill --pages N`: read N listing pages of the archive, store silently.

Politeness comes from the configured crawl settings (download delay, AutoThrottle,
robots.txt). Only items not stored yet are written, as their first revision, with no
change event and so no notification; edits of known items are left to the daemon, which
announces them. The crawl holds no lock; storing does, so a running daemon is not blocked.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from core import config
from core.locks import wait_lock
from core.models import utcnow
from monitor import noise_store, pair_store, store
from monitor.diff import diff
from monitor.noise import NoiseRules, clean_item
from monitor.snapshot import NewChange, StoredItem
from monitor.volatility import page_corpus
from scraper.items import KnownItem, ListingEntry, NewsItem
from scraper.report import CrawlReport
from scraper.request import CrawlRequest
from scraper.runner import SourceCrawler


@dataclass
class BackfillResult:
    source: str
    pages: int = 0
    stored: int = 0
    listed: int = 0
    error: str | None = None

    def line(self) -> str:
        if self.error:
            return f"{self.source}: backfill failed: {self.error}"
        return (f"{self.source}: stored {self.stored} new item(s) silently from {self.pages} "
                f"listing page(s) ({self.listed} items listed)")


class SpeedColumn(ProgressColumn):
    """Items per second, over the whole run so far."""

    def render(self, task: Task) -> Text:
        elapsed = task.elapsed or 0
        speed = task.completed / elapsed if elapsed > 0 else 0.0
        return Text(f"{speed:.1f} items/s", style="cyan")


class ProgressTracker:
    """Counts new listing entries (details to read) and items read, for the bar."""

    def __init__(self, known: Mapping[str, KnownItem], pages: int,
                 update: Callable[..., None]) -> None:
        self._known, self._pages, self._update = known, pages, update
        # Running totals: summing per page on every item was quadratic in the archive size.
        self._read: set[int] = set()  # listing pages with entries
        self._seen = 0  # new entries seen
        self._page = 0  # the furthest page read
        self.items = 0  # detail pages read

    def __call__(self, item: object) -> None:
        if isinstance(item, ListingEntry):
            self._read.add(item.page)
            self._seen += item.url not in self._known
            self._page = max(self._page, item.page)
        elif isinstance(item, NewsItem):
            self.items += 1
        self._update(completed=self.items, total=self._estimate(),
                     description=f"page {self._page}/{self._pages}")

    def _estimate(self) -> int:
        """New entries seen, plus the unread pages at the average seen so far."""
        read = len(self._read)
        if not read:
            return 0
        return self._seen + round(self._seen / read * max(self._pages - read, 0))


def progress_bar(console: Console) -> Progress:
    return Progress(TextColumn("{task.fields[source]} {task.description}"), BarColumn(),
                    MofNCompleteColumn(), SpeedColumn(), TextColumn("ETA"),
                    TimeRemainingColumn(), TimeElapsedColumn(), console=console)


async def crawl_archive(crawler: SourceCrawler, spec: config.SourceSettings, pages: int,
                        known: Mapping[str, KnownItem], progress: Progress) -> CrawlReport:
    task = progress.add_task("page 0", total=None, source=spec.name)
    tracker = ProgressTracker(known, pages, lambda **kw: progress.update(task, **kw))
    report = await crawler.crawl(CrawlRequest(
        source_name=spec.name, source_url=str(spec.url), language=spec.language, pages=pages,
        known=known, selectors=spec.selectors.model_dump()), on_item=tracker)
    progress.update(task, total=len(report.items), completed=len(report.items))
    return report


def store_new(engine: Engine, sessions: sessionmaker[Session], spec: config.SourceSettings,
              report: CrawlReport) -> int:
    """Insert the items not stored yet, silently; return how many."""
    with wait_lock(engine, f"poll:{spec.name}"), sessions() as session, session.begin():
        source = store.get_source(session, spec)
        stored = store.stored_snapshot(store.source_items(session, source.id))
        new = [c for c in diff(stored, report, allow_removals=False)
               if isinstance(c, NewChange)]
        run = store.start_run(session, source, utcnow())
        rules = _learned_rules(session, source.id, stored, report, run.started_at)
        store.insert_new_items(session, source, [clean_item(c.item, rules) for c in new],
                               run.started_at)
        if new:  # the archive's stories with their other language version, if stored
            pair_store.pair_history(session)
        # Its own outcome: not counted among the listing sizes that judge later polls.
        run.outcome, run.finished_at = "backfill", utcnow()
        run.requests, run.listing_items, run.new = report.requests, len(report.listing), len(new)
        return len(new)


def _learned_rules(session: Session, source_id: int, stored: Mapping[str, StoredItem],
                   report: CrawlReport, now: datetime) -> NoiseRules:
    """The source's furniture rules, with what the archive's pages teach (counters and
    related news repeat on every page), so that the archive is stored without it."""
    known = noise_store.load_rules(session, source_id)
    learned = page_corpus(stored, report.items, report.listing, known).rules()
    if learned:
        rules = known.with_rules(learned)
        noise_store.add_rules(session, source_id, learned, now)
        noise_store.clean_stored_rows(session, source_id, learned, rules)
        return rules
    return known


async def backfill_source(engine: Engine, sessions: sessionmaker[Session],
                          crawler: SourceCrawler, spec: config.SourceSettings, pages: int,
                          progress: Progress) -> BackfillResult:
    with sessions() as session, session.begin():
        source = store.get_source(session, spec)
        known = store.known_snapshot(store.source_items(session, source.id))
    report = await crawl_archive(crawler, spec, pages, known, progress)
    result = BackfillResult(spec.name, pages=report.listing_pages_ok,
                            listed=len(report.listing))
    if not report.listing:
        result.error = (report.listing_errors or ["no news items found on the listing"])[0]
        return result
    result.stored = store_new(engine, sessions, spec, report)
    return result
