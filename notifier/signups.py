"""Double opt-in: a sign-up waits as a `Signup` row until its confirmation link is opened.

Nothing but one confirmation mail goes to an address before that. A sign-up for an
address already subscribed makes no row: that address is sent its preference link
instead. Unconfirmed rows are deleted once expired.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from core.models import Signup, Subscriber, utcnow
from notifier.preferences import Choices
from notifier.subscriptions import find

CHANNEL = "email"


@dataclass(frozen=True)
class Pending:
    """A confirmation mail to send: the link names `signup_id`, `nonce`, `expires`."""

    address: str
    language: str
    signup_id: int
    nonce: str
    expires: datetime


@dataclass(frozen=True)
class Known:
    """The address is subscribed already: send it the link to its preference page."""

    address: str
    language: str


class TooManyPending(Exception):
    """More unconfirmed sign-ups than `email.signup.max_pending`."""


def forget_expired(session: Session, now: datetime | None = None) -> int:
    """Delete the sign-ups whose link expired; how many."""
    result = session.execute(delete(Signup).where(Signup.expires_at <= (now or utcnow())))
    return int(getattr(result, "rowcount", 0) or 0)


def request(session: Session, address: str, choices: Choices, *, ttl: timedelta,
            max_pending: int, now: datetime | None = None) -> Pending | Known:
    """Record a sign-up (a repeat replaces the earlier one, whose link stops working)."""
    now = now or utcnow()
    forget_expired(session, now)
    subscriber = find(session, CHANNEL, address)
    if subscriber is not None and subscriber.status != "unsubscribed":
        session.commit()
        return Known(address, subscriber.ui_language)
    row = session.scalar(select(Signup).where(Signup.address == address))
    if row is None:
        if (session.scalar(select(func.count()).select_from(Signup)) or 0) >= max_pending:
            session.commit()
            raise TooManyPending
        row = Signup(address=address)
        session.add(row)
    row.nonce, row.choices = secrets.token_hex(16), choices.stored()
    row.created_at, row.expires_at = now, now + ttl
    session.commit()
    return Pending(address, choices.language, row.id, row.nonce, row.expires_at)


@dataclass(frozen=True)
class Confirmed:
    address: str
    choices: Choices


def confirm(session: Session, signup_id: int, nonce: str, now: datetime | None = None
            ) -> Confirmed | None:
    """Make the sign-up a subscriber, once; None if it was used, replaced or expired."""
    row = session.get(Signup, signup_id)
    if row is None or not hmac.compare_digest(row.nonce.encode(), nonce.encode()):
        return None
    if row.expires_at <= (now or utcnow()):
        session.delete(row)
        session.commit()
        return None
    choices = Choices.from_stored(row.choices)
    subscriber = find(session, CHANNEL, row.address)
    if subscriber is None:
        subscriber = Subscriber(channel=CHANNEL, address=row.address, mode="instant",
                                status="active", include_edits=True, include_removals=True)
        session.add(subscriber)
    choices.apply(subscriber)
    subscriber.status, subscriber.status_reason = "active", None
    subscriber.consecutive_failures = 0
    session.delete(row)
    session.commit()
    return Confirmed(row.address, choices)
