"""A running process and its descendants as /proc shows them: CPU, RSS and sockets.

For a peer that runs as a server (changedetection.io): its CPU and memory are read from
outside, summed over every process it started, and its sockets are listed so that the
benchmark can show it reached nothing but 127.0.0.1.
"""

from __future__ import annotations

import os
from pathlib import Path

PROC = Path("/proc")
_LOOPBACK = {"0100007F", "00000000000000000000000001000000",  # 127.0.0.1, ::1
             "0000000000000000FFFF00000100007F"}  # ::ffff:127.0.0.1
_UNSET = {"00000000", "00000000000000000000000000000000"}  # no remote end (listening)


def stat_fields(pid: int) -> list[str]:
    """The fields of /proc/PID/stat after the command name (field 3, the state, first)."""
    return (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()


def descendants(pid: int) -> list[int]:
    """pid and every live process below it (from each process's parent id)."""
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            try:
                parent = int(stat_fields(int(entry.name))[1])
            except (FileNotFoundError, ProcessLookupError, IndexError):
                continue  # ended while we looked
            children.setdefault(parent, []).append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


def tree_cpu(pid: int) -> float:
    """User + system CPU seconds of the tree, its ended (waited-for) children included."""
    ticks = 0
    for member in descendants(pid):
        fields = stat_fields(member)
        ticks += sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def tree_rss_mb(pid: int) -> float:
    """Resident memory of the tree, summed over its processes (MB)."""
    total_kb = 0
    for member in descendants(pid):
        for line in (PROC / str(member) / "status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total_kb += int(line.split()[1])
    return total_kb / 1024


def socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for member in descendants(pid):
        for fd in (PROC / str(member) / "fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    return inodes


def remote_addresses(table: str, inodes: set[str]) -> list[str]:
    """Remote ends ("HEXADDR:HEXPORT") of the sockets with these inodes in one /proc/net
    table (its text): listening and unconnected sockets have none and are left out."""
    found = []
    for line in table.splitlines()[1:]:
        fields = line.split()
        if len(fields) > 9 and fields[9] in inodes:
            address = fields[2].split(":")[0]
            if address not in _UNSET:
                found.append(fields[2])
    return found


def foreign_peers(pid: int) -> list[str]:
    """Remote ends of the tree's TCP and UDP sockets that are not loopback."""
    inodes = socket_inodes(pid)
    peers = []
    for name in ("tcp", "tcp6", "udp", "udp6"):
        table = (PROC / "net" / name).read_text()
        peers += [peer for peer in remote_addresses(table, inodes)
                  if peer.split(":")[0] not in _LOOPBACK]
    return peers
