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


def confirmation(secret: str, signup_id: int, nonce: str, expires: int) -> str:
    """The token of a sign-up's confirmation link: the row, its nonce, when it expires
    (a Unix time), so an expired link is refused before any database lookup."""
    return sign(secret, "confirm", f"{signup_id}:{nonce}:{expires}")


def read_confirmation(secret: str, token: str) -> tuple[int, str, int] | None:
    """(signup id, nonce, expiry) of a genuine confirmation token, else None."""
    found = verify(secret, token)
    if found is None or found[0] != "confirm":
        return None
    parts = found[1].split(":")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[2].isdigit():
        return None
    return int(parts[0]), parts[1], int(parts[2])


def preferences(secret: str, address: str) -> str:
    """The token of an email subscriber's preference page (not valid to unsubscribe by
    RFC 8058 POST alone: its purpose is part of what is signed)."""
    return sign(secret, "preferences", address)


def read_preferences(secret: str, token: str) -> str | None:
    found = verify(secret, token)
    return found[1] if found is not None and found[0] == "preferences" else None
