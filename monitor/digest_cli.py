"""`csto-monitor digest`: queue and send the pending daily/weekly digests now (or print them)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Annotated

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from monitor.config import Settings
from monitor.models import Delivery, utcnow
from notifier.base import Notifier
from notifier.digest import load_digest
from notifier.digest_queue import due_periods, queue_due, schedules


class NoDigestChannel(Exception):
    """No configured channel sends digests."""


class PeriodChoice(StrEnum):
    daily = "daily"
    weekly = "weekly"


def queue_now(session: Session, notifiers: Mapping[str, Notifier], mode: str | None,
              now: datetime) -> int:
    """Queue, for each subscriber without this period's digest yet, what is pending now."""
    return queue_due(session, due_periods(notifiers, now, mode), cutoff=now)


def _print_pending(session: Session, notifiers: Mapping[str, Notifier]) -> int:
    """Print each pending digest as it would be sent (headers and text); return how many."""
    rows = session.scalars(select(Delivery).where(Delivery.event_id.is_(None),
                                                  Delivery.status == "pending")
                           .order_by(Delivery.id))
    shown = 0
    for row in rows:
        digest = load_digest(session, row)
        render = getattr(notifiers.get(row.channel), "digest_message", None)
        if render is None:
            typer.echo(f"== {row.channel} {row.recipient} {row.period}: "
                       f"{len(digest.events)} change(s)\n")
        else:
            message = render(digest, row.recipient)
            for name, value in message.items():
                typer.echo(f"{name}: {value}")
            typer.echo(f"\n{message.get_body(('plain',)).get_content()}")
        shown += 1
    return shown


def dry_run(sessions: sessionmaker[Session], notifiers: Mapping[str, Notifier],
            mode: str | None) -> int:
    """What `digest` would send: queued inside a transaction that is rolled back."""
    with sessions() as session:
        try:
            queue_now(session, notifiers, mode, utcnow())
            return _print_pending(session, notifiers)
        finally:
            session.rollback()


async def send_due(settings: Settings, mode: str | None, preview: bool) -> tuple[int, int]:
    """(queued, sent) — or (shown, 0) with `preview`."""
    from monitor import migrate
    from monitor.db import make_engine, session_factory
    from notifier.dispatch import deliver_due
    from notifier.registry import build_notifiers

    engine = make_engine(settings.database_url)
    migrate.upgrade(engine)
    sessions = session_factory(engine)
    notifiers = {k: n for k, n in build_notifiers(settings).items() if schedules(n, mode)}
    if not notifiers:
        raise NoDigestChannel()
    if preview:
        return dry_run(sessions, notifiers, mode), 0
    with sessions() as session, session.begin():
        queued = queue_now(session, notifiers, mode, utcnow())
    delivery = settings.delivery
    result = await deliver_due(sessions, notifiers, lease=delivery.lease,
                               max_attempts=delivery.max_attempts)
    return queued, result.sent


def digest_command(
    ctx: typer.Context,
    period: Annotated[PeriodChoice | None, typer.Option(
        help="daily or weekly [default: both]")] = None,
    dry_run_: Annotated[bool, typer.Option(
        "--dry-run", help="Print the digests instead; nothing is sent or marked")] = False,
) -> None:
    """Send each subscriber what is pending now, unless they had this period's digest."""
    from monitor.cli import _run_async, fail

    mode = period.value if period else None
    try:
        first, sent = _run_async(ctx, lambda settings: send_due(settings, mode, dry_run_))
    except NoDigestChannel:
        raise fail("no channel sends digests: add an `email:` section to the configuration "
                   "(see docs/email.md)") from None
    if dry_run_:
        typer.echo(f"{first} digest(s) would be sent (dry run: nothing sent or marked)")
    else:
        typer.echo(f"{first} digest(s) queued, {sent} sent")
