"""`csto-monitor show`: one item, its revisions, and what changed between them."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.text import Text

from core.models import Document, Item, ItemRevision
from monitor.documents import describe
from monitor.pair_store import Counterpart
from monitor.revdiff import revision_diff, version_diff
from monitor.textdiff import change_line
from monitor.worddiff import Change

_STYLES = {"added": "green", "removed": "red", "changed": "yellow"}


def change_text(change: Change, field: str) -> Text:
    """One change as `~ ` with `[-deleted-]{+inserted+}` marks, or `+ `/`- ` and the text."""
    where = f"¶{change.paragraph} " if field == "body" else ""
    return Text(where + change_line(change), style=_STYLES[change.kind])


def print_item(item: Item, console: Console | None = None,
               counterpart: Counterpart | None = None, merges: Sequence[str] = ()) -> None:
    """Print the item as it is now, then every revision with a diff against the one before."""
    out = console or Console(highlight=False)
    published = item.published.isoformat() if item.published else "undated"
    out.print(Text(f"#{item.id} {item.title}", style="bold"))
    out.print(Text(f"{published} · {item.section} · {item.language} · {item.status}"))
    out.print(Text(item.url))
    for merge in merges:  # re-slugs: the old URL and why (`csto-monitor unmerge` undoes one)
        out.print(Text(f"URL history: {merge}", style="yellow"), soft_wrap=True)
    print_counterpart(counterpart, out)
    if item.lead:
        out.print(Text(f"\n{item.lead}"))
    previous: ItemRevision | None = None
    for revision in item.revisions:
        changed = ", ".join(revision.changed_fields) or "first seen"
        out.print(Text(f"\nRevision {revision.number} · {revision.captured_at:%Y-%m-%d %H:%M} UTC"
                       f" · {changed}", style="bold cyan"))
        if previous is not None:
            for fc in revision_diff(previous, revision).fields:
                out.print(Text(f"  {fc.field}:", style="bold"))
                for change in fc.changes:
                    # Soft wrap: a hard line break could fall inside a [-…-] mark.
                    out.print(Text("    ") + change_text(change, fc.field), soft_wrap=True)
        previous = revision
    if item.documents:
        out.print(Text("\nDocuments", style="bold"))
    for document in item.documents:
        print_document(document, out)


def print_counterpart(other: Counterpart | None, out: Console) -> None:
    """The other language version: which item, and how sure the pairing is and why."""
    if other is None:
        out.print(Text("Other language: none paired (`csto-monitor pair ID ID` links one)"))
        return
    how = ("paired by hand" if other.manual
           else f"paired automatically, confidence {other.confidence:.2f}")
    published = other.published.isoformat() if other.published else "undated"
    out.print(Text(f"Other language ({other.language}): #{other.id} {other.title}",
                   style="bold"))
    out.print(Text(f"  {published} · {other.status} · {how}"))
    out.print(Text(f"  {other.url}"))
    for evidence in other.evidence:
        out.print(Text(f"  {evidence['signal']}: {evidence['score']:.2f} · "
                       f"{evidence['detail']}"))


def print_document(document: Document, out: Console) -> None:
    """A document, why it has no text if so, and each version with a text diff."""
    gone = "" if document.attached else " · no longer attached"
    line = describe(document.name, document.content_type, document.bytes, document.status)
    out.print(Text(f"  {line}{gone}"))
    out.print(Text(f"  {document.url}"))
    if document.detail:
        out.print(Text(f"  {document.status}: {document.detail}", style="yellow"))
    before = None
    for version in document.versions:
        out.print(Text(f"  Version {version.number} · {version.captured_at:%Y-%m-%d %H:%M} UTC"
                       f" · {version.sha256[:12]} · {len(version.text)} characters",
                       style="cyan"))
        if before is not None:
            for fc in version_diff(document.name, before.text, version.text).fields:
                for change in fc.changes:
                    out.print(Text("    ") + change_text(change, fc.field), soft_wrap=True)
        before = version
