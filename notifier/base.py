"""The notifier interface: who receives an event on a channel, and how one message is sent."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.orm import Session

from core.models import ChangeEvent
from notifier.digest import DigestMessage, Schedule
from notifier.message import EventMessage
from notifier.story import Planned


class DeliveryError(Exception):
    """A send failed; `permanent` ones are not retried (e.g. the recipient blocked the bot)."""

    def __init__(self, reason: str, *, permanent: bool = False,
                 retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.permanent = permanent
        self.retry_after = retry_after


class Notifier(Protocol):
    """A channel, everything its callers use; `BaseNotifier` has the defaults."""

    name: str
    # Sends the dispatcher may overlap: those that mostly wait on the network (Telegram;
    # its own limiter keeps the rate). 1 where one connection serves a batch (email).
    concurrency: int
    # Whether its messages link the story's other version: then the dispatcher looks it
    # up once per event (EventMessage.counterpart) for every recipient of the batch.
    links_other_version: bool

    def recipients(self, session: Session, event: ChangeEvent) -> list[str]:
        """The recipients of this event on this channel (subscriber keys)."""
        ...

    def plan(self, session: Session, event: ChangeEvent) -> list[Planned]:
        """The outbox rows of this event: `recipients`, or updates of messages they have
        (one message per story: notifier.story)."""
        ...

    async def send(self, message: EventMessage, recipient: str) -> None:
        """Deliver one message; raise DeliveryError when the channel did not accept it."""
        ...

    async def update(self, message: EventMessage, recipient: str, edits_event_id: int
                     ) -> None:
        """Update the message that announced `edits_event_id` to `recipient` with this
        event (its story's other version); raise DeliveryError when not accepted."""
        ...

    def digest_schedules(self) -> list[Schedule]:
        """When this channel sends digests; [] when it sends none."""
        ...

    def digest_preview(self, digest: DigestMessage, recipient: str) -> str:
        """The digest as text, as `send_digest` would send it (`digest --dry-run`)."""
        ...

    async def send_digest(self, digest: DigestMessage, recipient: str) -> None:
        """Deliver one daily or weekly digest; raise DeliveryError when not accepted."""
        ...

    async def close_batch(self) -> None:
        """Release what a batch of sends kept open (an SMTP connection)."""
        ...


class BaseNotifier:
    """The defaults: one send at a time, no digests, nothing kept open between sends."""

    name: str
    concurrency = 1
    links_other_version = False

    def recipients(self, session: Session, event: ChangeEvent) -> list[str]:
        raise NotImplementedError

    def plan(self, session: Session, event: ChangeEvent) -> list[Planned]:
        return [Planned(r) for r in self.recipients(session, event)]

    async def update(self, message: EventMessage, recipient: str, edits_event_id: int
                     ) -> None:
        raise DeliveryError(f"the {self.name} channel does not update its messages",
                            permanent=True)

    def digest_schedules(self) -> list[Schedule]:
        return []

    def digest_preview(self, digest: DigestMessage, recipient: str) -> str:
        return f"== {self.name} {recipient} {digest.period.key}: {len(digest.events)} change(s)\n"

    async def send_digest(self, digest: DigestMessage, recipient: str) -> None:
        raise DeliveryError(f"the {self.name} channel sends no digests", permanent=True)

    async def close_batch(self) -> None:
        return None
