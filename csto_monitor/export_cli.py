"""`csto-monitor export`: the command line of monitor/read/export.py, with a progress bar."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from csto_monitor import cli_support
from csto_monitor.cli_support import fail
from monitor.read.export import ExportError, ExportFormat, Scope, check, export


def export_command(
    ctx: typer.Context,
    fmt: Annotated[ExportFormat, typer.Option(
        "--format", help="jsonl, csv or parquet (parquet needs the extra: "
                         "pip install 'csto-monitor[parquet]')")] = ExportFormat.jsonl,
    revisions: Annotated[bool, typer.Option(
        "--revisions", help="One row per revision (every stored version) instead of per "
                            "item")] = False,
    since: Annotated[datetime | None, typer.Option(
        formats=["%Y-%m-%d"], help="Items published from this date (YYYY-MM-DD)")] = None,
    until: Annotated[datetime | None, typer.Option(
        formats=["%Y-%m-%d"], help="Items published up to this date (YYYY-MM-DD)")] = None,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="File to write [default: standard output]")] = None,
) -> None:
    """Write the whole stored corpus (items, or every revision) for pandas, R, ..."""
    from rich.console import Console
    from rich.progress import Progress


    scope = Scope(revisions, since.date() if since else None, until.date() if until else None)
    try:
        check(fmt, output)  # a user's mistake is told before the bar is drawn
    except ExportError as exc:
        raise fail(str(exc)) from None
    with cli_support.database(cli_support.load(ctx)) as session, Progress(
            console=Console(stderr=True), transient=False) as bar:
        task = bar.add_task("exporting revisions" if revisions else "exporting items")

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        try:
            rows = export(session, fmt, output, scope, progress)
        except ExportError as exc:
            raise fail(str(exc)) from None
    where = f" to {output}" if output else ""
    typer.echo(f"exported {rows} {'revisions' if revisions else 'items'}{where}", err=True)
