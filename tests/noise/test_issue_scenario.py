"""Issue 11 as a new user met it, with the real `csto-monitor check` command: one
publication and four checks against pages carrying furniture nobody taught the product
announced 59 edits. Now: one new item, no edit; then a one-sentence edit is one edit."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.e2e.harness import cli, count_events, source, write_config
from tests.noise.furniture import FurnishedReplica
from tests.replica import make_article, sample_world


def test_one_publication_four_checks_then_one_edit(tmp_path: Path, database_url: str) -> None:
    world = sample_world(25, "en")
    with FurnishedReplica(world, markup="bitrix") as replica:
        config = write_config(tmp_path / "config.yaml", [source(replica.listing_url)],
                              database_url)
        assert cli(config, "check").code == 0  # the baseline, silent
        world.publish(make_article("The CSTO Secretary General met the Ambassador of Laos",
                                   published=date(2025, 6, 20)))
        checks = [cli(config, "check") for _ in range(4)]
        assert [c.code for c in checks] == [0] * 4, [c.err for c in checks]
        seen = [count_events(c.out) for c in checks]
        assert sum(s["new"] for s in seen) == 1 and sum(s["edited"] for s in seen) == 0

        article = world.articles_in("en")[3]
        world.edit(article.id, body=[*article.body, "The talks will continue in Vientiane."])
        quick = write_config(tmp_path / "quick.yaml", [source(replica.listing_url)],
                             database_url, crawl={"download_delay": "0s", "autothrottle": False,
                                                  "recheck_interval": "0s"})
        edited = cli(quick, "check")
        assert edited.code == 0, edited.err
        assert count_events(edited.out) == {"new": 0, "edited": 1, "removed": 0}
        assert count_events(cli(quick, "check").out)["edited"] == 0
