"""Prometheus counters of this process, incremented where things happen.

Counters live in their own registry (not prometheus-client's global one) so that the HTTP
server decides what it exposes; gauges that describe the stored state (items, outbox
depth, last success) are read from the database at scrape time (csto_monitor/web/prometheus.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

from prometheus_client import CollectorRegistry, Counter

from core.events import EVENT_KINDS

REGISTRY = CollectorRegistry()

POLLS = Counter("csto_polls", "Polls of a source, by outcome", ["source", "outcome"],
                registry=REGISTRY)
POLL_FAILURES = Counter("csto_poll_failures", "Polls that failed (outcome error)", ["source"],
                        registry=REGISTRY)
REQUESTS = Counter("csto_requests", "HTTP requests made to a source by its polls", ["source"],
                   registry=REGISTRY)
NOT_MODIFIED = Counter("csto_not_modified", "Polls whose listing answered 304 Not Modified",
                       ["source"], registry=REGISTRY)
EVENTS = Counter("csto_change_events", "Change events detected, by kind", ["kind"],
                 registry=REGISTRY)
SECOND_OPINIONS = Counter("csto_extraction_second_opinions",
                          "Detail pages also read by the second-opinion extractor (trafilatura)",
                          ["source"], registry=REGISTRY)
DISAGREEMENTS = Counter("csto_extraction_disagreements",
                        "Detail pages whose body the second-opinion extractor disagreed with "
                        "strongly (word similarity below 0.5)", ["source"], registry=REGISTRY)
CODE_ERRORS = Counter("csto_code_errors",
                      "Exceptions raised in csto-monitor's own code while polling a source (a "
                      "bug or a broken install, never a fault of the site), by stage: listing, "
                      "detail, document, probe (a spider callback), pipeline (an item "
                      "pipeline), second_opinion (the trafilatura comparison; the page is "
                      "still stored)", ["source", "stage"], registry=REGISTRY)
DELIVERIES = Counter("csto_deliveries", "Delivery attempts, by channel and outcome",
                     ["channel", "outcome"], registry=REGISTRY)
TRANSLATIONS = Counter("csto_translations",
                       "Texts a message asked to machine-translate, by provider and outcome "
                       "(requested, cached, failed, skipped while the provider is failing or "
                       "the rate limit is reached)", ["provider", "outcome"],
                       registry=REGISTRY)
TRANSLATION_FAILURES = Counter("csto_translation_failures",
                               "Requests to the translation provider that failed, by cause",
                               ["provider", "cause"], registry=REGISTRY)


# Every poll outcome but "stopped": a poll abandoned at shutdown is counted nowhere.
POLL_OUTCOMES = ("baseline", "not_modified", "unchanged", "changed", "error", "skipped")
DELIVERY_OUTCOMES = ("sent", "retrying", "failed")
# The stages of scraper.code_errors.STAGES (core imports no other layer).
CODE_ERROR_STAGES = ("listing", "detail", "document", "probe", "pipeline", "second_opinion")


TRANSLATION_OUTCOMES = ("requested", "cached", "failed", "skipped")


def declare(sources: Iterable[str], channels: Iterable[str],
            translation_provider: str | None = None) -> None:
    """Create every labelled series at 0, so that /metrics shows them before they move."""
    if translation_provider is not None:
        for outcome in TRANSLATION_OUTCOMES:
            TRANSLATIONS.labels(translation_provider, outcome)
    for source in sources:
        for outcome in POLL_OUTCOMES:
            POLLS.labels(source, outcome)
        for counter in (POLL_FAILURES, REQUESTS, NOT_MODIFIED):
            counter.labels(source)
        for stage in CODE_ERROR_STAGES:
            CODE_ERRORS.labels(source, stage)
    for kind in EVENT_KINDS:
        EVENTS.labels(kind)
    for channel in channels:
        for status in DELIVERY_OUTCOMES:
            DELIVERIES.labels(channel, status)


class PollCounts(Protocol):
    """What a poll's outcome tells the counters (monitor.poll.PollOutcome has it)."""

    @property
    def source(self) -> str: ...
    @property
    def outcome(self) -> str: ...
    @property
    def requests(self) -> int: ...
    @property
    def new(self) -> int: ...
    @property
    def edited(self) -> int: ...
    @property
    def removed(self) -> int: ...
    @property
    def documents_changed(self) -> int: ...
    @property
    def diverged(self) -> int: ...


def record_poll(outcome: PollCounts) -> None:
    """Count one poll; called by SourcePoller.poll for every outcome but "stopped"."""
    if outcome.outcome not in POLL_OUTCOMES:
        return
    POLLS.labels(outcome.source, outcome.outcome).inc()
    REQUESTS.labels(outcome.source).inc(outcome.requests)
    if outcome.outcome == "error":
        POLL_FAILURES.labels(outcome.source).inc()
    if outcome.outcome == "not_modified":
        NOT_MODIFIED.labels(outcome.source).inc()
    if outcome.outcome == "changed":  # a baseline stores items silently: no events
        EVENTS.labels("new").inc(outcome.new)
        EVENTS.labels("edited").inc(outcome.edited)
        EVENTS.labels("removed").inc(outcome.removed)
        EVENTS.labels("document_changed").inc(outcome.documents_changed)
    EVENTS.labels("diverged").inc(outcome.diverged)  # recorded after any poll


def record_second_opinions(source: str, opinions: int, disagreements: int) -> None:
    """Count a crawl's second opinions on article bodies and its strong disagreements."""
    SECOND_OPINIONS.labels(source).inc(opinions)
    DISAGREEMENTS.labels(source).inc(disagreements)


def record_code_errors(source: str, by_stage: Mapping[str, int]) -> None:
    """Count a crawl's exceptions in our own code, by stage (scraper.code_errors)."""
    for stage, count in by_stage.items():
        CODE_ERRORS.labels(source, stage).inc(count)


def record_delivery(channel: str, status: str) -> None:
    """Count one delivery attempt by the status it was left in (sent, pending, failed)."""
    DELIVERIES.labels(channel, {"pending": "retrying"}.get(status, status)).inc()
