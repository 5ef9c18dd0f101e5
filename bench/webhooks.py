"""Webhook deliveries per second to a receiver on 127.0.0.1, through the outbox.

N change events (new items) are stored and their deliveries queued as a poll queues them
(`outbox.enqueue` with the real `WebhookNotifier`), then the daemon's delivery path
(`notifier.dispatch.deliver_due`) drains the outbox on SQLite: payload read, signed,
POSTed, marked sent, one row at a time per webhook (each webhook's events stay in
order). The receiver (aiohttp, its own process) checks every signature and counts.

    .venv/bin/python -m bench.webhooks [--quick] [--markdown docs/benchmarks.md]
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date
from pathlib import Path

from bench import common

EVENTS, QUICK_EVENTS = 2_000, 200
SECRET = "bench-webhook-secret-0123"


def receive(port: int) -> None:
    """A receiver that verifies each signature; GET /count tells what it saw."""
    from aiohttp import web

    seen = {"ok": 0, "bad": 0}

    async def hook(request: web.Request) -> web.Response:
        body = await request.read()
        expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        good = hmac.compare_digest(expected, request.headers["X-CSTO-Signature"])
        seen["ok" if good else "bad"] += 1
        return web.Response(status=204)

    async def count(request: web.Request) -> web.Response:
        return web.json_response(seen)

    app = web.Application()
    app.add_routes([web.post("/{name}", hook), web.get("/count", count)])
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def seed(url: str, events: int) -> None:
    from sqlalchemy import insert

    from core.db import open_database
    from core.models import ChangeEvent, CrawlRun, Item, Source, utcnow

    database = open_database(url)
    with database.sessions() as session, session.begin():
        source = Source(name="csto-en", url="https://en.odkb-csto.org/news/", language="en")
        session.add(source)
        session.flush()
        run = CrawlRun(source_id=source.id, outcome="changed")
        session.add(run)
        session.flush()
        now = utcnow()
        items = [{"source_id": source.id, "url": f"https://en.odkb-csto.org/news/x/{n}/",
                  "section": "news_odkb", "slug": str(n), "language": "en",
                  "published": date(2026, 11, 1), "title": f"Item {n}", "lead": "Lead.",
                  "body": "Body.", "first_seen": now, "last_changed": now, "last_seen": now}
                 for n in range(events)]
        ids = session.scalars(insert(Item).returning(Item.id), items).all()
        session.execute(insert(ChangeEvent), [
            {"item_id": i, "run_id": run.id, "kind": "new", "detected_at": now,
             "url": f"u{i}", "title": f"Item {i}", "fields": [], "previous": {}}
            for i in ids])
    database.engine.dispose()


async def deliver(url: str, port: int, hooks: int) -> tuple[float, int]:
    from sqlalchemy import select

    from core.config import Settings
    from core.db import make_engine, session_factory
    from core.models import ChangeEvent
    from notifier import outbox
    from notifier.channels.webhook import WebhookNotifier
    from notifier.dispatch import deliver_due

    settings = Settings.model_validate({
        "database_url": url, "sources": [{"name": "csto-en", "language": "en",
                                          "url": "https://en.odkb-csto.org/news/"}],
        "webhooks": [{"url": f"http://127.0.0.1:{port}/h{n}", "secret": SECRET,
                      "name": f"h{n}"} for n in range(hooks)]})
    engine = make_engine(url)
    sessions = session_factory(engine)
    notifier = WebhookNotifier(settings, sessions)
    with sessions() as session, session.begin():
        events = list(session.scalars(select(ChangeEvent)))
        queued = outbox.enqueue(session, events, {"webhook": notifier}, ("new",))
    started = time.perf_counter()
    result = await deliver_due(sessions, {"webhook": notifier})
    wall = time.perf_counter() - started
    engine.dispose()
    assert result.sent == queued, result
    return wall, result.sent


def count(port: int) -> dict[str, int]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/count", timeout=10) as reply:
        seen: dict[str, int] = json.load(reply)
    return seen


def measure(events: int) -> list[str]:
    rows = []
    for hooks in (1, 4):
        with tempfile.TemporaryDirectory(prefix="bench-webhooks-") as tmp:
            url = f"sqlite:///{Path(tmp) / 'bench.db'}"
            seed(url, events // hooks)
            port = common.free_port()
            receiver = subprocess.Popen([sys.executable, "-m", "bench.webhooks", "--receive",
                                         str(port)], cwd=common.ROOT)
            try:
                common.wait_port(port)
                wall, sent = asyncio.run(deliver(url, port, hooks))
                seen = count(port)
            finally:
                common.stop(receiver)
        assert seen == {"ok": sent, "bad": 0}, seen
        rows.append(f"| {hooks} webhook(s), {sent:,} deliveries (SQLite) | "
                    f"{sent / wall:.0f} deliveries/s ({wall:.1f} s; every signature "
                    f"verified) | — |")
    return rows


def run(quick: bool = False) -> str:
    events = QUICK_EVENTS if quick else EVENTS
    rows = measure(events)
    command = ".venv/bin/python -m bench.webhooks" + (" --quick" if quick else "")
    return "\n".join([
        "## 9. Webhook deliveries", "",
        f"Command: `{command} --markdown docs/benchmarks.md` (the daemon's delivery path "
        "in-process on SQLite; the receiver, aiohttp, in its own process on 127.0.0.1).",
        "", "| figure | value | goal |", "| --- | --- | --- |", *rows, "",
        "Reading: each delivery reads its event and item, signs the body (HMAC-SHA256), "
        "POSTs it on a kept-alive connection and commits its row as sent before the next "
        "one of the same webhook (a webhook's events arrive in order); several webhooks are "
        "served at once (`concurrency` 8), so the rate grows with their number until the "
        "database commits dominate.", ""])


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--receive":
        receive(int(sys.argv[2]))
        return
    common.run_alone(run, __doc__)


if __name__ == "__main__":
    main()
