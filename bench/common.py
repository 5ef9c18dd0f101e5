"""What every benchmark shares: ports, the replica process, CPU and RSS readings, the doc.

Each benchmark module has `run(quick: bool) -> str` returning its section of
docs/benchmarks.md (a `## ` heading first) and can also run alone with `--markdown`.
"""

from __future__ import annotations

import math
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f} s")


def start_replica(port: int, items: int = 45, *extra: str) -> subprocess.Popen[bytes]:
    """The site replica in its own process (own GIL, its CPU not counted here)."""
    proc = subprocess.Popen([PYTHON, "-m", "tests.replica", "--port", str(port),
                             "--items", str(items), *extra], cwd=ROOT, stdout=subprocess.PIPE)
    assert proc.stdout is not None
    proc.stdout.readline()  # "replica (...): URL" once it listens
    return proc


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def rss_mb(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS in /proc/{pid}/status")


def process_cpu(pid: int) -> float:
    """User + system CPU seconds a running process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_cpu(command: Sequence[str], **kwargs: Any) -> tuple[float, float]:
    """Run a command to its end; its own (CPU seconds, peak RSS MB), from wait4's rusage."""
    with tempfile.TemporaryFile() as errors:  # not a pipe: a full pipe would block the child
        proc = subprocess.Popen(list(command), stdout=subprocess.DEVNULL, stderr=errors,
                                **kwargs)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            errors.seek(0)
            tail = errors.read().decode(errors="replace")[-2000:]
            raise RuntimeError(f"{' '.join(command)} exited {proc.returncode}: {tail}")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def spread(values: Sequence[float], unit: str = "ms", scale: float = 1000.0) -> str:
    """'median X unit (min A, max B, n runs)': the spread over repeated runs."""
    values = [v * scale for v in values]
    if len(values) == 1:
        return f"{values[0]:.1f} {unit} (one run)"
    return (f"median {statistics.median(values):.1f} {unit} "
            f"(min {min(values):.1f}, max {max(values):.1f}; n={len(values)})")


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100), nearest rank."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def goal(met: bool) -> str:
    return "**met**" if met else "**MISSED**"


def machine() -> str:
    from importlib.metadata import version

    names = ("scrapy", "twisted", "sqlalchemy", "psycopg", "python-telegram-bot", "aiosmtplib",
             "apscheduler")
    packages = ", ".join(f"{p} {version(p)}" for p in names)
    return (f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()},"
            f" {platform.system()} {platform.release()}; {packages}")


def write_section(path: Path, section: str) -> None:
    """Replace this benchmark's section in the doc (same `## ` heading), keeping the others."""
    heading = section.splitlines()[0]
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    if heading in text:
        before, _, rest = text.partition(heading)
        after = rest[rest.find("\n## ") + 1:] if "\n## " in rest else ""
        text = before + section.rstrip("\n") + "\n" + ("\n" + after if after else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section.rstrip("\n") + "\n"
    path.write_text(text, encoding="utf-8")


def write_sections(path: Path, text: str) -> None:
    """write_section for each `## ` section of text."""
    parts = ("\n" + text).split("\n## ")[1:]
    for part in parts:
        write_section(path, "## " + part)


def run_alone(run: Callable[[bool], str], description: str | None) -> None:
    """A benchmark module's `main()`: `--quick`, `--markdown [PATH]`, the section printed."""
    import argparse

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--markdown", type=Path, nargs="?", const=DOC)
    args = parser.parse_args()
    text = run(args.quick)
    print(text)
    if args.markdown:
        write_sections(args.markdown, text)
