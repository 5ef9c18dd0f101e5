"""A live web server with the sign-up form on, a real SMTP server, and form posting."""

from __future__ import annotations

import re
import time
import urllib.parse
from email.message import EmailMessage
from typing import Any

from core.config import Settings
from tests.email.smtpd import SmtpServer
from tests.web.helpers import Reply, fetch, settings_for

SECRET = "signup-secret-0123456789abcdef"
PUBLIC = "http://127.0.0.1:{port}"
LINK = re.compile(r"(http://127\.0\.0\.1:\d+/(?:confirm|preferences)/[^\s<>\"]+)")


def signup_settings(database_url: str, smtp_port: int, web_port: int | None = None,
                    signup: dict[str, Any] | None = None, **email: Any) -> Settings:
    """`public_url` is the live server's address when `web_port` is known, else a stand-in
    (links are then rewritten by `local`)."""
    config = {"smtp_host": "127.0.0.1", "smtp_port": smtp_port,
              "sender": "CSTO news <news@example.org>", "secret": SECRET,
              "public_url": PUBLIC.format(port=web_port or 9), "connect_timeout": "2s",
              "command_timeout": "5s", "signup": signup or {}, **email}
    return settings_for(database_url, email=config)


def post(url: str, fields: list[tuple[str, str]]) -> Reply:
    return fetch(url, urllib.parse.urlencode(fields).encode())


def form(email: str, **extra: Any) -> list[tuple[str, str]]:
    """The fields a browser posts; repeatable ones as lists."""
    fields = [("email", email), ("website", "")]
    for name, value in extra.items():
        values = value if isinstance(value, list) else [value]
        fields += [(name, str(v)) for v in values]
    return fields


def wait_mails(smtp: SmtpServer, address: str, count: int, timeout: float = 10
               ) -> list[EmailMessage]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = smtp.handler.to(address)
        if len(found) >= count:
            return found
        time.sleep(0.05)
    raise AssertionError(f"{address} got {len(smtp.handler.to(address))} mails, not {count}")


def text_of(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def link_in(message: EmailMessage, base: str) -> str:
    """The confirmation or preference link of a mail, pointed at the live server `base`."""
    found = LINK.search(text_of(message))
    assert found, text_of(message)
    return re.sub(r"^http://127\.0\.0\.1:\d+", base, found.group(1))
