"""`csto-monitor status`: the health of every source and the outbox, for people and probes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.config import Settings
from core.models import Delivery, Item, Source, utcnow
from monitor import rhythm, rhythm_store
from monitor.noise_store import count_rules


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def source_rows(session: Session, settings: Settings) -> list[dict[str, Any]]:
    """One row per configured source (a source never polled shows as such)."""
    sources = {s.name: s for s in session.scalars(select(Source))}
    counts: dict[int, int] = {source_id: n for source_id, n in session.execute(
        select(Item.source_id, func.count()).where(Item.status == "active")
        .group_by(Item.source_id))}
    rules = count_rules(session)
    rows = []
    for spec in settings.sources:
        source = sources.get(spec.name)
        failures = source.consecutive_failures if source else 0
        rows.append({
            "source": spec.name, "url": str(spec.url),
            "state": _state(source),
            "last_success": _iso(source.last_success_at if source else None),
            "last_error": source.last_error if source and failures else None,
            "consecutive_failures": failures,
            "items": counts.get(source.id, 0) if source else 0,
            "next_poll": _iso(source.next_poll_at if source else None),
            "next_poll_reason": source.next_poll_reason if source else None,
            "polling": _polling(session, settings, source),
            "noise_rules": rules.get(source.id, 0) if source else 0,  # see `noise`
        })
    return rows


def _polling(session: Session, settings: Settings, source: Source | None) -> str:
    """How the source is polled: the learned active hours, or the fixed schedule."""
    if not settings.learned_polling:
        return (f"fixed: cron {settings.poll_cron}" if settings.poll_cron
                else f"fixed: every {rhythm.human(settings.poll_interval)}")
    timezone = settings.polling.timezone
    learned = (rhythm_store.profile(session, source.id, timezone, utcnow()) if source
               else rhythm.learn([], 0.0, timezone))
    return f"learned: {learned.summary()}"


def _state(source: Source | None) -> str:
    if source is None or (source.last_success_at is None and not source.consecutive_failures):
        return "never polled"
    return "failing" if source.consecutive_failures else "ok"


def outbox_depth(session: Session) -> dict[str, int]:
    """Deliveries waiting to be sent, per channel."""
    rows = session.execute(select(Delivery.channel, func.count())
                           .where(Delivery.status == "pending").group_by(Delivery.channel))
    return {channel: n for channel, n in rows}


def status(session: Session, settings: Settings) -> dict[str, Any]:
    sources = source_rows(session, settings)
    depth = outbox_depth(session)
    return {"healthy": all(s["state"] != "failing" for s in sources), "sources": sources,
            "outbox": {"pending": sum(depth.values()), "by_channel": depth}}
