"""Where the crawler may fetch from: address kinds, URLs judged before a request, the
resolver that vets the addresses a connection uses, and the download handlers left on.

The real command against the replica is in tests/test_e2e_fetch_guard.py."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from ipaddress import ip_address
from typing import Any

import pytest
from scrapy import Request
from scrapy.core.downloader.handlers import DownloadHandlers
from scrapy.exceptions import NotSupported
from scrapy.utils.test import get_crawler
from twisted.internet.address import IPv4Address, IPv6Address

from scraper.guard.addresses import non_public_kind, parse_ip
from scraper.guard.resolver import GuardedResolver
from scraper.guard.urls import addresses_refusal, url_refusal
from scraper.settings import build_settings
from scraper.spiders.news import NewsSpider


@pytest.mark.parametrize(("address", "kind"), [
    ("127.0.0.1", "a loopback address"),
    ("127.0.0.2", "a loopback address"),
    ("::1", "a loopback address"),
    ("::ffff:127.0.0.2", "a loopback address"),  # IPv4-mapped: connects to 127.0.0.2
    ("10.1.2.3", "a private address"),
    ("172.16.0.1", "a private address"),
    ("192.168.1.1", "a private address"),
    ("::ffff:192.168.1.1", "a private address"),
    ("169.254.169.254", "a link-local address"),  # cloud metadata services live here
    ("fe80::1", "a link-local address"),
    ("fd12:3456::1", "a unique-local address"),
    ("224.0.0.1", "a multicast address"),
    ("ff02::1", "a multicast address"),
    ("0.0.0.0", "an unspecified address"),
    ("::", "an unspecified address"),
    ("240.0.0.1", "a reserved address"),
    ("100.64.0.1", "a non-public address"),  # shared address space (carrier NAT)
    ("8.8.8.8", None),
    ("93.184.216.34", None),
    ("2a00:1450:4001:80b::200e", None),
])
def test_address_kinds(address: str, kind: str | None) -> None:
    assert non_public_kind(ip_address(address)) == kind


def test_only_canonical_spellings_are_ip_literals() -> None:
    assert parse_ip("[::1]") == ip_address("::1")
    assert parse_ip("fe80::1%eth0") == ip_address("fe80::1")
    # Names to the URL check; the resolver turns them into 127.0.0.2, which is checked.
    assert [parse_ip(name) for name in ("2130706434", "127.2", "0x7f000002", "localhost")
            ] == [None] * 4


OWN = {"127.0.0.1"}


@pytest.mark.parametrize(("url", "reason"), [
    ("file:///etc/hostname", "a file: link; only http and https links are fetched"),
    ("FTP://example.org/a.pdf", "a ftp: link; only http and https links are fetched"),
    ("s3://bucket/a.pdf", "a s3: link; only http and https links are fetched"),
    ("data:application/pdf;base64,JVBERi0=", "a data: link; only http and https links are "
                                             "fetched"),
    ("http:///a.pdf", "the link names no host"),
    ("http://127.0.0.2:8080/a.pdf", "127.0.0.2 is a loopback address, not the source's host"),
    ("https://[::1]/a.pdf", "::1 is a loopback address, not the source's host"),
    ("http://[::ffff:10.0.0.1]/a.pdf", "::ffff:10.0.0.1 is a private address, not the "
                                       "source's host"),
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address, "
                                                 "not the source's host"),
    ("http://0.0.0.0:5432/", "0.0.0.0 is an unspecified address, not the source's host"),
    # The source's own host may be private (the tests' replica, an intranet mirror).
    ("http://127.0.0.1:9999/upload/a.pdf", None),
    ("https://93.184.216.34/a.pdf", None),
    # Names are judged by what they resolve to (below, and at the connection).
    ("https://odkb-csto.org/upload/a.pdf", None),
    ("http://localhost/a.pdf", None),
])
def test_url_refusal(url: str, reason: str | None) -> None:
    assert url_refusal(url, OWN) == reason


def test_a_name_is_refused_if_any_of_its_addresses_is_not_public() -> None:
    assert addresses_refusal("example.org", ["93.184.216.34", "2606:2800:220:1::"]) is None
    assert addresses_refusal("intranet.example", ["93.184.216.34", "10.0.0.7"]) == (
        "intranet.example resolves to 10.0.0.7, a private address, and is not the source's "
        "host")
    assert addresses_refusal("nowhere.example", []) is None  # fails as a DNS error later


class _Answers:
    """The system's resolver as a name server that answers a host name with the next list
    of a script (DNS rebinding cannot be staged without a name server of our own)."""

    def __init__(self, script: dict[str, list[list[str]]]) -> None:
        self.script = script

    def resolveHostName(self, receiver: Any, host: str, port: int = 0,
                        *args: object) -> Any:
        receiver.resolutionBegan(None)
        for address in self.script[host.lower().rstrip(".")].pop(0):  # as DNS: any case
            kind = IPv6Address if ":" in address else IPv4Address
            receiver.addressResolved(kind("TCP", address, port))
        receiver.resolutionComplete()
        return receiver


class _Connection:
    """What Twisted's HostnameEndpoint receives: the addresses it will connect to."""

    def __init__(self) -> None:
        self.addresses: list[str] = []
        self.complete = False

    def resolutionBegan(self, resolution: object) -> None:
        pass

    def addressResolved(self, address: Any) -> None:
        self.addresses.append(address.host)

    def resolutionComplete(self) -> None:
        self.complete = True


