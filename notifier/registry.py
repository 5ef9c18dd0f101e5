"""The notifiers in use, keyed by channel name."""

from __future__ import annotations

from typing import TextIO

from monitor.config import Settings
from notifier.base import Notifier
from notifier.channels.console import ConsoleNotifier


def build_notifiers(settings: Settings, stream: TextIO | None = None) -> dict[str, Notifier]:
    """Channels enabled by the configuration; the console is always on."""
    notifiers: dict[str, Notifier] = {"console": ConsoleNotifier(stream)}
    return notifiers
