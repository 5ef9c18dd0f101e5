"""urlwatch, the tool most users would pick instead: installed from the package registry
into its own virtual environment (nothing of its code is in this repository), and set up
the way its documentation suggests for watching a news listing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bench.common import ROOT

URLWATCH = "urlwatch==2.29"
VENV = ROOT / ".bench" / "urlwatch-2.29"


def ensure_urlwatch() -> Path:
    """The urlwatch executable, installing it on first use (about 15 s)."""
    executable = VENV / "bin" / "urlwatch"
    if executable.exists():
        return executable
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
    subprocess.run([str(VENV / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check",
                    URLWATCH], check=True)
    return executable


def write_jobs(folder: Path, listing_url: str) -> list[str]:
    """A job for the listing (its news block as text) and the argv that checks it once."""
    (folder / "urls.yaml").write_text(
        f"name: CSTO news\nurl: {listing_url}\nfilter:\n  - css: .news-list\n  - html2text\n",
        encoding="utf-8")
    return [str(ensure_urlwatch()), "--urls", str(folder / "urls.yaml"),
            "--config", str(folder / "urlwatch.yaml"), "--cache", str(folder / "cache.db"),
            "--hooks", str(folder / "hooks.py")]


def urlwatch_env(folder: Path) -> dict[str, str]:
    """A private HOME, and no keyring backend (none is needed to print to stdout)."""
    home = folder / "home"
    home.mkdir(exist_ok=True)
    return {**os.environ, "HOME": str(home),
            "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
