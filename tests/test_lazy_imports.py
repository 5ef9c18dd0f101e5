"""The reading commands start without the crawler, the bot or the migrations tool.

`history`, `show`, `status` and `subscribers` only read the database: each runs here in a
fresh interpreter (not the tests' fork server, which imports everything in advance), in
process through Typer's runner, and the test looks at what that interpreter imported.
How long a start takes is measured in bench/startup.py, not here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.harness import ROOT, cli, source, write_config
from tests.replica import ReplicaServer

# Scrapy, Twisted, the bot library, the migrations tool, the readers of attached files,
# the second-opinion extractor, the email and webhook senders, the scheduler.
HEAVY = ("scrapy", "twisted", "telegram", "alembic", "pypdf", "docx", "trafilatura",
         "aiosmtplib", "apprise", "aiohttp", "apscheduler", "jinja2")

_PROBE = """
import json, sys
from typer.testing import CliRunner
from csto_monitor.cli import app
result = CliRunner().invoke(app, sys.argv[1:])
heavy = sorted({name.split(".")[0] for name in sys.modules} & set(json.loads(HEAVY)))
print(json.dumps({"code": result.exit_code, "output": result.output, "heavy": heavy}))
"""


def run_fresh(config: Path, *args: str) -> dict[str, object]:
    """Run one command in a new interpreter; its exit code, output and heavy imports."""
    code = _PROBE.replace("HEAVY", repr(json.dumps(HEAVY)))
    proc = subprocess.run([sys.executable, "-c", code, "--config", str(config), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, check=True)
    result: dict[str, object] = json.loads(proc.stdout.splitlines()[-1])
    return result


@pytest.fixture
def stored(tmp_path: Path, replica: ReplicaServer, database_url: str) -> Path:
    """A configuration whose database holds the replica's items (one `check`)."""
    config = write_config(tmp_path / "c.yaml", [source(replica.listing_url)], database_url)
    assert cli(config, "check").code == 0
    return config


@pytest.mark.parametrize("args", [
    ("history",), ("history", "--search", "CSTO", "--format", "json"),
    ("history", "--changes"), ("show", "1"), ("status",), ("subscribers", "list"),
    ("noise",), ("db", "upgrade"),
])
def test_reading_commands_import_no_crawler_bot_or_alembic(stored: Path,
                                                            args: tuple[str, ...]) -> None:
    result = run_fresh(stored, *args)
    assert result["code"] == 0, result["output"]
    assert result["heavy"] == [], f"`{' '.join(args)}` imported {result['heavy']}"


def test_show_prints_the_item_without_them(stored: Path) -> None:
    result = run_fresh(stored, "show", "1")
    assert "#1 " in str(result["output"]) and "revision" in str(result["output"]).lower()
    assert result["heavy"] == []


def test_a_database_behind_the_code_is_still_migrated(tmp_path: Path) -> None:
    """Skipping Alembic is only for a database already on the newest schema."""
    config = write_config(tmp_path / "c.yaml", [source("http://127.0.0.1:9/news/")],
                          f"sqlite:///{tmp_path / 'new.db'}")
    result = run_fresh(config, "history")
    assert result["code"] == 0, result["output"]
    assert result["heavy"] == ["alembic"]  # a new database: migrated, then read
    assert run_fresh(config, "history")["heavy"] == []  # on the newest schema from then on


def test_check_of_an_unchanged_site_builds_no_crawl(stored: Path, replica: ReplicaServer) -> None:
    """The listing answers 304 to the idle poll's own request (scraper.idle): Scrapy and
    Twisted are never imported, and the site sees that one request (robots.txt aside)."""
    replica.clear_log()
    result = run_fresh(stored, "check")
    assert result["code"] == 0, result["output"]
    assert "unchanged (listing answered 304 Not Modified)" in str(result["output"])
    assert not {"scrapy", "twisted"} & set(result["heavy"]), result["heavy"]
    assert [(r.path, r.status) for r in replica.requests] == [("/robots.txt", 200),
                                                              ("/news/", 304)]


@pytest.mark.parametrize("args", [("history",), ("subscribers", "list"), ("status",)])
def test_a_reading_command_still_rejects_a_bad_value_it_does_not_use(
        stored: Path, args: tuple[str, ...]) -> None:
    """Starting light is not starting unchecked: the whole configuration is validated
    before any command runs, also the sections a reading command never reads."""
    text = stored.read_text(encoding="utf-8")
    stored.write_text(text + "telegram: {channel: not a channel}\n", encoding="utf-8")
    result = cli(stored, *args)
    assert result.code == 2, result.out
    assert "invalid configuration" in result.err and "telegram.channel:" in result.err
    assert "Traceback" not in result.err and result.out == ""


