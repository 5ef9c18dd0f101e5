"""Apprise targets (Slack, Matrix, Discord, ntfy, email-to-SMS, ...): each matching change
event as a short message, title and body as email's text part words them.

Apprise reports success or failure, not why: a failure is retried through the outbox
with its backoff until `delivery.max_attempts`.
"""

from __future__ import annotations

import apprise
from sqlalchemy.orm import Session, sessionmaker

from core.config import AppriseTarget, Settings
from core.models import ChangeEvent
from notifier.base import BaseNotifier, DeliveryError
from notifier.channels.targets import disabled, is_disabled, wants
from notifier.email.render import render_plain
from notifier.message import EventMessage

CHANNEL = "apprise"
TIMEOUT = 30.0  # seconds for one notification, retries of Apprise's own included


def apprise_notifiers(settings: Settings, sessions: sessionmaker[Session]
                      ) -> dict[str, AppriseNotifier]:
    return {CHANNEL: AppriseNotifier(settings, sessions)} if settings.apprise else {}


class AppriseNotifier(BaseNotifier):
    name = CHANNEL
    concurrency = 4  # targets served at once; each one's messages stay in order

    def __init__(self, settings: Settings, sessions: sessionmaker[Session]) -> None:
        self.targets = {target.recipient: target for target in settings.apprise}
        self.sessions = sessions
        self._senders: dict[str, apprise.Apprise] = {}

    def recipients(self, session: Session, event: ChangeEvent) -> list[str]:
        off = disabled(session, CHANNEL)
        return [name for name, target in self.targets.items()
                if name not in off and wants(target, event)]

    async def send(self, message: EventMessage, recipient: str) -> None:
        target = self.targets.get(recipient)
        if target is None:
            raise DeliveryError(f"no Apprise target {recipient} in the configuration any "
                                "more", permanent=True)
        if is_disabled(self.sessions, CHANNEL, recipient):
            raise DeliveryError(f"Apprise target {recipient} is disabled", permanent=True)
        title, body = render_plain(message, target.language)
        result = await self._sender(target).async_notify(
            body=body, title=title, body_format=apprise.NotifyFormat.TEXT, timeout=TIMEOUT)
        if not result:
            raise DeliveryError(f"Apprise target {recipient}: not accepted; will retry")

    def _sender(self, target: AppriseTarget) -> apprise.Apprise:
        if target.recipient not in self._senders:
            sender = apprise.Apprise()
            sender.add(target.url)
            self._senders[target.recipient] = sender
        return self._senders[target.recipient]
