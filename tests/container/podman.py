"""Building and running the project's Dockerfile for real, with podman (no Docker engine here).

The way that works on these machines (shared/stack-notes.md, "Docker, and containers for
real"): runc instead of crun, cgroupfs, host networking, explicit ulimits and the Docker
image format (which keeps the HEALTHCHECK). No registry is reachable, so when the
Dockerfile's base image `python:3.11-slim` is not in podman's store, a stand-in is made
with mmdebstrap: Debian bookworm with its Python 3.11, for the tests only (the Dockerfile
keeps the official base for users). The stand-in stays in podman's store, so only the
first run on a machine pays for it (about 30 s to 2 min, depending on the mirror).
Used by tests/container/ and by bench/image.py.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BASE = "docker.io/library/python:3.11-slim"
STAND_IN_LABEL = "csto-monitor.stand-in"
PODMAN = ("podman", "--runtime", "runc", "--cgroup-manager", "cgroupfs")
ULIMITS = ("--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096")
INSTALL = "apt-get install -y podman runc mmdebstrap (make test does it, as root)"
# What pip inside the build needs to reach the package index the way this machine does.
HOST_FILES = ("/etc/ssl/certs/ca-certificates.crt", "/etc/pip.conf")


class PodmanError(RuntimeError):
    """A podman or mmdebstrap command failed; the message ends with its output."""


def need(program: str) -> str:
    path = shutil.which(program)
    if path is None:
        raise PodmanError(f"{program} not found: {INSTALL}")
    return path


def podman(*args: str, timeout: float = 120, check: bool = True
           ) -> subprocess.CompletedProcess[str]:
    need("podman")
    result = subprocess.run([*PODMAN, *args], capture_output=True, text=True,
                            timeout=timeout, check=False)
    if check and result.returncode != 0:
        output = "\n".join(line for line in (result.stdout + result.stderr).splitlines()
                           if "WARNING: Location" not in line)  # this machine's pip.conf
        raise PodmanError(f"podman {' '.join(args[:3])} ... exited {result.returncode}:\n"
                          f"{output[-4000:]}")
    return result


def image_exists(name: str) -> bool:
    return podman("image", "exists", name, check=False).returncode == 0


def ensure_base() -> float:
    """Make sure `python:3.11-slim` is in podman's store; the seconds spent making it."""
    lock_path = Path(tempfile.gettempdir()) / "csto-monitor-base-image.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one maker at a time (tests and bench alike)
        if image_exists(BASE):
            return 0.0
        started = time.monotonic()
        make_stand_in()
        return time.monotonic() - started


def make_stand_in(tag: str = BASE) -> None:
    """Debian bookworm's Python 3.11 as `python:3.11-slim` (or TAG), with the machine's CA and pip
    settings (pip inside the build reaches the index the way this machine does)."""
    need("mmdebstrap")
    hooks = [f"--customize-hook=copy-in {f} {os.path.dirname(f)}/" for f in HOST_FILES
             if os.path.exists(f)]
    with tempfile.TemporaryDirectory(prefix="csto-base-", dir="/var/tmp") as directory:
        tarball = os.path.join(directory, "base.tar")
        result = subprocess.run(
            ["mmdebstrap", "--quiet", "--variant=minbase",
             "--include=python3.11,python3.11-venv,python-is-python3,ca-certificates",
             *hooks, "bookworm", tarball], capture_output=True, text=True, timeout=900,
            check=False)
        if result.returncode != 0:
            raise PodmanError(f"mmdebstrap exited {result.returncode}:\n{result.stderr[-3000:]}")
        podman("import", "--change", "ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt",
               "--change", f"LABEL {STAND_IN_LABEL}=debian-bookworm-python3.11",
               tarball, tag, timeout=300)


def build(tag: str, context: Path = ROOT, extra: Sequence[str] = ()) -> float:
    """`podman build` of the project's Dockerfile as a user would; the seconds it took."""
    started = time.monotonic()
    podman("build", "--pull=never", "--network=host", "--format", "docker", *ULIMITS,
           *extra, "-t", tag, str(context), timeout=1200)
    return time.monotonic() - started


def run_args(name: str, *options: str) -> list[str]:
    """`podman run` of a container NAME, as the tests and the benchmark start it."""
    return [*PODMAN, "run", "--rm", "--name", name, "--network=host", *ULIMITS,
            "--health-interval", "disable", *options]


def remove(kind: str, *names: str) -> None:
    """Remove containers ('container'), volumes or images, ignoring those already gone."""
    if names:
        podman(kind, "rm", "--force", *names, check=False, timeout=60)


class Container:
    """`podman run IMAGE ARGS` attached, its output kept in files (like tests.e2e.harness's
    Daemon): standard output holds the announcements, standard error the log."""

    def __init__(self, image: str, name: str, workdir: Path, options: Sequence[str] = (),
                 args: Sequence[str] = ()) -> None:
        self.name = name
        self.out_path, self.err_path = workdir / f"{name}.out", workdir / f"{name}.err"
        self.command = [*run_args(name, *options), image, *args]
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Container:
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
            self.proc = subprocess.Popen(self.command, stdin=subprocess.DEVNULL, stdout=out,
                                         stderr=err)
        return self

    @property
    def out(self) -> str:
        return self.out_path.read_text(encoding="utf-8", errors="replace")

    @property
    def err(self) -> str:
        return self.err_path.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, predicate: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if self.proc is not None and self.proc.poll() is not None:
                raise AssertionError(f"container {self.name} exited ({self.proc.returncode}) "
                                     f"before {what}:\n{self.err[-3000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out ({timeout:.0f} s) waiting for {what}:\n"
                                     f"{self.err[-3000:]}")
            time.sleep(0.05)

    def pid(self) -> int:
        """The container's main process, as the host sees it."""
        return int(podman("inspect", "--format", "{{.State.Pid}}", self.name).stdout)

    def terminate(self, timeout: float) -> tuple[int, float]:
        """SIGTERM to the daemon, as `docker stop` sends it; (exit code, seconds to exit)."""
        assert self.proc is not None
        started = time.monotonic()
        podman("kill", "--signal", "TERM", self.name)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise AssertionError(f"container {self.name} still running {timeout:.0f} s after "
                                 f"SIGTERM:\n{self.err[-3000:]}") from None
        return code, time.monotonic() - started

    def stop(self) -> None:
        """Kill it if still running (teardown)."""
        if self.proc is not None and self.proc.poll() is None:
            podman("kill", self.name, check=False)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        remove("container", self.name)
