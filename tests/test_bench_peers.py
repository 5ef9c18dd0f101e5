"""The benchmark's reading of a peer server from /proc, and `--only`'s names."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from bench.__main__ import benchmark_names
from bench.proc_tree import descendants, foreign_peers, remote_addresses, tree_cpu, tree_rss_mb

# /proc/net/tcp as the kernel writes it: a listener, a loopback connection, one off loopback.
TCP = """\
  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 111 1
   1: 0100007F:A1B2 0100007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 222 1
   2: 0A00020F:C3D4 5DB8D822:01BB 01 00000000:00000000 00:00000000 00000000     0        0 333 1
"""


def test_only_takes_comma_joined_names_and_aliases_once_each_in_doc_order() -> None:
    assert benchmark_names(["startup,idle,memory"]) == ["idle_poll", "startup"]
    assert benchmark_names(["latency", "idle_poll"]) == ["idle_poll", "latency"]


def test_an_unknown_benchmark_is_named_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"'idel'.*idle_poll.*memory"):
        benchmark_names(["startup,idel"])


def test_remote_ends_of_connected_sockets_only() -> None:
    assert remote_addresses(TCP, {"111", "222", "333"}) == ["0100007F:1F90", "5DB8D822:01BB"]
    assert remote_addresses(TCP, {"222"}) == ["0100007F:1F90"]


def test_a_process_tree_is_read_with_its_children_and_loopback_sockets() -> None:
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    code = (f"import socket, time; s = socket.create_connection(('127.0.0.1', {port})); "
            "sum(range(3_000_000)); print('ready', flush=True); time.sleep(30)")
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)
    try:
        assert child.stdout is not None and child.stdout.readline() == b"ready\n"
        assert child.pid in descendants(os.getpid())
        assert tree_cpu(child.pid) > 0 and tree_rss_mb(child.pid) > 1
        assert foreign_peers(child.pid) == []  # its one connection is to 127.0.0.1
    finally:
        child.kill()
        child.wait()
        server.close()
