"""Running the real `csto-monitor` command against a replica, as a user would.

Each command runs in a process of its own, forked by a fork server that has the commands'
modules imported already (tests/e2e/forkserver.py: the same entry point and exit as
`python -m csto_monitor.cli`, for a fraction of the CPU); `CSTO_TEST_FORKSERVER=0` runs them as
plain `python -m csto_monitor.cli` subprocesses.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import locale
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

import yaml

from tests.fixtures.ports import free_port

CLI = [sys.executable, "-m", "csto_monitor.cli"]
ROOT = Path(__file__).resolve().parents[2]


class Process(Protocol):
    """What the tests use of `subprocess.Popen`."""

    pid: int
    returncode: int | None

    def poll(self) -> int | None: ...

    def wait(self, timeout: float | None = None) -> int: ...

    def send_signal(self, sig: int) -> None: ...

    def kill(self) -> None: ...


class ForkedProcess:
    """A command forked by the fork server, with Popen's poll/wait/send_signal/kill."""

    def __init__(self, conn: socket.socket, args: list[str]) -> None:
        self.args = args
        self.returncode: int | None = None
        self._conn = conn
        self._buffer = b""
        line = self._line(60)
        if line is None or not line.startswith("pid "):
            raise RuntimeError(f"the fork server did not start {args}: {line!r}")
        self.pid = int(line.split()[1])

    def _line(self, timeout: float | None) -> str | None:
        while b"\n" not in self._buffer:
            self._conn.settimeout(timeout)
            try:
                chunk = self._conn.recv(256)
            except (TimeoutError, BlockingIOError):
                return None
            if not chunk:
                raise RuntimeError("the fork server went away (see its output above)")
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line.decode()

    def _finish(self, line: str) -> int:
        self.returncode = int(line.split()[1])
        self._conn.close()
        return self.returncode

    def poll(self) -> int | None:
        if self.returncode is None:
            line = self._line(0)
            if line is not None:
                self._finish(line)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            line = self._line(timeout)
            if line is None:
                raise subprocess.TimeoutExpired(self.args, timeout or 0)
            self._finish(line)
        assert self.returncode is not None
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, sig)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class _ForkServer:
    """One fork server per test process, started on first use, stopped at exit."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._path = ""
        self._env: dict[str, str] = {}

    def _start(self) -> None:
        directory = tempfile.mkdtemp(prefix="csto-forkserver-")
        self._path = os.path.join(directory, "socket")
        self._env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "tests.e2e.forkserver", self._path], cwd=ROOT,
            env=self._env, stdin=subprocess.PIPE, stdout=subprocess.PIPE)  # stdin: lifeline
        assert self._proc.stdout is not None
        if self._proc.stdout.readline() != b"ready\n":
            raise RuntimeError("the fork server did not start (see its output above)")
        atexit.register(self._stop, directory)

    def _stop(self, directory: str) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._proc.wait(10)
        shutil.rmtree(directory, ignore_errors=True)

    def serves(self, env: dict[str, str]) -> bool:
        """Whether a child of the server would see the interpreter settings of `env`.

        Only inside a test: the benchmarks (bench/) start the daemon they measure as a
        plain process.
        """
        if os.environ.get("CSTO_TEST_FORKSERVER", "1") == "0":
            return False
        if "PYTEST_CURRENT_TEST" not in os.environ:
            return False
        base = self._env or os.environ

        def interpreter(e: Any) -> dict[str, str]:
            return {k: v for k, v in e.items()
                    if k.startswith("PYTHON") and k != "PYTHONUNBUFFERED"}

        return interpreter(env) == interpreter(base)

    def spawn(self, args: list[str], env: dict[str, str], stdout: int, stderr: int
              ) -> ForkedProcess:
        with self._lock:
            if self._proc is None or self._proc.poll() is not None:
                self._start()
        request = json.dumps({"args": args, "env": env, "cwd": str(ROOT)}).encode()
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.connect(self._path)
        with open(os.devnull, "rb") as stdin:
            socket.send_fds(conn, [struct.pack("!I", len(request)) + request],
                            [stdin.fileno(), stdout, stderr])
        return ForkedProcess(conn, [*CLI, *args])


_SERVER = _ForkServer()


def process_alive(pid: int) -> bool:
    """Whether a process with this id runs (a zombie, exited but not reaped, does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def spawn(args: list[str], env: dict[str, str], stdout: IO[bytes], stderr: IO[bytes]
          ) -> Process:
    """Start `csto-monitor ARGS` (fork server, or `python -m csto_monitor.cli` subprocess)."""
    if _SERVER.serves(env):
        return _SERVER.spawn(args, env, stdout.fileno(), stderr.fileno())
    return subprocess.Popen([*CLI, *args], stdout=stdout, stderr=stderr, cwd=ROOT, env=env)


def _text(stream: IO[bytes]) -> str:
    """Read back a command's output as `subprocess.run(..., text=True)` would decode it."""
    stream.seek(0)
    data = stream.read().decode(locale.getpreferredencoding(False))
    return data.replace("\r\n", "\n").replace("\r", "\n")


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


# The crawl settings write_config gives, plus the sweep that revisits superseded: for tests
# whose hidden edit is on an old item (revisits end 30 days after a sighting).
SWEEP_CRAWL = {"download_delay": "0s", "autothrottle": False, "download_timeout": "3s",
               "retries": 1, "retry_backoff": "0.05s", "recheck_interval": "6h"}


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
        "polling": "fixed",  # every second: learned polling has its own tests
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
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = spawn(["--config", str(config), *args], full_env, out, err)
        try:
            code = proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise
        return Result(code, _text(out), _text(err))


def count_events(out: str) -> dict[str, int]:
    """How many notifications of each kind `check` printed."""
    return {kind: out.count(f"[{kind.upper()}] ") for kind in ("new", "edited", "removed")}


class Daemon:
    """`csto-monitor run` in its own process; output kept in files, appended across restarts."""

    def __init__(self, config: Path, workdir: Path, name: str = "daemon",
                 env: dict[str, str] | None = None) -> None:
        self.config = config
        self.env = env or {}  # added to the process's environment
        self.out_path = workdir / f"{name}.out"
        self.err_path = workdir / f"{name}.err"
        self.proc: Process | None = None

    def start(self, *extra: str) -> Daemon:
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **self.env}
        env.pop("DATABASE_URL", None)
        with open(self.out_path, "ab") as out, open(self.err_path, "ab") as err:
            self.proc = spawn(["--config", str(self.config), *extra, "run"], env, out, err)
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
