"""`csto-monitor db upgrade` (and the daemon's start) say in one line what they did to the
database; a database they cannot use ends in one line naming the cause and the fix.

The fork server of the other end-to-end tests imports Alembic once for every command it
forks, so a log line Alembic writes at import would never reach their output: the tests
that look for such lines run the command as a plain process.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import text

from core.db import make_engine
from core.migrate import head_revision, upgrade
from tests.e2e.harness import CLI, ROOT, Daemon, Result, cli, source, write_config
from tests.fixtures.ports import free_port
from tests.replica import ReplicaServer

HEAD = head_revision()
NOWHERE = "http://127.0.0.1:9/news/"  # `db upgrade` reads no site


def plain(config: Path, *args: str) -> Result:
    """`csto-monitor --config CONFIG ARGS` as its own interpreter, as a user runs it."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    done = subprocess.run([*CLI, "--config", str(config), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    return Result(done.returncode, done.stdout, done.stderr)


def one_error_line(result: Result) -> str:
    """The command failed with exactly one line, `error: …`, and nothing else."""
    assert result.code == 2, result
    assert result.out == "", result
    lines = result.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.err
    return lines[0]


def test_db_upgrade_creates_a_database_then_finds_it_up_to_date(
        tmp_path: Path, database_url: str) -> None:
    assert HEAD is not None
    config = write_config(tmp_path / "c.yaml", [source(NOWHERE)], database_url)
    first = plain(config, "db", "upgrade")
    assert (first.code, first.out, first.err) == (
        0, f"created the database at revision {HEAD}\n", "")
    again = plain(config, "db", "upgrade")
    assert (again.code, again.out, again.err) == (0, f"already at revision {HEAD}\n", "")


def test_db_upgrade_names_the_revisions_it_upgraded_between(
        tmp_path: Path, database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine, "0009")
    engine.dispose()
    config = write_config(tmp_path / "c.yaml", [source(NOWHERE)], database_url)
    result = plain(config, "db", "upgrade")
    assert (result.code, result.out, result.err) == (0, f"upgraded from 0009 to {HEAD}\n", "")
    assert cli(config, "db", "upgrade").out == f"already at revision {HEAD}\n"


def test_the_daemon_logs_what_it_did_to_the_database_once(
        tmp_path: Path, database_url: str, replica: ReplicaServer,
        monkeypatch: pytest.MonkeyPatch) -> None:
    config = write_config(tmp_path / "c.yaml", [source(replica.listing_url)], database_url)
    daemon = Daemon(config, tmp_path)
    monkeypatch.setenv("CSTO_TEST_FORKSERVER", "0")  # a plain process: see the module's doc
    daemon.start().wait_for_log("daemon started")
    assert daemon.stop() == 0
    # Alembic is not even imported on a database at the newest revision: forked is as good.
    monkeypatch.setenv("CSTO_TEST_FORKSERVER", "1")
    daemon.start().wait_for_log("daemon started", count=2)
    assert daemon.stop() == 0
    # The daemon's own last line: a crawl worker, when one started, logs "… stopped" too.
    first, second = re.split(r"INFO +stopped\n", daemon.err)[:2]
    assert first.count(f"created the database at revision {HEAD}") == 1, daemon.err
    assert second.count(f"already at revision {HEAD}") == 1, daemon.err
    assert "alembic" not in daemon.err and "setup plugin" not in daemon.err, daemon.err
    assert daemon.err.count("revision") == 2, daemon.err


def test_a_database_of_a_newer_release_is_refused_and_left_alone(
        tmp_path: Path, database_url: str) -> None:
    config = write_config(tmp_path / "c.yaml", [source(NOWHERE)], database_url)
    assert cli(config, "db", "upgrade").code == 0
    engine = make_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    for command in (["db", "upgrade"], ["history"], ["check"]):
        line = one_error_line(cli(config, *command))
        assert "revision 0099" in line and "newer release" in line, line
        assert "Install that release" in line and "database_url" in line, line
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT version_num FROM alembic_version")) == "0099"
    engine.dispose()


def test_an_unreachable_postgresql_server_is_named_with_the_fix(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nowhere"
    config = write_config(tmp_path / "c.yaml", [source(NOWHERE)], url)
    for command in (["db", "upgrade"], ["history"], ["check"], ["run"]):
        line = one_error_line(cli(config, *command, timeout=60))
        assert url in line and "Connection refused" in line, line
        assert "check database_url, and that the database server is running" in line, line


def test_a_file_that_is_not_a_database_is_named_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("these are my notes, not a database\n" * 200)
    before = path.read_bytes()
    config = write_config(tmp_path / "c.yaml", [source(NOWHERE)], f"sqlite:///{path}")
    for command in (["db", "upgrade"], ["history"], ["run"]):
        line = one_error_line(cli(config, *command, timeout=60))
        assert str(path) in line and "file is not a database" in line, line
        assert "database_url must name a csto-monitor SQLite database" in line, line
    assert path.read_bytes() == before


def test_a_sqlite_folder_that_cannot_be_made_is_named(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("a file where the database's folder should be\n")
    config = write_config(tmp_path / "c.yaml", [source(NOWHERE)],
                          f"sqlite:///{blocker / 'csto.db'}")
    line = one_error_line(cli(config, "db", "upgrade"))
    assert f"cannot create the folder {blocker}" in line and "check database_url" in line, line


def test_an_in_memory_sqlite_database_is_refused_in_one_line(tmp_path: Path) -> None:
    config = write_config(tmp_path / "c.yaml", [source(NOWHERE)], "sqlite:///:memory:")
    for command in (["db", "upgrade"], ["check"]):
        line = one_error_line(cli(config, *command))
        assert "an in-memory SQLite database is not supported" in line, line
        assert "use a file such as sqlite:///data/csto-monitor.db" in line, line
