"""The Docker image, the compose file, .env.example and the README tell the same story.

No Docker engine runs here: docker-compose validates the compose file offline
(`docker-compose config -q`, below); the other checks cover what that cannot see.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from core.config import load_settings

ROOT = Path(__file__).resolve().parents[1]


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of every Dockerfile line, continuations joined."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text(encoding="utf-8"))
    lines = [line.strip() for line in text.splitlines()]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines
            if line and not line.startswith("#")]


def instruction(name: str) -> list[str]:
    return [args for key, args in dockerfile() if key == name]


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return data


def image_command() -> list[str]:
    entrypoint, cmd = json.loads(instruction("ENTRYPOINT")[-1]), json.loads(instruction("CMD")[-1])
    return [*entrypoint, *cmd]


def docker_compose(*args: str, env_file: Path = ROOT / ".env.example"
                   ) -> subprocess.CompletedProcess[str]:
    """`docker-compose --env-file ENV -f docker-compose.yml ARGS` (offline, no engine)."""
    program = shutil.which("docker-compose")
    if program is None:
        pytest.fail("docker-compose not found: install it with `apt-get install -y "
                    "--no-install-recommends docker-compose` (make test does, as root)",
                    pytrace=False)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POSTGRES_", "HTTP_"))}
    return subprocess.run([program, "--env-file", str(env_file), "-f", "docker-compose.yml",
                           *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def test_compose_file_is_valid_with_the_documented_env() -> None:
    result = docker_compose("config", "-q")
    assert result.returncode == 0, result.stderr


def test_compose_refuses_to_start_without_a_database_password(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(re.sub(r"^POSTGRES_PASSWORD=.*$", "", (ROOT / ".env.example")
                               .read_text(encoding="utf-8"), flags=re.M))
    result = docker_compose("config", "-q", env_file=env_file)
    assert result.returncode != 0
    assert "set POSTGRES_PASSWORD in .env" in result.stderr


def test_image_is_multi_stage_slim_non_root_with_a_liveness_check() -> None:
    stages = instruction("FROM")
    named: list[str] = []
    for stage in stages:  # each stage starts from the slim base or an earlier stage
        base, _, name = stage.partition(" AS ")
        assert base == "python:3.11-slim" or base in named, stage
        named.append(name.strip())
    assert len(stages) >= 2 and stages[0].startswith("python:3.11-slim")
    assert instruction("USER") and instruction("USER")[-1] not in ("root", "0")
    # Liveness, not the sources' health: a site outage must not mark the daemon unhealthy.
    assert "/healthz" in instruction("HEALTHCHECK")[-1]
    assert "/readyz" not in instruction("HEALTHCHECK")[-1]
    assert any("/app/data" in v for v in instruction("VOLUME"))


def test_templates_are_package_data_so_the_image_needs_no_copy_step() -> None:
    """Every non-Python file inside the packages is declared package data in pyproject."""
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"]
    for package in ("scraper", "monitor", "notifier"):
        patterns = declared.get(package, [])
        for path in (ROOT / package).rglob("*"):
            if (path.is_dir() or path.suffix in (".py", ".pyc") or "__pycache__" in path.parts
                    or path.name.startswith(".") or path.name.endswith("~")):
                continue
            relative = path.relative_to(ROOT / package).as_posix()
            assert any(fnmatch.fnmatch(relative, p) for p in patterns), (
                f"{package}/{relative} is not package data in pyproject.toml")
    assert "web/templates/*.html" in declared["csto_monitor"]
    copies = " ".join(instruction("RUN") + instruction("COPY"))
    assert "templates" not in copies, "the image copies templates by hand"


def test_image_installs_the_locked_dependencies_and_a_wheel_of_the_project() -> None:
    """The lock with hashes, then the project as pyproject.toml packages it: no package
    is named in the Dockerfile, so a new one cannot be left out of the image."""
    runs = " ".join(instruction("RUN"))
    assert "--require-hashes -r /tmp/runtime.txt" in runs
    assert "requirements/runtime.txt" in " ".join(instruction("COPY"))
    assert "pip wheel" in runs and "--no-deps /tmp/wheels/*.whl" in runs
    copies = [c.split()[0] for c in instruction("COPY") if not c.startswith("--from")]
    packages = ("core", "scraper", "monitor", "notifier", "csto_monitor")
    assert not any(c.rstrip("/") in packages for c in copies), copies


def test_image_compose_makefile_and_readme_run_the_same_command() -> None:
    assert image_command() == ["csto-monitor", "run"]
    app = compose()["services"]["app"]
    assert [*json.loads(instruction("ENTRYPOINT")[-1]), *app["command"]] == image_command()
    make_run = re.search(r"^run:.*?\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(), re.M)
    assert make_run and re.search(r"csto-monitor .*\brun$", make_run.group(1), re.M)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    deploy = readme[readme.index("## Deploy"):]
    assert "csto-monitor run" in deploy and "docker compose up" in deploy


def test_app_waits_for_a_healthy_postgres_with_a_named_volume() -> None:
    services = compose()["services"]
    assert services["app"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    volume = services["postgres"]["volumes"][0].split(":")[0]
    assert volume in compose()["volumes"]
    assert services["mailpit"]["profiles"] == ["mail"]


def test_container_config_listens_on_all_interfaces_on_the_published_port() -> None:
    app = compose()["services"]["app"]
    config = app["environment"]["CSTO_MONITOR_CONFIG"]
    assert f"CSTO_MONITOR_CONFIG={config}" in " ".join(instruction("ENV"))
    settings = load_settings(ROOT / "config" / Path(config).name, env={})
    assert (settings.http.host, settings.http.port) == ("0.0.0.0", 8080)
    assert all(p.endswith(":8080") for p in app["ports"])
    assert "127.0.0.1:8080/healthz" in instruction("HEALTHCHECK")[-1]


def test_env_example_defines_every_required_variable() -> None:
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    used = set(re.findall(r"\$\{(\w+)(?::?[?])", text)) | set(re.findall(r"\$\{(\w+)\}", text))
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    defined = set(re.findall(r"^(\w+)=", example, re.M))
    assert used and used <= defined, f"missing from .env.example: {used - defined}"
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert ".env" in ignored and ".venv" in ignored
