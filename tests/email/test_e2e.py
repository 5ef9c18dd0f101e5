"""End to end: the real `csto-monitor` commands, the site replica and a real SMTP server.

Each test runs on SQLite and PostgreSQL. `csto-monitor digest` sends each subscriber what
is pending now (the events since they subscribed or since their previous digest), so the
tests subscribe, make news and run it; `daily_at` is 12 hours ahead, out of the way.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from core.db import make_engine, session_factory
from core.models import ChangeEvent, Delivery, Subscriber
from notifier.tokens import verify
from tests.e2e.harness import CLI, ROOT, SWEEP_CRAWL, Daemon, cli, source, write_config
from tests.email.smtpd import Recorder, SmtpServer, drop_first_connections, free_port
from tests.replica import ReplicaServer, World, make_article

SECRET = "e2e-secret-0123456789abcdef"
HOSTILE = "Summit\r\nBcc: x@y <b>bold</b> & co"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(Recorder()).start()
    yield server
    server.stop()


def config(tmp_path: Path, replica: ReplicaServer, database_url: str, port: int,
           daily_in: timedelta = timedelta(hours=12), **extra: Any) -> Path:
    at = (datetime.now(UTC) + daily_in).strftime("%H:%M")
    email = {"smtp_host": "127.0.0.1", "smtp_port": port, "sender": "CSTO news <news@example.org>",
             "public_url": "https://csto.example.org", "secret": SECRET, "daily_at": at,
             "timezone": "UTC", "connect_timeout": "2s", "command_timeout": "5s"}
    return write_config(tmp_path / "config.yaml", [source(replica.listing_url)], database_url,
                        email=email, delivery={"lease": "2s"}, crawl=SWEEP_CRAWL, **extra)


def ok(*args: Any) -> str:
    result = cli(*args)
    assert result.code == 0, result.err
    assert "Traceback" not in result.err
    return result.out


def body(msg: EmailMessage, kind: str) -> str:
    part = msg.get_body((kind,))
    assert part is not None
    return str(part.get_content())


def news_happened(world: World, conf: Path) -> None:
    ok(conf, "check")  # baseline, silent
    world.publish(make_article(HOSTILE, slug="summit-hostile", published=date(2025, 7, 2)))
    world.publish(make_article("Exercise Rubezh opens", slug="rubezh",
                               published=date(2025, 7, 3)))
    listed = world.articles_in("en")
    world.edit(listed[4].id, title="An edited title of a story")
    ok(conf, "check")  # the new items; this listing prints the edited story's lead, so
    ok(conf, "check")  # its title edit is found when the newest pages are re-read (sweep)


def test_instant_mail_from_a_replica_change(tmp_path: Path, world: World,
                                            replica: ReplicaServer, database_url: str,
                                            smtp: SmtpServer) -> None:
    conf = config(tmp_path, replica, database_url, smtp.port)
    ok(conf, "check")
    assert "added ann@example.org: instant" in ok(conf, "subscribers", "add", "Ann@Example.org")
    world.publish(make_article(HOSTILE, slug="summit-hostile", published=date(2025, 7, 2)))
    ok(conf, "check")
    [msg] = smtp.handler.to("ann@example.org")
    assert msg["Subject"] == "[CSTO] Summit Bcc: x@y <b>bold</b> & co"
    assert msg["Bcc"] is None and smtp.handler.messages[0][0] == ["ann@example.org"]
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; co" in body(msg, "html")
    assert "/summit-hostile/" in body(msg, "plain")
    ok(conf, "check")
    assert len(smtp.handler.to("ann@example.org")) == 1


def test_daily_digest_once_with_working_unsubscribe(
        tmp_path: Path, world: World, replica: ReplicaServer, database_url: str,
        smtp: SmtpServer) -> None:
    conf = config(tmp_path, replica, database_url, smtp.port)
    ok(conf, "subscribers", "add", "ann@example.org", "--mode", "daily")
    ok(conf, "subscribers", "add", "ivan@example.org", "--mode", "daily", "--lang", "ru")
    news_happened(world, conf)
    preview = ok(conf, "digest", "--dry-run")
    assert "To: ann@example.org" in preview and "1 digest(s) would be sent" in preview
    assert smtp.handler.messages == []
    assert "1 digest(s) queued, 1 sent" in ok(conf, "digest", "--period", "daily")
    assert "0 digest(s) queued, 0 sent" in ok(conf, "digest")
    [msg] = smtp.handler.parsed()  # Ivan reads Russian news only: nothing for him
    assert msg["To"] == "ann@example.org"
    assert msg["Subject"].startswith("CSTO news digest: 2 new, 1 updated — ")
    assert msg.get_content_type() == "multipart/alternative"
    text, html = body(msg, "plain"), body(msg, "html")
    assert text.index("Exercise Rubezh opens") < text.index("Summit Bcc")  # newest first
    assert "An edited title of a story" in text.split("== Updated ==")[1]
    assert "<b>bold" not in html and "/rubezh/" in html
    url = msg["List-Unsubscribe"].split(",")[0].strip("<> ")
    assert url.startswith("https://csto.example.org/unsubscribe?token=")
    assert verify(SECRET, url.split("token=")[1]) == ("email", "ann@example.org")
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_digest_survives_two_refused_connections(
        tmp_path: Path, world: World, replica: ReplicaServer, database_url: str) -> None:
    port = free_port()
    server = SmtpServer(Recorder(), port)
    conf = config(tmp_path, replica, database_url, port)
    for name in ("ann", "bob", "cy"):
        ok(conf, "subscribers", "add", f"{name}@example.org", "--mode", "daily")
    news_happened(world, conf)
    gate = drop_first_connections(port, 2, then=server)
    try:
        assert "3 digest(s) queued, 3 sent" in ok(conf, "digest")
        gate.join(5)
        ok(conf, "digest")
        for name in ("ann", "bob", "cy"):
            assert len(server.handler.to(f"{name}@example.org")) == 1
    finally:
        server.stop()


def test_kill_9_between_two_recipients_then_each_gets_exactly_one(
        tmp_path: Path, world: World, replica: ReplicaServer, database_url: str,
        smtp: SmtpServer) -> None:
    conf = config(tmp_path, replica, database_url, smtp.port)
    names = ("ann", "bob", "cy")
    for name in names:
        ok(conf, "subscribers", "add", f"{name}@example.org", "--mode", "daily")
    news_happened(world, conf)
    smtp.handler.stall_after = 1  # the 2nd recipient hangs at RCPT
    proc = subprocess.Popen([*CLI, "--config", str(conf), "digest"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert smtp.handler.stalled.wait(60), "the digest run never reached the 2nd recipient"
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    smtp.handler.stall_after = None
    smtp.handler.release.set()
    time.sleep(2.5)  # the killed run's lease (2s) on its claimed rows runs out
    ok(conf, "digest")
    ok(conf, "digest")
    assert sorted(rcpt[0] for rcpt, _ in smtp.handler.messages) == [
        f"{name}@example.org" for name in names]
    engine = make_engine(database_url)
    with session_factory(engine)() as session:
        rows = session.scalars(select(Delivery).where(Delivery.channel == "email")).all()
    engine.dispose()
    assert len(rows) == 3 and {r.status for r in rows} == {"sent"}


def went_back(database_url: str, delta: timedelta) -> None:
    """Make it all `delta` older: the subscriptions, the news, and so the daemon's absence."""
    engine = make_engine(database_url)
    with session_factory(engine)() as session, session.begin():
        for event in session.scalars(select(ChangeEvent)):
            event.detected_at -= delta
        for subscriber in session.scalars(select(Subscriber)):
            assert subscriber.digest_since is not None
            subscriber.digest_since -= delta
    engine.dispose()