# What only a crawl or a file's reading needs: the daemon leaves them to its crawl worker.
CRAWL_ONLY = ("scrapy", "twisted", "trafilatura", "pypdf", "docx", "lxml", "parsel",
              "OpenSSL", "cryptography")

_DAEMON_PROBE = """
import asyncio, json, sys
from core.config import load_settings
from csto_monitor.daemon import Daemon, build_monitor

async def main():
    settings = load_settings(sys.argv[1], env={})
    daemon = Daemon(build_monitor(settings))  # its services (HTTP server) built too
    try:
        outcomes = [(await daemon.monitor.poller.poll(settings.sources[0])).outcome
                    for _ in range(2)]
    finally:
        await daemon.monitor.crawler.stop()
    return outcomes

outcomes = asyncio.run(main())
heavy = sorted({name.split(".")[0] for name in sys.modules} & set(json.loads(HEAVY)))
print(json.dumps({"outcomes": outcomes, "heavy": heavy}))
"""


def test_the_daemon_polls_without_scrapy_twisted_or_the_readers(
        tmp_path: Path, replica: ReplicaServer, database_url: str) -> None:
    config = write_config(tmp_path / "c.yaml", [source(replica.listing_url)], database_url)
    code = _DAEMON_PROBE.replace("HEAVY", repr(json.dumps(CRAWL_ONLY)))
    proc = subprocess.run([sys.executable, "-c", code, str(config)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=True)
    result = json.loads(proc.stdout.splitlines()[-1])
    assert result["outcomes"] == ["baseline", "not_modified"], proc.stderr
    assert result["heavy"] == [], f"the daemon imported {result['heavy']}"


# What only a page, the feed, the API or a sign-up needs: loaded by its first request.
WEB_LAZY = ("jinja2", "feedgen", "lxml", "aiosmtplib", "csto_monitor.web.pages",
            "csto_monitor.web.feed", "csto_monitor.web.api.handlers",
            "csto_monitor.web.signup", "monitor.read.schemas")

_SERVING_PROBE = """
import asyncio, json, sys, urllib.error, urllib.request
from core.config import load_settings
from csto_monitor.daemon import Daemon, build_monitor

LAZY = json.loads(HEAVY)

def loaded():
    return sorted(name for name in LAZY if name in sys.modules)

def get(base, path):
    try:
        with urllib.request.urlopen(base + path, timeout=10) as reply:
            return reply.status
    except urllib.error.HTTPError as error:
        return error.code

async def main():
    settings = load_settings(sys.argv[1], env={})
    daemon = Daemon(build_monitor(settings))
    daemon.scheduler.start()  # its jobs left out: the probe polls itself
    for service in daemon.services:
        await service.start()
    base = f"http://{settings.http.listen}"
    try:
        outcomes = [(await daemon.monitor.poller.poll(settings.sources[0])).outcome
                    for _ in range(2)]
        monitoring = [await asyncio.to_thread(get, base, path)  # asked all day
                      for path in ("/healthz", "/metrics")]
        idle = loaded()
        statuses = [await asyncio.to_thread(get, base, path)
                    for path in ("/", "/items/1", "/feed.atom", "/api/v1/items", "/subscribe")]
        return {"outcomes": outcomes, "monitoring": monitoring, "idle": idle,
                "statuses": statuses, "served": loaded()}
    finally:
        for service in reversed(daemon.services):
            await service.stop()
        await daemon.monitor.crawler.stop()
        daemon.scheduler.shutdown(wait=False)

print(json.dumps(asyncio.run(main())))
"""


def test_the_daemon_loads_its_pages_feed_and_api_with_their_first_request(
        tmp_path: Path, replica: ReplicaServer, database_url: str) -> None:
    """An idle daemon answering /healthz and /metrics holds none of the pages' modules
    (Jinja2, feedgen with lxml, the API's handlers and schemas, the sign-up's mailer); each
    page still answers its first request, importing them then."""
    config = write_config(tmp_path / "c.yaml", [source(replica.listing_url)], database_url)
    code = _SERVING_PROBE.replace("HEAVY", repr(json.dumps(WEB_LAZY)))
    proc = subprocess.run([sys.executable, "-c", code, str(config)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.splitlines()[-1])
    assert result["outcomes"] == ["baseline", "not_modified"], proc.stderr
    assert result["monitoring"] == [200, 200], proc.stderr
    assert result["idle"] == [], f"the idle daemon imported {result['idle']}"
    # /subscribe: the sign-up form's "closed" page (email self-service is off here)
    assert result["statuses"] == [200, 200, 200, 200, 404], proc.stderr
    assert {"jinja2", "feedgen", "csto_monitor.web.pages", "csto_monitor.web.feed",
            "csto_monitor.web.api.handlers", "csto_monitor.web.signup"} <= set(result["served"])
