"""The Docker image as users get it: built from the Dockerfile, run for real with podman.

What is checked is what an operator would see: the image holds exactly the locked runtime
dependencies and every production module imports in it; the compose file's `app` service
(its environment and mounted config/) migrates a PostgreSQL database; the daemon in the
container stores the site's baseline from the replica, announces what is published
afterwards, answers /healthz and /readyz, runs as a non-root user, keeps its data in the
volume across a new container without announcing anything twice, and stops on SIGTERM
within the 10 s `docker stop` gives it.
"""

from __future__ import annotations

import json
import re
import subprocess
import tomllib
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.requirements import Requirement
from sqlalchemy import create_engine, inspect, make_url, text

from tests.container.podman import ROOT, Container, podman, run_args
from tests.e2e.harness import SWEEP_CRAWL, source
from tests.fixtures.ports import free_port
from tests.replica import ReplicaServer, World, make_article
from tests.test_deploy_files import docker_compose
from tests.web.helpers import fetch

pytestmark = pytest.mark.xdist_group("container")

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
IMPORT_ALL = ROOT / "tests" / "container" / "import_all.py"
STOP_WITHIN = 10.0  # seconds: what `docker stop` and `docker compose down` wait by default


def name(kind: str) -> str:
    return f"csto-monitor-test-{kind}-{uuid.uuid4().hex[:8]}"


def podman_run(image: str, *options: str) -> list[str]:
    """`podman run` of a one-off container (removed when it exits)."""
    return [*run_args(name("once"), *options), image]


def packaged() -> list[str]:
    """The top-level packages pyproject.toml puts in the wheel."""
    patterns = PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
    return sorted(p.rstrip("*.") for p in patterns)


def distribution(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9_.-]+", requirement)
    assert match, requirement
    return re.sub(r"[-_.]+", "-", match[0]).lower()


def runtime_lock() -> set[str]:
    """Distributions of requirements/runtime.txt whose markers hold here (Linux, CPython
    3.11, like the image)."""
    names = set()
    for line in (ROOT / "requirements" / "runtime.txt").read_text().splitlines():
        if line[:1].isalnum():
            requirement = Requirement(line.removesuffix("\\").strip())
            if requirement.marker is None or requirement.marker.evaluate():
                names.add(distribution(requirement.name))
    return names


def test_every_top_level_package_is_packaged() -> None:
    """A new package beside core/ ... csto_monitor/ goes into the wheel, hence the image."""
    found = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests", "bench"}
    assert found == set(packaged()), "pyproject.toml [tool.setuptools.packages.find]"


def test_image_holds_the_runtime_lock_and_every_module_imports(image: str) -> None:
    optional = sorted({distribution(r).replace("-", "_") for extra, reqs in
                       PYPROJECT["project"]["optional-dependencies"].items() if extra != "dev"
                       for r in reqs})
    script = (f"python - {' '.join(packaged())} --optional {' '.join(optional)} "
              "&& pip list --format=freeze")
    result = subprocess.run(
        [*podman_run(image, "-i", "--entrypoint", "sh"), "-c", script],
        input=IMPORT_ALL.read_text(encoding="utf-8"), capture_output=True, text=True,
        timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"imported \d{3} modules", result.stdout), result.stdout
    installed = {distribution(line) for line in result.stdout.splitlines() if "==" in line}
    # Exactly the lock: no dev tool (pytest, ruff, mypy, uv), nothing unlocked.
    assert installed - {"pip", "setuptools", "csto-monitor"} == runtime_lock()


def test_image_keeps_a_liveness_check_and_runs_as_its_own_user(image: str) -> None:
    inspected = json.loads(podman("image", "inspect", image).stdout)[0]
    config = inspected["Config"]
    assert "/healthz" in " ".join(inspected["Healthcheck"]["Test"])  # kept: --format docker
    assert config["User"] == "csto" and config["Entrypoint"] == ["csto-monitor"]


