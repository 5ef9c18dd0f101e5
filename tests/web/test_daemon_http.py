"""The HTTP server inside a real `csto-monitor run` against the site replica."""

from __future__ import annotations

import contextlib
import re
import socket
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pytest
from lxml import etree

from core.config import ConfigError, Http
from csto_monitor.runtime import Monitor
from csto_monitor.web.server import http_services
from tests.e2e.harness import Daemon, cli
from tests.replica import ReplicaServer, World
from tests.test_daemon import daemon_config, new_article
from tests.web.helpers import fetch, free_port, settings_for

ATOM = "{http://www.w3.org/2005/Atom}"



def _metric(text: str, name: str, labels: str) -> float:
    match = re.search(rf"^{name}\{{{re.escape(labels)}\}} (\S+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


def _atom_titles(body: bytes) -> list[str]:
    """Check the elements RFC 4287 requires, then return the entries' titles."""
    feed = etree.fromstring(body)
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{name}") is not None, f"feed without <{name}>"
    titles = []
    for entry in feed.findall(f"{ATOM}entry"):
        for name in ("id", "title", "updated", "link"):
            assert entry.find(f"{ATOM}{name}") is not None, f"entry without <{name}>"
        titles.append(entry.findtext(f"{ATOM}title") or "")
    return titles


def test_probes_feed_and_metrics_of_a_running_daemon(
        tmp_path: Path, world: World, replica: ReplicaServer, database_url: str) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    config = daemon_config(tmp_path, replica, database_url,
                           http={"listen": f"127.0.0.1:{port}"})
    daemon = Daemon(config, tmp_path).start()
    try:
        daemon.wait_for_log("first poll: stored")
        daemon.wait_for(lambda: fetch(base + "/readyz").status == 200, 10, "ready")
        alive = fetch(base + "/healthz")
        assert alive.status == 200 and alive.json()["checks"] == {
            "loop": "ok", "database": "ok", "scheduler": "ok"}
        world.fault = "http_500"  # the site is down: the daemon is alive, the source is not
        daemon.wait_for(lambda: fetch(base + "/readyz").status == 503, 30, "503 in outage")
        ready = fetch(base + "/readyz").json()
        assert ready["healthy"] is False and ready["sources"][0]["state"] == "failing"
        assert ready["sources"][0]["consecutive_failures"] >= 1
        alive = fetch(base + "/healthz")
        assert alive.status == 200 and alive.json()["alive"] is True, alive.text
        outage = fetch(base + "/metrics").text
        assert _metric(outage, "csto_source_healthy", 'source="csto-en"') == 0
        assert _metric(outage, "csto_source_consecutive_failures", 'source="csto-en"') >= 1
        world.fault = None
        daemon.wait_for(lambda: fetch(base + "/readyz").status == 200, 30, "200 again")
        assert fetch(base + "/readyz").json()["sources"][0]["state"] == "ok"
        assert fetch(base + "/healthz").status == 200

        world.publish(new_article(1))
        daemon.wait_for(lambda: "Published item number 1" in fetch(base + "/feed.atom").text,
                        30, "the new item in the feed")
        feed = fetch(base + "/feed.atom?lang=en")
        assert feed.headers["Content-Type"].startswith("application/atom+xml")
        assert _atom_titles(feed.body) == ["Published item number 1 of the run"]
        assert _atom_titles(fetch(base + "/feed.atom?lang=ru").body) == []

        daemon.wait_for(lambda: _metric(fetch(base + "/metrics").text, "csto_not_modified_total",
                                        'source="csto-en"') >= 2, 30, "two 304s counted")
        metrics = fetch(base + "/metrics").text
    finally:
        assert daemon.stop() == 0
    assert _metric(metrics, "csto_change_events_total", 'kind="new"') == 1
    assert _metric(metrics, "csto_poll_failures_total", 'source="csto-en"') >= 1
    assert _metric(metrics, "csto_items", 'source="csto-en",status="active"') == 26
    assert _metric(metrics, "csto_last_success_timestamp_seconds", 'source="csto-en"') > 0
    assert _metric(metrics, "csto_source_healthy", 'source="csto-en"') == 1
    assert "Traceback" not in daemon.err


def test_a_busy_port_is_a_readable_error(tmp_path: Path, replica: ReplicaServer) -> None:
    port = free_port()
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", port))
    blocker.listen()
    try:
        config = daemon_config(tmp_path, replica, f"sqlite:///{tmp_path / 'db.sqlite'}",
                               http={"listen": f"127.0.0.1:{port}"})
        result = cli(config, "run", timeout=60)
    finally:
        blocker.close()
    assert result.code == 2, result.err
    assert f"http.listen 127.0.0.1:{port}: cannot listen there" in result.err
    assert "Traceback" not in result.err


def test_a_busy_default_address_only_warns(tmp_path: Path) -> None:
    """The default 127.0.0.1:8080 may be taken (a second daemon on the host): keep polling."""
    blocker = socket.socket()
    with contextlib.suppress(OSError):  # already taken by someone else: just as good
        blocker.bind(("127.0.0.1", 8080))
        blocker.listen()
    try:
        settings = settings_for(f"sqlite:///{tmp_path / 'db.sqlite'}")
        monitor = cast(Monitor, SimpleNamespace(settings=settings, sessions=None))
        assert http_services(monitor) == []
        explicit = settings.model_copy(update={"http": Http(listen="127.0.0.1:8080")})
        with pytest.raises(ConfigError, match=r"http\.listen 127\.0\.0\.1:8080: cannot listen"):
            http_services(cast(Monitor, SimpleNamespace(settings=explicit, sessions=None)))
    finally:
        blocker.close()
