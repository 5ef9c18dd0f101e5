"""Translation similarity for the pairing a poll does inside its transaction.

Pairing (monitor.pairing) is synchronous and runs in the poll's database transaction; the
configured translator (monitor.translation) is asynchronous and may wait on a provider.
So before the transaction, in the async part of the poll, the Russian titles pairing will
compare are translated at once (the cache makes repeats free), and pairing is handed
`Prefetched`: a translator that only looks those answers up. A provider failure or
timeout leaves it empty, and pairing goes on with its other signals.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping

from monitor.translation.service import Translator

log = logging.getLogger(__name__)
# Without a `translation:` section (a translator given by hand): its default.
DEFAULT_TIMEOUT = 5.0
GRACE = 0.25  # seconds past the timeout: see `prefetch`
SOURCE, TARGET = "ru", "en"  # pairing compares the English title with the Russian one's


class Prefetched:
    """A monitor.pairing.TextTranslator answering from translations fetched beforehand;
    None for any other text."""

    def __init__(self, found: Mapping[str, str] | None = None) -> None:
        self._found = dict(found or {})

    def __len__(self) -> int:
        return len(self._found)

    def translate(self, text: str, source: str, target: str) -> str | None:
        if (source, target) != (SOURCE, TARGET):
            return None
        return self._found.get(text)


def wanted(titles: Mapping[str, Iterable[str]]) -> list[str]:
    """The Russian titles to translate, given every title pairing will read by language:
    none when no English version is among them to compare with."""
    if not any(True for _ in titles.get("en", ())):
        return []
    return sorted({t for t in titles.get(SOURCE, ()) if t.strip()})


async def prefetch(translator: Translator, texts: list[str], timeout: float) -> Prefetched:
    """`texts` translated from Russian into English, waiting `timeout` seconds (the
    translator's) at most, plus a little grace so that the provider's own timeout fires
    first (then it is logged, counted and paused as in the notifiers): the bound cuts a
    wait for a request another task has under way."""
    if not texts:
        return Prefetched()
    try:
        answers = await asyncio.wait_for(translator.translate(texts, SOURCE, TARGET),
                                         timeout + GRACE)
    except TimeoutError:
        log.warning("pairing: no translation within %g s; pairing without it", timeout)
        return Prefetched()
    return Prefetched({t: a for t, a in zip(texts, answers, strict=True) if a})
