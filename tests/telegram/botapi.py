"""A Telegram Bot API double: an HTTP server on 127.0.0.1 that a real bot can talk to.

It answers the methods the bot uses, queues updates for getUpdates (long polling),
records every request with a timestamp, checks Telegram HTML like Telegram does, and
returns Telegram's real error shapes on demand (429, 403, 400). With `enforce`, it also
answers 429 (retry_after 1) to a sendMessage that would exceed Telegram's flood limits.

Standalone, in its own process (for benchmarks: its CPU then does not compete with the
sender's GIL): `python -m tests.telegram.botapi --port P [--enforce]`; it prints its URL
once it listens, and `GET /_double/report` answers every sendMessage seen (time, chat,
error code) and the limit violations.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from aiohttp import web

TOKEN = "123456789:TESTtokenABCdefGHIjklMNOpqrSTUvwxYZ0"
BOT = {"id": 123456789, "is_bot": True, "first_name": "CSTO test", "username": "csto_test_bot",
       "can_join_groups": True, "can_read_all_group_messages": False,
       "supports_inline_queries": False}
CHANNEL_ID = -1001000000001
ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
                "blockquote", "tg-spoiler", "span", "tg-emoji"}
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")

TOO_MANY = (429, "Too Many Requests: retry after 1", {"retry_after": 1})
BLOCKED = (403, "Forbidden: bot was blocked by the user", None)
CHAT_NOT_FOUND = (400, "Bad Request: chat not found", None)
CANT_PARSE = (400, "Bad Request: can't parse entities: Unsupported start tag \"x\" at byte "
                   "offset 0", None)
Error = tuple[int, str, dict[str, Any] | None]
OVERALL = (30, 1.0)  # Telegram's limits: messages per seconds, overall
PRIVATE = (1, 1.0)  # per private chat
GROUP = (20, 60.0)  # per group or channel


class _TelegramHtml(HTMLParser):
    """Raises ValueError where Telegram answers "can't parse entities"."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            raise ValueError(f'Unsupported start tag "{tag}"')
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open.pop() != tag:
            raise ValueError(f'Unexpected end tag "{tag}"')


def check_html(text: str) -> None:
    """Raise ValueError if Telegram would reject `text` as HTML."""
    if "<" in re.sub(r"</?[a-z-]+(\s[^<>]*)?>", "", text):
        raise ValueError("unescaped <")
    for match in re.finditer("&", text):
        if not _ENTITY.match(text, match.start()):
            raise ValueError("unescaped &")
    parser = _TelegramHtml()
    parser.feed(text)
    parser.close()
    if parser.open:
        raise ValueError(f'Unclosed start tag "{parser.open[-1]}"')


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float  # time.monotonic() when it arrived
    error: int | None = None  # the error code answered, if any
    message_id: int | None = None  # of the message sent or edited

    @property
    def chat(self) -> str:
        return str(self.params.get("chat_id", ""))

    @property
    def text(self) -> str:
        return str(self.params.get("text", ""))


