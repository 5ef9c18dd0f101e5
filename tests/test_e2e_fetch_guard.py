"""End to end: links the crawler must not follow, through the real `csto-monitor` command
(SQLite and PostgreSQL). A page of the replica (127.0.0.1) links a local file, a document
on another loopback address (127.0.0.2, a real server that must see no request at all,
robots.txt included), a file of the site that redirects there, a host name that resolves
there, and the site's own files under another host name. Each is recorded as a `refused`
document with its reason, its text never becomes searchable, and a normal file beside them
is still read.

Host names, hermetically: `2130706434` is no IP literal (Python's `ipaddress` and a naive
check of the URL read it as a name) but the system resolver turns it into 127.0.0.2, as
`inet_aton` does, so it is a real name resolving to another loopback address without a
DNS server or an edited /etc/hosts. `localhost` (in every /etc/hosts) resolves to
127.0.0.1, the source's address, under a host name that is not the source's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from tests.documents import files
from tests.e2e.harness import SWEEP_CRAWL, cli, source, write_config
from tests.replica import ReplicaServer, World, attachment_path, make_article

SECRET = ["Internal memo: the quarterly zanzibarite figures are confidential."]
LOOPBACK = "a loopback address"


@pytest.fixture
def other_host() -> Iterator[ReplicaServer]:
    """A real server on 127.0.0.2, with files worth stealing."""
    world = World()
    for name in ("direct.pdf", "numeric.pdf", "redirected.pdf"):
        world.put_file(name, files.pdf(SECRET))
    server = ReplicaServer(world, host="127.0.0.2", language="en").start()
    yield server
    server.stop()


def _links(world: World, replica: ReplicaServer, other: ReplicaServer) -> dict[str, str]:
    """Link label -> href, as the article page carries them."""
    world.put_file("Declaration.pdf", files.pdf(["The Council adopted the declaration."]))
    world.put_file("Local.pdf", files.pdf(SECRET))
    numeric = f"http://2130706434:{other.port}{attachment_path('numeric.pdf')}"
    world.redirects["Moved.pdf"] = other.url + attachment_path("redirected.pdf")
    return {
        "Declaration.pdf": "Declaration.pdf",
        "hostname.pdf": "file:///etc/hostname",
        "direct.pdf": other.url + attachment_path("direct.pdf"),
        "Moved.pdf": "Moved.pdf",
        "numeric.pdf": numeric,
        "Local.pdf": f"http://localhost:{replica.port}{attachment_path('Local.pdf')}",
    }


def test_links_to_elsewhere_are_refused_and_never_requested(
        tmp_path: Path, world: World, replica: ReplicaServer, other_host: ReplicaServer,
        database_url: str) -> None:
    config = write_config(tmp_path / "config.yaml", [source(replica.listing_url)],
                          database_url)
    assert cli(config, "check").code == 0
    links = _links(world, replica, other_host)
    world.publish(make_article("The Council adopted a declaration", published=date.today(),
                               attachments=[(href, label) for label, href in links.items()]))
    replica.clear_log()

    checked = cli(config, "check")
    assert checked.code == 0, checked.err
    assert "csto-en: 1 new, 0 edited, 0 removed" in checked.out
    assert re.search(r"documents: Declaration\.pdf \(PDF, \d+ KB\); hostname \(refused\); "
                     r"direct\.pdf \(refused\); Moved\.pdf \(refused\); numeric\.pdf "
                     r"\(refused\); Local\.pdf \(refused\)\n", checked.out), checked.out

    # Nothing reached the other host, not even a robots.txt; the site saw its own file
    # asked once (answered by the redirect) and no request under another host name.
    assert other_host.requests == []
    paths = [r.path.rsplit("/", 1)[-1] for r in replica.requests]
    assert paths.count("Moved.pdf") == 1 and "Local.pdf" not in paths
    assert {r.headers["host"] for r in replica.requests} == {f"127.0.0.1:{replica.port}"}

    [row] = [r for r in cli(config, "history", "--format", "json").json()
             if r["title"] == "The Council adopted a declaration"]
    documents = {d["url"]: d for d in row["documents"]}
    moved = replica.url + attachment_path("Moved.pdf")
    other = f"127.0.0.2:{other_host.port}"
    assert {url: (d["status"], d["detail"]) for url, d in documents.items()} == {
        replica.url + attachment_path("Declaration.pdf"): ("ok", ""),
        "file:///etc/hostname": (
            "refused", "a file: link; only http and https links are fetched"),
        links["direct.pdf"]: ("refused", f"127.0.0.2 is {LOOPBACK}, not the source's host"),
        moved: ("refused", f"redirected to http://{other}{attachment_path('redirected.pdf')}"
                f": 127.0.0.2 is {LOOPBACK}, not the source's host"),
        links["numeric.pdf"]: ("refused", f"2130706434 resolves to 127.0.0.2, {LOOPBACK}, "
                                          "and is not the source's host"),
        links["Local.pdf"]: ("refused", f"localhost resolves to 127.0.0.1, {LOOPBACK}, and "
                                        "is not the source's host"),
    }
    assert all(d["versions"] == 0 and d["bytes"] == 0 for d in documents.values()
               if d["status"] == "refused")

    assert cli(config, "history", "--search", "zanzibarite", "--format", "json").json() == []
    listed = cli(config, "history", "--format", "csv").out
    assert f"direct.pdf (refused: 127.0.0.2 is {LOOPBACK}, not the source's host)" in listed
    shown = cli(config, "show", str(row["id"]))
    assert shown.code == 0, shown.err
    words = " ".join(shown.out.split())  # as wrapped to fit the terminal
    assert "hostname (refused) file:///etc/hostname refused: a file: link; only http and " \
        "https links are fetched" in words
    assert f"refused: 2130706434 resolves to 127.0.0.2, {LOOPBACK}" in words


def test_a_file_that_now_leads_elsewhere_is_no_longer_searched(
        tmp_path: Path, world: World, replica: ReplicaServer, other_host: ReplicaServer,
        database_url: str) -> None:
    """A file read from the site, then redirected to another loopback address: refused,
    its text no longer searched (its version stays in the history); back as it was, it is
    searched again without being announced as changed."""
    # Every check reads the newest pages again, and their files (no timing involved).
    config = write_config(tmp_path / "config.yaml",
                          [source(replica.listing_url, recheck_latest=3)], database_url,
                          crawl={**SWEEP_CRAWL, "recheck_interval": "0s"})
    assert cli(config, "check").code == 0
    world.put_file("Moved.pdf", files.pdf(SECRET))
    world.publish(make_article("The Council adopted a declaration", published=date.today(),
                               attachments=[("Moved.pdf", "Moved.pdf")]))
    assert cli(config, "check").code == 0

    def found() -> list[str]:
        rows = cli(config, "history", "--search", "zanzibarite", "--format", "json").json()
        return [row["title"] for row in rows]

    assert found() == ["The Council adopted a declaration"]

    world.redirects["Moved.pdf"] = other_host.url + attachment_path("redirected.pdf")
    refused = cli(config, "check")
    assert refused.code == 0, refused.err
    assert found() == [] and other_host.requests == []
    [row] = [r for r in cli(config, "history", "--format", "json").json()
             if r["title"] == "The Council adopted a declaration"]
    [document] = row["documents"]
    assert (document["status"], document["versions"]) == ("refused", 1)
    shown = " ".join(cli(config, "show", str(row["id"])).out.split())  # as wrapped to fit
    assert "Moved.pdf (refused)" in shown and "Version 1" in shown
    assert "refused: redirected to http://127.0.0.2:" in shown

    del world.redirects["Moved.pdf"]
    back = cli(config, "check")
    assert back.code == 0, back.err
    assert "[DOCUMENT CHANGED]" not in back.out
    assert found() == ["The Council adopted a declaration"]
