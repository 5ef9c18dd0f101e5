"""Requests for attached files and what their answers become (`FetchedDocument`).

Files go through the same downloader as pages (robots.txt, throttling, retries), with the
stored validators for a conditional request and a per-request byte limit.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote, urlsplit

from scrapy.exceptions import CannotResolveHostError, DownloadCancelledError
from scrapy.http import Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import DNSLookupError
from twisted.python.failure import Failure

from scraper.failures import describe_failure
from scraper.guard.urls import RefusedRequest, host_of
from scraper.items import FetchedDocument, KnownDocument
from scraper.request import conditional_headers

_FILENAME = re.compile(r"""filename\*?=(?:UTF-8'')?["']?([^"';]+)""", re.I)


def document_request(url: str, item_url: str, known: KnownDocument | None, max_bytes: int,
                     callback: Callable[..., Any], errback: Callable[..., Any]) -> Request:
    headers = conditional_headers(known.etag, known.last_modified) if known else {}
    return Request(
        url, callback=callback, errback=errback, headers=headers,
        cb_kwargs={"item_url": item_url},
        meta={"handle_httpstatus_list": [304], "download_maxsize": max_bytes,
              "download_warnsize": 0},
        # One file can be attached to two items: each of them records it.
        dont_filter=True,
    )


def refused(url: str, item_url: str, reason: str) -> FetchedDocument:
    """A link the guard refused: recorded with the reason, never requested."""
    return FetchedDocument(url=url, item_url=item_url, name=_name(None, url), http_status=0,
                           refused=True, error=reason)


def fetched(response: Response, item_url: str) -> FetchedDocument:
    """A 2xx (with its body) or a 304 (the stored version is still current)."""
    url = _linked_url(response.request) if response.request is not None else response.url
    return FetchedDocument(
        url=url, item_url=item_url, name=_name(response, url), http_status=response.status,
        body=None if response.status == 304 else bytes(response.body),
        etag=_header(response, "ETag"), last_modified=_header(response, "Last-Modified"),
    )


def failed(failure: Failure, max_bytes: int, refusal: Callable[[str], str | None]
           ) -> FetchedDocument:
    """An HTTP error, a file over the byte limit, a refusal, or no answer at all;
    `refusal(host)` tells why the guarded resolver gave a host no address, if it did."""
    request: Request = failure.request  # type: ignore[attr-defined]
    exc, url, item_url = failure.value, _linked_url(request), request.cb_kwargs["item_url"]
    if isinstance(exc, RefusedRequest):
        return refused(url, item_url, str(exc))
    if isinstance(exc, CannotResolveHostError | DNSLookupError) and (
            reason := refusal(host_of(request.url))):
        return refused(url, item_url, reason)
    document = FetchedDocument(url=url, item_url=item_url, name=_name(None, url),
                               http_status=0, error=describe_failure(failure, request))
    if isinstance(exc, HttpError):
        document.http_status = exc.response.status
    elif isinstance(exc, DownloadCancelledError):  # the downloader's byte limit
        document.too_large = True
        document.error = f"larger than {max_bytes / (1 << 20):g} MB: not downloaded"
    return document


def _linked_url(request: Request) -> str:
    """The URL as the page links it, before any redirect."""
    redirects = request.meta.get("redirect_urls")
    return str(redirects[0]) if redirects else request.url


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _name(response: Response | None, url: str) -> str:
    disposition = _header(response, "Content-Disposition") if response is not None else None
    if disposition and (match := _FILENAME.search(disposition)):
        return unquote(match.group(1)).strip()
    return unquote(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]) or url
