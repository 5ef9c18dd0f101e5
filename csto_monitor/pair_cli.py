"""`csto-monitor pair ID ID`, `pair --auto` and `unpair ID`: fixing language pairs by hand."""

from __future__ import annotations

from typing import Annotated

import typer

from csto_monitor import cli_support
from csto_monitor.cli_support import fail


def _ids(keys: list[str]) -> list[int]:
    bad = [k for k in keys if not k.isdigit() or len(k) > 18]
    if bad:
        raise fail(f"{', '.join(repr(k) for k in bad)}: not an item ID; IDs are the numbers "
                   "in the first column of `csto-monitor history`")
    return [int(k) for k in keys]


def pair_command(
    ctx: typer.Context,
    ids: Annotated[list[str] | None, typer.Argument(
        metavar="[ID ID]", help="An English and a Russian item: one story")] = None,
    auto: Annotated[bool, typer.Option(
        "--auto", help="Pair every unpaired item of the history whose evidence is strong")
                    ] = False,
) -> None:
    """Link an English and a Russian item as one story (never undone automatically), or
    with --auto pair the stored history."""
    from monitor import pair_store

    keys = ids or []
    if auto == bool(keys) or (keys and len(keys) != 2):
        raise fail("give two item IDs (an English and a Russian version), or --auto")
    with cli_support.database(cli_support.load(ctx)) as session:
        if auto:
            made = pair_store.pair_history(session)
            session.commit()
            typer.echo(f"paired {len(made)} stor{'y' if len(made) == 1 else 'ies'}")
            return
        first, second = _ids(keys)
        try:
            pair, replaced = pair_store.pair_manually(session, first, second)
        except pair_store.PairingError as exc:
            raise fail(str(exc)) from None
        session.commit()
    for old in replaced:
        typer.echo(f"undid the pair {old.en_item_id} (en) – {old.ru_item_id} (ru); it will "
                   "not be made automatically again")
    typer.echo(f"paired {pair.en_item_id} (en) with {pair.ru_item_id} (ru) by hand")


def unpair_command(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(metavar="ID", help="An item in a pair")],
) -> None:
    """Undo an item's pair; automatic pairing never makes that pair again."""
    from monitor import pair_store

    (item_id,) = _ids([key])
    with cli_support.database(cli_support.load(ctx)) as session:
        try:
            pair = pair_store.unpair(session, item_id)
        except pair_store.PairingError as exc:
            raise fail(str(exc)) from None
        session.commit()
    typer.echo(f"unpaired {pair.en_item_id} (en) and {pair.ru_item_id} (ru); automatic "
               "pairing will not link them again (`csto-monitor pair` can)")
