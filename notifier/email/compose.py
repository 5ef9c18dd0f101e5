"""A rendered message becomes an RFC 5322 message: multipart/alternative plus list headers."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import quote

from core.addresses import domain_of, header_address
from notifier.email.render import Rendered, clean_line
from notifier.tokens import preferences, sign


@dataclass(frozen=True)
class Envelope:
    """Who sends, and how a recipient gets out: the same for every message of a notifier."""

    sender: str  # "Name <address>"
    reply_to: str | None = None
    public_url: str | None = None  # where GET/POST /unsubscribe?token=... is served
    secret: str | None = None  # signs unsubscribe tokens

    def unsubscribe_url(self, channel: str, address: str) -> str | None:
        if not (self.public_url and self.secret):
            return None
        token = sign(self.secret, channel, address)
        return f"{self.public_url.rstrip('/')}/unsubscribe?token={quote(token)}"

    def preferences_url(self, address: str) -> str | None:
        """The reader's preference page (/preferences/<token>), when links can be made."""
        if not (self.public_url and self.secret):
            return None
        return f"{self.public_url.rstrip('/')}/preferences/{preferences(self.secret, address)}"

    def unsubscribe_mailto(self) -> str:
        return f"mailto:{header_address(self.sender).addr_spec}?subject=unsubscribe"


def message_id(key: str, sender: str) -> str:
    """Derived from the outbox idempotency key: a resend after a crash has the same one."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"<{digest}@{domain_of(sender)}>"


def compose(rendered: Rendered, envelope: Envelope, to: str, *, key: str, date: datetime,
            unsubscribe_url: str | None) -> EmailMessage:
    """The message for one recipient; every header value is one line by construction."""
    msg = EmailMessage()
    msg["From"] = header_address(envelope.sender)
    msg["To"] = to
    if envelope.reply_to:
        msg["Reply-To"] = header_address(envelope.reply_to)
    msg["Subject"] = clean_line(rendered.subject)
    msg["Date"] = format_datetime(date)
    msg["Message-ID"] = message_id(key, envelope.sender)
    targets = [f"<{envelope.unsubscribe_mailto()}>"]
    if unsubscribe_url:
        # RFC 8058: the HTTPS URL first, and the POST marker for one-click unsubscribe.
        targets.insert(0, f"<{unsubscribe_url}>")
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["List-Unsubscribe"] = ", ".join(targets)
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(rendered.text)
    msg.add_alternative(rendered.html, subtype="html")
    return msg