def test_a_daemon_down_for_two_days_sends_one_digest_for_the_gap_and_none_on_restart(
        tmp_path: Path, world: World, replica: ReplicaServer, database_url: str,
        smtp: SmtpServer) -> None:
    conf = config(tmp_path, replica, database_url, smtp.port, daily_in=-timedelta(hours=1),
                  poll_interval="1h")
    ok(conf, "subscribers", "add", "ann@example.org", "--mode", "daily")
    news_happened(world, conf)
    went_back(database_url, timedelta(days=2))  # two send times passed without a daemon
    daemon = Daemon(conf, tmp_path).start()
    try:
        daemon.wait_for(lambda: len(smtp.handler.messages) >= 1, 60, "the digest")
    finally:
        assert daemon.stop() == 0
    daemon.start()  # a restart in the same period sends nothing again
    try:
        daemon.wait_for_log("daemon started", count=2)
        time.sleep(3)
    finally:
        assert daemon.stop() == 0
    [msg] = smtp.handler.to("ann@example.org")
    text = body(msg, "plain")
    assert text.count("Exercise Rubezh opens") == text.count("Summit Bcc") == 1
    assert "An edited title of a story" in text.split("== Updated ==")[1]
    assert "queued 1 digest(s)" in daemon.err and "Traceback" not in daemon.err
