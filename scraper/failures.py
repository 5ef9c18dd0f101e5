"""One readable line for a failed request: what the user of the monitor will see."""

from __future__ import annotations

from scrapy import Request
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as net
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

# Scrapy 2.19 wraps most Twisted errors in its own; both are listed.
_TIMEOUTS = (DownloadTimeoutError, net.TimeoutError, TimeoutError)
_NETWORK_CAUSES: tuple[tuple[type[BaseException], str], ...] = (
    (CannotResolveHostError, "DNS lookup failed (no such host?)"),
    (net.DNSLookupError, "DNS lookup failed (no such host?)"),
    (DownloadConnectionRefusedError, "connection refused"),
    (net.ConnectionRefusedError, "connection refused"),
    (DownloadFailedError, "the response was cut off"),
    (ResponseDataLossError, "the response was cut off"),
    (DownloadCancelledError, "the download was cancelled"),
    (net.NoRouteError, "no route to host"),
    (net.ConnectionLost, "connection lost"),
    (net.ConnectionDone, "connection closed by the server"),
    (ResponseNeverReceived, "the server closed the connection without answering"),
    (ResponseFailed, "the response was cut off"),
    (net.SSLError, "TLS handshake failed"),
    (net.ConnectError, "cannot connect"),
)


def describe_failure(failure: Failure, request: Request) -> str:
    """`cannot reach <url>: connection refused`, `<url>: HTTP 503`, `… timeout after 30 s`."""
    exc, url = failure.value, request.url
    if isinstance(exc, HttpError):
        return f"{url}: HTTP {exc.response.status}"
    if isinstance(exc, _TIMEOUTS):
        timeout = request.meta.get("download_timeout")
        seconds = f" after {timeout:g} s" if isinstance(timeout, int | float) else ""
        return f"cannot reach {url}: timeout{seconds}"
    for cause_type, cause in _NETWORK_CAUSES:
        if isinstance(exc, cause_type):
            return f"cannot reach {url}: {cause}"
    if isinstance(exc, IgnoreRequest):  # the page's URL: the reason names a redirect's
        page = request.meta.get("redirect_urls", [url])[0]
        return f"{page}: not fetched ({exc or 'request ignored'})"
    return f"{url}: {type(exc).__name__}: {exc}"
