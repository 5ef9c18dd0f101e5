"""Telegram delivery: channel posts (with replies for edits and removals) and subscribers.

Recipients are chat ids of subscribers, plus `channel:<@name or id>` for the channel. The
outbox sends each (event, recipient) once; this class only turns one into messages.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from telegram.ext import ExtBot

from core.config import Settings, Telegram
from core.models import ChangeEvent, Delivery, Subscriber, utcnow
from monitor.translation.service import Translator
from notifier import subscriptions
from notifier.base import BaseNotifier, DeliveryError
from notifier.digest import DigestMessage, Schedule
from notifier.message import STORY_KINDS, EventMessage, other_version
from notifier.story import Planned, Reader, lead_language
from notifier.telegram import posts
from notifier.telegram.client import (
    POOL_SIZE,
    ChatGone,
    NotEditable,
    edit_html,
    make_bot,
    send_html,
)
from notifier.telegram.render import burst_text, digest_text, event_text
from notifier.translated import translate_digest, translate_message

log = logging.getLogger(__name__)
CHANNEL = "telegram"
CHANNEL_PREFIX = "channel:"


class TelegramNotifier(BaseNotifier):
    name = CHANNEL
    links_other_version = True
    # Sends the outbox may overlap: they mostly wait on the network, and the limiter
    # (notifier/telegram/limits.py) keeps the rate. As many as the bot's HTTP connections.
    concurrency = POOL_SIZE

    def __init__(self, cfg: Telegram, sessions: sessionmaker[Session],
                 kinds: Sequence[str] = ("new", "edited", "removed", "document_changed"),
                 bot: ExtBot[None] | None = None,
                 translator: Translator | None = None) -> None:
        self.cfg = cfg
        self.translator = translator
        self.sessions = sessions
        self.kinds = tuple(kinds)
        self.bot = bot or make_bot(cfg)
        self._init_lock = asyncio.Lock()
        self._init_loop: asyncio.AbstractEventLoop | None = None

    @classmethod
    def from_settings(cls, settings: Settings, sessions: sessionmaker[Session],
                      translator: Translator | None = None) -> TelegramNotifier:
        assert settings.telegram is not None
        return cls(settings.telegram, sessions, settings.notify_on, translator=translator)

    async def ready(self) -> None:
        """Initialize the bot once (getMe), on the loop that uses it."""
        loop = asyncio.get_running_loop()
        if loop is not self._init_loop:  # a lock waited on is bound to its loop: one per loop
            self._init_lock, self._init_loop = asyncio.Lock(), loop
        async with self._init_lock:
            await self.bot.initialize()  # returns at once when already initialized

    def recipients(self, session: Session, event: ChangeEvent) -> list[str]:
        return [p.recipient for p in self.plan(session, event)]

    def plan(self, session: Session, event: ChangeEvent) -> list[Planned]:
        found = subscriptions.instant_plan(session, CHANNEL, event, edits=True)
        channel = self._channel_plan(session, event)
        return [channel, *found] if channel else found

    def _channel_plan(self, session: Session, event: ChangeEvent) -> Planned | None:
        """The channel posts every story once, in `channel_language` when it can; a
        divergence is for the subscribers who asked; a burst is one summary, as always."""
        if not self.cfg.channel or event.kind == "diverged":
            return None
        recipient = CHANNEL_PREFIX + self.cfg.channel
        burst = posts.burst(session, event, self.kinds, self.cfg.burst_threshold)
        if burst is not None:
            return Planned(recipient) if burst[0].id == event.id else None
        context = subscriptions.story_context(session, event, CHANNEL)
        return subscriptions.plan(self._channel_reader, event.kind, context, recipient,
                                  edits=True)

    @property
    def _channel_reader(self) -> Reader:
        return Reader(frozenset(), self.cfg.channel_language, accepts_other=True)

    def digest_schedules(self) -> list[Schedule]:
        return [Schedule("daily", self.cfg.daily_at, self.cfg.timezone)]

    async def send(self, message: EventMessage, recipient: str) -> None:
        await self.ready()
        if message.kind in STORY_KINDS:
            if not message.counterpart_loaded:  # not built by the dispatcher
                with self.sessions() as session:
                    message = message.with_counterpart(session)
            message = replace(message, other=message.counterpart)
        if recipient.startswith(CHANNEL_PREFIX):
            await self._post(message, recipient.removeprefix(CHANNEL_PREFIX))
        else:
            await self._send_private(message, recipient)

    def digest_preview(self, digest: DigestMessage, recipient: str) -> str:
        return digest_text(digest)

    async def send_digest(self, digest: DigestMessage, recipient: str) -> None:
        await self.ready()
        digest = await translate_digest(digest, self.translator)
        await self._to_subscriber(recipient, digest_text(digest))

    async def _post(self, message: EventMessage, chat: str) -> None:
        """One channel post: a burst summary, a new item, or a reply to the item's post."""
        events, text, reply_to = self._channel_post(message, chat)
        try:
            ids = await send_html(self.bot, chat, text, reply_to)
        except ChatGone as error:
            raise DeliveryError(f"cannot post in telegram channel {chat} ({error}): make "
                                "the bot an administrator of it, or fix telegram.channel",
                                permanent=True) from None
        # A session of its own: one read before the send and written after would fail
        # "locked" on SQLite if other sends' marks were committed meanwhile (concurrency).
        with self.sessions() as session, session.begin():
            posts.remember(session, events, chat, ids[0])

    def _channel_post(self, message: EventMessage, chat: str
                      ) -> tuple[list[ChangeEvent], str, int | None]:
        """The events a channel post announces, its text, and the post it replies to."""
        language = self.cfg.channel_language
        with self.sessions() as session:
            event = session.get_one(ChangeEvent, message.event_id)
            events = posts.burst(session, event, self.kinds, self.cfg.burst_threshold)
            if events:
                text = burst_text([EventMessage.from_event(e) for e in events], language)
                return events, text, None
            text = event_text(message, language, channel=True)
            reply_to = (posts.original_post(session, event.item_id, chat)
                        if message.kind != "new" else None)
            return [event], text, reply_to

    async def _send_private(self, message: EventMessage, address: str) -> None:
        with self.sessions() as session:
            subscriber = subscriptions.find(session, CHANNEL, address)
            if subscriber is None or subscriber.status != "active":
                return  # unsubscribed since the event was queued
            language = subscriber.ui_language
            target = subscriptions.translation_target(subscriber, message.language)
            once = subscriptions.reader_of(subscriber).once_per_story
        if not once:  # a reader of one language keeps today's message (no other link)
            message = replace(message, other=None)
        if target is not None:  # a reader of the other language who accepts translations
            message = await translate_message(message, target, self.translator)
        ids = await self._to_subscriber(address, event_text(message, language))
        if message.kind == "new" and once:
            # Kept to be edited when the story's other version arrives (notifier.story).
            self._remember(message, address, ids[0])

    async def _to_subscriber(self, address: str, text: str) -> list[int]:
        try:
            return await send_html(self.bot, address, text)
        except ChatGone:
            self._deactivate(address)
            raise

    async def update(self, message: EventMessage, recipient: str, edits_event_id: int
                     ) -> None:
        """Edit the message that announced the story's other version (`edits_event_id`)
        into the story's message, in the reader's preferred version, with both links.

        Sent anew when there is no such message to edit (its delivery failed, it was a
        burst summary, or Telegram can no longer edit it); retried while it is queued.
        """
        await self.ready()
        chat = recipient.removeprefix(CHANNEL_PREFIX)
        with self.sessions() as session:
            status = session.scalar(select(Delivery.status).where(
                Delivery.event_id == edits_event_id, Delivery.channel == CHANNEL,
                Delivery.recipient == recipient))
            if status == "pending":
                raise DeliveryError("the story's first message is not sent yet; the "
                                    "update waits for it", retry_after=5)
            message_id = posts.story_message(session, edits_event_id, chat,
                                             message.event_id)
            text = self._story_text(session, message, recipient, edits_event_id)
        if text is None:
            return  # the subscriber left since
        if status != "sent" or message_id is None:
            await self.send(message, recipient)
            return
        try:
            await edit_html(self.bot, chat, message_id, text)
        except NotEditable as error:
            log.info("telegram %s: %s; the story is sent anew", chat, error)
            await self.send(message, recipient)
            return
        with self.sessions() as session:
            kept = posts.story_message(session, message.event_id, chat, edits_event_id)
        if kept is None:
            self._remember(message, chat, message_id)

    def _remember(self, message: EventMessage, chat: str, message_id: int) -> None:
        """Keep the post id of a message that announced its event alone (to edit later)."""
        with self.sessions() as session, session.begin():
            item_id = message.item_id
            if item_id is None:  # a message not built from its event (from_event sets it)
                item_id = session.get_one(ChangeEvent, message.event_id).item_id
            posts.remember_one(session, message.event_id, item_id, chat, message_id)

    def _story_text(self, session: Session, message: EventMessage, recipient: str,
                    first_event_id: int) -> str | None:
        """The story's message for this reader: its lead version, linking the other."""
        channel = recipient.startswith(CHANNEL_PREFIX)
        if channel:
            reader, language = self._channel_reader, str(self.cfg.channel_language)
        else:
            subscriber = subscriptions.find(session, CHANNEL, recipient)
            if subscriber is None or subscriber.status != "active":
                return None
            reader = subscriptions.reader_of(subscriber)
            language = subscriber.ui_language
        first = session.get_one(ChangeEvent, first_event_id)
        if lead_language(reader, first.item.language, message.language) == message.language:
            lead_message = self._linked(session, message)  # the finished message: no re-read
        else:
            lead_message = replace(EventMessage.from_event(first),
                                   other=other_version(session, first.item_id))
        return event_text(lead_message, language, channel=channel)

    @staticmethod
    def _linked(session: Session, message: EventMessage) -> EventMessage:
        """The message linking the story's other version, looked up only if not loaded."""
        if message.counterpart_loaded:
            return replace(message, other=message.counterpart)
        if message.item_id is None:
            return replace(message, other=other_version(
                session, session.get_one(ChangeEvent, message.event_id).item_id))
        return replace(message, other=other_version(session, message.item_id))

    def _deactivate(self, address: str) -> None:
        """The chat blocked the bot or is gone: stop queueing for it (status "blocked")."""
        with self.sessions() as session, session.begin():
            session.execute(update(Subscriber)
                            .where(Subscriber.channel == CHANNEL, Subscriber.address == address)
                            .values(status="blocked", updated_at=utcnow()))
        log.warning("telegram chat %s blocked the bot or is gone: subscriber deactivated",
                    address)
