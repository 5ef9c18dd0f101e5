"""The one Bot object per token, and sending HTML with Telegram's errors turned into ours.

What a failed send means:
- 429: the limiter already waited `retry_after` and retried; if it still fails, the outbox
  retries after `retry_after`.
- 403 (blocked, kicked, deactivated) and 400 "chat not found": `ChatGone`, permanent; the
  caller deactivates that subscriber.
- 400 "can't parse entities": the same text is sent again as plain text.
- Connection errors, connect timeouts and 5xx: the message was not accepted; the outbox
  retries with backoff.
- A read timeout: the request reached Telegram, which may have accepted it. The Bot API
  has no idempotency key and no way to read back a private chat, so a resend could be a
  second copy. We choose at most once: the delivery is given up and logged, never resent.
  The read timeout is long (telegram.read_timeout, 20 s) to make that rare.
"""

from __future__ import annotations

import httpx
from telegram import LinkPreviewOptions, Message, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import ExtBot
from telegram.request import HTTPXRequest

from core.config import Telegram
from notifier.base import DeliveryError
from notifier.telegram.html import split, to_plain
from notifier.telegram.limits import FloodLimiter, retry_after_seconds

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
POOL_SIZE = 8  # HTTP connections for sending: as many sends may be in flight


class ChatGone(DeliveryError):
    """The chat blocked the bot or no longer exists: stop sending there."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, permanent=True)


def make_bot(cfg: Telegram) -> ExtBot[None]:
    """The bot, talking to `api_url` (Telegram's or a self-hosted Bot API server)."""
    if not cfg.token:
        raise ValueError("telegram.token is not set; set it or env TELEGRAM_BOT_TOKEN")
    base = str(cfg.api_url).rstrip("/")
    read = cfg.read_timeout.total_seconds()
    return ExtBot(
        token=cfg.token, base_url=f"{base}/bot", base_file_url=f"{base}/file/bot",
        request=HTTPXRequest(connection_pool_size=POOL_SIZE, connect_timeout=5.0,
                             read_timeout=read),
        # getUpdates waits up to its own long-poll timeout; PTB adds that to read_timeout.
        get_updates_request=HTTPXRequest(connect_timeout=5.0, read_timeout=read),
        rate_limiter=FloodLimiter(),
    )


async def send_html(bot: ExtBot[None], chat_id: str | int, text: str,
                    reply_to: int | None = None) -> list[int]:
    """Send `text` (split if longer than a message); the message ids, first part first."""
    ids = []
    for number, part in enumerate(split(text)):
        message = await _send_part(bot, chat_id, part, reply_to if number == 0 else None)
        ids.append(message.message_id)
    return ids


async def _send_part(bot: ExtBot[None], chat_id: str | int, text: str,
                     reply_to: int | None) -> Message:
    reply = (ReplyParameters(reply_to, allow_sending_without_reply=True)
             if reply_to else None)
    try:
        try:
            return await bot.send_message(chat_id, text, parse_mode=ParseMode.HTML,
                                          reply_parameters=reply,
                                          link_preview_options=NO_PREVIEW)
        except BadRequest as error:
            if "can't parse entities" not in error.message.lower():
                raise
            return await bot.send_message(chat_id, to_plain(text), reply_parameters=reply,
                                          link_preview_options=NO_PREVIEW)
    except TelegramError as error:
        raise delivery_error(error, chat_id) from None


class NotEditable(DeliveryError):
    """The message to edit is gone or can no longer be edited: send a new one instead."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, permanent=True)


async def edit_html(bot: ExtBot[None], chat_id: str | int, message_id: int, text: str
                    ) -> None:
    """Replace a sent message's text (its first part, if longer than a message)."""
    part = split(text)[0]
    try:
        try:
            await bot.edit_message_text(part, chat_id=chat_id, message_id=message_id,
                                        parse_mode=ParseMode.HTML,
                                        link_preview_options=NO_PREVIEW)
        except BadRequest as error:
            reason = error.message.lower()
            if "message is not modified" in reason:
                return  # already says this: an edit retried after its answer was lost
            if "can't parse entities" not in reason:
                raise
            await bot.edit_message_text(to_plain(part), chat_id=chat_id,
                                        message_id=message_id,
                                        link_preview_options=NO_PREVIEW)
    except BadRequest as error:
        reason = error.message.lower()
        if "message to edit not found" in reason or "can't be edited" in reason:
            raise NotEditable(f"chat {chat_id}: {error.message}") from None
        raise delivery_error(error, chat_id) from None
    except TelegramError as error:
        raise delivery_error(error, chat_id) from None


def delivery_error(error: TelegramError, chat_id: str | int) -> DeliveryError:
    """What a Telegram error means for the outbox (see the module's docstring)."""
    if isinstance(error, Forbidden):
        return ChatGone(f"chat {chat_id}: {error.message}")
    if isinstance(error, BadRequest):
        if "chat not found" in error.message.lower():
            return ChatGone(f"chat {chat_id}: chat not found")
        return DeliveryError(f"telegram refused the message: {error.message}", permanent=True)
    if isinstance(error, RetryAfter):
        seconds = retry_after_seconds(error)
        return DeliveryError(f"rate limited: retry after {seconds:g} s", retry_after=seconds)
    if isinstance(error, InvalidToken):
        return DeliveryError("telegram rejected the bot token; check telegram.token",
                             permanent=True)
    if isinstance(error, TimedOut) and isinstance(error.__cause__, httpx.ReadTimeout):
        return DeliveryError("no answer from telegram after sending; not resent, as it may "
                             "have arrived (at most once)", permanent=True)
    if isinstance(error, NetworkError):
        return DeliveryError(f"telegram unreachable: {error.message}")
    return DeliveryError(f"telegram error: {error.message}")
