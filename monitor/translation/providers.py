"""The translation providers' HTTP APIs: LibreTranslate (self-hosted) and DeepL.

Each turns a list of texts into a list of translations in one request, or raises
TranslationError saying why and what to do about it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from core.config import Translation

LABELS = {"libretranslate": "LibreTranslate", "deepl": "DeepL"}
# DeepL's target codes: plain "EN" is deprecated in favour of a variant.
_DEEPL_TARGET = {"en": "EN-GB", "ru": "RU"}


@dataclass
class TranslationError(Exception):
    """A request that brought no translation: `cause` for the metric, `reason` and `fix` for
    the log, `pause` seconds before the provider is asked again."""

    cause: str  # timeout | unreachable | forbidden | rate_limited | quota | http_error | garbage
    reason: str
    fix: str
    pause: float = 60.0

    def __str__(self) -> str:
        return f"{self.reason}; {self.fix}"


class Provider(Protocol):
    key: str  # "libretranslate" | "deepl": part of the cache key
    label: str  # "LibreTranslate" | "DeepL": what messages say

    async def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        """The translations of `texts`, in order; raise TranslationError on any failure."""
        ...


def make_provider(cfg: Translation) -> Provider:
    if cfg.provider == "deepl":
        return DeepL(cfg)
    return LibreTranslate(cfg)


class _Http:
    """One POST with a short timeout, every failure worded as a TranslationError."""

    key = ""
    label = ""

    def __init__(self, cfg: Translation) -> None:
        self.endpoint = cfg.endpoint
        self.api_key = cfg.api_key
        self.timeout = cfg.timeout.total_seconds()

    async def post(self, path: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
        import aiohttp  # ~0.15 s and a few MB: only for a configured provider's first call

        url = self.endpoint + path
        try:
            async with aiohttp.ClientSession(
                    timeout=aiohttp.ClientTimeout(total=self.timeout)) as http, \
                    http.post(url, json=body, headers=headers) as answer:
                text = await answer.text()
                if answer.status >= 400:
                    raise self.refused(answer.status, text, answer.headers.get("Retry-After"))
                return json.loads(text)
        except TimeoutError:
            raise TranslationError(
                "timeout", f"{self.label} at {self.endpoint} did not answer within "
                f"{self.timeout:g} s", "check that the server is up and not overloaded, or "
                "raise translation.timeout") from None
        except aiohttp.ClientError as error:
            raise TranslationError(
                "unreachable", f"cannot reach {self.label} at {self.endpoint} ({error})",
                "check translation.url / translation.api_url and that the server runs"
            ) from None
        except ValueError:
            raise self.garbage("an answer that is not JSON") from None

    def refused(self, status: int, text: str, retry_after: str | None) -> TranslationError:
        said = " ".join(text.split())[:200]
        if status in (401, 403):
            return TranslationError("forbidden", f"{self.label} refused the API key (HTTP "
                                    f"{status}: {said})", "check translation.api_key (or env "
                                    "TRANSLATION_API_KEY)", pause=600.0)
        if status == 429:
            pause = float(retry_after) if retry_after and retry_after.isdigit() else 60.0
            return TranslationError("rate_limited", f"{self.label} asked to slow down (HTTP "
                                    "429)", "lower translation.max_requests_per_minute",
                                    pause=min(max(pause, 1.0), 3600.0))
        if status == 456:
            return TranslationError("quota", f"{self.label}: the account's quota is used up "
                                    "(HTTP 456)", "raise the plan's limit or wait for the "
                                    "next period", pause=3600.0)
        return TranslationError("http_error", f"{self.label} answered HTTP {status}: {said}",
                                "see the translation server's log")

    def garbage(self, what: str) -> TranslationError:
        return TranslationError("garbage", f"{self.label} at {self.endpoint} sent {what}",
                                f"check that the address is that of a {self.label} API")

    def strings(self, values: Any, count: int) -> list[str]:
        if (not isinstance(values, list) or len(values) != count
                or not all(isinstance(v, str) for v in values)):
            raise self.garbage(f"no list of {count} translations")
        return values


class LibreTranslate(_Http):
    """POST /translate {q: [...], source, target, format, api_key} -> {translatedText: [...]}."""

    key, label = "libretranslate", LABELS["libretranslate"]

    async def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        body: dict[str, Any] = {"q": list(texts), "source": source, "target": target,
                                "format": "text"}
        if self.api_key:
            body["api_key"] = self.api_key
        answer = await self.post("/translate", body, {})
        found = answer.get("translatedText") if isinstance(answer, dict) else None
        return self.strings(found, len(texts))


class DeepL(_Http):
    """POST /v2/translate {text: [...], source_lang, target_lang} with the key in the
    Authorization header -> {translations: [{text, detected_source_language}]}."""

    key, label = "deepl", LABELS["deepl"]

    async def translate(self, texts: Sequence[str], source: str, target: str) -> list[str]:
        body = {"text": list(texts), "source_lang": source.upper(),
                "target_lang": _DEEPL_TARGET.get(target, target.upper())}
        headers = {"Authorization": f"DeepL-Auth-Key {self.api_key}"}
        answer = await self.post("/v2/translate", body, headers)
        found = answer.get("translations") if isinstance(answer, dict) else None
        if isinstance(found, list):
            found = [t.get("text") if isinstance(t, dict) else None for t in found]
        return self.strings(found, len(texts))
