"""GET /metrics: the process's counters plus gauges read from the database when scraped."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from core import metrics
from core.config import Settings
from core.models import Item, Source
from csto_monitor.web.context import SESSIONS, SETTINGS
from monitor.read.status import outbox_depth, source_rows

STORED: web.AppKey[CollectorRegistry] = web.AppKey("stored_state_registry")


class StoredState(Collector):
    """Items, outbox depth, sources' health and last success, as stored (true across restarts)."""

    def __init__(self, settings: Settings, sessions: sessionmaker[Session]) -> None:
        self._settings = settings
        self._sessions = sessions

    def collect(self) -> Iterator[GaugeMetricFamily]:
        with self._sessions() as session:
            yield self._items(session)
            depth = GaugeMetricFamily("csto_outbox_depth", "Deliveries waiting to be sent",
                                      labels=["channel"])
            for channel, n in outbox_depth(session).items():
                depth.add_metric([channel], n)
            yield depth
            yield self._last_success(session)
            yield from self._source_health(session)

    def _items(self, session: Session) -> GaugeMetricFamily:
        family = GaugeMetricFamily("csto_items", "Stored items by source and status",
                                   labels=["source", "status"])
        rows = session.execute(select(Source.name, Item.status, func.count())
                               .join(Item.source).group_by(Source.name, Item.status))
        for name, item_status, n in rows:
            family.add_metric([name, item_status], n)
        return family

    def _last_success(self, session: Session) -> GaugeMetricFamily:
        family = GaugeMetricFamily("csto_last_success_timestamp_seconds",
                                   "When a source was last polled successfully (Unix time)",
                                   labels=["source"])
        configured = {spec.name for spec in self._settings.sources}
        for source in session.scalars(select(Source).where(Source.name.in_(configured))):
            if source.last_success_at is not None:
                family.add_metric([source.name], source.last_success_at.timestamp())
        return family


    def _source_health(self, session: Session) -> Iterator[GaugeMetricFamily]:
        """What /readyz reports, per configured source."""
        healthy = GaugeMetricFamily(
            "csto_source_healthy", "1 unless the source's last poll failed (as /readyz)",
            labels=["source"])
        failures = GaugeMetricFamily(
            "csto_source_consecutive_failures", "Failed polls of the source since its last "
            "successful one", labels=["source"])
        for row in source_rows(session, self._settings):
            healthy.add_metric([row["source"]], 0 if row["state"] == "failing" else 1)
            failures.add_metric([row["source"]], row["consecutive_failures"])
        yield healthy
        yield failures


def setup(app: web.Application) -> None:
    registry = CollectorRegistry()
    registry.register(StoredState(app[SETTINGS], app[SESSIONS]))
    app[STORED] = registry


async def handler(request: web.Request) -> web.Response:
    stored = request.app[STORED]
    body = await asyncio.to_thread(
        lambda: generate_latest(metrics.REGISTRY) + generate_latest(stored))
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})
