"""A tiny local copy of the site, served from the fixture pages on 127.0.0.1."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PAGES = Path(__file__).parent / "pages"
LIVE_HOSTS = ("https://en.odkb-csto.org", "http://en.odkb-csto.org")
ETAG = '"listing-v1"'
LAST_MODIFIED = "Fri, 07 Feb 2025 10:00:00 GMT"

ITEM_1 = (
    "/news/news_odkb/the-csto-secretary-general-participated-in-the-fourth-meeting-of-chairmen-"
    "of-committees-commissions-o-/"
)
ROUTES: dict[str, str | int] = {
    "/robots.txt": "User-agent: *\nDisallow: /private/\n",
    "/news/": "bitrix/listing_1.html",
    "/news/?PAGEN_1=2": "bitrix/listing_2.html",
    ITEM_1: "bitrix/detail_seed.html",
    "/news/news_odkb/anons-joint-exercise-interaction-2025/": "bitrix/detail_glued.html",
    "/news/smi/interview_of_the_secretary%20general_to_ria.novosti2/": (
        "bitrix/detail_attachments.html"
    ),
    "/documents/statements/statement-of-the-csto-foreign-ministers/": (
        "bitrix/detail_statement.html"
    ),
    "/news/news_odkb/meeting-of-the-csto-permanent-council/": "bitrix/detail_statement.html",
    "/news/speech/speech_of_the_csto_secretary_general_at_the_osce/": 500,
    "/news/news_odkb/hostile-title/": "bitrix/detail_hostile.html",
    "/news/news_odkb/broken-page/": "bitrix/detail_nodate.html",
    "/news/news_odkb/moved-off-listing/": "bitrix/detail_statement.html",
    "/news/news_odkb/removed-item/": 404,
    "/news/news_odkb/withdrawn-item/": 410,
}


def page(name: str) -> str:
    """The text of a fixture page."""
    return (PAGES / name).read_text("utf-8")


@dataclass
class Site:
    base: str
    hits: Counter[str] = field(default_factory=Counter)
    headers: dict[str, dict[str, str]] = field(default_factory=dict)


def _route(path: str) -> str | int:
    if path.startswith("/news/?PAGEN_1="):
        return "bitrix/listing_2.html"  # like Bitrix: a too-large page is the last one again
    if path.startswith("/slow/"):
        time.sleep(3)
        return 503
    return ROUTES.get(path, 404)


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path
            site.hits[path] += 1
            site.headers[path] = dict(self.headers.items())
            if path == "/news/" and self.headers.get("If-None-Match") == ETAG:
                self._send(304, b"")
                return
            route = _route(path)
            if isinstance(route, int):
                self._send(route, f"<html><body>HTTP {route}</body></html>".encode())
                return
            text = route if path == "/robots.txt" else page(route)
            for host in LIVE_HOSTS:
                text = text.replace(host, site.base)
            self._send(200, text.encode("utf-8"), listing=path == "/news/")

        def _send(self, status: int, body: bytes, listing: bool = False) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            if listing:
                self.send_header("ETag", ETAG)
                self.send_header("Last-Modified", LAST_MODIFIED)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # the default backlog of 5 makes every crawl ~1 s slower
    daemon_threads = True


def serve() -> tuple[Site, _Server]:
    server = _Server(("127.0.0.1", 0), _handler(Site(base="")))
    site = Site(base=f"http://127.0.0.1:{server.server_address[1]}")
    server.RequestHandlerClass = _handler(site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return site, server
