"""Exceptions raised by our own code during a crawl (a spider callback, an item pipeline),
as opposed to the site's faults (HTTP errors, timeouts), which the errbacks describe.

Scrapy logs such an exception and sends `spider_error` (or `item_error`), then carries on
with the next response: without these records a page whose extraction raised would simply
be missing, and a crawl where every page raised would look like one with nothing new.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the monitor and the reading commands import CodeError without Scrapy
    from scrapy.http import Request, Response
    from twisted.python.failure import Failure

# The spider's callbacks and errbacks, by the stage of the crawl they belong to.
_STAGES = {
    "parse_listing": "listing", "listing_failed": "listing",
    "parse_detail": "detail", "parse_revisit": "detail", "detail_failed": "detail",
    "parse_document": "document", "document_failed": "document",
    "parse_probe": "probe", "probe_failed": "probe",
}
# Every stage that /metrics shows from the start (monitor counts them by source).
STAGES = ("listing", "detail", "document", "probe", "pipeline", "second_opinion")
_MESSAGE_LIMIT = 300


@dataclass(frozen=True)
class CodeError:
    stage: str  # one of STAGES ("spider" for an exception outside any callback)
    url: str  # the page being processed ("" when there was none)
    error: str  # "ExceptionType: first line of its message"

    def line(self) -> str:
        where = f"{self.url}: " if self.url else ""
        return f"{where}{self.error} (in the {self.stage} stage)"


def describe_exception(exc: BaseException | None) -> str:
    """`KeyError: 'title'`: the type and the first line of the message, kept short."""
    if exc is None:
        return "an unknown exception"
    lines = str(exc).strip().splitlines()
    message = lines[0] if lines else ""
    if len(message) > _MESSAGE_LIMIT:
        message = message[:_MESSAGE_LIMIT - 1] + "…"
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def from_spider_error(failure: Failure, response: Response | Failure | None) -> CodeError:
    """What Scrapy's `spider_error` signal tells: a callback (or an errback) raised."""
    from twisted.python.failure import Failure  # loaded with Scrapy, which sent the signal

    errback = isinstance(response, Failure)  # an errback gets the download's failure
    # A response, and a download's failure (Scrapy sets it), know their request.
    request: Request | None = getattr(response, "request", None)
    if request is None:  # raised while producing the first requests
        return CodeError("spider", "", describe_exception(failure.value))
    callback = request.errback if errback else request.callback
    stage = _STAGES.get(getattr(callback, "__name__", ""), "spider")
    return CodeError(stage, request.url, describe_exception(failure.value))


def from_item_error(item: Any, response: Response | None, failure: Failure) -> CodeError:
    """What Scrapy's `item_error` signal tells: an item pipeline raised (DropItem aside)."""
    url = getattr(item, "url", None) or (response.url if response is not None else "")
    return CodeError("pipeline", url, describe_exception(failure.value))
