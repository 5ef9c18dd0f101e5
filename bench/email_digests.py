"""Benchmark: 1,000 daily email subscribers served against a local SMTP server.

Run: .venv/bin/python bench/email_digests.py [--subscribers 1000] [--events 12]
       [--database-url URL]
Prints the time `csto-monitor digest` takes (queue + render + send over one SMTP
connection) and the rate. Not a test: the figure goes into docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor import migrate
from monitor.config import Settings
from monitor.db import make_engine, session_factory
from monitor.digest_cli import send_due
from monitor.models import ChangeEvent, Item, Source, Subscriber
from tests.email.smtpd import free_port


def start_server(port: int) -> subprocess.Popen[bytes]:
    """aiosmtpd accepting and discarding every message, in its own process (own GIL)."""
    server = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l",
                               f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Sink"])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return server
        time.sleep(0.05)
    server.kill()
    raise SystemExit("the local SMTP server did not start")


def seed(database_url: str, subscribers: int, events: int) -> None:
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    detected = datetime.now(UTC) - timedelta(days=1)
    with session_factory(engine)() as session, session.begin():
        source = Source(name="csto-en", url="https://en.odkb-csto.org/news/", language="en")
        for n in range(events):
            item = Item(source=source, url=f"https://en.odkb-csto.org/news/news_odkb/{n}/",
                        section="news_odkb", slug=str(n), language="en",
                        published=date(2026, 11, 1 + n % 25),
                        title=f"The CSTO Secretary General met delegation number {n}",
                        lead="The parties discussed cooperation. They agreed to meet again.",
                        body="")
            session.add(ChangeEvent(item=item, kind="new", url=item.url, title=item.title,
                                    detected_at=detected + timedelta(minutes=n)))
        readers = [Subscriber(channel="email", address=f"reader{n}@example.org",
                              mode="daily", languages=[], sections=[], keywords=[])
                   for n in range(subscribers)]
        for reader in readers:  # they subscribed before the news: a digest lists it
            reader.digest_since = detected - timedelta(hours=1)
        session.add_all(readers)
    engine.dispose()


def settings(database_url: str, port: int) -> Settings:
    at = (datetime.now(UTC) + timedelta(hours=12)).strftime("%H:%M")
    return Settings.model_validate({
        "database_url": database_url,
        "sources": [{"name": "csto-en", "url": "https://en.odkb-csto.org/news/",
                     "language": "en"}],
        "delivery": {"max_attempts": 3},
        "email": {"smtp_host": "127.0.0.1", "smtp_port": port, "daily_at": at,
                  "sender": "CSTO news <news@example.org>", "secret": "b" * 32,
                  "public_url": "https://csto.example.org"}})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--events", type=int, default=12)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.db"
        seed(url, args.subscribers, args.events)
        port = free_port()
        server = start_server(port)
        try:
            started = time.perf_counter()
            queued, sent = asyncio.run(send_due(settings(url, port), "daily", False))
            elapsed = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait(10)
    print(f"{args.subscribers} daily subscribers, {args.events} events each: queued {queued}, "
          f"sent {sent} in {elapsed:.1f} s ({sent / elapsed:.0f} digests/s)")


if __name__ == "__main__":
    main()
