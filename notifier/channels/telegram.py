"""Telegram delivery: channel posts (with replies for edits and removals) and subscribers.

Recipients are chat ids of subscribers, plus `channel:<@name or id>` for the channel. The
outbox sends each (event, recipient) once; this class only turns one into messages.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker
from telegram.ext import ExtBot

from core.config import Settings, Telegram
from core.models import ChangeEvent, Subscriber, utcnow
from monitor.translation.service import Translator
from notifier import subscriptions
from notifier.base import BaseNotifier, DeliveryError
from notifier.digest import DigestMessage, Schedule
from notifier.message import EventMessage
from notifier.telegram import posts
from notifier.telegram.client import POOL_SIZE, ChatGone, make_bot, send_html
from notifier.telegram.render import burst_text, digest_text, event_text
from notifier.translated import translate_digest, translate_message

log = logging.getLogger(__name__)
CHANNEL = "telegram"
CHANNEL_PREFIX = "channel:"


class TelegramNotifier(BaseNotifier):
    name = CHANNEL
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
        found = subscriptions.instant_recipients(session, CHANNEL, event)
        if self.cfg.channel and posts.posts_channel(session, event, self.kinds,
                                                    self.cfg.burst_threshold):
            found.insert(0, CHANNEL_PREFIX + self.cfg.channel)
        return found

    def digest_schedules(self) -> list[Schedule]:
        return [Schedule("daily", self.cfg.daily_at, self.cfg.timezone)]

    async def send(self, message: EventMessage, recipient: str) -> None:
        await self.ready()
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
        if target is not None:  # a reader of the other language who accepts translations
            message = await translate_message(message, target, self.translator)
        await self._to_subscriber(address, event_text(message, language))

    async def _to_subscriber(self, address: str, text: str) -> None:
        try:
            await send_html(self.bot, address, text)
        except ChatGone:
            self._deactivate(address)
            raise

    def _deactivate(self, address: str) -> None:
        """The chat blocked the bot or is gone: stop queueing for it (status "blocked")."""
        with self.sessions() as session, session.begin():
            session.execute(update(Subscriber)
                            .where(Subscriber.channel == CHANNEL, Subscriber.address == address)
                            .values(status="blocked", updated_at=utcnow()))
        log.warning("telegram chat %s blocked the bot or is gone: subscriber deactivated",
                    address)
