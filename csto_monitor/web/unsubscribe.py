"""/unsubscribe?token=…: GET shows a confirm button, POST unsubscribes (RFC 8058 one-click).

Mail clients send the one-click POST with the body `List-Unsubscribe=One-Click` to the URL
of the List-Unsubscribe header, so the token is read from the query string first.
"""

from __future__ import annotations

import os

from aiohttp import web
from sqlalchemy.orm import Session

from core.config import Settings
from core.models import utcnow
from csto_monitor.web.context import SETTINGS, error_page, in_thread, render
from notifier import subscriptions, tokens

BAD_TOKEN = ("This unsubscribe link is not valid: it may have been cut or changed. Open the "
             "whole link from the email again, or reply to that email to be removed.")


def secret(settings: Settings) -> str | None:
    """The secret that signs unsubscribe tokens: email.secret, else CSTO_MONITOR_SECRET."""
    return getattr(settings.email, "secret", None) or os.environ.get("CSTO_MONITOR_SECRET")


def _check(request: web.Request, token: str) -> tuple[str, str] | web.Response:
    key = secret(request.app[SETTINGS])
    if not key:
        return error_page(request, 503, "Unsubscribe is not set up",
                          "This server has no secret to check unsubscribe links: its operator "
                          "must set email.secret or CSTO_MONITOR_SECRET.")
    found = tokens.verify(key, token) if token else None
    return found or error_page(request, 400, "Invalid unsubscribe link", BAD_TOKEN)


async def confirm_page(request: web.Request) -> web.Response:
    token = request.query.get("token", "")
    found = _check(request, token)
    if isinstance(found, web.Response):
        return found
    return render(request, "unsubscribe.html", token=token, channel=found[0], address=found[1])


def _unsubscribe(session: Session, channel: str, address: str) -> bool:
    subscriber = subscriptions.find(session, channel, address)
    if subscriber is None:
        return False
    if subscriber.status != "unsubscribed":
        subscriber.status, subscriber.updated_at = "unsubscribed", utcnow()
        session.commit()
    return True


async def unsubscribe(request: web.Request) -> web.Response:
    form = await request.post()
    token = request.query.get("token") or str(form.get("token", ""))
    found = _check(request, token)
    if isinstance(found, web.Response):
        return found
    channel, address = found
    existed = await in_thread(request, lambda s: _unsubscribe(s, channel, address))
    message = (f"{address} will receive no more news from csto-monitor." if existed else
               f"{address} has no subscription here (it may have been removed already).")
    return render(request, "message.html", title="Unsubscribed", message=message)
