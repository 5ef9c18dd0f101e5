"""Answer the first listing request with the answer the idle poll already downloaded.

`scraper.idle.IdlePollCrawler` makes the listing's conditional request before any crawl
is built; when the listing changed (or the request failed) the crawl is handed that
answer in `CrawlRequest.prefetched`, which the spider puts in the listing request's meta.
This middleware runs last before the download (after robots.txt, the timeout, headers,
proxy and the stats' request count) and answers from it once: the response then passes
every `process_response` as a downloaded one would (stats, redirects, retries), and a
failure is raised as Scrapy's download handler raises it, into every `process_exception`
(a retry downloads for real). The page is fetched once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
)
from scrapy.http import Headers
from scrapy.responsetypes import responsetypes

from scraper.prefetch import Prefetched

if TYPE_CHECKING:
    from scrapy.http import Request, Response

_FAILURES: dict[str, type[Exception]] = {
    "timeout": DownloadTimeoutError,
    "refused": DownloadConnectionRefusedError,
    "dns": CannotResolveHostError,
    "failed": DownloadFailedError,
}


class PrefetchedMiddleware:
    def process_request(self, request: Request) -> Response | None:
        # Popped: a retry or a redirect is built from this request and must download.
        prefetched = request.meta.pop("prefetched", None)
        if not isinstance(prefetched, Prefetched) or prefetched.url != request.url:
            return None
        if prefetched.failure is not None:
            raise _FAILURES[prefetched.failure](prefetched.detail or prefetched.failure)
        headers = Headers()
        for name, value in prefetched.headers:
            headers.appendlist(name, value)
        cls = responsetypes.from_args(headers=headers, url=request.url, body=prefetched.body)
        return cls(url=request.url, status=prefetched.status, headers=headers,
                   body=prefetched.body, request=request)
