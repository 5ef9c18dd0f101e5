"""Judging a URL before any request: its scheme, and a host spelled as an IP address."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest

from scraper.guard.addresses import non_public_kind, parse_ip

FETCHED_SCHEMES = ("http", "https")


class RefusedRequest(IgnoreRequest):
    """A request the guard refused before it left: its message is the one-line reason."""


def host_of(url: str) -> str:
    """The URL's host, lower-cased, without a trailing dot ("" when it has none)."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.rstrip(".")


def url_refusal(url: str, own_hosts: Collection[str]) -> str | None:
    """Why this URL must not be requested, from the URL alone; None when it may be (a host
    name still has its addresses checked, see `addresses_refusal`)."""
    scheme = urlsplit(url).scheme.lower()
    if scheme not in FETCHED_SCHEMES:
        return f"a {scheme or 'relative'}: link; only http and https links are fetched"
    host = host_of(url)
    if not host:
        return "the link names no host"
    if host in own_hosts:
        return None
    address = parse_ip(host)
    kind = non_public_kind(address) if address is not None else None
    return f"{host} is {kind}, not the source's host" if kind else None


def addresses_refusal(host: str, addresses: Iterable[str]) -> str | None:
    """Why a host that resolves to these addresses must not be connected to (any one of
    them non-public is enough); None when all are public."""
    for text in addresses:
        address = parse_ip(text)
        kind = non_public_kind(address) if address is not None else "an unreadable address"
        if kind:
            return f"{host} resolves to {text}, {kind}, and is not the source's host"
    return None
