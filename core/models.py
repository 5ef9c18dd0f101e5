"""The stored history: sources, items and their revisions, crawl runs, change events, outbox."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, validates
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON,
        list[str]: JSON,
    }


class Source(Base):
    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    url: Mapped[str] = mapped_column(String(500))
    language: Mapped[str] = mapped_column(String(8))
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    last_success_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None]
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    alerted: Mapped[bool] = mapped_column(Boolean, default=False)
    baseline_done: Mapped[bool] = mapped_column(Boolean, default=False)
    # Last poll that read the listing without conditional headers (catches body-only edits).
    last_full_poll_at: Mapped[datetime | None]
    next_poll_at: Mapped[datetime | None]  # as scheduled by the daemon, for `status`
    next_poll_reason: Mapped[str | None] = mapped_column(String(200))  # migration 0008

    items: Mapped[list[Item]] = relationship(back_populates="source")


class Item(Base):
    __tablename__ = "items"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    url: Mapped[str] = mapped_column(String(1000), unique=True)
    section: Mapped[str] = mapped_column(String(64))
    slug: Mapped[str] = mapped_column(String(300))
    language: Mapped[str] = mapped_column(String(8))
    published: Mapped[date | None] = mapped_column(Date)
    title: Mapped[str] = mapped_column(Text)
    lead: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")  # paragraphs joined by blank lines
    attachments: Mapped[list[str]] = mapped_column(default=list)
    listing_hash: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | removed
    first_seen: Mapped[datetime] = mapped_column(default=utcnow)
    last_changed: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(default=utcnow)
    # Decaying revisits (migration 0008): the next one, how many were made since the item
    # was first seen or last found edited (0 with no next one: never scheduled), and the
    # detail page's validators for a conditional request.
    next_revisit_at: Mapped[datetime | None]
    revisit_step: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    page_etag: Mapped[str | None] = mapped_column(String(500))
    page_last_modified: Mapped[str | None] = mapped_column(String(100))

    source: Mapped[Source] = relationship(back_populates="items")
    revisions: Mapped[list[ItemRevision]] = relationship(
        back_populates="item", order_by="ItemRevision.number"
    )
    documents: Mapped[list[Document]] = relationship(order_by="Document.id", viewonly=True)

    __table_args__ = (
        Index("ix_items_published", "published"),
        Index("ix_items_source_status", "source_id", "status"),
        Index("ix_items_source_published", "source_id", "published"),  # migration 0004
        Index("ix_items_source_revisit", "source_id", "next_revisit_at", "revisit_step"),
    )


class ItemRevision(Base):
    __tablename__ = "item_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    number: Mapped[int]  # 1 for what was first seen
    captured_at: Mapped[datetime] = mapped_column(default=utcnow)
    url: Mapped[str] = mapped_column(String(1000))
    published: Mapped[date | None] = mapped_column(Date)
    title: Mapped[str] = mapped_column(Text)
    lead: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    attachments: Mapped[list[str]] = mapped_column(default=list)
    changed_fields: Mapped[list[str]] = mapped_column(default=list)

    item: Mapped[Item] = relationship(back_populates="revisions")

    __table_args__ = (UniqueConstraint("item_id", "number"),)


class ReslugMerge(Base):
    """A stored story moved to a new URL (a confirmed re-slug), so that it can be shown and
    undone (migration 0012): which item, from where to where, why, and at which revision."""

    __tablename__ = "reslug_merges"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    old_url: Mapped[str] = mapped_column(String(1000))
    new_url: Mapped[str] = mapped_column(String(1000))
    reason: Mapped[str] = mapped_column(String(16))  # 404 | 410 | redirect
    revision_number: Mapped[int]  # the item's revision that the merge recorded
    merged_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Undone by `csto-monitor unmerge`: when, and the item the new URL's story became.
    unmerged_at: Mapped[datetime | None]
    split_item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id"))

    __table_args__ = (Index("ix_reslug_merges_item", "item_id"),)


class CrawlRun(Base):
    """One poll of one source, whatever its outcome."""

    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    # baseline | not_modified | unchanged | changed | error
    outcome: Mapped[str] = mapped_column(String(16))
    listing_items: Mapped[int] = mapped_column(Integer, default=0)
    requests: Mapped[int] = mapped_column(Integer, default=0)
    new: Mapped[int] = mapped_column(Integer, default=0)
    edited: Mapped[int] = mapped_column(Integer, default=0)
    removed: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_crawl_runs_source_started", "source_id", "started_at"),)


class ChangeEvent(Base):
    __tablename__ = "change_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    kind: Mapped[str] = mapped_column(String(16))  # new|edited|removed|document_changed|diverged
    detected_at: Mapped[datetime] = mapped_column(default=utcnow)
    fields: Mapped[list[str]] = mapped_column(default=list)
    revision_number: Mapped[int | None]
    # What the event announces, frozen at detection time (the item may change later).
    url: Mapped[str] = mapped_column(String(1000))
    title: Mapped[str] = mapped_column(Text)
    previous: Mapped[dict[str, Any]] = mapped_column(default=dict)  # changed fields, before
    # The id of a `diverged` event's one-sided edit or removal (migration 0011; no foreign
    # key, see there): uniquely indexed, so that a divergence is recorded once.
    cause_event_id: Mapped[int | None]

    item: Mapped[Item] = relationship()

    __table_args__ = (Index("ix_change_events_detected", "detected_at"),
                      Index("ix_change_events_cause", "cause_event_id", unique=True))


class Delivery(Base):
    """The outbox: one row per (event, channel, recipient) or per (digest period, recipient).

    Sent at most once: the idempotency key is unique, and a row is marked sent only after
    the channel accepted it.
    """

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("change_events.id"))
    # For digests (event_id is None): the period it is that of, e.g. "daily:2026-11-27" or
    # "weekly:2026-W48" (at most one per subscriber); the events it lists are its
    # digest_entries, detected from period_start (the previous digest, or when the
    # subscriber began wanting digests) until period_end (when it was queued).
    period: Mapped[str | None] = mapped_column(String(32))
    period_start: Mapped[datetime | None]
    period_end: Mapped[datetime | None]
    channel: Mapped[str] = mapped_column(String(32))
    recipient: Mapped[str] = mapped_column(String(320))
    idempotency_key: Mapped[str] = mapped_column(String(400), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|sent|failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The id of an event whose message to the same recipient this delivery updates (the
    # story's other version arrived) instead of sending another (migration 0011; no
    # foreign key, see there).
    edits_event_id: Mapped[int | None]

    event: Mapped[ChangeEvent | None] = relationship()

    __table_args__ = (
        Index("ix_deliveries_channel_status", "channel", "status", "next_attempt_at"),
        # Migration 0005, for queueing digests: who was sent an event, and each
        # recipient's latest digest.
        Index("ix_deliveries_event", "event_id"),
        Index("ix_deliveries_recipient_period", "channel", "recipient", "period_end"),
    )


class DigestEntry(Base):
    """An event listed in a digest: each event is in at most one digest per subscriber."""

    __tablename__ = "digest_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id"))
    event_id: Mapped[int] = mapped_column(ForeignKey("change_events.id"))
    # The digest's channel and recipient again, so the database itself refuses a second
    # digest listing the same event for the same subscriber (two processes racing).
    channel: Mapped[str] = mapped_column(String(32))
    recipient: Mapped[str] = mapped_column(String(320))

    __table_args__ = (
        # In this order, it also finds a window of events' entries (digest_queue._covered).
        UniqueConstraint("channel", "event_id", "recipient"),
        Index("ix_digest_entries_delivery", "delivery_id"),
    )


DIGEST_MODES = ("daily", "weekly")


def _wants_digests(mode: str | None, status: str | None) -> bool:
    # A new row's unset status becomes "active" when inserted.
    return mode in DIGEST_MODES and status in (None, "active")


class Subscriber(Base):
    """A person, group or mailbox receiving notifications; one model for every channel."""

    __tablename__ = "subscribers"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))  # telegram | email
    address: Mapped[str] = mapped_column(String(320))  # chat id, or email address
    ui_language: Mapped[str] = mapped_column(String(8), default="en")  # messages' language
    languages: Mapped[list[str]] = mapped_column(default=list)  # news languages; [] = all
    sections: Mapped[list[str]] = mapped_column(default=list)  # [] = all
    keywords: Mapped[list[str]] = mapped_column(default=list)  # [] = no keyword filter
    mode: Mapped[str] = mapped_column(String(16), default="instant")  # instant|daily|weekly
    include_edits: Mapped[bool] = mapped_column(Boolean, default=True)
    include_removals: Mapped[bool] = mapped_column(Boolean, default=True)
    # Also items only in a language not in `languages`, machine-translated into the
    # reader's language when a translator is configured (migration 0010); such a reader
    # also reads the other language, once per story (notifier.story).
    accept_translated: Mapped[bool] = mapped_column(Boolean, default=False)
    # One message per story (migration 0011): the version in `preferred_language` (None:
    # the one news language, else `ui_language`), else the other one, for readers of both
    # languages (`languages` [] or both) or of one who `accept_translated`.
    preferred_language: Mapped[str | None] = mapped_column(String(8))
    notify_divergence: Mapped[bool] = mapped_column(Boolean, default=False)  # `diverged`
    # active | unsubscribed | blocked (403, chat gone) | bouncing (repeated 5xx)
    status: Mapped[str] = mapped_column(String(16), default="active")
    status_reason: Mapped[str | None] = mapped_column(String(300))  # why not active (0012)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the subscriber last began wanting digests (subscribed, came back, or left
    # instant mode): digests list no event detected before.
    digest_since: Mapped[datetime | None]

    __table_args__ = (UniqueConstraint("channel", "address"),)

    @validates("mode", "status")
    def _start_digests(self, key: str, value: str) -> str:
        mode = value if key == "mode" else self.mode
        status = value if key == "status" else self.status
        if _wants_digests(mode, status) and not _wants_digests(self.mode, self.status):
            self.digest_since = utcnow()
        return value

    @property
    def recipient(self) -> str:
        """The outbox recipient key of this subscriber."""
        return f"{self.channel}:{self.address}"


class Signup(Base):
    """An address that signed up on the web form and has not confirmed yet (0012)."""

    __tablename__ = "signups"

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(320), unique=True)
    nonce: Mapped[str] = mapped_column(String(32))  # in the link: a replaced row's link fails
    choices: Mapped[dict[str, Any]] = mapped_column(JSON)  # notifier.preferences.Choices
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class TelegramPost(Base):
    """A message the bot posted for an event, so later edits and removals can reply to it."""

    __tablename__ = "telegram_posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("change_events.id"))
    chat_id: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[int]
    posted_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_telegram_posts_item_chat", "item_id", "chat_id"),)


class LearnedRule(Base):
    """A furniture rule learned for one source (see monitor.noise); `noise reset` forgets."""

    __tablename__ = "noise_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    kind: Mapped[str] = mapped_column(String(16))  # shape | text
    # A hash of kind and pattern: a text rule can be a long paragraph, too long to index.
    key: Mapped[str] = mapped_column(String(64))
    pattern: Mapped[str] = mapped_column(Text)
    example: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text, default="")
    # The item whose own title or lead a text rule is ("related news"): kept on its page.
    owner: Mapped[str] = mapped_column(String(1000), default="")
    learned_at: Mapped[datetime] = mapped_column(default=utcnow)
    hits: Mapped[int] = mapped_column(Integer, default=0)  # paragraphs it dropped since
    last_hit_at: Mapped[datetime | None]

    __table_args__ = (UniqueConstraint("source_id", "key", name="uq_noise_rules_source_key"),)


class Document(Base):
    """A file attached to an item, identified by its URL (per item); see monitor.documents.

    The columns from `content_type` on describe the current version, or why there is none.
    """

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    url: Mapped[str] = mapped_column(String(1000))
    name: Mapped[str] = mapped_column(String(500))
    content_type: Mapped[str] = mapped_column(String(120), default="")
    bytes: Mapped[int] = mapped_column(Integer, default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    text_chars: Mapped[int] = mapped_column(Integer, default=0)
    # ok | no_text | truncated | too_large | unsupported | zip_bomb | http_error | fetch_error
    # | refused (a free text column: a new status needs no migration)
    status: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(Text, default="")  # why, when status is not ok
    attached: Mapped[bool] = mapped_column(Boolean, default=True)  # False: gone from the page
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    first_seen: Mapped[datetime] = mapped_column(default=utcnow)
    last_checked: Mapped[datetime] = mapped_column(default=utcnow)
    last_changed: Mapped[datetime] = mapped_column(default=utcnow)

    versions: Mapped[list[DocumentVersion]] = relationship(
        back_populates="document", order_by="DocumentVersion.number")

    __table_args__ = (UniqueConstraint("item_id", "url", name="uq_documents_item_url"),
                      Index("ix_documents_url", "url"))


class DocumentVersion(Base):
    """One distinct content (by SHA-256) of a document, with the text read from it."""

    __tablename__ = "document_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    number: Mapped[int] = mapped_column(Integer)
    captured_at: Mapped[datetime] = mapped_column(default=utcnow)
    sha256: Mapped[str] = mapped_column(String(64))
    bytes: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text, default="")

    document: Mapped[Document] = relationship(back_populates="versions")

    __table_args__ = (UniqueConstraint("document_id", "number",
                                       name="uq_document_versions_number"),)


class StoryPair(Base):
    """The English and the Russian version of one story (see monitor.pairing).

    An item is in at most one pair. `manual` pairs were made by an operator (`csto-monitor
    pair`) and are never changed by automatic pairing; automatic ones carry the confidence
    and the evidence that made them.
    """

    __tablename__ = "story_pairs"

    id: Mapped[int] = mapped_column(primary_key=True)
    en_item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    ru_item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    confidence: Mapped[float]  # 0..1; 1.0 for a manual pair
    # Why: [{"signal": "slug", "score": 0.93, "detail": "..."}, ...]; [] for a manual pair.
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    manual: Mapped[bool] = mapped_column(Boolean, default=False)
    paired_at: Mapped[datetime] = mapped_column(default=utcnow)

    en_item: Mapped[Item] = relationship(foreign_keys=[en_item_id])
    ru_item: Mapped[Item] = relationship(foreign_keys=[ru_item_id])

    __table_args__ = (UniqueConstraint("en_item_id", name="uq_story_pairs_en_item_id"),
                      UniqueConstraint("ru_item_id", name="uq_story_pairs_ru_item_id"))


class PairRejection(Base):
    """Two versions an operator said are not one story (`csto-monitor unpair`, or a `pair`
    that replaced their pair): automatic pairing never links them again."""

    __tablename__ = "story_pair_rejections"

    id: Mapped[int] = mapped_column(primary_key=True)
    en_item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    ru_item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    rejected_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("en_item_id", "ru_item_id",
                                       name="uq_story_pair_rejections_items"),
                      Index("ix_story_pair_rejections_ru", "ru_item_id"))


class CachedTranslation(Base):
    """A text machine-translated once (monitor.translation): never requested again."""

    __tablename__ = "translations"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(32))  # libretranslate | deepl
    source: Mapped[str] = mapped_column(String(8))
    target: Mapped[str] = mapped_column(String(8))
    text_sha256: Mapped[str] = mapped_column(String(64))  # of the text as sent
    translation: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("provider", "source", "target", "text_sha256",
                                       name="uq_translations_key"),)
