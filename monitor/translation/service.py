"""The translator the notifiers call: cached, within a request budget, never failing.

`translate()` answers a translation or None for each text. A text is requested from the
provider at most once (the database keeps every translation; sends in one process that
need the same text wait for the one request). A provider failure (HTTP error, timeout,
429, a refused key, garbage) gives None at once, is logged once per outage with its cause
and fix, counted in `csto_translation_failures_total`, and pauses the provider for a while.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence

from sqlalchemy.orm import Session, sessionmaker

from core import metrics
from core.config import Translation
from monitor.translation import cache
from monitor.translation.budget import Pause, RequestBudget
from monitor.translation.providers import Provider, TranslationError, make_provider

log = logging.getLogger(__name__)


class Translator:
    def __init__(self, provider: Provider, sessions: sessionmaker[Session], *,
                 max_requests_per_minute: int = 30,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.provider = provider
        self.sessions = sessions
        self.budget = RequestBudget(max_requests_per_minute)
        self.pause = Pause()
        self.clock = clock
        self.failing: str | None = None  # the cause of the outage under way, if any
        self._locks: dict[asyncio.AbstractEventLoop, asyncio.Lock] = {}

    @property
    def label(self) -> str:
        """The provider's name as messages show it: "LibreTranslate", "DeepL"."""
        return self.provider.label

    async def translate(self, texts: Sequence[str], source: str, target: str
                        ) -> list[str | None]:
        """Each text translated from `source` into `target`, or None where it is not now."""
        if source == target:
            return list(texts)
        keys = [cache.digest(text) for text in texts]
        found = self._lookup(source, target, keys)
        missing = {k: t for k, t in zip(keys, texts, strict=True) if t.strip() and k not in found}
        self._count("cached", len({k for k in keys if k in found}))
        if missing:
            async with self._lock():  # one request at a time: a text is never asked twice
                found.update(self._lookup(source, target, missing))
                rest = {k: t for k, t in missing.items() if k not in found}
                if rest:
                    found.update(await self._request(rest, source, target))
        return [text if not text.strip() else found.get(key)
                for key, text in zip(keys, texts, strict=True)]

    def _lookup(self, source: str, target: str, keys: Sequence[str] | dict[str, str]
                ) -> dict[str, str]:
        return cache.lookup(self.sessions, self.provider.key, source, target, keys)

    async def _request(self, texts: dict[str, str], source: str, target: str
                       ) -> dict[str, str]:
        now = self.clock()
        if self.pause.active(now) or not self.budget.take(now):
            self._count("skipped", len(texts))
            return {}
        try:
            translated = await self.provider.translate(list(texts.values()), source, target)
        except TranslationError as error:
            self._failed(error, len(texts))
            return {}
        found = dict(zip(texts, translated, strict=True))
        cache.store(self.sessions, self.provider.key, source, target, found)
        self._count("requested", len(texts))
        if self.failing is not None:
            log.info("translation: %s works again", self.label)
            self.failing = None
        return found

    def _failed(self, error: TranslationError, count: int) -> None:
        self.pause.start(self.clock(), error.pause)
        metrics.TRANSLATION_FAILURES.labels(self.provider.key, error.cause).inc()
        self._count("failed", count)
        if self.failing != error.cause:  # once per outage (and when its cause changes)
            log.warning("translation failed, messages go out untranslated: %s (provider "
                        "left alone for %.0f s)", error, error.pause)
        self.failing = error.cause

    def _count(self, outcome: str, count: int) -> None:
        if count:
            metrics.TRANSLATIONS.labels(self.provider.key, outcome).inc(count)

    def _lock(self) -> asyncio.Lock:
        """A lock of the running loop (a lock waited on is bound to its loop)."""
        loop = asyncio.get_running_loop()
        if loop not in self._locks:
            self._locks = {loop: asyncio.Lock()}  # forget locks of loops gone
        return self._locks[loop]


def build_translator(cfg: Translation | None, sessions: sessionmaker[Session]
                     ) -> Translator | None:
    """The configured translator, or None without a `translation:` section."""
    if cfg is None:
        return None
    return Translator(make_provider(cfg), sessions,
                      max_requests_per_minute=cfg.max_requests_per_minute)
