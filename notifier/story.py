"""One message per story per reader: what an event makes for one reader (pure decisions).

A story is an item, or the English and Russian items of a pair (monitor.pair_store). A
reader of both languages, or of one who accepts the other, is told of a story once: in
the preferred language when that version exists, else in the other; when the second
version arrives (and pairs) after the first was announced to them, the message they have
is updated (Telegram edits it; email sends nothing more). Readers of one language only
get what they always got.

Digests follow the same rules (`digest_listing`): a paired story is listed once, in the
preferred version when both arrived in the digest's period; a version whose other was
already told (in an earlier digest, or instantly) adds nothing, as for email.
"""

from __future__ import annotations

from collections.abc import Sequence
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


@dataclass(frozen=True)
class Pending:
    """An event a digest covers, with its story as the reader stands to it."""

    event_id: int  # in order of detection
    kind: str
    story: Story
    pair: int | None = None  # the story's pair (both versions' events share it)


def digest_listing(reader: Reader, pending: Sequence[Pending]) -> list[int]:
    """The events of `pending` a digest lists (it covers all of them): each as `action`
    decides, and a paired story whose two `new` events are both pending once, in its lead
    version (the preferred, else the first detected)."""
    firsts: dict[int, list[str]] = {}
    for p in sorted(pending, key=lambda p: p.event_id):
        languages = firsts.setdefault(p.pair, []) if p.pair is not None else []
        if p.kind == "new" and p.story.language not in languages:
            languages.append(p.story.language)
    listed = []
    for p in pending:
        if action(reader, p.kind, p.story) != SEND:
            continue  # an EDIT too: the reader was told of the story; a digest adds nothing
        both = firsts.get(p.pair, []) if p.kind == "new" and p.pair is not None else []
        if (reader.once_per_story and len(both) == 2
                and lead_language(reader, both[0], both[1]) != p.story.language):
            continue
        listed.append(p.event_id)
    return listed
