"""A fork server for the tests' `csto-monitor` processes: the same command for less CPU.

Starting `python -m csto_monitor.cli` costs up to a second of CPU before the command does
anything (importing SQLAlchemy and pydantic; for `check`, Scrapy and Twisted; for a new
database, Alembic; for `run`, aiohttp and APScheduler), and the suite
starts several hundred of them: that was most of its CPU time. The fork server is one
process per test worker that imports those modules once, then forks a child for each
command. Each child is a process of its own (pid, standard streams, working directory,
environment, signal dispositions, exit code) that runs `csto_monitor.cli` as `__main__`
exactly as `python -m csto_monitor.cli ARGS` does, and ends the way the interpreter ends a
program: non-daemon threads joined, atexit handlers run, streams flushed. So a command
that would hang at exit still hangs, and a test that kills or signals it sees what a
user would.

What differs from a fresh interpreter, and how that is handled:
- modules are imported in advance (importing them must have no effect beyond defining
  things: checked for the Twisted reactor, which must not be installed at import);
- settings the interpreter reads at its own start (PYTHON* variables) are the server's:
  a command whose PYTHON* variables differ (PYTHONUNBUFFERED aside, which the child
  applies to its streams) runs as a real subprocess instead (`tests.e2e.harness.spawn`).
`CSTO_TEST_FORKSERVER=0` makes every command a real subprocess. Daemons started by
tests/test_e2e_history.py and the kill test of tests/email/test_e2e.py are always real
`python -m csto_monitor.cli` processes, so a plain start-up stays covered.

Protocol (a Unix socket): the client sends a length-prefixed JSON request {args, env,
cwd} with three file descriptors (stdin, stdout, stderr); the server answers
"pid N\\n" once the child runs and "exit CODE\\n" when it ended (CODE as in
`subprocess.Popen.returncode`: negative for a signal).
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import io
import json
import os
import runpy
import selectors
import signal
import socket
import struct
import sys
import threading
import traceback
from typing import Any

# What the commands import, at start or lazily; anything missing here still works, it is
# only imported by the child itself.
PRELOAD = (
    "csto_monitor.cli", "csto_monitor.oneshot", "csto_monitor.daemon", "monitor.backfill",
    "csto_monitor.runtime", "csto_monitor.services", "csto_monitor.web.server",
    "csto_monitor.web.health", "csto_monitor.web.pages", "csto_monitor.web.feed",
    "csto_monitor.web.prometheus", "csto_monitor.web.unsubscribe", "notifier.registry",
    "notifier.channels.console", "notifier.channels.email", "notifier.channels.telegram",
    "csto_monitor.bot.service",
    # Imported lazily by the commands (see tests/test_lazy_imports.py): Alembic when a
    # database needs migrating (every test's new one), the readers of attached files,
    # the digests, `show`.
    "alembic.command", "alembic.config", "alembic.script", "alembic.runtime.migration",
    "scraper.documents.pdf", "scraper.documents.office", "notifier.digest",
    "notifier.digest_queue", "csto_monitor.showitem", "email_validator", "rich.table",
)
_HEADER = struct.Struct("!I")
_FORWARDED = {signal.SIGTERM, signal.SIGINT, signal.SIGCHLD}  # the server handles these


def _receive(conn: socket.socket) -> tuple[dict[str, Any], list[int]]:
    data, fds, _flags, _addr = socket.recv_fds(conn, 1 << 16, 3)
    while len(data) < _HEADER.size or len(data) < _HEADER.size + _HEADER.unpack_from(data)[0]:
        chunk = conn.recv(1 << 16)
        if not chunk:
            raise ConnectionError("request cut short")
        data += chunk
    (length,) = _HEADER.unpack_from(data)
    return json.loads(data[_HEADER.size:_HEADER.size + length]), fds


def _stream(fd: int, unbuffered: bool, errors: str, line_buffering: bool) -> io.TextIOWrapper:
    """A standard stream as the interpreter makes it for a non-terminal file."""
    raw = io.FileIO(fd, "w", closefd=False)
    binary: io.RawIOBase | io.BufferedWriter = raw if unbuffered else io.BufferedWriter(raw)
    return io.TextIOWrapper(binary, encoding=os.environ.get("PYTHONIOENCODING") or "utf-8",
                            errors=errors, line_buffering=line_buffering,
                            write_through=unbuffered)


def _exit_code(exc: SystemExit) -> int:
    """What the interpreter makes of SystemExit(code)."""
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code
    with contextlib.suppress(Exception):
        print(exc.code, file=sys.stderr)
    return 1


def _child(request: dict[str, Any], fds: list[int], keep_out: list[Any]) -> None:
    """Become the command's process; never returns."""
    code = 1
    try:
        signal.set_wakeup_fd(-1)
        for sig in (signal.SIGCHLD, signal.SIGTERM):
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        # A signal sent since the fork waited, blocked, for these dispositions: now it acts
        # as on a fresh interpreter (a SIGTERM right after the start ends the process).
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _FORWARDED)
        for resource in keep_out:  # the server's sockets and selector
            resource.close()
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
        for fd in set(fds) - {0, 1, 2}:
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        unbuffered = bool(os.environ.get("PYTHONUNBUFFERED"))
        sys.stdin = io.TextIOWrapper(io.BufferedReader(io.FileIO(0, "r", closefd=False)),
                                     encoding="utf-8")
        sys.stdout = _stream(1, unbuffered, "strict", line_buffering=False)
        sys.stderr = _stream(2, unbuffered, "backslashreplace", line_buffering=True)
        sys.argv = ["-m", *request["args"]]  # run_module puts the module's path first
        # `python -m csto_monitor.cli` runs the module as __main__ only; its imports stay loaded.
        sys.modules.pop("csto_monitor.cli", None)
        with contextlib.suppress(AttributeError):
            del sys.modules["monitor"].cli  # type: ignore[attr-defined]
        try:
            runpy.run_module("csto_monitor.cli", run_name="__main__", alter_sys=True)
            code = 0
        except SystemExit as exc:
            code = _exit_code(exc)
        except KeyboardInterrupt:
            traceback.print_exc()
            code = -signal.SIGINT
        except BaseException:
            traceback.print_exc()
            code = 1
        threading._shutdown()  # type: ignore[attr-defined]  # as at interpreter exit
        atexit._run_exitfuncs()
    except BaseException:
        with contextlib.suppress(BaseException):
            traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(BaseException):
                stream.flush()
        if code < 0:  # ended by a signal, like the interpreter after KeyboardInterrupt
            signal.signal(-code, signal.SIG_DFL)
            os.kill(os.getpid(), -code)
        os._exit(code & 0xFF)


