"""`csto-monitor digest`: queue and send the pending daily/weekly digests now (or print them).

Every command's module is imported at each start of the CLI (Typer needs the options), so
the notifiers are imported inside the functions that use them, not by `history`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.config import Settings
from core.models import Delivery, utcnow
from csto_monitor import cli_support
from csto_monitor.cli_support import fail

if TYPE_CHECKING:
    from notifier.base import Notifier


class NoDigestChannel(Exception):
    """No configured channel sends digests."""


class PeriodChoice(StrEnum):
    daily = "daily"
    weekly = "weekly"


def queue_now(session: Session, notifiers: Mapping[str, Notifier], mode: str | None,
              now: datetime) -> int:
    """Queue, for each subscriber without this period's digest yet, what is pending now."""
    from notifier.digest_queue import due_periods, queue_due

    return queue_due(session, due_periods(notifiers, now, mode), cutoff=now)


def _print_pending(session: Session, notifiers: Mapping[str, Notifier]) -> int:
    """Print each pending digest as it would be sent (headers and text); return how many."""
    from notifier.digest import load_digest

    rows = session.scalars(select(Delivery).where(Delivery.event_id.is_(None),
                                                  Delivery.status == "pending")
                           .order_by(Delivery.id))
    shown = 0
    for row in rows:
        digest = load_digest(session, row)
        typer.echo(notifiers[row.channel].digest_preview(digest, row.recipient))
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
    from csto_monitor.runtime import Delivery

    monitor = Delivery.build(settings)  # no crawler: a digest installs no reactor
    notifiers = monitor.digest_channels(mode)
    if not notifiers:
        raise NoDigestChannel()
    if preview:
        return dry_run(monitor.sessions, notifiers, mode), 0
    with monitor.sessions() as session, session.begin():
        queued = queue_now(session, notifiers, mode, utcnow())
    result = await monitor.deliver(notifiers)
    return queued, result.sent


def digest_command(
    ctx: typer.Context,
    period: Annotated[PeriodChoice | None, typer.Option(
        help="daily or weekly [default: both]")] = None,
    dry_run_: Annotated[bool, typer.Option(
        "--dry-run", help="Print the digests instead; nothing is sent or marked")] = False,
) -> None:
    """Send each subscriber what is pending now, unless they had this period's digest."""

    mode = period.value if period else None
    try:
        first, sent = cli_support.run_async(ctx, lambda s: send_due(s, mode, dry_run_))
    except NoDigestChannel:
        raise fail("no channel sends digests: add an `email:` section to the configuration "
                   "(see docs/email.md)") from None
    if dry_run_:
        typer.echo(f"{first} digest(s) would be sent (dry run: nothing sent or marked)")
    else:
        typer.echo(f"{first} digest(s) queued, {sent} sent")
