"""Running the real `csto-monitor` command against a replica, as a user would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

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
    """A configuration for tests: no delays, short timeouts, one quick retry."""
    config: dict[str, Any] = {
        "database_url": database_url,
        "sources": sources,
        "poll_interval": "1s",
        "first_run": "silent",
        "user_agent_contact": "https://example.org/contact",
        "crawl": {"download_delay": "0s", "autothrottle": False, "download_timeout": "3s",
                  "retries": 1, "retry_backoff": "0.05s"},
    }
    config.update(overrides)
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
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
