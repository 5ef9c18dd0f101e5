"""One SMTP connection, opened when first needed and reused for a batch of messages.

Failures are turned into DeliveryError: connection trouble and 4xx replies are retried by
the outbox; a 5xx for the recipient is a RecipientRejected (permanent, counts as a bounce).
"""

from __future__ import annotations

import asyncio
import logging
from email.message import EmailMessage

import aiosmtplib

from core.config import Email
from notifier.base import DeliveryError

log = logging.getLogger(__name__)
CONNECT_ATTEMPTS = 3  # quick reconnects inside one send; longer outages: outbox backoff
CONNECT_PAUSE = 0.5  # seconds before the 2nd attempt, doubled before the next


class RecipientRejected(DeliveryError):
    """The server refused this recipient for good (5xx at RCPT, or at DATA: one recipient
    per message, so the refusal is about it)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, permanent=True)


class SmtpSender:
    """Sends messages over one reused connection; `close()` ends the batch."""

    def __init__(self, config: Email, envelope_from: str) -> None:
        self._config = config
        self._from = envelope_from
        self._client: aiosmtplib.SMTP | None = None
        self.connections = 0  # opened so far (for tests and the benchmark)

    def _new_client(self) -> aiosmtplib.SMTP:
        c = self._config
        return aiosmtplib.SMTP(
            hostname=c.smtp_host, port=c.smtp_port, username=c.username, password=c.password,
            use_tls=c.security == "tls", start_tls=c.security == "starttls",
            timeout=c.command_timeout.total_seconds())

    async def _connect_once(self) -> aiosmtplib.SMTP:
        client = self._new_client()
        async with asyncio.timeout(self._config.connect_timeout.total_seconds()):
            await client.connect()
        self.connections += 1
        return client

    async def _connected(self) -> aiosmtplib.SMTP:
        if self._client is not None and self._client.is_connected:
            return self._client
        pause = CONNECT_PAUSE
        for attempt in range(1, CONNECT_ATTEMPTS + 1):
            try:
                self._client = await self._connect_once()
                return self._client
            except aiosmtplib.SMTPAuthenticationError as exc:
                raise DeliveryError(f"SMTP login refused ({exc.code} {exc.message}); check "
                                    "email.username and SMTP_PASSWORD") from None
            except (OSError, aiosmtplib.SMTPException) as exc:
                if attempt == CONNECT_ATTEMPTS:
                    raise DeliveryError(f"cannot connect to {self._where()}: "
                                        f"{_describe(exc)}") from None
                log.info("SMTP connection attempt %d to %s failed (%s); retrying", attempt,
                         self._where(), _describe(exc))
                await asyncio.sleep(pause)
                pause *= 2
        raise AssertionError("unreachable")

    def _where(self) -> str:
        return f"{self._config.smtp_host}:{self._config.smtp_port}"

    async def send(self, message: EmailMessage, to: str) -> None:
        """Send one message to one recipient, or raise DeliveryError."""
        client = await self._connected()
        try:
            await client.send_message(message, sender=self._from, recipients=[to])
        except aiosmtplib.SMTPRecipientsRefused as exc:
            raise _refused(exc.recipients[0] if exc.recipients else None, to) from None
        except aiosmtplib.SMTPRecipientRefused as exc:
            raise _refused(exc, to) from None
        except aiosmtplib.SMTPDataError as exc:
            await self._drop()
            if 500 <= exc.code < 600:  # the one recipient's server refused the message
                raise RecipientRejected(f"the SMTP server refused the message to {to}: "
                                        f"{exc.code} {exc.message}") from None
            raise DeliveryError(f"SMTP server replied {exc.code} {exc.message}") from None
        except aiosmtplib.SMTPResponseException as exc:
            await self._drop()
            raise DeliveryError(f"SMTP server replied {exc.code} {exc.message}",
                                permanent=500 <= exc.code < 600) from None
        except (OSError, aiosmtplib.SMTPException) as exc:
            await self._drop()
            raise DeliveryError(f"SMTP connection to {self._where()} failed: "
                                f"{_describe(exc)}") from None

    async def _drop(self) -> None:
        """Forget a connection in an unknown state (the next send opens a fresh one)."""
        client, self._client = self._client, None
        if client is not None:
            client.close()

    async def close(self) -> None:
        """End the batch politely (QUIT), or just drop the connection if that fails."""
        client, self._client = self._client, None
        if client is None or not client.is_connected:
            return
        try:
            await client.quit()
        except (OSError, aiosmtplib.SMTPException):
            client.close()


def _refused(error: aiosmtplib.SMTPRecipientRefused | None, to: str) -> DeliveryError:
    if error is None:
        return DeliveryError(f"the SMTP server refused {to}")
    reason = f"the SMTP server refused {to}: {error.code} {error.message}"
    if 500 <= error.code < 600:
        return RecipientRejected(reason)
    return DeliveryError(reason)  # 4xx: greylisting, mailbox busy ... try again later


def _describe(exc: BaseException) -> str:
    code = getattr(exc, "code", None)
    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return f"{code} {text}" if code else text
