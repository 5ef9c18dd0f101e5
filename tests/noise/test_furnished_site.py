"""Furniture the extractor cannot recognise, on every markup and both databases: re-reads
announce nothing, real edits are announced once, a flapping page not at all, and no stored
body keeps the furniture. The polls run in-process exactly as the daemon's do."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from monitor.snapshot import body_text
from tests.e2e.harness import cli, source, write_config
from tests.noise.furniture import FurnishedReplica
from tests.noise.harness import Poller, Run, poller
from tests.replica import MARKUPS, World, sample_world

REREADS = 20


@pytest.fixture(params=sorted(MARKUPS))
def site(request: pytest.FixtureRequest) -> Iterator[tuple[World, FurnishedReplica]]:
    world = sample_world(25, "en")
    with FurnishedReplica(world, markup=request.param) as replica:
        yield world, replica


@pytest.fixture
def polled(run: Run, site: tuple[World, FurnishedReplica], database_url: str
           ) -> Iterator[Poller]:
    """A source polled twice: the baseline, then a first re-read that learns."""
    _, replica = site
    with poller(run, replica, database_url) as p:
        assert p.poll().outcome == "baseline"
        p.poll()
        yield p


def test_rereads_announce_nothing_and_store_no_furniture(
        polled: Poller, site: tuple[World, FurnishedReplica], tmp_path: Path) -> None:
    _, replica = site
    outcomes = [polled.poll() for _ in range(REREADS)]
    assert [o.edited for o in outcomes] == [0] * REREADS
    assert sum(o.new + o.removed for o in outcomes) == 0
    assert polled.edits() == []
    assert polled.furniture_stored() == []
    config = write_config(tmp_path / "c.yaml", [source(replica.listing_url)],
                          polled.settings.database_url)
    listed = cli(config, "noise", "--format", "json")
    assert listed.code == 0, listed.err
    kinds = {(rule["kind"], rule["pattern"]) for rule in listed.json()}
    assert ("shape", "This page was opened # times") in kinds
    assert ("shape", "Secretariat archive, #") in kinds
    assert all(rule["hits"] > 0 for rule in listed.json() if rule["kind"] == "shape")
    status = cli(config, "status", "--format", "json")
    assert status.json()["sources"][0]["noise_rules"] == len(listed.json())

    unknown = cli(config, "noise", "reset", "csto-xx")
    assert unknown.code == 2 and "Traceback" not in unknown.err
    assert unknown.err.strip() == "error: no such source 'csto-xx'; configured: csto-en"
    reset = cli(config, "noise", "reset", "csto-en")
    rules = len(listed.json())
    assert (reset.code, reset.out.strip()) == (0, f"forgot {rules} rule(s) of csto-en")
    assert cli(config, "noise", "--format", "json").json() == []
    assert polled.poll().edited == 0  # learned again, before anything is compared
    assert polled.furniture_stored() == []


def test_each_real_edit_is_announced_once_with_its_fields(
        polled: Poller, site: tuple[World, FurnishedReplica]) -> None:
    world, replica = site
    article = world.articles_in("en")[7]
    words = article.body[0].split()
    edits = [
        {"body": [" ".join([*words[:-1], "(corrected)"]), *article.body[1:]]},
        {"body": [*article.body, "The Secretariat will report on the results in July."]},
        {"body": article.body[:-1]},
        {"title": article.title + " (updated)"},
        {"published": article.published - timedelta(days=1)},
    ]
    expected = [["body"], ["body"], ["body"], ["title"], ["published"]]
    for change, fields in zip(edits, expected, strict=True):
        edited = world.edit(article.id, **change)
        before = len(polled.edits())
        outcome = polled.poll()
        assert (outcome.edited, polled.edits()[before:]) == (1, [fields]), change
        stored = polled.item(replica.url_for(edited))
        assert stored.body == body_text(edited.expected_paragraphs)
        assert stored.title == edited.expected_title
        assert stored.published == edited.published
    assert [o.edited for o in (polled.poll(), polled.poll())] == [0, 0]
    assert polled.furniture_stored() == []


def test_a_page_flapping_while_read_is_not_announced(
        polled: Poller, site: tuple[World, FurnishedReplica]) -> None:
    world, replica = site
    article = world.articles_in("en")[4]
    usual = polled.poll().requests
    flapped = dataclasses.replace(article, body=[*article.body, "A paragraph seen only once."])
    replica.serve_next(article.id, flapped)
    outcome = polled.poll()
    assert (outcome.edited, polled.edits()) == (0, [])
    assert outcome.requests == usual + 1  # the second read of the suspected page
    assert "seen only once" not in polled.item(replica.url_for(article)).body
