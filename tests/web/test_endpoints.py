"""The HTTP endpoints against a stored history, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.config import ConfigError, load_settings
from core.db import make_engine, session_factory
from core.models import CrawlRun, Item, Source, Subscriber
from csto_monitor.web.health import scheduler_problem
from notifier.tokens import sign
from tests.web.helpers import (
    HOSTILE,
    T0,
    LiveServer,
    edit_item,
    fetch,
    free_port,
    settings_for,
)

ATOM = "{http://www.w3.org/2005/Atom}"
SECRET = "a-test-secret-of-some-length"



def test_readyz_turns_503_when_a_source_fails_while_healthz_stays_200(
        server: LiveServer, history_ids: dict[str, int], sessions: sessionmaker[Session]) -> None:
    reply = fetch(server.url + "/readyz")
    assert reply.status == 200 and reply.json()["sources"][0]["state"] == "ok"
    with sessions() as session, session.begin():
        session.scalars(select(Source)).one().consecutive_failures = 1
    reply = fetch(server.url + "/readyz")
    assert reply.status == 503 and reply.json()["healthy"] is False
    assert reply.json()["sources"][0]["state"] == "failing"
    alive = fetch(server.url + "/healthz")
    assert alive.status == 200, alive.text
    assert alive.json() == {"alive": True, "checks": {"loop": "ok", "database": "ok"}}
    assert 'csto_source_healthy{source="csto-en"} 0.0' in fetch(server.url + "/metrics").text
    with sessions() as session, session.begin():
        session.scalars(select(Source)).one().consecutive_failures = 0
    assert fetch(server.url + "/readyz").status == 200
    assert 'csto_source_healthy{source="csto-en"} 1.0' in fetch(server.url + "/metrics").text


def test_healthz_and_readyz_are_503_when_the_database_is_unreachable() -> None:
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/gone"  # nothing listens
    engine = make_engine(url)
    live = LiveServer(settings_for(url), session_factory(engine)).start()
    try:
        alive = fetch(live.url + "/healthz")
        ready = fetch(live.url + "/readyz")
    finally:
        live.stop()
        engine.dispose()
    assert alive.status == 503 and alive.json()["alive"] is False
    assert alive.json()["checks"]["database"].startswith("unavailable: ")
    assert alive.json()["checks"]["loop"] == "ok"
    assert ready.status == 503 and ready.json()["error"].startswith("database unavailable: ")


class _Job:
    def __init__(self, job_id: str, due: datetime | None) -> None:
        self.id, self.next_run_time = job_id, due


class _Scheduler:
    def __init__(self, state: int, jobs: list[_Job]) -> None:
        self.state, self._jobs = state, jobs

    def get_jobs(self) -> list[_Job]:
        return self._jobs


def test_healthz_checks_that_the_scheduler_runs_and_fires_its_jobs() -> None:
    from apscheduler.schedulers.base import STATE_PAUSED, STATE_RUNNING, STATE_STOPPED

    now = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    due = [_Job("csto-en", now + timedelta(minutes=5)), _Job("deliver", now), _Job("x", None)]
    assert scheduler_problem(_Scheduler(STATE_RUNNING, due), now) is None
    late = [_Job("csto-en", now - timedelta(minutes=1))]  # a busy loop: late, not stalled
    assert scheduler_problem(_Scheduler(STATE_RUNNING, late), now) is None
    stalled = [_Job("csto-en", now - timedelta(minutes=10)), *due]
    assert scheduler_problem(_Scheduler(STATE_RUNNING, stalled), now) == (
        "scheduler stalled: job(s) csto-en overdue by more than 120 s")
    assert scheduler_problem(_Scheduler(STATE_STOPPED, due), now) == "scheduler not running"
    assert scheduler_problem(_Scheduler(STATE_PAUSED, due), now) == "scheduler paused"


def test_feed_is_atom_and_an_edit_updates_its_entry(
        server: LiveServer, history_ids: dict[str, int], sessions: sessionmaker[Session]) -> None:
    feed = etree.fromstring(fetch(server.url + "/feed.atom").body)
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == [
        "Edited: Secretary General visits Minsk and Astana", "Council meeting number 28"]
    with sessions() as session, session.begin():
        item = session.get_one(Item, history_ids["newest_plain"])
        run = session.scalars(select(CrawlRun)).first()
        assert run is not None
        edit_item(session, item, run, 2, T0 + timedelta(days=1), title="Council met again")
    entries = etree.fromstring(fetch(server.url + "/feed.atom").body).findall(f"{ATOM}entry")
    assert entries[0].findtext(f"{ATOM}title") == "Edited: Council met again"
    assert entries[0].findtext(f"{ATOM}updated") == "2026-01-06T09:30:00+00:00"
    assert len(entries) == 2  # still one entry per item
    assert fetch(server.url + "/feed.atom?section=speech").body.count(b"<entry>") == 0
    assert fetch(server.url + "/feed.atom?lang=xx").status == 400


def test_metrics_has_counters_and_stored_gauges(server: LiveServer,
                                                history_ids: dict[str, int]) -> None:
    reply = fetch(server.url + "/metrics")
    assert reply.headers["Content-Type"].startswith("text/plain")
    for name in ("csto_polls_total", "csto_not_modified_total", "csto_deliveries_total",
                 "csto_change_events_total", "csto_outbox_depth"):
        assert f"# HELP {name} " in reply.text
    assert 'csto_items{source="csto-en",status="active"} 30.0' in reply.text
    assert 'csto_last_success_timestamp_seconds{source="csto-en"} 1.7676054e+09' in reply.text


@pytest.mark.parametrize(("query", "message"), [
    ("since=2025-13-01", "is not a date for since; use YYYY-MM-DD"),
    ("since=2026-01-02&until=2026-01-01", "since is after until"),
    ("kind=moved", "kind must be one of new, edited, removed"),
    ("page=-1", "page must be a number from 1"),
])
def test_a_bad_filter_is_a_400_page_naming_the_fix(server: LiveServer, query: str,
                                                   message: str) -> None:
    reply = fetch(f"{server.url}/?{query}")
    assert reply.status == 400 and message in reply.text.replace("&#34;", '"')


def test_pages_escape_scraped_text_and_forbid_scripts(
        server: LiveServer, history_ids: dict[str, int]) -> None:
    page = fetch(f"{server.url}/items/{history_ids['hostile']}")
    assert "<script>alert" not in page.text and "&lt;script&gt;alert" in page.text
    assert "script-src" not in page.headers["Content-Security-Policy"]  # default-src 'none'
    assert fetch(server.url + "/items/424242").status == 404
    assert fetch(server.url + "/items/abc").status == 404
    assert HOSTILE not in fetch(server.url + "/").text


@pytest.fixture
def subscribed(sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
               ) -> Iterator[str]:
    monkeypatch.setenv("CSTO_MONITOR_SECRET", SECRET)
    with sessions() as session, session.begin():
        session.add(Subscriber(channel="email", address="reader@example.org"))
    yield sign(SECRET, "email", "reader@example.org")


def _status(sessions: sessionmaker[Session]) -> str:
    with sessions() as session:
        return session.scalars(select(Subscriber.status)).one()


def test_unsubscribe_page_then_one_click_post(server: LiveServer, subscribed: str,
                                              sessions: sessionmaker[Session]) -> None:
    url = f"{server.url}/unsubscribe?token={quote(subscribed)}"
    page = fetch(url)
    assert page.status == 200 and "reader@example.org" in page.text
    assert 'method="post"' in page.text and _status(sessions) == "active"
    done = fetch(url, data=b"List-Unsubscribe=One-Click")  # RFC 8058
    assert done.status == 200 and "will receive no more news" in done.text
    assert _status(sessions) == "unsubscribed"
    form = fetch(f"{server.url}/unsubscribe", data=f"token={quote(subscribed)}".encode())
    assert form.status == 200 and _status(sessions) == "unsubscribed"


def test_a_bad_unsubscribe_token_is_a_clear_400(server: LiveServer, subscribed: str,
                                                sessions: sessionmaker[Session]) -> None:
    for token in ("", "garbage", subscribed[:-3] + "AAA", sign("other-secret", "email",
                                                                "reader@example.org")):
        for data in (None, b"List-Unsubscribe=One-Click"):
            reply = fetch(f"{server.url}/unsubscribe?token={quote(token)}", data=data)
            assert reply.status == 400 and "This unsubscribe link is not valid" in reply.text
    assert _status(sessions) == "active"


def test_http_listen_must_be_host_and_port(tmp_path: Path) -> None:
    settings = settings_for("sqlite:///x.db")
    assert (settings.http.host, settings.http.port, settings.http.enabled) == (
        "127.0.0.1", 8080, True)
    path = tmp_path / "c.yaml"
    path.write_text("sources: [{name: a, url: 'http://x/news/', language: en}]\n"
                    "http: {listen: '8080'}\n")
    with pytest.raises(ConfigError, match=r"http.listen: .*is not HOST:PORT; write e.g."):
        load_settings(path, env={})
