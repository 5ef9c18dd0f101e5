"""One poll of one source: crawl, judge the crawl, diff, store, enqueue; an explicit outcome."""

from __future__ import annotations

import asyncio
import logging
import statistics
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from core import config, metrics
from core.models import ChangeEvent, CrawlRun, Source, utcnow
from monitor import (
    divergence_store,
    document_store,
    noise_store,
    pair_store,
    pair_translations,
    revisit_store,
    store,
)
from monitor.diff import diff, scope
from monitor.documents import ReadFile, read_files
from monitor.noise import NoiseRules, clean_stored
from monitor.pairing import TextTranslator
from monitor.settle import Settled, settle
from monitor.snapshot import Change, EditedChange, NewChange, Scope, StoredItem
from monitor.translation.service import Translator
from scraper.code_errors import CodeError
from scraper.crawler import Crawler
from scraper.items import KnownDocument, KnownItem, ListingEntry
from scraper.report import CrawlReport
from scraper.request import CrawlRequest, Revisit

log = logging.getLogger(__name__)
Outcome = Literal["baseline", "not_modified", "unchanged", "changed", "error", "stopped",
                  "skipped"]
Lock = Callable[[str], AbstractContextManager[bool]]
# Hands a poll's change events on (the notifier queues their deliveries), inside the poll's
# transaction: events and their outbox rows are committed together or not at all.
Announce = Callable[[Session, Sequence[ChangeEvent]], object]
# The spider is told about the newest items only: this many times the recent listing size.
KNOWN_WINDOW_FACTOR = 2
# A silent baseline lasts until a poll reads every listed item, but at most this many polls
# (a detail page that never loads must not keep a source silent for good).
BASELINE_POLLS = 3
# A poll that failed in our own code lists this many of its pages' errors in its crawl run.
CODE_ERRORS_LISTED = 10
# A poll that answered 304 records no edit, so one-sided edits can only come due by time
# (the earliest pending one reaching `divergence_after`) or by another process (a replica
# polling other sources, a CLI command): between polls that change something the check
# runs when the first comes due, and at least this often for the second.
DIVERGENCE_RECHECK = timedelta(minutes=10)
# What a poll reads of the stored items before its request, kept between idle polls of a
# source: read again after a poll of this process that read the listing, else at least
# this often (what a backfill, a `check` or a replica stored meanwhile): the revisit
# schedules of items stored without one (a schedule's first step is hours), and the known
# window, which is also read again when the source's validators changed.
SCHEDULE_RECHECK = timedelta(minutes=10)


def no_lock(name: str) -> AbstractContextManager[bool]:
    return nullcontext(True)


@dataclass
class PollOutcome:
    source: str
    outcome: Outcome
    new: int = 0
    edited: int = 0
    removed: int = 0
    documents_changed: int = 0  # attached files replaced under the same URL
    paired: int = 0  # stories whose other language version was found in this poll
    diverged: int = 0  # one-sided edits recorded after this poll (any source's)
    listing_items: int = 0
    requests: int = 0
    errors: list[str] = field(default_factory=list)
    failures: int = 0  # consecutive failed polls of the source, this one included
    alert: bool = False  # this failure crossed alert_after_failures: tell the operator once
    recovered_after: int = 0  # the source was alerted and works again after this many

    @property
    def announced(self) -> bool:
        """Whether this poll handed change events to the notifiers (deliveries queued)."""
        return self.outcome == "changed" or self.diverged > 0

    @property
    def clean(self) -> bool:
        return self.outcome not in ("error", "stopped") and not self.errors

    def line(self) -> str:
        """One line for the operator: what the poll found, or why it failed."""
        if self.outcome == "error":
            return f"{self.source}: poll failed: {self.errors[0]}"
        counts = f"{self.new} new, {self.edited} edited, {self.removed} removed"
        if self.documents_changed:
            counts += f", {self.documents_changed} document(s) changed"
        text = {
            "baseline": f"first poll: stored {self.new} items silently",
            "not_modified": "unchanged (listing answered 304 Not Modified)",
            "unchanged": f"unchanged ({self.listing_items} items listed)",
            "changed": counts,
            "stopped": "poll abandoned at shutdown",
            "skipped": "another process is polling this source",
        }[self.outcome]
        if self.errors:
            text += f"; {len(self.errors)} page(s) failed, first: {self.errors[0]}"
        return f"{self.source}: {text}"


