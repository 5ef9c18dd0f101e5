"""The email channel: instant messages and daily/weekly digests over SMTP.

The notifier keeps one SMTP connection open for a batch of deliveries (`close_batch()`
ends it), and keeps each subscriber's bounce count: a 5xx for a recipient counts one
failure, `email.max_bounces` in a row mark the subscriber `bouncing` and stop the mail.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from email.message import EmailMessage

from sqlalchemy.orm import Session, sessionmaker

from core.addresses import check_mailbox
from core.config import Email, Settings
from core.models import ChangeEvent, Subscriber, utcnow
from monitor.translation.service import Translator
from notifier.base import BaseNotifier, DeliveryError
from notifier.digest import DigestMessage, Schedule, digest_key
from notifier.email.compose import Envelope, compose
from notifier.email.render import Footer, Rendered, render_digest, render_instant
from notifier.email.smtp import RecipientRejected, SmtpSender
from notifier.message import STORY_KINDS, EventMessage
from notifier.outbox import idempotency_key
from notifier.story import Planned
from notifier.subscriptions import find, instant_plan, reader_of, translation_target
from notifier.translated import translate_digest, translate_message

log = logging.getLogger(__name__)
CHANNEL = "email"


def envelope_of(config: Email) -> Envelope:
    assert config.sender is not None  # the config model requires it
    return Envelope(sender=config.sender, reply_to=config.reply_to,
                    public_url=str(config.public_url) if config.public_url else None,
                    secret=config.secret)


def email_notifier(settings: Settings, sessions: sessionmaker[Session],
                   translator: Translator | None = None) -> dict[str, EmailNotifier]:
    """{"email": notifier}, or {} with a warning when no sender is configured."""
    if settings.email is None or settings.email.sender is None:
        log.warning("email: no sender configured, so no email is sent; set email.sender, "
                    "e.g. 'CSTO news <news@example.org>'")
        return {}
    return {CHANNEL: EmailNotifier(settings, sessions, translator)}


class EmailNotifier(BaseNotifier):
    name = CHANNEL
    links_other_version = True

    def __init__(self, settings: Settings, sessions: sessionmaker[Session],
                 translator: Translator | None = None) -> None:
        assert settings.email is not None
        self.translator = translator
        self.config = settings.email
        self.envelope = envelope_of(self.config)
        self.smtp = SmtpSender(self.config, check_mailbox(self.envelope.sender)[1])
        self.sessions = sessions

    def recipients(self, session: Session, event: ChangeEvent) -> list[str]:
        return [p.recipient for p in self.plan(session, event)]

    def plan(self, session: Session, event: ChangeEvent) -> list[Planned]:
        # A mail cannot be edited: once a story was mailed, its other version adds nothing.
        return instant_plan(session, CHANNEL, event, edits=False)

    def digest_schedules(self) -> list[Schedule]:
        c = self.config
        return [Schedule("daily", c.daily_at, c.timezone),
                Schedule("weekly", c.daily_at, c.timezone, c.weekly_on)]

    async def send(self, message: EventMessage, recipient: str) -> None:
        subscriber = self._active(recipient)
        if message.kind in STORY_KINDS and reader_of(subscriber).once_per_story:
            if not message.counterpart_loaded:  # not built by the dispatcher
                with self.sessions() as session:
                    message = message.with_counterpart(session)
            message = replace(message, other=message.counterpart)
        target = translation_target(subscriber, message.language)
        if target is not None:  # a reader of the other language who accepts translations
            message = await translate_message(message, target, self.translator)
        rendered = render_instant(message, subscriber.ui_language, self._footer(subscriber))
        key = idempotency_key(message.event_id, CHANNEL, recipient)
        await self._deliver(self._compose(rendered, recipient, key), subscriber)

    async def send_digest(self, digest: DigestMessage, recipient: str) -> None:
        subscriber = self._active(recipient)
        digest = await translate_digest(digest, self.translator)
        await self._deliver(self.digest_message(digest, recipient, subscriber), subscriber)

    def digest_message(self, digest: DigestMessage, recipient: str,
                       subscriber: Subscriber | None = None) -> EmailMessage:
        """The digest as it is (or would be, for --dry-run) sent to `recipient`."""
        if subscriber is None:
            with self.sessions() as session:
                subscriber = find(session, CHANNEL, recipient)
        mode = subscriber.mode if subscriber else digest.period.mode
        rendered = render_digest(digest, self._footer_for(recipient, mode),
                                 self.config.timezone)
        key = digest_key(CHANNEL, recipient, digest.period)
        return self._compose(rendered, recipient, key)

    def digest_preview(self, digest: DigestMessage, recipient: str) -> str:
        message = self.digest_message(digest, recipient)
        headers = "".join(f"{name}: {value}\n" for name, value in message.items())
        body = message.get_body(("plain",))
        return f"{headers}\n{body.get_content() if body else ''}"

    async def close_batch(self) -> None:
        await self.smtp.close()

    def _compose(self, rendered: Rendered, recipient: str, key: str,
                 now: datetime | None = None) -> EmailMessage:
        url = self.envelope.unsubscribe_url(CHANNEL, recipient)
        return compose(rendered, self.envelope, recipient, key=key, date=now or utcnow(),
                       unsubscribe_url=url)

    def _footer(self, subscriber: Subscriber) -> Footer:
        return self._footer_for(subscriber.address, subscriber.mode)

    def _footer_for(self, address: str, mode: str) -> Footer:
        return Footer(address, mode, self.envelope.unsubscribe_url(CHANNEL, address),
                      self.envelope.preferences_url(address))

    def _active(self, recipient: str) -> Subscriber:
        """The subscriber, if still active: mail queued before an unsubscribe is dropped."""
        with self.sessions() as session:
            subscriber = find(session, CHANNEL, recipient)
        if subscriber is None or subscriber.status != "active":
            state = subscriber.status if subscriber else "no longer subscribed"
            raise DeliveryError(f"{recipient} is {state}; not sent", permanent=True)
        return subscriber

    async def _deliver(self, message: EmailMessage, subscriber: Subscriber) -> None:
        try:
            await self.smtp.send(message, subscriber.address)
        except RecipientRejected as exc:
            self._count_bounce(subscriber.address, str(exc))
            raise
        if subscriber.consecutive_failures:  # a write only when there is a count to clear
            self._reset_bounces(subscriber.address)

    def _count_bounce(self, recipient: str, reason: str) -> None:
        with self.sessions() as session, session.begin():
            subscriber = find(session, CHANNEL, recipient)
            if subscriber is None:
                return
            subscriber.consecutive_failures += 1
            subscriber.updated_at = utcnow()
            if subscriber.consecutive_failures >= self.config.max_bounces:
                subscriber.status = "bouncing"
                # Shown by `subscribers list` and on the reader's preference page.
                subscriber.status_reason = (
                    f"{subscriber.consecutive_failures} permanent refusals in a row, "
                    f"the last on {utcnow():%Y-%m-%d}: {reason}")[:300]
                log.warning("email %s marked bouncing after %d refusals in a row; no more "
                            "mail is sent to it", recipient, subscriber.consecutive_failures)

    def _reset_bounces(self, recipient: str) -> None:
        with self.sessions() as session, session.begin():
            subscriber = find(session, CHANNEL, recipient)
            if subscriber is not None and subscriber.consecutive_failures:
                subscriber.consecutive_failures = 0
