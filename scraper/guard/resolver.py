"""The reactor's name resolver, wrapped so that a connection only ever goes to a vetted
address.

Every HTTP connection Scrapy makes (its HostnameEndpoint) resolves its host through
`reactor.nameResolver`, IP literals included. Checking a URL's resolved addresses before
the request is not enough: a name can answer a public address to the check and a private
one to the connection a moment later (DNS rebinding). This resolver drops non-public
answers at connection time for every host but the allowed ones (the configured sources'
hosts and proxies), so the connection is made only to the addresses it vetted; a host left
with none fails as a DNS error, and `refusal(host)` says why.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred
from twisted.internet.interfaces import (
    IAddress,
    IHostnameResolver,
    IHostResolution,
    IResolutionReceiver,
)
from zope.interface import implementer

from scraper.guard.urls import addresses_refusal


@implementer(IResolutionReceiver)
class _Vetting:
    """Passes on the public answers (all of them for an allowed host)."""

    # zope interfaces declare methods without `self`: mypy cannot check calls through them.
    def __init__(self, receiver: Any, host: str, resolver: GuardedResolver) -> None:
        self._receiver, self._host, self._resolver = receiver, host, resolver
        self._dropped: list[str] = []

    def resolutionBegan(self, resolution: IHostResolution) -> None:
        self._receiver.resolutionBegan(resolution)

    def addressResolved(self, address: IAddress) -> None:
        text = str(getattr(address, "host", ""))
        if self._resolver.allowed(self._host) or not addresses_refusal(self._host, [text]):
            self._receiver.addressResolved(address)
        else:
            self._dropped.append(text)

    def resolutionComplete(self) -> None:
        if self._dropped:
            self._resolver.refused[self._host] = addresses_refusal(self._host, self._dropped)
        else:
            self._resolver.refused.pop(self._host, None)
        self._receiver.resolutionComplete()


@implementer(IResolutionReceiver)
class _Collect:
    """The answers of one resolution, as a Deferred list."""

    def __init__(self) -> None:
        self.addresses: list[str] = []
        self.done: Deferred[list[str]] = Deferred()

    def resolutionBegan(self, resolution: IHostResolution) -> None:
        pass

    def addressResolved(self, address: IAddress) -> None:
        self.addresses.append(str(getattr(address, "host", "")))

    def resolutionComplete(self) -> None:
        self.done.callback(self.addresses)


@implementer(IHostnameResolver)
class GuardedResolver:
    def __init__(self, original: Any) -> None:
        self.original = original
        self._allowed: set[str] = set()
        self.refused: dict[str, str | None] = {}  # host -> why its answers were dropped

    def allow(self, hosts: Iterable[str]) -> None:
        """These hosts may resolve to any address (the configured sources, proxies)."""
        self._allowed.update(host.lower().rstrip(".") for host in hosts if host)

    def allowed(self, host: str) -> bool:
        return host.lower().rstrip(".") in self._allowed

    def refusal(self, host: str) -> str | None:
        """Why the last resolution of this host for a connection gave it no address."""
        return self.refused.get(host.lower().rstrip("."))

    def resolveHostName(
        self, resolutionReceiver: IResolutionReceiver, hostName: str, portNumber: int = 0,
        addressTypes: Sequence[type[IAddress]] | None = None,
        transportSemantics: str = "TCP",
    ) -> IResolutionReceiver:
        host = hostName.lower().rstrip(".")
        self.original.resolveHostName(_Vetting(resolutionReceiver, host, self),
                                      hostName, portNumber, addressTypes, transportSemantics)
        return resolutionReceiver

    async def addresses(self, host: str) -> list[str]:
        """Every address the host resolves to now (none when it does not resolve)."""
        collect = _Collect()
        self.original.resolveHostName(collect, host, 0)
        return await maybe_deferred_to_future(collect.done)


def guarded_resolver() -> GuardedResolver:
    """The process's guarded resolver, installed on the reactor at the first call."""
    from twisted.internet import reactor

    current: Any = reactor.nameResolver
    if isinstance(current, GuardedResolver):
        return current
    guarded = GuardedResolver(current)
    reactor.installNameResolver(guarded)
    return guarded
