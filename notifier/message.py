"""What a notifier is given: a plain, frozen view of one change event."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from core.models import ChangeEvent, Item
from monitor import pair_store
from monitor.documents import describe
from monitor.revdiff import event_diff
from monitor.worddiff import Change, ItemDiff
from notifier.summary import summarize

STORY_KINDS = ("new", "diverged")  # the messages that link the story's other version


@dataclass(frozen=True)
class OtherVersion:
    """The story's version in the other language, linked from a message."""

    language: str
    title: str
    url: str


def other_version(session: Session, item_id: int) -> OtherVersion | None:
    """The paired other-language version of an item (monitor.pair_store), if any."""
    found = pair_store.counterpart(session, item_id)
    return OtherVersion(found.language, found.title, found.url) if found else None


@dataclass(frozen=True)
class MachineTranslation:
    """How a message's title and summary came to be in the reader's language."""

    provider: str  # "LibreTranslate" | "DeepL"; "" when no translator is configured
    source: str  # the language of the original
    target: str  # the reader's
    ok: bool  # False: not translated (no translator, or it failed): the text is original
    original_title: str = ""
    # An edit's changed sentences, translated (the new wording; a removed one's old).
    changes: Mapping[Change, str] = field(default_factory=dict)


@dataclass(frozen=True)
class EventMessage:
    event_id: int
    kind: str  # new | edited | removed | document_changed | diverged
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
    # The item's attached files: `Annex 2.pdf (PDF, 1.2 MB)`, for a new item's message.
    documents: tuple[str, ...] = ()
    # The story's other language version, linked at the end of a new item's message.
    other: OtherVersion | None = None
    # Set when the message is for a reader of another language (notifier.translated).
    translation: MachineTranslation | None = None
    item_id: int | None = None
    # The story's other version, loaded once per event by the dispatcher for the messages
    # that may link it (new, diverged); a channel copies it to `other` for the readers
    # told once per story. `counterpart_loaded` False: not looked up (load it yourself).
    counterpart: OtherVersion | None = None
    counterpart_loaded: bool = False

    @property
    def is_edit(self) -> bool:
        """An edit of the page or of a file attached to it: shown as a word diff."""
        return self.kind in ("edited", "document_changed")
    @classmethod
    def from_event(cls, event: ChangeEvent) -> EventMessage:
        item = event.item
        return cls(
            event_id=event.id, kind=event.kind, title=event.title, url=event.url,
            published=item.published, section=item.section, language=item.language,
            summary=summarize(item.lead, item.body.split("\n\n") if item.body else []),
            detected_at=event.detected_at, fields=tuple(event.fields),
            previous=dict(event.previous), changes=event_diff(event),
            documents=_documents(item), item_id=event.item_id,
        )

    def with_counterpart(self, session: Session) -> EventMessage:
        """This message with the story's other version looked up (new and diverged)."""
        if self.counterpart_loaded or self.kind not in STORY_KINDS:
            return self
        item_id = self.item_id
        if item_id is None:
            item_id = session.get_one(ChangeEvent, self.event_id).item_id
        return replace(self, counterpart=other_version(session, item_id),
                       counterpart_loaded=True)


def _documents(item: Item) -> tuple[str, ...]:
    """The attached files as the page lists them (they are stored as they arrive)."""
    order = {url: n for n, url in enumerate(item.attachments)}
    attached = sorted((d for d in item.documents if d.attached),
                      key=lambda d: order.get(d.url, len(order)))
    return tuple(describe(d.name, d.content_type, d.bytes, d.status) for d in attached)
