"""ReplicaServer: serves a World over HTTP on 127.0.0.1, with a request log and faults."""

from __future__ import annotations

import contextlib
import socket
import struct
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self, TextIO

from tests.replica.common import Context
from tests.replica.routes import MARKUPS, Response, Site, respond
from tests.replica.world import Article, World


@dataclass(frozen=True)
class LoggedRequest:
    """One request as the server saw it."""

    method: str
    path: str  # with the query string
    status: int  # 0 when the connection was reset without an answer
    headers: dict[str, str]  # names lower-cased
    fault: str | None  # the fault applied, if any
    time: float  # time.monotonic() when answered


class RequestLog:
    """A thread-safe list of LoggedRequest."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[LoggedRequest] = []

    def add(self, record: LoggedRequest) -> None:
        """Append one record."""
        with self._lock:
            self._records.append(record)

    def all(self) -> list[LoggedRequest]:
        """A copy of all records, oldest first."""
        with self._lock:
            return list(self._records)

    def to(self, path_prefix: str) -> list[LoggedRequest]:
        """Records whose path (with query) starts with path_prefix."""
        return [r for r in self.all() if r.path.startswith(path_prefix)]

    def clear(self) -> None:
        """Forget all records."""
        with self._lock:
            self._records.clear()


class _HTTPServer(ThreadingHTTPServer):
    request_queue_size = 128
    daemon_threads = True
    allow_reuse_address = True
    replica: ReplicaServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


class _CountingWriter:
    """The handler's output stream, counting the bytes written (headers and body)."""

    def __init__(self, raw: Any) -> None:
        self.raw, self.count = raw, 0

    def write(self, data: bytes) -> int:
        self.count += len(data)
        return int(self.raw.write(data))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "nginx"
    timeout = 30  # idle keep-alive connections end eventually
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        self.counter = _CountingWriter(self.wfile)
        self.wfile = self.counter  # type: ignore[assignment]
        self.server.replica._track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.replica._track(self.connection, add=False)

    def version_string(self) -> str:
        return self.server_version

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _serve(self, head: bool) -> None:
        replica = self.server.replica
        try:
            response = respond(replica.site(), self.path, self.headers)
        except Exception:
            traceback.print_exc()
            response = Response(500, b"replica error", {"Content-Type": "text/plain"})
        headers = {key.lower(): value for key, value in self.headers.items()}
        record = LoggedRequest(self.command, self.path, response.status, headers,
                               response.fault, time.monotonic())
        replica.log.add(record)
        written = self.counter.count
        self._deliver(response, head, replica)
        replica.answered(record, self.counter.count - written)

    def _deliver(self, response: Response, head: bool, replica: ReplicaServer) -> None:
        if response.fault == "hang" and replica._stopping.wait(replica.world.hang_seconds):
            self.close_connection = True
            return
        if response.fault == "reset":
            self._reset()
            return
        truncated = response.fault == "truncated"
        self.send_response(response.status)
        for key, value in response.headers.items():
            self.send_header(key, value)
        if response.status != 304:
            self.send_header("Content-Length", str(len(response.body)))
        if truncated:
            self.send_header("Connection", "close")
        self.end_headers()
        if not head:
            body = response.body
            self.wfile.write(body[: len(body) // 2] if truncated else body)
        self.close_connection = self.close_connection or truncated

    def _reset(self) -> None:
        """Close the connection with a TCP RST, without a byte of answer."""
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.rfile.close()
        self.connection.close()


class ReplicaServer:
    """One language site of a World, served on host:port (port 0 picks a free one)."""

    def __init__(self, world: World, markup: str = "bitrix", host: str = "127.0.0.1",
                 port: int = 0, language: str | None = None) -> None:
        self.world = world
        self.host = host
        self.language = language or next((a.language for a in world.articles), "en")
        self.log = RequestLog()
        self.markup = markup
        self._port = port
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._conns: set[socket.socket] = set()
        self._conns_lock = threading.Lock()
        self.access_log: TextIO | None = None  # "METHOD PATH STATUS BYTES" per answer

    @property
    def markup(self) -> str:
        """The markup served ('bitrix', 'modern' or 'portal'); can be switched while running."""
        return self._markup

    @markup.setter
    def markup(self, name: str) -> None:
        if name not in MARKUPS:
            raise ValueError(f"unknown markup {name!r}; use one of {sorted(MARKUPS)}")
        self._markup = name

    def start(self) -> Self:
        """Start serving (again, on the same port after a stop); returns self."""
        if self._httpd is not None:
            return self
        self._stopping = threading.Event()
        self._httpd = _HTTPServer((self.host, self._port), _Handler)
        self._httpd.replica = self
        self._port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,),
                                        name=f"replica-{self._port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, end hanging answers and drop open keep-alive connections."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._stopping.set()
        httpd.shutdown()
        httpd.server_close()
        with self._conns_lock:
            conns = list(self._conns)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def running(self) -> bool:
        """Whether the server is accepting connections."""
        return self._httpd is not None

    @property
    def port(self) -> int:
        """The bound port (known after the first start)."""
        if not self._port:
            raise RuntimeError("the server has not been started")
        return self._port

    @property
    def url(self) -> str:
        """The base URL, e.g. http://127.0.0.1:PORT (no trailing slash)."""
        return f"http://{self.host}:{self.port}"

    @property
    def listing_url(self) -> str:
        """The main news listing: <url>/news/."""
        return self.url + "/news/"

    def url_for(self, target: Article | str) -> str:
        """The canonical absolute URL of an article (or of a path)."""
        return target.url(self.url) if isinstance(target, Article) else self.url + target

    @property
    def requests(self) -> list[LoggedRequest]:
        """All logged requests, oldest first."""
        return self.log.all()

    def requests_to(self, path_prefix: str) -> list[LoggedRequest]:
        """Logged requests whose path (with query) starts with path_prefix."""
        return self.log.to(path_prefix)

    def clear_log(self) -> None:
        """Forget logged requests."""
        self.log.clear()

    def site(self) -> Site:
        """What the next request is answered from."""
        ctx = Context(self.language, self.url, date.today())
        return Site(self.world, MARKUPS[self._markup], ctx)

    def answered(self, record: LoggedRequest, sent: int) -> None:
        """Write one access-log line (benchmarks count requests and bytes from it)."""
        if self.access_log is not None:
            with self._conns_lock:
                self.access_log.write(f"{record.method} {record.path} {record.status} {sent}\n")
                self.access_log.flush()

    def _track(self, conn: socket.socket, add: bool) -> None:
        with self._conns_lock:
            (self._conns.add if add else self._conns.discard)(conn)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