def _implausible(count: int, recent: list[int], ratio: float) -> str | None:
    if not recent:
        return None
    usual = statistics.median(recent)
    if count < ratio * usual:
        return (f"found only {count} items on the listing, far fewer than the usual "
                f"{usual:g}: not trusting this crawl (site fault or markup change?)")
    return None


def _code_failure(errors: Sequence[CodeError]) -> str:
    """The poll's error when our own code raised: what, where, and on how many pages."""
    pages = len({error.url for error in errors})
    return (f"our own code failed on {pages} page(s) (a bug, not a fault of the site; "
            f"--log-level DEBUG shows the traceback); first: {errors[0].line()}")


def _judge(report: CrawlReport, recent: list[int], ratio: float) -> str | None:
    """Why this crawl must not be diffed, or None when it may."""
    if report.listing_errors:
        return report.listing_errors[0]
    if report.finish_reason != "finished":
        return f"crawl did not finish normally ({report.finish_reason})"
    if not report.listing:
        return "no news items found on the listing: the page markup may have changed"
    return _implausible(len(report.listing), recent, ratio)


class SourcePoller:
    """Polls configured sources and writes outcomes; one instance per process."""

    def __init__(self, settings: config.Settings, sessions: sessionmaker[Session],
                 crawler: Crawler, announce: Announce,
                 lock: Lock = no_lock, translator: Translator | None = None) -> None:
        self._settings = settings
        # The configured translator: title similarity, an extra pairing signal, asked
        # before the poll's transaction (monitor.pair_translations).
        self._translator = translator
        self._sessions = sessions
        self._crawler = crawler
        self._announce = announce
        self._lock = lock
        # Validators of each source's stored documents, read at the start of its poll (one
        # poll of a source runs at a time; polls of different sources may overlap).
        self._documents: dict[str, Mapping[str, KnownDocument]] = {}
        # When the divergence check must run again after an idle poll (None: after the
        # next poll, whatever it found).
        self._divergence_next: datetime | None = None
        # When each source's unscheduled items were last given a revisit schedule, and its
        # known window as read then, by name; dropped after a poll that read the listing
        # (see `_due_revisits`, `_known_window`).
        self._scheduled_at: dict[str, datetime] = {}
        self._windows: dict[str, tuple[tuple[object, ...], datetime, store.KnownWindow]] = {}

    async def poll(self, spec: config.SourceSettings) -> PollOutcome:
        """Poll one source, unless another process holds its lock (PostgreSQL replicas)."""
        with self._lock(f"poll:{spec.name}") as held:
            if not held:
                return PollOutcome(spec.name, "skipped")
            outcome = await self._poll(spec)
        if outcome.outcome in ("baseline", "changed", "unchanged"):  # the listing was read
            self._scheduled_at.pop(spec.name, None)
            self._windows.pop(spec.name, None)
        if self._divergence_due(outcome):
            outcome.diverged = self.check_divergence()
        metrics.record_poll(outcome)
        if outcome.alert:
            log.error("ALERT %s: %d consecutive polls failed; last error: %s", spec.name,
                      outcome.failures, outcome.errors[0])
        if outcome.recovered_after:
            log.warning("RECOVERED %s: polling works again after %d failed polls", spec.name,
                        outcome.recovered_after)
        return outcome

    def _divergence_due(self, outcome: PollOutcome) -> bool:
        """Whether the divergence check runs after this poll: after any poll that may
        have recorded an edit or a pair, else only once the next one-sided edit may be due."""
        if outcome.outcome in ("stopped", "skipped"):
            return False
        if outcome.outcome != "not_modified":
            self._divergence_next = None
        return self._divergence_next is None or utcnow() >= self._divergence_next

    def check_divergence(self, now: datetime | None = None) -> int:
        """Record and announce the one-sided edits now due (monitor.divergence_store)."""
        now = now or utcnow()
        after = self._settings.bilingual.divergence_after
        with self._sessions() as session, session.begin():
            events = divergence_store.record_due(session, now, after)
            if events:
                self._announce(session, events)
            self._divergence_next = min(divergence_store.next_due(session, now, after),
                                        now + DIVERGENCE_RECHECK)
        return len(events)

    async def _poll(self, spec: config.SourceSettings) -> PollOutcome:
        with self._sessions() as session:
            source = store.get_source(session, spec)
            source_id = source.id
            window = self._known_window(session, source)
            recheck = self._recheck_due(source)
            if not window.items:  # nothing stored: no 304 may stand in for a baseline
                self._forget_empty_baseline(source)
            validators = ((None, None) if recheck or not window.items
                          else (source.etag, source.last_modified))
            self._documents[spec.name] = document_store.validators(session, source_id)
            due = self._due_revisits(session, source)
            session.commit()
        started = utcnow()
        report = await self._crawl(spec, window.items, validators, recheck, due)
        if not report.stopped and not self._covered(window, report, source_id):
            report = await self._crawl_knowing_everything(spec, source_id, report, recheck,
                                                          due)
        settled = await self._settle(spec, source_id, report)
        if settled.report.stopped:
            return PollOutcome(spec.name, "stopped")
        metrics.record_second_opinions(spec.name, report.second_opinions, report.disagreements)
        metrics.record_code_errors(spec.name, settled.report.code_error_counts())
        files = await self._read_files(spec.name, settled.report)
        translations = await self._pairing_translations(settled.report)
        with self._sessions() as session, session.begin():
            return self._record(session, spec, settled, started, recheck, files,
                                translations)

    async def _pairing_translations(self, report: CrawlReport) -> TextTranslator | None:
        """The translations of the Russian titles this poll's pairing will compare (new
        items and unpaired ones around their dates), fetched now: pairing runs inside the
        transaction, which must not wait on a provider. None without a translator."""
        if self._translator is None or not report.items:
            return None
        with self._sessions() as session:
            titles = pair_store.titles_around(session, (i.published for i in report.items))
        for item in report.items:
            titles.setdefault(item.language, []).append(item.title)
        cfg = self._settings.translation
        timeout = cfg.timeout.total_seconds() if cfg else pair_translations.DEFAULT_TIMEOUT
        return await pair_translations.prefetch(
            self._translator, pair_translations.wanted(titles), timeout)

    async def _read_files(self, source: str, report: CrawlReport) -> list[ReadFile]:
        """Read the fetched files off the event loop (a large PDF takes a while), then let
        their bytes go: only hashes and text are kept."""
        if not report.documents:
            return []
        limit = self._settings.documents.max_unpacked_bytes
        stored = {url: known.sha256 for url, known in self._documents.get(source, {}).items()}
        files = await asyncio.to_thread(read_files, report.documents, limit, stored)
        for document in report.documents:
            document.body = None
        return files

    async def _settle(self, spec: config.SourceSettings, source_id: int,
                      report: CrawlReport) -> Settled:
        """Learn and drop furniture, confirm suspected edits (see monitor.settle); only for a
        crawl that will be diffed."""
        with self._sessions() as session:
            if report.stopped or not self._diffable(session, source_id, report):
                return Settled(report, NoiseRules())
            stored = store.scoped_snapshot(session, source_id, scope(report))
            rules = noise_store.load_rules(session, source_id)

        async def reread(entries: Sequence[ListingEntry]) -> CrawlReport:
            return await self._crawler.crawl(CrawlRequest(
                source_name=spec.name, source_url=str(spec.url), language=spec.language,
                pages=0, selectors=spec.selectors.model_dump(), reread=tuple(entries)))

        settled = await settle(report, stored, rules, reread)
        if settled.confirmations:
            log.info("%s: read %d page(s) again to confirm edits", spec.name,
                     settled.confirmations)
        return settled

    def _due_revisits(self, session: Session, source: Source) -> tuple[Revisit, ...]:
        """The stored pages this poll reads again (none before the source's baseline).

        Items stored since are scheduled first: after a poll of this process that stored
        some, else every SCHEDULE_RECHECK (an idle poll skips an UPDATE and a SELECT)."""
        settings = self._settings.revisits
        if not settings.enabled or not source.baseline_done:
            return ()
        now = utcnow()
        last = self._scheduled_at.get(source.name)
        if last is None or now - last >= SCHEDULE_RECHECK:
            revisit_store.schedule_unscheduled(session, source.id, settings.schedule, now)
            self._scheduled_at[source.name] = now
        return tuple(revisit_store.due(session, source.id, now, settings.max_per_poll))

    def _diffable(self, session: Session, source_id: int, report: CrawlReport) -> bool:
        if report.code_errors:  # whatever else it read was read by code known to be broken
            return False
        if report.not_modified and not report.listing_errors:
            return bool(report.items)  # revisited pages, read although the listing was 304
        recent = store.recent_listing_counts(session, source_id)
        return _judge(report, recent, self._settings.crawl.min_items_ratio) is None

    async def _crawl(self, spec: config.SourceSettings, known: Mapping[str, KnownItem],
                     validators: tuple[str | None, str | None], recheck: bool,
                     revisits: tuple[Revisit, ...] = ()) -> CrawlReport:
        etag, last_modified = validators
        documents = self._settings.documents
        return await self._crawler.crawl(CrawlRequest(
            source_name=spec.name, source_url=str(spec.url), language=spec.language,
            pages=spec.pages, recheck_latest=spec.recheck_latest if recheck else 0,
            known=known, etag=etag, last_modified=last_modified,
            selectors=spec.selectors.model_dump(), second_opinion=True,
            fetch_documents=documents.enabled, documents=self._documents.get(spec.name, {}),
            max_document_bytes=documents.max_bytes, revisits=revisits,
        ))

    def _known_window(self, session: Session, source: Source) -> store.KnownWindow:
        """The newest items, as the last idle poll read them if nothing may have changed
        them since: the source's validators are the same (a poll that stores items moves
        them), this process read no listing since, and SCHEDULE_RECHECK has not passed."""
        key = (source.etag, source.last_modified, source.baseline_done)
        now = utcnow()
        kept = self._windows.get(source.name)
        if kept is not None and kept[0] == key and now - kept[1] < SCHEDULE_RECHECK:
            return kept[2]
        window = store.known_window(session, source.id, self._window_size(session, source))
        if window.items:
            self._windows[source.name] = (key, now, window)
        return window

    @staticmethod
    def _window_size(session: Session, source: Source) -> int:
        """How many of the newest items the spider needs to know (0: all of them).

        Twice the recent listing size leaves room for as many items to leave the listing
        between two polls; the window grows with the listing, never with the history.
        """
        return KNOWN_WINDOW_FACTOR * max(store.recent_listing_counts(session, source.id),
                                         default=0)

    async def _crawl_knowing_everything(self, spec: config.SourceSettings, source_id: int,
                                        first: CrawlReport, recheck: bool,
                                        revisits: tuple[Revisit, ...]) -> CrawlReport:
        """Crawl again, the spider told about every stored item; rare (many items gone at
        once, more pages configured), so that it chooses the details and probes it always
        would."""
        log.info("%s: the listing reaches past the newest stored items; crawling again "
                 "with the whole history", spec.name)
        with self._sessions() as session:
            known = store.known_window(session, source_id, 0).items
        report = await self._crawl(spec, known, (None, None), recheck, revisits)
        report.requests += first.requests  # the poll made both crawls
        return report

    def _covered(self, window: store.KnownWindow, report: CrawlReport, source_id: int) -> bool:
        """Whether the spider chose through `window` as it would have knowing every item."""
        if window.since is None or report.not_modified:
            return True
        listed = {entry.url for entry in report.listing} - window.items.keys()
        with self._sessions() as session:
            outside = store.count_stored(session, source_id, listed)
        return window.covers(report.listing, outside)

    def _recheck_due(self, source: Source) -> bool:
        """Whether this poll re-reads the listing in full and the newest detail pages (the
        sweep that revisits superseded: only when `crawl.recheck_interval` is set).

        A 304 says only that the listing is unchanged, and an edit to an article's body
        does not show on the listing at all: so every `recheck_interval` the listing is read
        without conditional headers and the newest `recheck_latest` detail pages are read
        again. Other polls read only what the listing shows as new or changed, which keeps
        a new item's poll to a few requests (detection latency, load on the site).
        """
        interval = self._settings.crawl.recheck_interval
        if interval is None:  # the default: revisits (monitor.revisits) catch such edits
            return False
        last_full = source.last_full_poll_at
        return last_full is None or utcnow() - last_full >= interval

    def _record(self, session: Session, spec: config.SourceSettings, settled: Settled,
                started: datetime, recheck: bool, files: Sequence[ReadFile] = (),
                translator: TextTranslator | None = None) -> PollOutcome:
        report = settled.report
        source = store.get_source(session, spec)
        run = store.start_run(session, source, started)
        run.requests, run.listing_items = report.requests, len(report.listing)
        revisited = report.items or files or report.gone_urls  # pages, files, removals
        problem = self._problem(session, source, report)
        if problem:
            pages = [error.line() for error in report.code_errors[:CODE_ERRORS_LISTED]]
            outcome = PollOutcome(spec.name, "error", requests=report.requests,
                                  listing_items=len(report.listing), errors=[problem, *pages])
        elif report.not_modified and not revisited:
            outcome = PollOutcome(spec.name, "not_modified", requests=report.requests)
            if report.revisited or report.revisits_unchanged or report.page_validators:
                # A poll that read no page has nothing to move on, and stored no item to
                # schedule: a later poll's start schedules what others stored meanwhile.
                self._record_revisits(session, source, report, [], run.started_at)
        else:  # a changed listing, or what the revisits of a 304 poll found
            outcome = self._apply(session, source, run, settled, files, translator)
        self._finish(source, run, report, outcome, recheck)
        return outcome

    def _problem(self, session: Session, source: Source, report: CrawlReport) -> str | None:
        """Why this poll is an error, or None (see `_judge`): a 304 listing is not judged,
        but what its revisits read is, and so is a first poll that would store nothing."""
        if report.code_errors:
            return _code_failure(report.code_errors)
        if report.not_modified and not report.listing_errors:
            return None
        recent = store.recent_listing_counts(session, source.id)
        return (_judge(report, recent, self._settings.crawl.min_items_ratio)
                or self._empty_first_poll(session, source, report))

    @staticmethod
    def _empty_first_poll(session: Session, source: Source, report: CrawlReport) -> str | None:
        """A first poll that read the listing and stored none of it is no baseline: every
        listed item would later be announced as new, or, with the listing's validators
        kept, never be read at all."""
        if source.baseline_done or report.items or not report.listing:
            return None
        if store.count_stored(session, source.id, (e.url for e in report.listing)):
            return None  # an earlier baseline poll stored them; this one retried the rest
        cause = report.detail_errors[0] if report.detail_errors else "no detail page was read"
        return (f"the first poll read {len(report.listing)} items on the listing and stored "
                f"none of them; first failure: {cause}")

    @staticmethod
    def _forget_empty_baseline(source: Source) -> None:
        """A baseline recorded although nothing of the source is stored (by a release that
        took a poll whose every page failed for one) is taken again, silently, rather than
        every listed item being announced as new."""
        if source.baseline_done:
            log.warning("%s: no item is stored although a baseline was recorded; taking "
                        "the baseline again", source.name)
            source.baseline_done = False

    def _apply(self, session: Session, source: Source, run: CrawlRun,
               settled: Settled, files: Sequence[ReadFile],
               translator: TextTranslator | None = None) -> PollOutcome:
        report = settled.report
        stored = self._clean_stored(session, source, settled, scope(report), run.started_at)
        allow_removals = not report.detail_errors
        changes = diff(stored, report, allow_removals=allow_removals)
        baseline = not source.baseline_done and self._settings.first_run == "silent"
        events = store.apply_changes(session, source, run, changes, record_events=not baseline)
        noise_store.move_owners(session, source.id, {
            c.stored.url: c.item.url for c in changes if isinstance(c, EditedChange) and c.reslug})
        store.refresh_seen(session, source, (e.url for e in report.listing), report.items,
                           run.started_at)
        replaced = document_store.record(session, source.id, files, report.items,
                                         run.started_at)
        if not baseline:
            events += document_store.changed_events(session, run, replaced)
        # Before announcing: a new item's message can name its other language version.
        paired = pair_store.pair_around(
            session, (c.item.published for c in changes if isinstance(c, NewChange)),
            translator, now=run.started_at)
        if paired:
            log.info("%s: paired %d stor%s with the other language's version", source.name,
                     len(paired), "y" if len(paired) == 1 else "ies")
        self._announce(session, events)
        self._record_revisits(session, source, report, changes, run.started_at)
        kinds = [e.kind for e in events]
        quiet: Outcome = "not_modified" if report.not_modified else "unchanged"
        outcome = PollOutcome(
            source.name, "baseline" if baseline else ("changed" if events else quiet),
            new=len(changes) if baseline else kinds.count("new"),
            edited=kinds.count("edited"), removed=kinds.count("removed"),
            documents_changed=kinds.count("document_changed"), paired=len(paired),
            listing_items=len(report.listing), requests=report.requests,
            errors=list(report.detail_errors),
        )
        source.baseline_done = not baseline or self._baseline_complete(session, source, report)
        return outcome

    def _record_revisits(self, session: Session, source: Source, report: CrawlReport,
                         changes: Sequence[Change], now: datetime) -> None:
        if not self._settings.revisits.enabled:
            return
        edited = {c.stored.id for c in changes if isinstance(c, EditedChange)}
        revisit_store.record(session, source.id, report, edited,
                             self._settings.revisits.schedule, now)

    @staticmethod
    def _baseline_complete(session: Session, source: Source, report: CrawlReport) -> bool:
        """Whether the silent baseline ends with this poll.

        Items whose detail page failed (a timeout) are not stored: were the baseline to end
        anyway, the next poll would read them and announce them as new, although they were
        on the site before monitoring began. So the next poll stays silent too, until one
        reads every listed item or BASELINE_POLLS polls have tried."""
        if not report.detail_errors:
            return True
        earlier = session.scalar(select(func.count()).select_from(CrawlRun).where(
            CrawlRun.source_id == source.id, CrawlRun.outcome == "baseline")) or 0
        return earlier + 1 >= BASELINE_POLLS

    @staticmethod
    def _clean_stored(session: Session, source: Source, settled: Settled, wanted: Scope,
                      now: datetime) -> dict[str, StoredItem]:
        """Store what was learned and the stored items to compare, free of furniture: the
        rows are cleaned too (silently), so that no stored body keeps furniture and an
        edit's `previous` shows only the story."""
        rules = settled.rules
        if settled.new_rules:
            noise_store.add_rules(session, source.id, settled.new_rules, now)
            noise_store.clean_stored_rows(session, source.id, settled.new_rules, rules)
        noise_store.record_hits(session, source.id, settled.hits, now)
        stored = store.scoped_snapshot(session, source.id, wanted)
        cleaned = {url: clean_stored(item, rules) for url, item in stored.items()}
        dirty = [item.id for url, item in cleaned.items() if item is not stored[url]]
        noise_store.clean_items(session, dirty, rules)
        return cleaned

    def _finish(self, source: Source, run: CrawlRun, report: CrawlReport,
                outcome: PollOutcome, recheck: bool) -> None:
        now = utcnow()
        run.finished_at, run.outcome = now, outcome.outcome
        run.new, run.edited, run.removed = outcome.new, outcome.edited, outcome.removed
        run.error = "\n".join(outcome.errors) or None
        if outcome.outcome == "error":
            source.consecutive_failures += 1
            source.last_error, source.last_error_at = outcome.errors[0], now
            outcome.failures = source.consecutive_failures
            if outcome.failures >= self._settings.alert_after_failures and not source.alerted:
                source.alerted = outcome.alert = True
            return
        if source.alerted:
            source.alerted, outcome.recovered_after = False, source.consecutive_failures
        source.last_success_at = now
        source.consecutive_failures = 0
        if outcome.clean and not report.not_modified:
            # Validators only after a fully clean crawl: a 304 must not hide a deferred item.
            source.etag, source.last_modified = report.etag, report.last_modified
            # A changed listing often comes with edits it does not show (a body, or a title
            # where the listing prints the lead): re-read the newest pages at the next poll
            # rather than in this one, so that the new items are announced without waiting.
            source.last_full_poll_at = now if recheck else None
        elif not outcome.clean:
            source.etag = source.last_modified = None
            source.last_error, source.last_error_at = outcome.errors[0], now
