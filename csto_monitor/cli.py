"""The `csto-monitor` command line."""

# ruff: noqa: E402  (the collector is paused before the imports below, see _started)
from __future__ import annotations

import gc
import os

# A start imports ~300,000 objects that live until the end; the collector's passes over
# them while they pile up cost ~5-8 % of a short command's CPU (`history`). Paused here,
# resumed at the end of this module, once they are frozen out of its reach (_started).
_COLLECTING = gc.isenabled()
gc.disable()
# The project has no pydantic plugin; looking for one reads every installed package's
# entry points when the first model is built (~10 ms). An operator's own value is kept.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

import atexit
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from core.logs import setup_logging
from csto_monitor import cli_support, output
from csto_monitor.choices import Format, Lang, Sort
from csto_monitor.cli_support import fail
from csto_monitor.digest_cli import digest_command
from csto_monitor.export_cli import export_command
from csto_monitor.noise_cli import noise_app
from csto_monitor.pair_cli import pair_command, unpair_command
from csto_monitor.reslug_cli import unmerge_command
from csto_monitor.subscribers_cli import subscribers_app
from monitor import pair_store
from monitor.read import history

app = typer.Typer(help="Monitor the CSTO news site: new, edited and removed items.",
                  no_args_is_help=True, add_completion=False)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(subscribers_app, name="subscribers")
app.add_typer(noise_app, name="noise")
app.command("digest")(digest_command)
app.command("export")(export_command)
app.command("pair")(pair_command)
app.command("unpair")(unpair_command)
app.command("unmerge")(unmerge_command)

ITEM_COLUMNS: tuple[str, ...] = (
    "id", "published", "section", "language", "status", "revisions", "title", "url",
    "counterpart")
CHANGE_COLUMNS: tuple[str, ...] = ("id", "detected_at", "kind", "fields", "item_id", "title", "url")


@app.callback()
def main(
    ctx: typer.Context,
    config: Annotated[Path | None, typer.Option(
        "--config", "-c", envvar="CSTO_MONITOR_CONFIG",
        help="YAML configuration file [default: config/default.yaml]")] = None,
    log_level: Annotated[str, typer.Option(help="DEBUG, INFO, WARNING or ERROR")] = "INFO",
    log_format: Annotated[str, typer.Option(help="text or json")] = "text",
) -> None:
    """Monitor the CSTO news site: new, edited and removed items."""
    if log_level.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise fail(f"--log-level {log_level!r}: use DEBUG, INFO, WARNING or ERROR")
    if log_format not in ("text", "json"):
        raise fail(f"--log-format {log_format!r}: use text or json")
    setup_logging(log_level.upper(), log_format)
    ctx.obj = config


@app.command()
def check(ctx: typer.Context) -> None:
    """Poll every source once: crawl, diff, store and print the changes."""
    from csto_monitor.oneshot import run_check

    failures = cli_support.run_async(ctx, run_check)
    for line in failures:
        typer.echo(line, err=True)
    raise typer.Exit(1 if failures else 0)


@app.command()
def run(ctx: typer.Context) -> None:
    """Run the daemon: poll every source each poll_interval until SIGTERM or Ctrl-C."""
    from csto_monitor.daemon import run_daemon

    cli_support.run_async(ctx, run_daemon)


@app.command()
def backfill(
    ctx: typer.Context,
    pages: Annotated[int, typer.Option(min=1, max=1000,
                                       help="Listing pages of the archive to read")] = 10,
    source: Annotated[list[str] | None, typer.Option(
        "--source", help="Only this source (repeat for more) [default: every source]")] = None,
) -> None:
    """Read older listing pages politely and store their items silently (no notifications)."""
    from rich.console import Console

    from csto_monitor.oneshot import run_backfill

    names = source or []
    configured = [s.name for s in cli_support.load(ctx).sources]
    unknown = [n for n in names if n not in configured]
    if unknown:
        raise fail(f"--source {', '.join(unknown)}: no such source; configured: "
                   f"{', '.join(configured)}")
    console = Console(stderr=True)
    results = cli_support.run_async(ctx, lambda s: run_backfill(s, pages, names, console))
    for result in results:
        typer.echo(result.line(), err=result.error is not None)
    raise typer.Exit(1 if any(r.error for r in results) else 0)


def _filters(since: datetime | None, until: datetime | None, search: str | None,
             section: str | None, lang: Lang | None, limit: int,
             sort: Sort = Sort.relevance) -> history.Filters:
    day: Callable[[datetime | None], date | None] = lambda d: d.date() if d else None  # noqa: E731
    return history.Filters(since=day(since), until=day(until), search=search, section=section,
                           language=lang.value if lang else None, limit=limit,
                           sort=sort.value)


