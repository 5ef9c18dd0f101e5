"""End to end: attached documents through the real `csto-monitor` command (a fresh process
per command, on SQLite and PostgreSQL): announced with the item, searchable, hostile files
ending in a status, a replaced file announced once."""

from __future__ import annotations

import re
import time
from datetime import date
from pathlib import Path

from tests.documents import files
from tests.e2e.harness import cli, source, write_config
from tests.replica import ReplicaServer, World, make_article

PDF_TEXT = ["The Council adopted the declaration on the quadrilateral exercises.",
            "The annex lists four contingents."]
STATUSES = {"Declaration.pdf": "ok", "Agreement.docx": "ok", "Scan.pdf": "no_text",
            "Broken.pdf": "truncated", "Huge.pdf": "too_large", "Bomb.docx": "zip_bomb",
            "Gone.pdf": "http_error"}


def _attach(world: World) -> None:
    world.put_file("Declaration.pdf", files.pdf(PDF_TEXT))
    world.put_file("Agreement.docx", files.docx(["The parties agree."]))
    world.put_file("Scan.pdf", files.scanned_pdf())
    world.put_file("Broken.pdf", files.truncated_pdf(PDF_TEXT * 30))
    world.put_file("Huge.pdf", files.oversized(2))
    world.put_file("Bomb.docx", files.zip_bomb_docx())
    world.missing_files.add("Gone.pdf")


def test_documents_end_to_end(tmp_path: Path, world: World, replica: ReplicaServer,
                              database_url: str) -> None:
    # The new item's first revisit comes a second after it was found: its page answers 304
    # and its files are re-checked, each conditionally.
    config = write_config(tmp_path / "config.yaml", [source(replica.listing_url)],
                          database_url, documents={"max_bytes": "1MB"},
                          revisits={"schedule": ["1s", "1h"]})
    assert cli(config, "check").code == 0
    _attach(world)
    world.publish(make_article("The Council adopted a declaration", published=date.today(),
                               attachments=[(name, name) for name in STATUSES]))

    second = cli(config, "check")
    assert second.code == 0, second.err
    assert "csto-en: 1 new, 0 edited, 0 removed" in second.out
    assert re.search(r"documents: Declaration\.pdf \(PDF, \d+ KB\); Agreement\.docx "
                     r"\(DOCX, \d+ KB\); Scan\.pdf \(PDF, \d+ B, no text\); Broken\.pdf "
                     r"\(PDF, \d+ KB, truncated\); Huge\.pdf \(too large\); Bomb\.docx "
                     r"\(DOCX, \d+ KB, zip bomb\); Gone\.pdf \(http error\)\n", second.out)

    found = cli(config, "history", "--search", "quadrilateral", "--format", "json").json()
    assert [(row["title"], row["found_in"]) for row in found] == [
        ("The Council adopted a declaration", ["document: Declaration.pdf"])]
    documents = {d["name"]: d for d in found[0]["documents"]}
    assert {name: d["status"] for name, d in documents.items()} == STATUSES

    replaced = [PDF_TEXT[0], "The annex lists five contingents."]
    world.put_file("Declaration.pdf", files.pdf(replaced))
    time.sleep(1.1)
    replica.clear_log()
    third = cli(config, "check")
    assert third.code == 0, third.err
    assert third.out.count("[DOCUMENT CHANGED]") == 1
    assert "Declaration.pdf: ~ The annex lists [-four-]{+five+} contingents." in third.out
    answers = {r.path.rsplit("/", 1)[-1] or r.path: r.status for r in replica.requests}
    assert [r.status for r in replica.requests if r.path.startswith("/news/news_")] == [304]
    assert (answers["Declaration.pdf"], answers["Agreement.docx"]) == (200, 304)
    changes = cli(config, "history", "--changes", "--format", "json").json()
    assert [(c["kind"], c["fields"]) for c in changes] == [("document_changed", ["document"]),
                                                           ("new", [])]

    shown = cli(config, "show", str(found[0]["id"]))
    assert shown.code == 0 and "Version 2" in shown.out and "[-four-]{+five+}" in shown.out
