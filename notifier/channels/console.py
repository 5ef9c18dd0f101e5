"""Prints each change event as a short summary on a text stream (stdout by default)."""

from __future__ import annotations

import sys
from typing import TextIO

from sqlalchemy.orm import Session

from core.models import ChangeEvent
from monitor.textdiff import change_line
from notifier.base import BaseNotifier
from notifier.diffwords import more_changes
from notifier.digest import DigestMessage
from notifier.message import EventMessage
from notifier.sections import section_name
from notifier.story_words import describe_divergence

WHOLE = 300  # characters of a sentence or paragraph added or removed whole
LABELS = {"new": "NEW", "edited": "EDITED", "removed": "REMOVED",
          "document_changed": "DOCUMENT CHANGED", "diverged": "VERSIONS DIFFER"}


def render(message: EventMessage) -> str:
    """The plain-text summary: kind, title, date, section, summary and URL."""
    published = message.published.isoformat() if message.published else "undated"
    lines = [f"[{LABELS.get(message.kind, message.kind.upper())}] {message.title}",
             f"  {published} · {section_name(message.section, 'en')} · {message.language}"]
    if message.is_edit:
        lines.append(f"  changed: {', '.join(message.fields)}")
        lines += [f"  {fc.field}: {change_line(change, WHOLE)}"
                  for fc in message.changes.fields for change in fc.changes]
        if message.changes.more:
            lines.append(f"  {more_changes(message.changes.more, 'en')}")
    if message.kind == "diverged":
        text = describe_divergence("en", message.language, message.previous, message.fields)
        lines.append(f"  {text}")
    elif message.kind == "removed":
        lines.append("  the page was removed from the site")
    elif message.summary:
        lines.append(f"  {message.summary}")
    if message.kind == "new" and message.documents:
        lines.append(f"  documents: {'; '.join(message.documents)}")
    lines.append(f"  {message.url}")
    return "\n".join(lines)


class ConsoleNotifier(BaseNotifier):
    name = "console"

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream

    def recipients(self, session: Session, event: ChangeEvent) -> list[str]:
        return ["stdout"]

    async def send(self, message: EventMessage, recipient: str) -> None:
        stream = self._stream or sys.stdout
        stream.write(render(message) + "\n\n")
        stream.flush()

    async def send_digest(self, digest: DigestMessage, recipient: str) -> None:
        stream = self._stream or sys.stdout
        stream.write(f"Digest {digest.period.key}: {len(digest.events)} change(s)\n\n")
        for message in digest.events:
            stream.write(render(message) + "\n\n")
        stream.flush()