@app.command("history")
def history_cmd(
    ctx: typer.Context,
    since: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"],
                                                   help="From this date (YYYY-MM-DD)")] = None,
    until: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"],
                                                   help="Up to this date (YYYY-MM-DD)")] = None,
    search: Annotated[str | None, typer.Option(
        help="Words in title, lead, body or an attached document's text, in any of their "
             "forms (all must match); \"exact phrase\", prefix*")] = None,
    section: Annotated[str | None, typer.Option(help="e.g. news_odkb, smi, speech")] = None,
    lang: Annotated[Lang | None, typer.Option(
        help="en or ru [default: both; a search then lists a story found in both "
             "languages once, its other version as its counterpart]")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100000)] = 50,
    fmt: Annotated[Format, typer.Option("--format", help="table, json or csv")] = Format.table,
    show_changes: Annotated[bool, typer.Option("--changes",
                                               help="List change events instead")] = False,
    sort: Annotated[Sort, typer.Option(
        help="With --search: relevance (title above lead above body above documents, then "
             "newest) or date (newest first)")] = Sort.relevance,
) -> None:
    """List stored items (or change events with --changes), newest first or, with --search,
    the most relevant first with the matched words in context."""
    filters = _filters(since, until, search, section, lang, limit, sort)
    with cli_support.database(cli_support.load(ctx)) as session:
        if show_changes:
            rows, columns, title = history.changes(session, filters), CHANGE_COLUMNS, "Changes"
        else:
            rows, columns, title = history.items(session, filters), ITEM_COLUMNS, "Items"
            if search:
                columns = (*columns, "found_in", "snippet")
    if fmt is Format.json:
        output.print_json(rows)
        return
    rows = [_flat(row, bold=fmt is Format.table) for row in rows]
    if fmt is Format.csv:
        output.print_csv(rows, list(rows[0]) if rows else columns)
    else:
        output.print_table(rows, columns, title)


def _flat(row: dict[str, object], *, bold: bool = False) -> dict[str, object]:
    """A row for a table or CSV: documents and search places as one text each; the
    snippet with its matched words in bold (a table) or as plain text (CSV)."""
    flat = dict(row)
    if isinstance(found := row.get("snippet"), dict):
        flat["snippet"] = output.marked(found) if bold else found["text"]
    if isinstance(documents := row.get("documents"), list):
        flat["documents"] = "; ".join(map(_document_cell, documents))
    if isinstance(found := row.get("found_in"), list):
        flat["found_in"] = "; ".join(map(str, found))
    if "counterpart" in row:
        flat["counterpart"] = counterpart_text(row["counterpart"])
    return flat


def _document_cell(document: dict[str, object]) -> str:
    """A document's name; a refused link says so, and why (it was never fetched)."""
    if document.get("status") == "refused":
        return f"{document['name']} (refused: {document.get('detail', '')})"
    return str(document["name"])


def counterpart_text(other: object) -> str:
    """The other language version in one cell: "ru #12 (0.87)", "en #7 (by hand)"."""
    if not isinstance(other, dict):
        return ""
    how = "by hand" if other["manual"] else f"{other['confidence']:.2f}"
    return f"{other['language']} #{other['id']} ({how})"


@app.command()
def show(ctx: typer.Context, key: Annotated[str, typer.Argument(metavar="ID|URL")]) -> None:
    """Show one item with every revision and a diff between consecutive revisions."""
    from csto_monitor.showitem import print_item

    with cli_support.database(cli_support.load(ctx)) as session:
        item = history.find_item(session, key)
        if item is None:
            raise fail(f"no stored item {key!r}; list items with `csto-monitor history`", 1)
        from monitor.reslug_store import describe, merges_of

        merges = [describe(m, item.id) for m in merges_of(session, [item.id])]
        print_item(item, counterpart=pair_store.counterpart(session, item.id), merges=merges)


STATUS_COLUMNS: tuple[str, ...] = (
    "source", "state", "last_success", "consecutive_failures", "last_error", "items", "next_poll",
    "noise_rules")


@app.command("status")
def status_cmd(
    ctx: typer.Context,
    fmt: Annotated[Format, typer.Option("--format", help="table or json")] = Format.table,
) -> None:
    """Health of every source and the outbox; exit 1 when a source is failing."""
    from monitor.read.status import status

    with cli_support.database(cli_support.load(ctx)) as session:
        report = status(session, cli_support.load(ctx))
    if fmt is Format.json:
        output.print_json_object(report)
    else:
        output.print_table(report["sources"], STATUS_COLUMNS, "Sources")
        for row in report["sources"]:
            typer.echo(f"{row['source']}: polling {row['polling']}")
            if row["next_poll_reason"]:
                typer.echo(f"{row['source']}: next poll {row['next_poll']} "
                           f"({row['next_poll_reason']})")
        typer.echo(f"outbox: {report['outbox']['pending']} notification(s) waiting")
    raise typer.Exit(0 if report["healthy"] else 1)


@app.command()
def reindex(ctx: typer.Context) -> None:
    """Rebuild the search index from the stored text (after an analyzer upgrade, say)."""
    from core.search_index import reindex as rebuild

    settings = cli_support.load(ctx)
    with cli_support.database(settings) as session:
        count = rebuild(session.connection())
        session.commit()
    typer.echo(f"search index rebuilt: {count} item(s) in {cli_support.safe_url(settings)}")


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Apply database migrations (also done automatically by check and run)."""
    database = cli_support.opened(cli_support.load(ctx))
    database.engine.dispose()
    typer.echo(database.schema.line())


def run_cli() -> None:
    """The `csto-monitor` command (and `python -m csto_monitor.cli`).

    The garbage collector's full passes walk every object, and a start creates hundreds of
    thousands (modules, classes, schemas) that live until the end: frozen, they are left out
    of the passes that later imports trigger and of the last one at exit, which saves ~20 %
    of a short command's CPU. Garbage made afterwards is collected as usual."""
    gc.freeze()
    atexit.register(gc.freeze)  # runs before the interpreter's last collections
    sys.exit(app())


def _started() -> None:
    """Resume the collector paused at the top of this module. What the imports made is
    frozen first: else the first allocation from here on would walk all of it at once
    (nothing was collected meanwhile, so everything is in the youngest generation)."""
    gc.freeze()
    if _COLLECTING:
        gc.enable()


_started()

if __name__ == "__main__":  # pragma: no cover
    run_cli()
