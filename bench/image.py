"""Benchmark 14: the container image: its size, its build time, its start to the first poll.

Built from the project's Dockerfile with podman, as `make test` builds it
(tests/container/podman.py); the base `python:3.11-slim` is the mmdebstrap stand-in when
no registry is reachable (Debian bookworm's Python 3.11: fine for timings, not for the
official image's size, so the size of what the Dockerfile adds is given apart).
- Base: the seconds to make the stand-in (only when not --quick; it downloads ~50 MB
  of Debian packages, so it measures the mirror as much as the machine).
- Build, base cached, no layer cache (`--no-cache`): the locked dependencies are
  downloaded and installed; what a fresh machine with the base pays.
- Build after a change of code (layers cached): what each `make test` pays.
- Start to first poll: from `podman run` of a new container with a new volume to the
  log line of the first poll, against a 45-item replica (SQLite in the volume; the
  migrations are applied at start).

    .venv/bin/python -m bench.image [--quick] [--markdown docs/benchmarks.md]
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bench.common import ROOT, free_port, run_alone, spread, start_replica, stop
from tests.container.podman import (
    BASE,
    STAND_IN_LABEL,
    Container,
    build,
    ensure_base,
    make_stand_in,
    podman,
    remove,
)

COMMAND = ".venv/bin/python -m bench.image --markdown docs/benchmarks.md"
ITEMS = 45
READING = """Reading. What the Dockerfile adds is the virtualenv (~320 MB on disk: Twisted and
Babel ~36 MB each, SQLAlchemy ~29 MB, pip ~16 MB, cryptography ~16 MB, apprise ~14 MB,
lxml ~13 MB, rapidfuzz ~12 MB, measured with `du` in the image); bytecode is compiled at
install, so a start pays no compilation. The dependency layer is rebuilt only when
`requirements/runtime.txt` changes; a change of code rebuilds the wheel stage and the one
layer that installs it, and that is what each `make test` pays (tests/container/ builds
once per run). The build without layer cache is dominated by downloading and installing
the locked packages (feedgen is an sdist, built on the spot). The start to the first poll
covers the container's start, the interpreter and imports, the migrations of a new SQLite
database in the volume, robots.txt, the listing and the 45 detail pages. Every figure
here comes from a shared machine under the load given above: read them as upper bounds.
"""


def size_mb(image: str) -> float:
    return int(podman("image", "inspect", "--format", "{{.Size}}", image).stdout) / 1e6


def is_stand_in() -> bool:
    labels = json.loads(podman("image", "inspect", BASE).stdout)[0].get("Labels") or {}
    return STAND_IN_LABEL in labels


def code_change_build(tag: str, context: Path) -> float:
    """A build after one source file changed: the wheel and the layers after it."""
    marker = context / "csto_monitor" / "__init__.py"
    marker.write_text(marker.read_text() + f"# bench {uuid.uuid4().hex}\n")
    return build(tag, context)


def first_poll(image: str, listing_url: str, workdir: Path) -> float:
    """Seconds from `podman run` (new container, new volume) to the first poll's line."""
    config_dir = workdir / f"config-{uuid.uuid4().hex[:6]}"
    config_dir.mkdir(mode=0o755)
    data = yaml.safe_load((ROOT / "config" / "docker.yaml").read_text(encoding="utf-8"))
    data.update(sources=[{"name": "csto-en", "url": listing_url, "language": "en",
                          "pages": 3}],
                crawl={"download_delay": "0s", "autothrottle": False},
                http={"listen": f"127.0.0.1:{free_port()}"})
    (config_dir / "docker.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    (config_dir / "docker.yaml").chmod(0o644)
    volume = f"csto-monitor-bench-{uuid.uuid4().hex[:8]}"
    container = Container(image, f"csto-monitor-bench-{uuid.uuid4().hex[:8]}", workdir,
                          ["--volume", f"{config_dir}:/app/config:ro",
                           "--volume", f"{volume}:/app/data"])
    started = time.monotonic()
    container.start()
    try:
        container.wait_for(lambda: "first poll: stored" in container.err, 120, "first poll")
        return time.monotonic() - started
    finally:
        container.stop()
        remove("volume", volume)


@dataclass
class Figures:
    stand_in: bool
    base_mb: float
    image_mb: float = 0.0
    base_s: float | None = None  # making the stand-in (not with --quick)
    no_cache_s: float = 0.0
    code_change_s: list[float] = field(default_factory=list)
    first_poll_s: list[float] = field(default_factory=list)
    load: list[float] = field(default_factory=list)  # 1-min load average, start and end


def measure(quick: bool) -> Figures:
    ensure_base()
    figures = Figures(stand_in=is_stand_in(), base_mb=size_mb(BASE),
                      load=[os.getloadavg()[0]])
    runs = 1 if quick else 3
    if not quick:
        tag = f"localhost/csto-monitor-bench-base:{uuid.uuid4().hex[:8]}"
        started = time.monotonic()
        make_stand_in(tag)
        figures.base_s = time.monotonic() - started
        podman("untag", tag, tag, check=False)
    tag = f"localhost/csto-monitor-bench:{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory(prefix="csto-bench-image-") as directory:
        workdir = Path(directory)
        context = workdir / "context"  # a copy: the code change must not touch the tree
        shutil.copytree(ROOT, context, ignore=shutil.ignore_patterns(
            ".git", ".venv", ".bench", "data", "__pycache__", "*_cache"))
        figures.no_cache_s = build(tag, context, ["--no-cache"])
        figures.image_mb = size_mb(tag)
        figures.code_change_s = [code_change_build(tag, context) for _ in range(runs)]
        replica = start_replica(port := free_port(), ITEMS)
        try:
            figures.first_poll_s = [first_poll(tag, f"http://127.0.0.1:{port}/news/", workdir)
                                    for _ in range(runs)]
        finally:
            stop(replica)
    podman("untag", tag, tag, check=False)
    figures.load.append(os.getloadavg()[0])
    return figures


def report(figures: Figures, quick: bool) -> str:
    base = "the mmdebstrap stand-in" if figures.stand_in else "the official image"
    rows = [
        f"| image size (base: {base}) | {figures.image_mb:.0f} MB |",
        f"| of which the Dockerfile adds (dependencies, project, config) | "
        f"{figures.image_mb - figures.base_mb:.0f} MB |",
    ]
    if figures.base_s is not None:
        rows.append(f"| making the stand-in base (mmdebstrap, import) | {figures.base_s:.0f} s |")
    rows += [
        f"| build, base cached, no layer cache (`--no-cache`) | {figures.no_cache_s:.0f} s |",
        f"| build after a change of code (layers cached) | "
        f"{spread(figures.code_change_s, 's', 1.0)} |",
        f"| `podman run` to the first poll (new volume, {ITEMS} items) | "
        f"{spread(figures.first_poll_s, 's', 1.0)} |",
    ]
    return "\n".join([
        "## 17. Container image", "",
        f"Command: `{COMMAND}`{' (--quick: one run each, no stand-in timing)' if quick else ''}."
        " The Dockerfile built with podman as `make test` builds it (tests/container/podman.py:"
        " runc, host network, `--format docker`); the base `python:3.11-slim` is "
        f"{base} ({figures.base_mb:.0f} MB; the official image's size cannot be measured"
        " here, no registry is reachable: a user's image is its size plus what the"
        " Dockerfile adds). Load average of the machine (shared, 2 cores) at the start and"
        f" the end of the run: {figures.load[0]:.1f}, {figures.load[-1]:.1f}.", "",
        "| figure | value |", "| --- | --- |", *rows, "",
        READING,
    ])


def run(quick: bool = False) -> str:
    return report(measure(quick), quick)


if __name__ == "__main__":
    run_alone(run, __doc__)
