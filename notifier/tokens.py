"""Signed, unguessable unsubscribe tokens (HMAC-SHA256 over channel and address)."""

from __future__ import annotations

import base64
import hashlib
import hmac


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(secret: str, channel: str, address: str) -> str:
    """A token naming the subscriber, which only the holder of `secret` can make."""
    payload = f"{channel}:{address}".encode()
    mac = hmac.new(secret.encode(), payload, hashlib.sha256).digest()
    return f"{_b64(payload)}.{_b64(mac)}"


def verify(secret: str, token: str) -> tuple[str, str] | None:
    """(channel, address) when the token is genuine, else None."""
    try:
        payload_text, mac_text = token.split(".", 1)
        payload, mac = _unb64(payload_text), _unb64(mac_text)
    except (ValueError, TypeError):
        return None
    expected = hmac.new(secret.encode(), payload, hashlib.sha256).digest()
    if not hmac.compare_digest(mac, expected):
        return None
    channel, _, address = payload.decode("utf-8", "replace").partition(":")
    return (channel, address) if address else None
