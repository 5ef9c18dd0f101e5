"""The lock (uv.lock) agrees with pyproject.toml, and requirements/*.txt are its export.

`make run`, `make test` and the Dockerfile install from requirements/*.txt with hashes, so
a dependency added to pyproject.toml but not locked would be missing where users run it.
Both checks run offline: `uv lock --check --offline` needs no package index while the lock
still satisfies pyproject.toml (measured with an empty uv cache).
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("core", "scraper", "monitor", "notifier", "csto_monitor")
FIX = "run `make lock` (uv lock, then uv export into requirements/) and commit the result"
# requirements/NAME.txt: the `uv export` arguments that produce it (the Makefile's `lock`).
EXPORTS = {
    "runtime": ("--no-emit-project",),
    "dev": ("--no-emit-project", "--extra", "dev"),
}


def normalized(requirement: str) -> str:
    """The distribution name of a requirement (or a distribution), normalized (PEP 503)."""
    match = re.match(r"[A-Za-z0-9_.-]+", requirement)
    assert match, requirement
    return re.sub(r"[-_.]+", "-", match[0]).lower()


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
        name = normalized(match[1])
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


def imported_distributions() -> dict[str, set[str]]:
    """Top-level modules outside the standard library that the production packages import
    (at any depth, lazily too), each with the distributions that provide it here."""
    ours = set(PACKAGES)
    found: set[str] = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    found |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    found.add(node.module.split(".")[0])
    providers = packages_distributions()
    return {module: {normalized(d) for d in providers.get(module, [])}
            for module in sorted(found - ours - set(sys.stdlib_module_names))}


def test_every_module_the_product_imports_is_a_declared_dependency() -> None:
    """Not merely present because another package brings it: declared, so that a change
    of that package's dependencies cannot take it away."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {normalized(d) for d in project["dependencies"]}
    extras = {normalized(d) for name, reqs in project["optional-dependencies"].items()
              if name != "dev" for d in reqs}
    for module, providers in imported_distributions().items():
        assert providers, f"{module} is imported by the product and installed by nothing"
        assert providers & (declared | extras), (
            f"the product imports {module} ({', '.join(sorted(providers))}) without declaring "
            f"it in pyproject.toml [project] dependencies: pin it there, then {FIX}")
