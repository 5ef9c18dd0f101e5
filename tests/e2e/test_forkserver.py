"""The fork server's commands behave like `python -m csto_monitor.cli` ones, as far as tests see."""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.e2e import harness
from tests.e2e.harness import CLI, ROOT, Result, cli, source, write_config


def plain(config: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    """The same command as `cli`, as a plain subprocess."""
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    full_env.pop("DATABASE_URL", None)
    proc = subprocess.run([*CLI, "--config", str(config), *args], capture_output=True,
                          text=True, timeout=120, env=full_env, cwd=ROOT, check=False)
    return Result(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return write_config(tmp_path / "c.yaml", [source("http://127.0.0.1:9/news/")],
                        f"sqlite:///{tmp_path / 'db.sqlite'}")


def test_commands_print_and_exit_as_plain_processes(config: Path) -> None:
    for args, env in [(("history", "--format", "json"), None),
                      (("history", "--since", "27.11.2026"), None),  # usage error: exit 2
                      (("status",), {"COLUMNS": "300"}),  # a table as wide as COLUMNS
                      (("check",), None)]:  # exit 1: the site cannot be reached
        forked, real = cli(config, *args, env=env), plain(config, *args, env=env)
        assert (forked.code, forked.out, forked.err.replace(str(config), "C")) == (
            real.code, real.out, real.err.replace(str(config), "C")), args


def test_a_forked_daemon_is_signalled_killed_and_waited_like_popen(config: Path) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = harness.spawn(["--config", str(config), "run"], env, out, err)
        assert proc.poll() is None  # a ForkedProcess, or a Popen with CSTO_TEST_FORKSERVER=0
        with pytest.raises(subprocess.TimeoutExpired):
            proc.wait(0.2)
        proc.kill()
        assert proc.wait(10) == -signal.SIGKILL and proc.returncode == -signal.SIGKILL
        proc = harness.spawn(["--config", str(config), "run"], env, out, err)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) in (0, -signal.SIGTERM)  # handled once the daemon runs
