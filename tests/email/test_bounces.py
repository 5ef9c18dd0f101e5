"""Permanent refusals (5xx at RCPT or at DATA) pause a subscriber after `email.max_bounces`
in a row, and `csto-monitor subscribers list` says why (both backends)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from core.db import make_engine, session_factory
from core.migrate import upgrade
from notifier.channels.email import EmailNotifier
from tests.e2e.harness import cli, write_config
from tests.email.smtpd import SmtpServer
from tests.email.test_sending import deliver, publish, settings, smtp, statuses, subscribe

__all__ = ["smtp"]  # the fixture


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    """Committed for real: `subscribers list` runs in another process."""
    engine = make_engine(database_url)
    upgrade(engine)
    yield session_factory(engine)
    engine.dispose()


def listed(url: str, tmp_path: Path) -> dict[str, dict[str, object]]:
    conf = write_config(tmp_path / "config.yaml", [{"name": "csto-en", "language": "en",
                        "url": "https://en.odkb-csto.org/news/"}], url)
    result = cli(conf, "subscribers", "list", "--format", "json")
    assert result.code == 0, result.err
    table = cli(conf, "subscribers", "list", env={"COLUMNS": "400"}).out
    assert "status_reason" in table and "550 5.1.1 No such user" in table
    return {row["address"]: row for row in json.loads(result.out)}


def test_three_refusals_at_data_or_rcpt_pause_with_the_reason(
        sessions: sessionmaker[Session], database_url: str, smtp: SmtpServer, tmp_path: Path
) -> None:
    db_sessions = sessions
    notifier = EmailNotifier(settings(smtp.port), db_sessions)  # max_bounces: default 3
    assert notifier.config.max_bounces == 3
    subscribe(db_sessions, "full@example.org", "gone@example.org", "ann@example.org")
    smtp.handler.refuse_data["full@example.org"] = "552 5.2.2 Mailbox full"
    smtp.handler.refuse["gone@example.org"] = "550 5.1.1 No such user"
    for n, title in enumerate(("First", "Second"), 1):
        publish(db_sessions, notifier, title)
        deliver(db_sessions, notifier)
        assert statuses(db_sessions)["full@example.org"] == ("active", n)
    smtp.handler.refuse_data.clear()  # a success in between starts the count again
    publish(db_sessions, notifier, "Third")
    deliver(db_sessions, notifier)
    assert statuses(db_sessions)["full@example.org"] == ("active", 0)
    assert statuses(db_sessions)["gone@example.org"] == ("bouncing", 3)
    smtp.handler.refuse_data["full@example.org"] = "552 5.2.2 Mailbox full"
    for title in ("Fourth", "Fifth", "Sixth", "Seventh"):
        publish(db_sessions, notifier, title)
        deliver(db_sessions, notifier)
    assert statuses(db_sessions)["full@example.org"] == ("bouncing", 3)
    assert len(smtp.handler.to("ann@example.org")) == 7
    assert len(smtp.handler.to("full@example.org")) == 1  # the Third; none after pausing
    rows = listed(database_url, tmp_path)
    assert rows["full@example.org"]["status"] == "bouncing"
    assert "3 permanent refusals in a row" in str(rows["full@example.org"]["status_reason"])
    assert "552 5.2.2 Mailbox full" in str(rows["full@example.org"]["status_reason"])
    assert "550 5.1.1 No such user" in str(rows["gone@example.org"]["status_reason"])
    assert rows["ann@example.org"]["status_reason"] is None
