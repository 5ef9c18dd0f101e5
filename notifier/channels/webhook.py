"""Webhooks: each matching change event POSTed as signed JSON, through the outbox.

The body is the event with its item (`WebhookPayload` in the OpenAPI document), signed
`X-CSTO-Signature: sha256=<hex HMAC-SHA256 of the raw body>` with the webhook's secret.
`X-CSTO-Delivery` is the outbox idempotency key: the same on every attempt, so the
receiver can drop the one resend a crash between its 2xx and our mark can cause.
Answers: 2xx delivered; 410 disables the webhook; 429 and 5xx, timeouts and connection
errors are retried with the outbox's backoff (or the Retry-After given); any other 3xx
or 4xx fails that delivery for good.
"""

from __future__ import annotations

import hashlib
import hmac

import aiohttp
from sqlalchemy import func, select
from sqlalchemy.orm import Session, contains_eager, sessionmaker

from core.config import Settings, Webhook
from core.models import ChangeEvent, Item, ItemRevision
from monitor.read.history import add_counterparts, change_row, item_row
from monitor.read.schemas import WebhookPayload
from notifier.base import BaseNotifier, DeliveryError
from notifier.channels.targets import disable, disabled, wants
from notifier.digest import DigestMessage
from notifier.message import EventMessage
from notifier.outbox import idempotency_key

CHANNEL = "webhook"
MAX_RETRY_AFTER = 3600.0


def webhook_notifiers(settings: Settings, sessions: sessionmaker[Session]
                      ) -> dict[str, WebhookNotifier]:
    return {CHANNEL: WebhookNotifier(settings, sessions)} if settings.webhooks else {}


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def payload(session: Session, event_id: int) -> bytes:
    """The JSON body for one event: the event as `history --changes`, its item as `history`."""
    count = (select(func.count(ItemRevision.id)).where(ItemRevision.item_id == Item.id)
             .scalar_subquery())
    event, count = session.execute(  # one query for both: this runs once per delivery
        select(ChangeEvent, count).join(ChangeEvent.item)
        .options(contains_eager(ChangeEvent.item)).where(ChangeEvent.id == event_id)).one()
    [item] = add_counterparts(session, [item_row(event.item, count)])
    body = WebhookPayload.model_validate({"event": change_row(event), "item": item})
    return body.model_dump_json().encode()


class WebhookNotifier(BaseNotifier):
    name = CHANNEL
    concurrency = 8  # webhooks served at once; each one's deliveries stay in order

    def __init__(self, settings: Settings, sessions: sessionmaker[Session]) -> None:
        self.hooks = {hook.recipient: hook for hook in settings.webhooks}
        self.sessions = sessions
        self._client: aiohttp.ClientSession | None = None

    def recipients(self, session: Session, event: ChangeEvent) -> list[str]:
        off = disabled(session, CHANNEL)
        return [name for name, hook in self.hooks.items()
                if name not in off and wants(hook, event)]

    async def send(self, message: EventMessage, recipient: str) -> None:
        hook = self.hooks.get(recipient)
        if hook is None:
            raise DeliveryError(f"no webhook {recipient} in the configuration any more",
                                permanent=True)
        with self.sessions() as session:
            if recipient in disabled(session, CHANNEL):
                raise DeliveryError(f"webhook {recipient} is disabled; not sent",
                                    permanent=True)
            body = payload(session, message.event_id)
        key = idempotency_key(message.event_id, CHANNEL, recipient)
        status, retry_after = await self._post(hook, body, key, message.kind)
        self._judge(hook, status, retry_after)

    async def send_digest(self, digest: DigestMessage, recipient: str) -> None:
        raise DeliveryError("webhooks get events, not digests", permanent=True)

    async def close_batch(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None

    async def _post(self, hook: Webhook, body: bytes, key: str, kind: str
                    ) -> tuple[int, str | None]:
        if self._client is None:
            self._client = aiohttp.ClientSession(headers={"User-Agent": "csto-monitor"})
        headers = {"Content-Type": "application/json", "X-CSTO-Event": kind,
                   "X-CSTO-Delivery": key, "X-CSTO-Signature": signature(hook.secret, body)}
        timeout = aiohttp.ClientTimeout(total=hook.timeout.total_seconds())
        try:
            async with self._client.post(str(hook.url), data=body, headers=headers,
                                         timeout=timeout, allow_redirects=False) as reply:
                return reply.status, reply.headers.get("Retry-After")
        except TimeoutError:
            raise DeliveryError(f"webhook {hook.recipient}: no answer within "
                                f"{hook.timeout.total_seconds():g} s") from None
        except aiohttp.ClientError as exc:  # the URL (it may hold a token) is not logged
            raise DeliveryError(f"webhook {hook.recipient}: {type(exc).__name__}") from None

    def _judge(self, hook: Webhook, status: int, retry_after: str | None) -> None:
        name = hook.recipient
        if 200 <= status < 300:
            return
        if status == 410:
            disable(self.sessions, CHANNEL, name, "the receiver answered 410 Gone")
            raise DeliveryError(f"webhook {name}: 410 Gone; disabled", permanent=True)
        if status == 429 or status >= 500:
            raise DeliveryError(f"webhook {name}: HTTP {status}; will retry",
                                retry_after=_seconds(retry_after))
        hint = "; put the final URL in webhooks[].url" if 300 <= status < 400 else ""
        raise DeliveryError(f"webhook {name}: HTTP {status}; given up{hint}", permanent=True)


def _seconds(value: str | None) -> float | None:
    """Retry-After in seconds (the delta form; a date falls back to the usual backoff)."""
    if value is None or not value.strip().isdigit():
        return None
    return min(float(value.strip()), MAX_RETRY_AFTER)