def _connect(resolver: GuardedResolver, host: str) -> Sequence[str]:
    connection = _Connection()
    resolver.resolveHostName(connection, host, 443)
    assert connection.complete
    return connection.addresses


def test_a_connection_gets_only_public_addresses_of_a_host_that_rebinds() -> None:
    resolver = GuardedResolver(_Answers({
        "rebind.example": [["93.184.216.34"], ["127.0.0.2"], ["93.184.216.34", "10.0.0.7"]],
    }))
    # The request's check sees a public address; the connection a moment later does not
    # get the private one it is answered then.
    assert _connect(resolver, "rebind.example") == ["93.184.216.34"]
    assert resolver.refusal("rebind.example") is None
    assert _connect(resolver, "rebind.example") == []
    assert resolver.refusal("Rebind.Example.") == (
        "rebind.example resolves to 127.0.0.2, a loopback address, and is not the source's "
        "host")
    # A mixed answer: the connection tries only the public address.
    assert _connect(resolver, "rebind.example") == ["93.184.216.34"]
    assert "resolves to 10.0.0.7, a private address" in str(resolver.refusal("rebind.example"))


def test_the_sources_host_may_resolve_to_a_private_address() -> None:
    resolver = GuardedResolver(_Answers({"127.0.0.1": [["127.0.0.1"]],
                                         "mirror.intranet": [["10.0.0.5"], ["10.0.0.5"]]}))
    resolver.allow(["127.0.0.1", "Mirror.Intranet."])
    assert _connect(resolver, "127.0.0.1") == ["127.0.0.1"]
    assert _connect(resolver, "mirror.intranet") == ["10.0.0.5"]
    assert _connect(resolver, "MIRROR.intranet") == ["10.0.0.5"]


def test_only_the_http_download_handlers_are_enabled() -> None:
    settings = build_settings(user_agent="ua", download_timeout=5, download_delay=0,
                              autothrottle=False, retries=0, retry_backoff=0,
                              obey_robots_txt=False)
    handlers = DownloadHandlers(get_crawler(NewsSpider, settings))
    loop = asyncio.new_event_loop()  # refused before any I/O: a plain loop is enough
    try:
        for url in ("file:///etc/hostname", "s3://bucket/key", "ftp://127.0.0.1/a",
                    "data:text/plain,secret"):
            with pytest.raises(NotSupported, match="Unsupported URL scheme"):
                loop.run_until_complete(handlers.download_request_async(Request(url)))
    finally:
        loop.close()
