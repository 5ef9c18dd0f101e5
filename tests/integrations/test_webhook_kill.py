"""kill -9 of the daemon while a webhook delivery is in flight: that one is sent again,
with the same X-CSTO-Delivery, and nothing else is repeated or lost."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest

from tests.e2e.harness import Daemon
from tests.integrations.receiver import Receiver
from tests.replica import ReplicaServer, World
from tests.test_daemon import daemon_config, new_article

# Real daemons in subprocesses, timed against their logs: one at a time per test run, so
# that on a 2-core machine they do not starve each other (tests of one xdist group share
# a worker).
pytestmark = pytest.mark.xdist_group("daemons")

SECRET = "webhook-secret-0123456789"


def test_kill_9_between_send_and_mark_resends_only_that_delivery(
        tmp_path: Path, world: World, replica: ReplicaServer, database_url: str,
        receiver: Receiver) -> None:
    receiver.stall_at = 2  # the daemon is killed while the 2nd POST waits for its answer
    config = daemon_config(tmp_path, replica, database_url, webhooks=[
        {"url": receiver.url + "/hook", "secret": SECRET, "name": "kill", "timeout": "30s"}])
    daemon = Daemon(config, tmp_path).start()
    try:
        daemon.wait_for_log("first poll: stored")
        for n in range(1, 6):
            world.publish(new_article(n))
        assert receiver.stalled.wait(60), "the 2nd delivery never came"
        daemon.kill()
        stalled = receiver.received[1].headers["X-CSTO-Delivery"]
        receiver.release.set()
        daemon.start()
        daemon.wait_for(lambda: len({r.headers["X-CSTO-Delivery"]
                                     for r in receiver.received}) >= 5, 60, "5 deliveries")
        daemon.wait_for(lambda: len(receiver.received) >= 6, 30, "the resend")
        daemon.wait_for_log("delivered", timeout=10)
        time.sleep(2)  # a duplicate, if any, would come with the next delivery rounds
    finally:
        assert daemon.stop() == 0
    counts = Counter(r.headers["X-CSTO-Delivery"] for r in receiver.received)
    assert counts[stalled] == 2 and len(counts) == 5
    assert all(n == 1 for key, n in counts.items() if key != stalled), counts
    assert sorted(counts) == sorted(f"{k.split(':')[0]}:webhook:kill" for k in counts)
