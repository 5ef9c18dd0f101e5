"""The bot as a daemon service: long polling on the daemon's own event loop.

`run_polling()` would take over the loop and the signals, so the Application is driven by
hand: initialize, start, updater.start_polling; and the reverse at stop. The bot object is
the notifier's, so sends from handlers and from the outbox share one rate limiter.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from telegram import BotCommand, Update
from telegram.error import InvalidToken, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from csto_monitor.bot import admin, callbacks, handlers
from notifier.telegram.client import send_html

if TYPE_CHECKING:
    from csto_monitor.runtime import Monitor
    from notifier.channels.telegram import TelegramNotifier

log = logging.getLogger(__name__)
RETRY_START = 30.0  # seconds between attempts to reach Telegram at startup
COMMANDS = ("start", "help", "subscribe", "unsubscribe", "settings", "keywords", "language",
            "latest", "search", "item")


def build_application(notifier: TelegramNotifier, deps: handlers.BotDeps
                      ) -> Application:
    app = Application.builder().bot(notifier.bot).build()
    app.bot_data["deps"] = deps
    commands = {"start": handlers.start, "help": handlers.help_command,
                "subscribe": handlers.subscribe, "unsubscribe": handlers.unsubscribe,
                "settings": handlers.settings, "keywords": handlers.keywords,
                "language": handlers.language, "latest": handlers.latest,
                "search": handlers.search, "item": handlers.item,
                "status": admin.status, "stats": admin.stats}
    for name, callback in commands.items():
        app.add_handler(CommandHandler(name, callback))
    app.add_handler(CallbackQueryHandler(callbacks.button))
    app.add_handler(MessageHandler(filters.COMMAND, handlers.unknown))
    app.add_handler(MessageHandler(filters.TEXT & filters.ChatType.PRIVATE,
                                   handlers.text_message))
    app.add_error_handler(on_error)
    return app


async def on_error(update: object, context: handlers.Context) -> None:
    """A handler failed (a bug or Telegram trouble): log it; polling goes on."""
    log.error("telegram bot: handling an update failed: %s", context.error,
              exc_info=context.error)


class BotService:
    name = "telegram bot"

    def __init__(self, monitor: Monitor, alert_interval: float = 5.0) -> None:
        notifier: TelegramNotifier = monitor.notifiers["telegram"]  # type: ignore[assignment]
        self.notifier = notifier
        self.deps = handlers.BotDeps(monitor.settings, monitor.sessions)
        self.app = build_application(notifier, self.deps)
        self.alert_interval = alert_interval
        self._task: asyncio.Task[None] | None = None
        self._polling = False

    async def start(self) -> None:
        """Start in the background: a Telegram outage must not stop the daemon polling."""
        self._task = asyncio.create_task(self._run(), name="telegram bot")

    async def _run(self) -> None:
        while not (started := await self._try_start()):
            if started is None:
                return
            await asyncio.sleep(RETRY_START)
        await self._watch_alerts()

    async def _try_start(self) -> bool | None:
        """True once polling; False to try again later; None when retrying cannot help."""
        try:
            await self.app.initialize()
            await self._set_commands()
            await self.app.start()
            assert self.app.updater is not None
            await self.app.updater.start_polling(timeout=10, allowed_updates=Update.ALL_TYPES,
                                                 error_callback=self._polling_error)
        except InvalidToken:
            log.error("telegram rejected the bot token: check telegram.token or env "
                      "TELEGRAM_BOT_TOKEN; the bot stays off, the channel cannot post")
            return None
        except TelegramError as error:
            log.error("telegram bot cannot start (%s); retrying in %.0f s", error, RETRY_START)
            return False
        self._polling = True
        log.info("telegram bot @%s is listening (long polling)", self.app.bot.username)
        return True

    async def _set_commands(self) -> None:
        for language in ("en", "ru"):
            commands = [BotCommand(c, c) for c in COMMANDS]
            await self.app.bot.set_my_commands(commands, language_code=language)

    def _polling_error(self, error: TelegramError) -> None:
        log.warning("telegram bot: getUpdates failed (%s); retrying", error)

    async def _watch_alerts(self) -> None:
        """Tell the admins once when a source's outage is alerted, and when it recovers."""
        with self.deps.sessions() as session:
            known = admin.alerted_sources(session)  # outages from before this start
        while True:
            await asyncio.sleep(self.alert_interval)
            with self.deps.sessions() as session:
                now = admin.alerted_sources(session)
            for text in admin.alert_texts(known, now, self.notifier.cfg.channel_language):
                await self._tell_admins(text)
            known = now

    async def _tell_admins(self, text: str) -> None:
        for admin_id in self.deps.admins:
            try:
                await send_html(self.notifier.bot, admin_id, text)
            except Exception as error:  # one unreachable admin must not silence the others
                log.warning("could not alert telegram admin %s: %s", admin_id, error)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._polling:
            assert self.app.updater is not None
            await self.app.updater.stop()
            await self.app.stop()
        with contextlib.suppress(Exception):
            await self.app.shutdown()
