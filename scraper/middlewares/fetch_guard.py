"""Refuse, before anything is sent, a request that leaves the http(s) web or goes to a
private address of another host than the source's.

It runs first (before robots.txt is asked for the request's host) on every request:
listing, pages, attached files, robots.txt itself, and each redirect, which Scrapy's
RedirectMiddleware sends back through the whole chain as a new request. The host's
current addresses are checked here; the guarded resolver (`scraper.guard.resolver`)
checks them again at the connection itself. A refusal raises `RefusedRequest` into the
request's errback: nothing is downloaded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.request import getproxies

from scrapy import signals
from scrapy.utils.url import add_http_if_no_scheme

from scraper.guard.addresses import parse_ip
from scraper.guard.resolver import GuardedResolver, guarded_resolver
from scraper.guard.urls import RefusedRequest, addresses_refusal, host_of, url_refusal

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Request


class FetchGuardMiddleware:
    def __init__(self, resolver: GuardedResolver) -> None:
        self.resolver = resolver
        self.own_hosts: frozenset[str] = frozenset()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        resolver = guarded_resolver()
        if crawler.settings.getbool("HTTPPROXY_ENABLED"):
            # The operator's proxies may be private: the connection goes to them.
            resolver.allow(host_of(add_http_if_no_scheme(url))
                           for key, url in getproxies().items() if key != "no")
        middleware = cls(resolver)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        return middleware

    def spider_opened(self, spider: Spider) -> None:
        """The source's own host may be private (a replica, an intranet mirror)."""
        host = host_of(str(getattr(spider, "source_url", "")))
        self.own_hosts = frozenset({host} if host else ())
        self.resolver.allow(self.own_hosts)

    async def process_request(self, request: Request) -> None:
        reason = url_refusal(request.url, self.own_hosts)
        host = host_of(request.url)
        if reason is None and host not in self.own_hosts and parse_ip(host) is None:
            reason = addresses_refusal(host, await self.resolver.addresses(host))
        if reason is None:
            return
        redirects = request.meta.get("redirect_urls")
        if redirects:
            reason = f"redirected to {request.url}: {reason}"
        raise RefusedRequest(reason)
