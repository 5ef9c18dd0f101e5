"""What a notifier is given: a plain, frozen view of one change event."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from monitor.models import ChangeEvent
from monitor.revdiff import event_diff
from monitor.worddiff import ItemDiff
from notifier.summary import summarize


@dataclass(frozen=True)
class EventMessage:
    event_id: int
    kind: str  # new | edited | removed
    title: str
    url: str
    published: date | None
    section: str
    language: str
    summary: str
    detected_at: datetime
    fields: tuple[str, ...] = ()
    previous: dict[str, Any] = field(default_factory=dict)
    changes: ItemDiff = field(default_factory=ItemDiff)  # what an edit changed, word by word

    @classmethod
    def from_event(cls, event: ChangeEvent) -> EventMessage:
        item = event.item
        return cls(
            event_id=event.id, kind=event.kind, title=event.title, url=event.url,
            published=item.published, section=item.section, language=item.language,
            summary=summarize(item.lead, item.body.split("\n\n") if item.body else []),
            detected_at=event.detected_at, fields=tuple(event.fields),
            previous=dict(event.previous), changes=event_diff(event),
        )
