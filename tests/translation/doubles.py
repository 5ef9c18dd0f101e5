"""Doubles of the LibreTranslate and DeepL APIs: HTTP servers on 127.0.0.1 that answer as
the real ones do, count every request, and fail on demand (500, a hang, 403, 429, garbage).

A text is "translated" by a small dictionary of the test stories' sentences, else as
`[en] <text>`, so a test can tell a translation from the original.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

API_KEY = "test-key-0123456789:fx"
DICTIONARY = {
    "Саммит ОДКБ в Минске": "CSTO summit in Minsk",
    "Лидеры обсудили безопасность. Встреча прошла в Минске.":
        "The leaders discussed security. The meeting took place in Minsk.",
    "Переговоры продолжатся в среду.": "The talks will continue on Wednesday.",
}
FAILURES = ("500", "timeout", "403", "429", "garbage")


def translate(text: str, target: str) -> str:
    return DICTIONARY.get(text) or f"[{target}] {text}"


@dataclass
class TranslatorDouble:
    """`kind` is "libretranslate" or "deepl"; `fail` one of FAILURES (or None: answer)."""

    kind: str
    fail: str | None = None
    hang: float = 5.0  # seconds a "timeout" failure keeps the request waiting
    requests: list[dict[str, Any]] = field(default_factory=list)  # bodies received
    headers: list[dict[str, str]] = field(default_factory=list)
    # More known translations (text -> translation), answered before DICTIONARY's.
    dictionary: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def texts(self) -> list[str]:
        """Every text asked for, in order, over all requests."""
        key = "q" if self.kind == "libretranslate" else "text"
        return [t for body in self.requests for t in body[key]]

    def start(self) -> TranslatorDouble:
        ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(ready,), daemon=True)
        self._thread.start()
        assert ready.wait(10), "the translation double did not start"
        return self

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    def _serve(self, ready: threading.Event) -> None:
        self._loop = asyncio.new_event_loop()
        app = web.Application()
        path = "/translate" if self.kind == "libretranslate" else "/v2/translate"
        app.router.add_post(path, self._handle)
        runner = web.AppRunner(app, access_log=None)
        self._loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(runner.cleanup())

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append(body)
        self.headers.append(dict(request.headers))
        failed = await self._failure()
        if failed is not None:
            return failed
        if self.kind == "libretranslate":
            return self._libretranslate(body)
        return self._deepl(request, body)

    async def _failure(self) -> web.Response | None:
        if self.fail == "500":
            return web.json_response({"error": "Internal Server Error"}, status=500)
        if self.fail == "timeout":
            await asyncio.sleep(self.hang)
        if self.fail == "403":
            message = "Invalid API key" if self.kind == "libretranslate" else "Wrong key"
            return web.json_response({"error": message, "message": message}, status=403)
        if self.fail == "429":
            return web.json_response({"error": "Slowdown: 30 per 1 minute"}, status=429,
                                     headers={"Retry-After": "30"})
        if self.fail == "garbage":
            return web.Response(text="<html>Bad gateway</html>", content_type="text/html")
        return None

    def _libretranslate(self, body: dict[str, Any]) -> web.Response:
        texts = body.get("q")
        if not isinstance(texts, list) or body.get("format") != "text":
            return web.json_response({"error": "Invalid request: missing q"}, status=400)
        return web.json_response({"translatedText": [self._translate(t, body["target"])
                                                     for t in texts]})

    def _deepl(self, request: web.Request, body: dict[str, Any]) -> web.Response:
        if request.headers.get("Authorization") != f"DeepL-Auth-Key {API_KEY}":
            return web.json_response({"message": "Authorization failure"}, status=403)
        target = str(body.get("target_lang", "")).split("-")[0].lower()
        return web.json_response({"translations": [
            {"detected_source_language": body.get("source_lang", "RU"),
             "text": self._translate(t, target)} for t in body["text"]]})

    def _translate(self, text: str, target: str) -> str:
        return self.dictionary.get(text) or translate(text, target)