@dataclass
class BotApiDouble:
    token: str = TOKEN
    calls: list[Call] = field(default_factory=list)
    blocked: set[str] = field(default_factory=set)  # chat ids answered 403
    missing: set[str] = field(default_factory=set)  # chat ids answered 400 chat not found
    admins: set[tuple[str, int]] = field(default_factory=set)  # (group chat, user) admins
    rate_limit_every: int = 0  # every n-th sendMessage is answered 429
    failures: list[tuple[str, Error]] = field(default_factory=list)  # next (method, error)
    delay: float = 0.0  # seconds before answering sendMessage (to provoke timeouts)
    enforce: bool = False  # answer 429 to a send beyond the flood limits, as Telegram does
    refused: int = 0  # sends answered 429 by `enforce`

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._accepted: dict[str, deque[float]] = {}  # chat ("" = overall) -> recent sends
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._sends = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self.port = 0
        self.host_port = 0  # the port to listen on; 0: any free one

    # --- server ------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> BotApiDouble:
        ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(ready,), daemon=True)
        self._thread.start()
        assert ready.wait(10), "the Bot API double did not start"
        return self

    def _serve(self, ready: threading.Event) -> None:
        self._loop = asyncio.new_event_loop()
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        app.router.add_get("/bot{token}/{method}", self._handle)
        app.router.add_get("/_double/report", self._report)
        runner = web.AppRunner(app, access_log=None)
        self._loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", self.host_port)
        self._loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._runner = runner
        ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(runner.cleanup())

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized", None)
        params = await _params(request)
        method = request.match_info["method"]
        call = Call(method, params, time.monotonic())
        with self._lock:
            self.calls.append(call)
        error = self._injected(call)
        if error is not None:
            call.error = error[0]
            return _error(*error)
        if method == "getUpdates":
            return _ok(await self._get_updates(params))
        if method == "sendMessage" and self.delay:
            await asyncio.sleep(self.delay)
        result = self._answer(method, params)
        if isinstance(result, dict) and "message_id" in result:
            call.message_id = result["message_id"]
        return _ok(result)

    # --- behaviour ----------------------------------------------------------------------

    def _injected(self, call: Call) -> Error | None:
        with self._lock:
            for i, (method, error) in enumerate(self.failures):
                if method == call.method:
                    del self.failures[i]
                    return error
            if call.method != "sendMessage":
                return None
            if call.chat in self.blocked:
                return BLOCKED
            if call.chat in self.missing:
                return CHAT_NOT_FOUND
            self._sends += 1
            if self.rate_limit_every and self._sends % self.rate_limit_every == 0:
                return TOO_MANY
            if self.enforce and not self._within_limits(call):
                self.refused += 1
                return TOO_MANY
        if call.params.get("parse_mode") == "HTML":
            try:
                check_html(call.text)
            except ValueError as exc:
                return (400, f"Bad Request: can't parse entities: {exc}", None)
        return None

    def _within_limits(self, call: Call) -> bool:
        """Count `call` as accepted if it breaks no limit (caller holds the lock)."""
        chat_limit = PRIVATE if call.chat.isdigit() else GROUP
        windows = [(self._accepted.setdefault("", deque()), OVERALL),
                   (self._accepted.setdefault(call.chat, deque()), chat_limit)]
        for times, (count, period) in windows:
            while times and times[0] <= call.at - period:
                times.popleft()
            if len(times) >= count:
                return False
        for times, _ in windows:
            times.append(call.at)
        return True

    def _answer(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT
        if method in ("sendMessage", "editMessageText", "editMessageReplyMarkup"):
            return self._message(params)
        if method == "getChatMember":
            chat, user = str(params["chat_id"]), int(params["user_id"])
            status = "creator" if (chat, user) in self.admins else "member"
            return {"status": status, "is_anonymous": False,
                    "user": {"id": user, "is_bot": False, "first_name": "U"}}
        return True  # deleteWebhook, setMyCommands, answerCallbackQuery, close, ...

    def _message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = str(params.get("chat_id", ""))
        message_id = int(params.get("message_id") or next(self._message_ids))
        return {"message_id": message_id, "date": int(time.time()),
                "chat": _chat(chat), "text": params.get("text", "")}

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset, timeout = int(params.get("offset") or 0), float(params.get("timeout") or 0)
        deadline = time.monotonic() + min(timeout, 0.5)  # short polls keep shutdown quick
        while True:
            with self._lock:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                if self._updates or time.monotonic() >= deadline:
                    return list(self._updates)
            await asyncio.sleep(0.02)

    # --- what a test does ----------------------------------------------------------------

    def push(self, update: dict[str, Any]) -> None:
        with self._lock:
            self._updates.append({"update_id": next(self._update_ids), **update})

    def command(self, chat_id: int, text: str, user_id: int | None = None,
                language: str = "en", chat_type: str = "private") -> None:
        """A user sends `text` (a command if it starts with "/") in a chat."""
        user = {"id": user_id or chat_id, "is_bot": False, "first_name": "User",
                "language_code": language}
        message: dict[str, Any] = {"message_id": next(self._message_ids),
                                   "date": int(time.time()), "from": user,
                                   "chat": _chat(str(chat_id), chat_type), "text": text}
        if text.startswith("/"):
            length = len(text.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        self.push({"message": message})

    def tap(self, chat_id: int, data: str, message_id: int, user_id: int | None = None,
            language: str = "en") -> None:
        """A user taps an inline button with callback `data` under `message_id`."""
        user = {"id": user_id or chat_id, "is_bot": False, "first_name": "User",
                "language_code": language}
        message = {"message_id": message_id, "date": int(time.time()),
                   "chat": _chat(str(chat_id)), "text": "…"}
        self.push({"callback_query": {"id": str(next(self._update_ids)), "from": user,
                                      "chat_instance": "1", "data": data,
                                      "message": message}})

    def sent(self, chat: str | int | None = None, method: str = "sendMessage",
             ok_only: bool = True) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method
                    and (chat is None or c.chat == str(chat))
                    and (not ok_only or c.error is None)]

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 20.0,
                 what: str = "") -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what or predicate}")
            time.sleep(0.02)

    def limit_violations(self) -> list[str]:
        """Breaches of 30/s overall, 1/s per private chat, 20/min per group or channel."""
        sends = self.sent(ok_only=False)
        found = _window_breaches([c.at for c in sends], 30, 1.0, "overall")
        by_chat: dict[str, list[float]] = {}
        for call in sends:
            by_chat.setdefault(call.chat, []).append(call.at)
        for chat, times in by_chat.items():
            private = chat.isdigit()
            found += _window_breaches(times, 1 if private else 20, 1.0 if private else 60.0,
                                      f"chat {chat}")
        return found


    async def _report(self, request: web.Request) -> web.Response:
        sends = [[c.at, c.chat, c.error] for c in self.sent(ok_only=False)]
        return web.json_response({"sends": sends, "violations": self.limit_violations(),
                                  "refused": self.refused})


