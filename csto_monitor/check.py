"""`csto-monitor check`: one poll of every source, then the console deliveries."""

from __future__ import annotations

from core.config import Settings
from csto_monitor.runtime import Monitor
from scraper.reactor import shutdown_reactor


async def run_check(settings: Settings) -> list[str]:
    """Poll, store and print; return one line per source that did not poll cleanly."""
    monitor = Monitor.build(settings)
    try:
        outcomes = [await monitor.poller.poll(spec) for spec in settings.sources]
        await monitor.deliver()
    finally:
        shutdown_reactor()
    for outcome in outcomes:
        if outcome.clean:
            print(outcome.line(), flush=True)
    return [outcome.line() for outcome in outcomes if not outcome.clean]
