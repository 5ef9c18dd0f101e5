"""An HTTP receiver on 127.0.0.1 for webhooks and Apprise's json:// target.

Records every POST (headers and raw body); answers with the statuses queued in `script`
(then 200), and can hold a request open (`stall_at`) until `release` is set, so that a
test can kill the sender while its request is in flight.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int


class Receiver:
    def __init__(self, port: int = 0) -> None:
        self.received: list[Received] = []
        self.script: list[int] = []  # statuses to answer, in order, before 200s
        self.headers: dict[str, str] = {}  # extra response headers
        self.delay = 0.0
        self.stall_at: int | None = None  # hold the request with this number (1-based)
        self.stalled = threading.Event()
        self.release = threading.Event()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._server.request_queue_size = 128
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self) -> Receiver:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()

    def _answer(self, path: str, headers: dict[str, str], body: bytes) -> int:
        with self._lock:
            number = len(self.received) + 1
            status = self.script.pop(0) if self.script else 200
            self.received.append(Received(path, headers, body, status))
        if number == self.stall_at:
            self.stalled.set()
            self.release.wait(60)
        if self.delay:
            time.sleep(self.delay)
        return status

    def _handler(self) -> Any:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status = receiver._answer(self.path, dict(self.headers.items()), body)
                self.send_response(status)
                for name, value in receiver.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        return Handler

    def wait_for(self, count: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while len(self.received) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.received)} of {count} requests received")
            time.sleep(0.02)
