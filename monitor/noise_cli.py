"""`csto-monitor noise [reset [SOURCE]]`: the furniture learned per source, and forgetting it."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.choices import ListFormat
from monitor.models import LearnedRule, Source

TABLE_COLUMNS = ("source", "kind", "pattern", "example", "learned_at", "hits")
_CELL = 70  # a text rule can be a paragraph: the table shows its start

noise_app = typer.Typer(help="Furniture learned per source (counters, promotions, related "
                             "news): list it, or reset it.")


def _short(text: str) -> str:
    return text if len(text) <= _CELL else text[: _CELL - 1] + "…"


def _rows(session: Session, names: list[str] | None) -> list[dict[str, Any]]:
    query = (select(Source.name, LearnedRule).join(Source, Source.id == LearnedRule.source_id)
             .order_by(Source.name, LearnedRule.id))
    if names:
        query = query.where(Source.name.in_(names))
    return [{"source": name, "kind": rule.kind, "pattern": rule.pattern,
             "example": rule.example, "evidence": rule.evidence, "owner": rule.owner,
             "learned_at": rule.learned_at.isoformat(timespec="seconds"), "hits": rule.hits,
             "last_hit_at": rule.last_hit_at.isoformat(timespec="seconds")
             if rule.last_hit_at else None}
            for name, rule in session.execute(query).tuples()]


def _checked(ctx: typer.Context, source: str | None) -> list[str]:
    """The configured source names meant; an unknown name is the user's error."""
    from monitor.cli import _settings, fail

    configured = [s.name for s in _settings(ctx).sources]
    if source is not None and source not in configured:
        raise fail(f"no such source {source!r}; configured: {', '.join(configured)}")
    return [source] if source else configured


@noise_app.callback(invoke_without_command=True)
def list_cmd(
    ctx: typer.Context,
    source: Annotated[str | None, typer.Option(help="Only this source")] = None,
    fmt: Annotated[ListFormat, typer.Option("--format", help="table or json")
                   ] = ListFormat.table,
) -> None:
    """List the learned rules: kind, pattern, an example, when learned, paragraphs dropped."""
    if ctx.invoked_subcommand is not None:
        return
    from monitor import output
    from monitor.cli import _database, _settings

    names = _checked(ctx, source)
    with _database(_settings(ctx)) as session:
        rows = _rows(session, names)
    if fmt is ListFormat.json:
        output.print_json(rows)
        return
    shown = [{**row, "pattern": _short(row["pattern"]), "example": _short(row["example"])}
             for row in rows]
    output.print_table(shown, TABLE_COLUMNS, "Learned furniture")
    for name in names:
        count = sum(1 for row in rows if row["source"] == name)
        typer.echo(f"{name}: {count} rule(s)")


@noise_app.command("reset")
def reset(
    ctx: typer.Context,
    source: Annotated[str | None, typer.Argument(
        help="The source whose rules to forget [default: every source]")] = None,
) -> None:
    """Forget the learned rules (they are learned again from the next polls)."""
    from monitor import noise_store
    from monitor.cli import _database, _settings

    names = _checked(ctx, source)
    with _database(_settings(ctx)) as session:
        ids = session.scalars(select(Source.id).where(Source.name.in_(names)))
        forgotten = noise_store.forget_rules(session, ids)
        session.commit()
    typer.echo(f"forgot {forgotten} rule(s) of {', '.join(names)}")
