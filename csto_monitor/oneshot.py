"""The one-shot commands: `check` (one poll of every source, then the console deliveries)
and `backfill` (older listing pages, stored silently)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from core.config import Settings
from csto_monitor.runtime import Monitor, in_process_crawler
from scraper.reactor import shutdown_reactor

if TYPE_CHECKING:  # backfill's progress bar (rich) is imported by `backfill` only
    from rich.console import Console

    from monitor.backfill import BackfillResult


async def run_check(settings: Settings) -> list[str]:
    """Poll, store and print; return one line per source that did not poll cleanly."""
    monitor = Monitor.build(settings)
    try:
        outcomes = [await monitor.poller.poll(spec) for spec in settings.sources]
        await monitor.deliver()
    finally:
        await monitor.crawler.close()
        shutdown_reactor()
    for outcome in outcomes:
        if outcome.clean:
            print(outcome.line(), flush=True)
    return [outcome.line() for outcome in outcomes if not outcome.clean]


async def run_backfill(settings: Settings, pages: int, names: Sequence[str],
                       console: Console) -> list[BackfillResult]:
    """Backfill the named sources (all when `names` is empty), one after the other."""
    from monitor.backfill import backfill_source, progress_bar

    crawler = in_process_crawler(settings)  # in this process: its on_item feeds the bar
    monitor = Monitor.build(settings, inner=crawler)
    specs = [s for s in settings.sources if not names or s.name in names]
    results = []
    try:
        with progress_bar(console) as progress:
            for spec in specs:
                results.append(await backfill_source(monitor.engine, monitor.sessions,
                                                     crawler, spec, pages, progress))
    finally:
        shutdown_reactor()
        monitor.engine.dispose()
    return results
