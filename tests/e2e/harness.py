"""Running the real `csto-monitor` command against a replica, as a user would."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.fixtures.ports import free_port

CLI = [sys.executable, "-m", "monitor.cli"]
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def write_config(path: Path, sources: list[dict[str, Any]], database_url: str,
                 **overrides: Any) -> Path:
    """A configuration for tests: no delays, short timeouts, one quick retry.

    The daemon's HTTP server gets a free port of its own (not the default 8080, which a
    parallel worker's daemon, or one outside the tests, may hold).
    """
    config: dict[str, Any] = {
        "database_url": database_url,
        "sources": sources,
        "poll_interval": "1s",
        "first_run": "silent",
        "user_agent_contact": "https://example.org/contact",
        "crawl": {"download_delay": "0s", "autothrottle": False, "download_timeout": "3s",
                  "retries": 1, "retry_backoff": "0.05s"},
        "http": {"listen": f"127.0.0.1:{free_port()}"},
    }
    config.update(overrides)
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def with_own_http_port(config: Path, name: str) -> Path:
    """A copy of `config` (NAME.yaml beside it) whose HTTP server listens on another free
    port: for a second daemon running beside the first on the same configuration."""
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["http"] = {**data.get("http", {}), "listen": f"127.0.0.1:{free_port()}"}
    path = config.with_name(f"{name}.yaml")
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def source(url: str, name: str = "csto-en", language: str = "en", pages: int = 2,
           **extra: Any) -> dict[str, Any]:
    return {"name": name, "url": url, "language": language, "pages": pages, **extra}


def cli(config: Path, *args: str, timeout: float = 120, env: dict[str, str] | None = None
        ) -> Result:
    """Run `csto-monitor --config CONFIG ARGS...` in a fresh process."""
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    full_env.pop("DATABASE_URL", None)
    proc = subprocess.run([*CLI, "--config", str(config), *args], capture_output=True,
                          text=True, timeout=timeout, env=full_env, cwd=ROOT, check=False)
    return Result(proc.returncode, proc.stdout, proc.stderr)


def count_events(out: str) -> dict[str, int]:
    """How many notifications of each kind `check` printed."""
    return {kind: out.count(f"[{kind.upper()}] ") for kind in ("new", "edited", "removed")}


class Daemon:
    """`csto-monitor run` in its own process; output kept in files, appended across restarts."""

    def __init__(self, config: Path, workdir: Path, name: str = "daemon") -> None:
        self.config = config
        self.out_path = workdir / f"{name}.out"
        self.err_path = workdir / f"{name}.err"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, *extra: str) -> Daemon:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        env.pop("DATABASE_URL", None)
        with open(self.out_path, "ab") as out, open(self.err_path, "ab") as err:
            self.proc = subprocess.Popen([*CLI, "--config", str(self.config), *extra, "run"],
                                         stdout=out, stderr=err, cwd=ROOT, env=env)
        return self

    @property
    def out(self) -> str:
        return self.out_path.read_text(encoding="utf-8") if self.out_path.exists() else ""

    @property
    def err(self) -> str:
        return self.err_path.read_text(encoding="utf-8") if self.err_path.exists() else ""

    def wait_for(self, predicate: Any, timeout: float = 30.0, what: str = "") -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if self.proc is not None and self.proc.poll() is not None:
                raise AssertionError(f"daemon exited ({self.proc.returncode}):\n{self.err}")
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what or predicate}:\n{self.err}")
            time.sleep(0.05)

    def wait_for_log(self, text: str, count: int = 1, timeout: float = 30.0) -> None:
        self.wait_for(lambda: self.err.count(text) >= count, timeout, repr(text))

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(timeout=10)

    def stop(self, timeout: float = 15.0) -> int:
        """SIGTERM, then the exit code (the test fails if it takes longer than timeout)."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=timeout)