def _window_breaches(times: list[float], count: int, period: float, what: str) -> list[str]:
    times = sorted(times)
    return [f"{what}: {count + 1} messages within {times[i + count] - times[i]:.3f} s"
            for i in range(len(times) - count) if times[i + count] - times[i] < period]


def _chat(chat: str, chat_type: str | None = None) -> dict[str, Any]:
    if chat.startswith("@"):
        return {"id": CHANNEL_ID, "type": "channel", "title": "Channel", "username": chat[1:]}
    if chat_type is None:
        chat_type = "private" if not chat.startswith("-") else "supergroup"
    if chat_type == "private":
        return {"id": int(chat), "type": "private", "first_name": "User"}
    return {"id": int(chat), "type": chat_type, "title": "Group"}


async def _params(request: web.Request) -> dict[str, Any]:
    if request.content_type == "application/json":
        data: dict[str, Any] = await request.json()
        return data
    form = await request.post()
    params: dict[str, Any] = {}
    for key, value in form.items():
        text = str(value)
        try:
            params[key] = json.loads(text) if text[:1] in "{[" else text
        except ValueError:
            params[key] = text
    return params


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _error(code: int, description: str, parameters: dict[str, Any] | None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=code)


def main() -> None:
    parser = argparse.ArgumentParser(description="The Bot API double, standalone.")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--enforce", action="store_true", help="answer 429 beyond the limits")
    parser.add_argument("--delay", type=float, default=0.0,
                        help="seconds before answering sendMessage (a network round trip)")
    args = parser.parse_args()
    double = BotApiDouble(enforce=args.enforce, delay=args.delay)
    double.host_port = args.port
    double.start()
    print(f"Bot API double: {double.url}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        double.stop()


if __name__ == "__main__":
    main()
