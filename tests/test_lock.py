"""The lock (uv.lock) agrees with pyproject.toml, and requirements/*.txt are its export.

`make run`, `make test` and the Dockerfile install from requirements/*.txt with hashes, so
a dependency added to pyproject.toml but not locked would be missing where users run it.
Both checks run offline: `uv lock --check --offline` needs no package index while the lock
still satisfies pyproject.toml (measured with an empty uv cache).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIX = "run `make lock` (uv lock, then uv export into requirements/) and commit the result"
# requirements/NAME.txt: the `uv export` arguments that produce it (the Makefile's `lock`).
EXPORTS = {
    "runtime": ("--no-emit-project",),
    "dev": ("--no-emit-project", "--extra", "dev"),
}


def uv(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    program = Path(sys.executable).with_name("uv")
    if not program.exists():
        pytest.fail(f"{program} not found: uv is in the dev extra; run `make install`",
                    pytrace=False)
    # An empty cache of its own: what is checked is the lock, not this machine's cache.
    env = {**os.environ, "UV_CACHE_DIR": str(tmp_path / "uv-cache"), "UV_OFFLINE": "1"}
    return subprocess.run([str(program), *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120, check=False)


def without_header(text: str) -> list[str]:
    """The exported lines, without the leading comment that names the command."""
    lines = text.splitlines()
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    return lines


def test_lock_satisfies_pyproject(tmp_path: Path) -> None:
    result = uv("lock", "--check", "--offline", tmp_path=tmp_path)
    assert result.returncode == 0, (
        f"uv.lock does not match pyproject.toml: {FIX}\n{result.stderr}")


def test_lock_pins_every_exact_pin_of_pyproject() -> None:
    """Said without uv: each `name==version` of pyproject.toml is that version in uv.lock."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [*project["dependencies"],
              *(d for extra in project["optional-dependencies"].values() for d in extra)]
    locked = {p["name"]: p["version"] for p in
              tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))["package"]}
    for requirement in wanted:
        match = re.match(r"([A-Za-z0-9_.-]+)(\[[^]]*\])?==([^\s;]+)", requirement)
        if match is None:
            continue
        name = re.sub(r"[-_.]+", "-", match[1]).lower()
        assert locked.get(name) == match[3], (
            f"pyproject.toml pins {name}=={match[3]}, uv.lock has {locked.get(name)}: {FIX}")


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_requirements_file_is_the_export_of_the_lock(name: str, tmp_path: Path) -> None:
    result = uv("export", "--frozen", "--format", "requirements-txt", *EXPORTS[name],
                tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    committed = (ROOT / "requirements" / f"{name}.txt").read_text(encoding="utf-8")
    assert without_header(committed) == without_header(result.stdout), (
        f"requirements/{name}.txt is not the export of uv.lock: {FIX}")
    assert "--hash=sha256:" in committed


def test_runtime_requirements_leave_out_the_dev_extra() -> None:
    runtime = (ROOT / "requirements" / "runtime.txt").read_text(encoding="utf-8")
    dev = (ROOT / "requirements" / "dev.txt").read_text(encoding="utf-8")
    for tool in ("pytest==", "ruff==", "mypy==", "uv=="):
        assert f"\n{tool}" in dev and f"\n{tool}" not in runtime
    # Needed at run time (trafilatura -> jusText -> lxml.html.clean), and no resolution
    # by pip brings it unless it is declared.
    assert "\nlxml-html-clean==" in runtime
