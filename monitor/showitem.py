"""`csto-monitor show`: one item, its revisions, and what changed between them."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from monitor.models import Item, ItemRevision
from monitor.textdiff import revision_diff


def _fields(revision: ItemRevision) -> dict[str, str]:
    return {
        "url": revision.url, "title": revision.title,
        "published": revision.published.isoformat() if revision.published else "",
        "lead": revision.lead, "body": revision.body,
    }


_STYLES = {"+": "green", "-": "red", "~": "yellow", "@": "dim"}


def _diff_line(line: str) -> Text:
    return Text(line, style=_STYLES.get(line[:1], ""))


def print_item(item: Item, console: Console | None = None) -> None:
    """Print the item as it is now, then every revision with a diff against the one before."""
    out = console or Console(highlight=False)
    published = item.published.isoformat() if item.published else "undated"
    out.print(Text(f"#{item.id} {item.title}", style="bold"))
    out.print(Text(f"{published} · {item.section} · {item.language} · {item.status}"))
    out.print(Text(item.url))
    if item.lead:
        out.print(Text(f"\n{item.lead}"))
    previous: ItemRevision | None = None
    for revision in item.revisions:
        changed = ", ".join(revision.changed_fields) or "first seen"
        out.print(Text(f"\nRevision {revision.number} · {revision.captured_at:%Y-%m-%d %H:%M} UTC"
                       f" · {changed}", style="bold cyan"))
        if previous is not None:
            for field_diff in revision_diff(_fields(previous), _fields(revision)):
                out.print(Text(f"  {field_diff.field}:", style="bold"))
                for line in field_diff.lines:
                    out.print(Text("    ") + _diff_line(line))
        previous = revision
