"""`csto-monitor unmerge ID`: undo a re-slug merge that joined two stories."""

from __future__ import annotations

from typing import Annotated

import typer

from core.config import Settings
from csto_monitor import cli_support
from csto_monitor.cli_support import fail


async def _unmerge(settings: Settings, item_id: int) -> str:
    """Split the item, queue the swallowed story's `new` event once, deliver what is due."""
    from core.models import utcnow
    from csto_monitor.runtime import Delivery
    from monitor.reslug_store import UnmergeError, unmerge
    from notifier import outbox

    delivery = Delivery.build(settings)
    try:
        with delivery.sessions() as session, session.begin():
            try:
                done = unmerge(session, item_id, utcnow())
            except UnmergeError as exc:
                raise fail(str(exc)) from None
            outbox.announcer(delivery.notifiers, settings.notify_on)(session, [done.event])
            line = (f"unmerged #{done.restored.id}: back at {done.merge.old_url}; "
                    f"the story at {done.split.url} is #{done.split.id}, announced as new")
        await delivery.deliver()
    finally:
        delivery.engine.dispose()
    return line


def unmerge_command(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(metavar="ID", help="An item merged from another URL")],
) -> None:
    """Undo an item's latest re-slug merge: its story goes back to its old URL, and the
    story read at the new URL becomes an item of its own, announced once as new."""
    if not key.isdigit() or len(key) > 18:
        raise fail(f"{key!r}: not an item ID; IDs are the numbers in the first column of "
                   "`csto-monitor history`")
    typer.echo(cli_support.run_async(ctx, lambda settings: _unmerge(settings, int(key))))