def test_compose_app_service_migrates_its_postgresql_in_the_image(
        image: str, new_pg_database: str, volume: str, tmp_path: Path) -> None:
    """The `app` service's environment and mounts as docker-compose resolves them from an
    .env like .env.example, run on this image; only the host `postgres` points at the
    PostgreSQL the tests use, and the command is `db upgrade` instead of `run`."""
    url = make_url(new_pg_database)
    env_file = tmp_path / ".env"
    env_file.write_text(re.sub(
        r"^(POSTGRES_USER|POSTGRES_PASSWORD|POSTGRES_DB)=.*$",
        lambda m: f"{m[1]}=" + {"POSTGRES_USER": url.username or "postgres",
                                "POSTGRES_PASSWORD": url.password or "trust-ignores-it",
                                "POSTGRES_DB": url.database or ""}[m[1]],
        (ROOT / ".env.example").read_text(encoding="utf-8"), flags=re.M), encoding="utf-8")
    resolved = docker_compose("config", env_file=env_file)
    assert resolved.returncode == 0, resolved.stderr
    app: dict[str, Any] = yaml.safe_load(resolved.stdout)["services"]["app"]
    options = ["--add-host", f"postgres:{url.host or '127.0.0.1'}"]
    for key, value in app["environment"].items():
        options += ["--env", f"{key}={value}"]
    for mount in app["volumes"]:
        mount = mount if isinstance(mount, str) else f"{mount['source']}:{mount['target']}"
        source_path, target = mount.split(":")[:2]
        options += ["--volume", f"{volume if '/' not in source_path else source_path}:"
                    f"{target}{':ro' if mount.endswith(':ro') else ''}"]
    result = subprocess.run([*podman_run(image, *options), "db", "upgrade"],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    engine = create_engine(new_pg_database)
    try:
        with engine.connect() as conn:
            revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            assert revision and "items" in inspect(conn).get_table_names()
    finally:
        engine.dispose()


def container_config(directory: Path, replica: ReplicaServer, port: int) -> Path:
    """config/docker.yaml, pointed at the replica: quick polls, no delays, a free port."""
    data = yaml.safe_load((ROOT / "config" / "docker.yaml").read_text(encoding="utf-8"))
    data.update(sources=[source(replica.listing_url)], poll_interval="1s", polling="fixed",
                crawl=SWEEP_CRAWL, http={"listen": f"127.0.0.1:{port}"})
    directory.mkdir(mode=0o755)
    directory.chmod(0o755)  # the container's user reads it through the bind mount
    path = directory / "docker.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    path.chmod(0o644)
    return directory


def uid_of(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"^Uid:\s+(\d+)\s+(\d+)", status, re.M)
    assert match, status
    return int(match[2])  # effective


def polled_again(container: Container) -> bool:
    return bool(re.search(r"csto-en: (unchanged|0 new)", container.err))


def test_daemon_in_the_image_stores_announces_survives_a_restart_and_stops(
        image: str, volume: str, world: World, replica: ReplicaServer, tmp_path: Path
        ) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    config = container_config(tmp_path / "config", replica, port)
    options = ["--volume", f"{config}:/app/config:ro", "--volume", f"{volume}:/app/data"]
    first = Container(image, name("run"), tmp_path, options).start()
    try:
        first.wait_for(lambda: "first poll: stored" in first.err, 90, "the baseline")
        stored = re.search(r"first poll: stored (\d+) items silently", first.err)
        assert stored and int(stored[1]) == len(world.articles), first.err
        assert fetch(f"{base}/healthz").status == 200
        ready = fetch(f"{base}/readyz")
        assert ready.status == 200, ready.body
        assert uid_of(first.pid()) == 10001  # the image's `csto` user, not root

        world.publish(make_article("Meeting of the CSTO Council of Foreign Ministers"))
        first.wait_for(lambda: "[NEW] Meeting of the CSTO Council" in first.out, 30,
                       "the new item announced")
        code, seconds = first.terminate(STOP_WITHIN)
        assert code == 0 and seconds < STOP_WITHIN, (code, seconds, first.err[-2000:])
    finally:
        first.stop()

    second = Container(image, name("restart"), tmp_path, options).start()  # same volume
    try:
        second.wait_for(lambda: polled_again(second), 90, "a poll after the restart")
        # What the volume kept, through the daemon's own JSON API.
        items = fetch(f"{base}/api/v1/items?limit=500").json()["items"]
        assert len(items) == len(world.articles)
        changes = fetch(f"{base}/api/v1/changes?limit=500").json()["changes"]
        assert [(c["kind"], c["title"]) for c in changes] == [
            ("new", "Meeting of the CSTO Council of Foreign Ministers")]
        assert "[NEW]" not in second.out and "first poll" not in second.err
        code, seconds = second.terminate(STOP_WITHIN)
        assert code == 0 and seconds < STOP_WITHIN, (code, seconds, second.err[-2000:])
    finally:
        second.stop()
