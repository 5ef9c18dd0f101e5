"""Webhooks through the outbox, to a receiver on 127.0.0.1, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.config import ConfigError, load_settings
from core.models import Delivery, Subscriber, utcnow
from notifier.registry import build_notifiers
from tests.integrations.events import deliver, due_now, settings_with, store_events
from tests.integrations.receiver import Receiver

SECRET = "webhook-secret-0123456789"


def verify(secret: str, body: bytes, header: str) -> bool:
    """The five lines of docs/integrations.md: how a receiver checks a delivery."""
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header)


def hook(receiver: Receiver, path: str = "/hook", **extra: object) -> dict[str, object]:
    return {"url": receiver.url + path, "secret": SECRET, "timeout": "5s", **extra}


def _deliveries(sessions: sessionmaker[Session]) -> list[Delivery]:
    with sessions() as session:
        return list(session.scalars(select(Delivery).where(Delivery.channel == "webhook")
                                    .order_by(Delivery.id)))


def test_each_matching_event_is_posted_signed_once(
        database_url: str, sessions: sessionmaker[Session], receiver: Receiver) -> None:
    from openapi_schema_validator import OAS31Validator

    from csto_monitor.web.api.openapi import document

    settings = settings_with(database_url, webhooks=[
        hook(receiver, "/all", name="all"),
        hook(receiver, "/speech", name="speech", sections=["speech"]),
        hook(receiver, "/ru-edits", name="ru-edits", events=["edited"], languages=["ru"])])
    notifiers = build_notifiers(settings, sessions)
    ids = store_events(sessions, notifiers)
    assert deliver(sessions, notifiers).sent == 4 + 6  # the console too
    assert deliver(sessions, notifiers).sent == 0
    by_path = {p: [r for r in receiver.received if r.path == p]
               for p in ("/all", "/speech", "/ru-edits")}
    assert [len(v) for v in by_path.values()] == [4, 1, 1]
    schema = OAS31Validator({"$ref": "#/components/schemas/WebhookPayload",
                             "components": document()["components"]})
    for got in receiver.received:
        assert verify(SECRET, got.body, got.headers["X-CSTO-Signature"])
        assert not verify("another-secret-0123456", got.body,
                          got.headers["X-CSTO-Signature"])
        body = json.loads(got.body)
        schema.validate(body)
        assert got.headers["X-CSTO-Event"] == body["event"]["kind"]
        name = got.path.strip("/")
        assert got.headers["X-CSTO-Delivery"] == f"{body['event']['id']}:webhook:{name}"
        assert got.headers["Content-Type"] == "application/json"
    first = json.loads(by_path["/all"][0].body)
    assert first["event"]["id"] == ids[0] and first["item"]["title"] == "Item 0 «title»"
    assert json.loads(by_path["/ru-edits"][0].body)["event"]["fields"] == ["title"]
    assert {r.status for r in _deliveries(sessions)} == {"sent"}


def test_500_twice_then_200_delivers_once(database_url: str, sessions: sessionmaker[Session],
                                          receiver: Receiver) -> None:
    settings = settings_with(database_url, webhooks=[hook(receiver, events=["edited"])])
    notifiers = build_notifiers(settings, sessions)
    notifiers.pop("console")
    store_events(sessions, notifiers)
    receiver.script = [500, 503]
    for rounds in range(1, 4):
        result = deliver(sessions, notifiers)
        row = _deliveries(sessions)[0]
        assert (row.status, row.attempts) == (("pending", rounds) if rounds < 3 else
                                              ("sent", 3)), result
        if rounds == 1:  # retried with the outbox's backoff, not at once
            assert row.next_attempt_at > utcnow() + timedelta(seconds=50)
            assert deliver(sessions, notifiers).sent == 0
        due_now(sessions)
    assert [r.status for r in receiver.received] == [500, 503, 200]
    assert len({r.headers["X-CSTO-Delivery"] for r in receiver.received}) == 1
    assert len({r.body for r in receiver.received}) == 1
    assert deliver(sessions, notifiers).sent == 0 and len(receiver.received) == 3


@pytest.mark.parametrize(("status", "outcome"), [
    (400, "failed"), (404, "failed"), (301, "failed"), (429, "pending"), (502, "pending")])
def test_4xx_fails_for_good_5xx_and_429_are_retried(
        database_url: str, sessions: sessionmaker[Session], receiver: Receiver, status: int,
        outcome: str) -> None:
    settings = settings_with(database_url, webhooks=[hook(receiver, events=["new"])])
    notifiers = build_notifiers(settings, sessions)
    notifiers.pop("console")
    store_events(sessions, notifiers)
    receiver.script = [status] * 10
    receiver.headers = {"Retry-After": "7"}
    deliver(sessions, notifiers)
    rows = _deliveries(sessions)
    assert [r.status for r in rows] == [outcome, outcome]
    assert f"HTTP {status}" in (rows[0].last_error or "")
    assert SECRET not in (rows[0].last_error or "") and "127.0.0.1" not in (
        rows[0].last_error or "")
    if outcome == "pending":  # Retry-After is honoured
        wait = (rows[0].next_attempt_at - utcnow()).total_seconds()
        assert 4 < wait <= 7


def test_410_disables_the_webhook(database_url: str, sessions: sessionmaker[Session],
                                  receiver: Receiver) -> None:
    settings = settings_with(database_url, webhooks=[hook(receiver, name="gone")])
    notifiers = build_notifiers(settings, sessions)
    notifiers.pop("console")
    store_events(sessions, notifiers)
    receiver.script = [410]
    deliver(sessions, notifiers)
    assert len(receiver.received) == 1  # the other queued deliveries are dropped unsent
    assert {r.status for r in _deliveries(sessions)} == {"failed"}
    with sessions() as session:
        row = session.scalars(select(Subscriber).where(Subscriber.channel == "webhook")).one()
        assert (row.address, row.status) == ("gone", "disabled")
    with sessions() as session:  # and no later event is queued for it
        from core.models import ChangeEvent

        event = session.scalars(select(ChangeEvent)).first()
        assert event is not None and notifiers["webhook"].recipients(session, event) == []


def test_a_timeout_is_retried(database_url: str, sessions: sessionmaker[Session],
                              receiver: Receiver) -> None:
    settings = settings_with(database_url, webhooks=[
        {**hook(receiver, events=["edited"]), "timeout": "0.3s"}])
    notifiers = build_notifiers(settings, sessions)
    notifiers.pop("console")
    store_events(sessions, notifiers)
    receiver.delay = 1.0
    deliver(sessions, notifiers)
    row = _deliveries(sessions)[0]
    assert row.status == "pending" and "no answer within 0.3 s" in (row.last_error or "")
    receiver.delay = 0
    due_now(sessions)
    deliver(sessions, notifiers)
    assert _deliveries(sessions)[0].status == "sent"


def test_webhook_configuration_is_checked(tmp_path: object) -> None:
    from pathlib import Path

    config = Path(str(tmp_path)) / "c.yaml"
    base = "sources: [{name: a, url: 'http://127.0.0.1:9/', language: en}]\n"
    for extra, message in (
        ("webhooks: [{url: 'ftp://x/', secret: '0123456789abcdef'}]",
         "webhooks.0.url: URL scheme should be 'http' or 'https'"),
        ("webhooks: [{url: 'http://x/', secret: short}]",
         "webhooks.0.secret: String should have at least 16 characters"),
        ("webhooks: [{url: 'http://x/', secret: '0123456789abcdef', events: [moved]}]",
         "webhooks.0.events.0: Input should be 'new', 'edited', 'removed', "
         "'document_changed' or 'diverged'"),
        ("webhooks: [{url: 'http://x/', secret: '0123456789abcdef'}, "
         "{url: 'http://x/', secret: '0123456789abcdef'}]", "two entries share the name"),
    ):
        config.write_text(base + extra + "\n")
        with pytest.raises(ConfigError, match=message):
            load_settings(config, env={})
    config.write_text(base + "webhooks: [{url: 'http://x/', secret: '0123456789abcdef'}]\n")
    assert "0123456789abcdef" in load_settings(config, env={}).secrets()
