"""Who may call the API and how often: bearer tokens and a per-client rate limit."""

from __future__ import annotations

import hashlib
import hmac
import math
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence

from aiohttp import web
from aiohttp.typedefs import Middleware

from csto_monitor.web.api.replies import ApiError, error_reply
from csto_monitor.web.context import Handler

MAX_CLIENTS = 10_000  # buckets kept; the least recently seen client is forgotten first


class Tokens:
    """Bearer tokens, compared in constant time (a digest of each, so lengths match)."""

    def __init__(self, tokens: Sequence[str]) -> None:
        self._digests = [hashlib.sha256(t.encode()).digest() for t in tokens]

    @property
    def required(self) -> bool:
        return bool(self._digests)

    def check(self, header: str) -> str | None:
        """The client key of a valid `Bearer <token>` header, else None."""
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        digest = hashlib.sha256(token.strip().encode()).digest()
        valid = False
        for known in self._digests:  # no early exit: the time does not tell which matched
            valid |= hmac.compare_digest(digest, known)
        return "token:" + digest.hex()[:16] if valid else None


class RateLimiter:
    """A token bucket per client: `rate` requests a second, bursts of up to `rate`."""

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.burst = rate, max(rate, 1.0)
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def wait(self, client: str) -> float:
        """0 if the request may go now (and count it), else the seconds until it may."""
        now = self._clock()
        tokens, seen = self._buckets.pop(client, (self.burst, now))
        tokens = min(self.burst, tokens + (now - seen) * self.rate)
        wait = 0.0 if tokens >= 1 else (1 - tokens) / self.rate
        self._buckets[client] = (tokens - 1 if wait == 0 else tokens, now)
        if len(self._buckets) > MAX_CLIENTS:
            self._buckets.popitem(last=False)
        return wait


def access_middleware(tokens: Tokens, limiter: RateLimiter) -> Middleware:
    """401 without a valid token (when tokens are configured), 429 beyond the rate."""

    @web.middleware
    async def access(request: web.Request, handler: Handler) -> web.StreamResponse:
        client = tokens.check(request.headers.get("Authorization", ""))
        wait = limiter.wait(client or f"ip:{request.remote}")
        if wait > 0:
            return error_reply(ApiError(
                429, "rate_limited", f"more than {limiter.rate:g} requests a second; "
                f"retry after {wait:.1f} s", {"Retry-After": str(math.ceil(wait))}))
        if tokens.required and client is None:
            return error_reply(ApiError(
                401, "unauthorized", "send the header Authorization: Bearer <token> with "
                "one of the tokens in http.api_tokens", {"WWW-Authenticate": 'Bearer '
                                                         'realm="csto-monitor"'}))
        return await handler(request)

    return access