def serve(path: str) -> None:
    for name in PRELOAD:
        importlib.import_module(name)
    if "twisted.internet.reactor" in sys.modules:
        raise SystemExit("fork server: importing the commands installed a Twisted reactor; "
                         "every child would inherit it")
    if threading.active_count() != 1:  # a fork copies only the forking thread
        raise SystemExit(f"fork server: importing the commands started threads "
                         f"({threading.enumerate()}); forking would leave them half-copied")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)
    wake_r, wake_w = socket.socketpair()
    wake_r.setblocking(False)
    wake_w.setblocking(False)
    signal.set_wakeup_fd(wake_w.fileno())
    stopping = False

    def stop(*_: Any) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGCHLD, lambda *_: None)  # a handler, so that the wakeup fd fires
    signal.signal(signal.SIGTERM, stop)
    children: dict[int, socket.socket] = {}
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    selector.register(wake_r, selectors.EVENT_READ)
    selector.register(sys.stdin, selectors.EVENT_READ)  # EOF: the test process is gone
    print("ready", flush=True)
    while not stopping:
        for key, _ in selector.select():
            if key.fileobj is sys.stdin:
                if not os.read(sys.stdin.fileno(), 4096):
                    stopping = True
            elif key.fileobj is listener:
                conn, _ = listener.accept()
                try:
                    request, fds = _receive(conn)
                except (OSError, ValueError):
                    conn.close()
                    continue
                # Blocked across the fork: the server's handlers must not take the child's
                # signals before it has set its own.
                signal.pthread_sigmask(signal.SIG_BLOCK, _FORWARDED)
                pid = os.fork()
                if pid == 0:
                    _child(request, fds, [selector, listener, wake_r, wake_w, conn,
                                          sys.stdin, *children.values()])
                signal.pthread_sigmask(signal.SIG_UNBLOCK, _FORWARDED)
                for fd in fds:
                    os.close(fd)
                children[pid] = conn
                with contextlib.suppress(OSError):
                    conn.sendall(f"pid {pid}\n".encode())
            else:
                with contextlib.suppress(BlockingIOError):
                    while wake_r.recv(4096):
                        pass
                _reap(children)
    for pid in children:  # a command a test left running ends with the server
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    listener.close()
    with contextlib.suppress(OSError):
        os.unlink(path)
        os.rmdir(os.path.dirname(path))


def _reap(children: dict[int, socket.socket]) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        conn = children.pop(pid, None)
        if conn is not None:
            with contextlib.suppress(OSError):
                conn.sendall(f"exit {os.waitstatus_to_exitcode(status)}\n".encode())
            conn.close()


if __name__ == "__main__":
    serve(sys.argv[1])
