"""The notifier interface: who receives an event on a channel, and how one message is sent."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.orm import Session

from core.models import ChangeEvent
from notifier.digest import DigestMessage
from notifier.message import EventMessage


class DeliveryError(Exception):
    """A send failed; `permanent` ones are not retried (e.g. the recipient blocked the bot)."""

    def __init__(self, reason: str, *, permanent: bool = False,
                 retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.permanent = permanent
        self.retry_after = retry_after


class Notifier(Protocol):
    name: str

    def recipients(self, session: Session, event: ChangeEvent) -> list[str]:
        """The recipients of this event on this channel (subscriber keys)."""
        ...

    async def send(self, message: EventMessage, recipient: str) -> None:
        """Deliver one message; raise DeliveryError when the channel did not accept it."""
        ...

    async def send_digest(self, digest: DigestMessage, recipient: str) -> None:
        """Deliver one daily or weekly digest; raise DeliveryError when not accepted."""
        ...
