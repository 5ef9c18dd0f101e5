"""The notifiers in use, keyed by channel name."""

from __future__ import annotations

from typing import TextIO

from sqlalchemy.orm import Session, sessionmaker

from core.config import Settings
from monitor.translation.service import Translator
from notifier.base import Notifier
from notifier.channels.console import ConsoleNotifier


def build_notifiers(settings: Settings, sessions: sessionmaker[Session],
                    stream: TextIO | None = None, translator: Translator | None = None
                    ) -> dict[str, Notifier]:
    """Channels enabled by the configuration; the console is always on.

    `translator` is the configured one (`build_translator`), shared by every channel and
    by pairing: one cache, one request budget, one failure log.
    """
    notifiers: dict[str, Notifier] = {"console": ConsoleNotifier(stream)}
    if settings.email is not None:
        from notifier.channels.email import email_notifier

        notifiers.update(email_notifier(settings, sessions, translator))
    if settings.telegram is not None and settings.telegram.token:
        from notifier.channels.telegram import TelegramNotifier

        notifiers["telegram"] = TelegramNotifier.from_settings(settings, sessions,
                                                               translator)
    if settings.webhooks:
        from notifier.channels.webhook import webhook_notifiers

        notifiers.update(webhook_notifiers(settings, sessions))
    if settings.apprise:  # Apprise takes a while to import: only when configured
        from notifier.channels.apprise import apprise_notifiers

        notifiers.update(apprise_notifiers(settings, sessions))
    return notifiers
