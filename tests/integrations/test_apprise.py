"""Apprise through its json:// target to a receiver on 127.0.0.1, via the outbox."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.config import ConfigError, load_settings
from core.models import Delivery
from notifier.registry import build_notifiers
from tests.integrations.events import deliver, due_now, settings_with, store_events
from tests.integrations.receiver import Receiver


def target(receiver: Receiver, path: str, **extra: object) -> dict[str, object]:
    return {"url": f"json://127.0.0.1:{receiver.port}{path}", **extra}


def test_matching_events_arrive_with_email_words(
        database_url: str, sessions: sessionmaker[Session], receiver: Receiver) -> None:
    settings = settings_with(database_url, apprise=[
        target(receiver, "/all", name="all"),
        target(receiver, "/ru", name="ru", languages=["ru"], language="ru")])
    notifiers = build_notifiers(settings, sessions)
    notifiers.pop("console")
    store_events(sessions, notifiers)
    assert deliver(sessions, notifiers).sent == 5
    assert deliver(sessions, notifiers).sent == 0
    everything = [json.loads(r.body) for r in receiver.received if r.path == "/all"]
    assert [m["title"] for m in everything] == [
        "[CSTO] Item 0 «title»", "[CSTO] Item 1 «title»", "[CSTO] Updated: Item 2 «title»",
        "[CSTO] Removed from the site: Item 3 «title»"]
    first = everything[0]["message"]
    assert first.startswith("* Item 0 «title»") and "Lead of item 0." in first
    assert "https://en.odkb-csto.org/news/news_odkb/item-0/" in first
    assert "Unsubscribe" not in first  # no mail footer in a chat
    russian = [json.loads(r.body) for r in receiver.received if r.path == "/ru"]
    assert len(russian) == 1 and russian[0]["title"].startswith("[CSTO] Изменено: Item 2")


def test_a_failure_is_retried_through_the_outbox(
        database_url: str, sessions: sessionmaker[Session], receiver: Receiver) -> None:
    settings = settings_with(database_url, apprise=[target(receiver, "/x", events=["new"],
                                                           sections=["speech"])])
    notifiers = build_notifiers(settings, sessions)
    notifiers.pop("console")
    store_events(sessions, notifiers)
    receiver.script = [500]
    deliver(sessions, notifiers)
    with sessions() as session:
        row = session.scalars(select(Delivery)).one()
        assert (row.status, row.attempts) == ("pending", 1) and row.channel == "apprise"
    due_now(sessions)
    assert deliver(sessions, notifiers).sent == 1
    assert [r.status for r in receiver.received] == [500, 200]


def test_an_unknown_apprise_url_fails_at_start(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("sources: [{name: a, url: 'http://127.0.0.1:9/', language: en}]\n"
                      "apprise: [{url: 'nosuchservice://token'}]\n")
    with pytest.raises(ConfigError, match=r"apprise\.0\.url: Value error, not a URL Apprise"):
        load_settings(config, env={})
    config.write_text(config.read_text().replace("nosuchservice://token",
                                                 "ntfy://secret-topic-name"))
    assert "ntfy://secret-topic-name" in load_settings(config, env={}).secrets()
