"""One message per story per reader: what an event makes for one reader (pure decisions).

A story is an item, or the English and Russian items of a pair (monitor.pair_store). A
reader of both languages, or of one who accepts the other, is told of a story once: in
the preferred language when that version exists, else in the other; when the second
version arrives (and pairs) after the first was announced to them, the message they have
is updated (Telegram edits it; email sends nothing more). Readers of one language only
get what they always got.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Action = Literal["send", "edit", "skip"]
SEND: Action = "send"
EDIT: Action = "edit"
SKIP: Action = "skip"


@dataclass(frozen=True)
class Planned:
    """One outbox row to write: a message to `recipient`, or an update of the message that
    announced event `edits_event_id` to them."""

    recipient: str
    edits_event_id: int | None = None


@dataclass(frozen=True)
class Reader:
    languages: frozenset[str]  # the news languages read; empty: every one
    preferred: str
    accepts_other: bool = False  # a reader of one language also takes the other's stories

    @property
    def once_per_story(self) -> bool:
        return self.accepts_other or len(self.languages) != 1

    def reads(self, language: str) -> bool:
        return self.accepts_other or not self.languages or language in self.languages


@dataclass(frozen=True)
class Story:
    """What is known of an event's story when it is announced."""

    language: str  # of the event's item
    counterpart: str | None = None  # the other version's language, when the two are paired
    told: bool = False  # the reader was sent (or is queued) the other version's `new` event


def action(reader: Reader, kind: str, story: Story) -> Action:
    """What this event means for this reader: a message, an update of one, or nothing."""
    if kind == "diverged":
        return SEND  # about both versions; only readers who asked are offered it
    if not reader.reads(story.language):
        return SKIP
    if not reader.once_per_story or story.counterpart is None:
        return SEND
    if kind == "new":
        return EDIT if story.told else SEND
    # Edits, removals and files of the version the reader follows: the preferred one (the
    # other side's are what `diverged` reports when the two drift apart).
    return SEND if story.language == reader.preferred else SKIP


def lead_language(reader: Reader, first: str, second: str) -> str:
    """Which of a story's two versions leads its message: the preferred, else the first."""
    return reader.preferred if reader.preferred in (first, second) else first
