"""End to end: the real `check` against a bilingual replica (two sources, en and ru), then
the history's counterparts, `show`, and an operator's `pair` and `unpair`."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.harness import cli, source, write_config
from tests.replica import ReplicaServer
from tests.replica.bilingual import Bilingual, bilingual_world
from tests.replica.world import Article

pytestmark = pytest.mark.e2e


@pytest.fixture
def bilingual(tmp_path: Path, replica_factory, database_url: str
              ) -> tuple[Path, Bilingual, ReplicaServer, ReplicaServer]:
    site = bilingual_world(24, seed=5)
    en = replica_factory(markup="bitrix", language="en", world=site.world)
    ru = replica_factory(markup="modern", language="ru", world=site.world)
    config = write_config(tmp_path / "c.yaml", [
        source(en.listing_url, "csto-en", "en"), source(ru.listing_url, "csto-ru", "ru")],
        database_url)
    result = cli(config, "check")
    assert result.code == 0, result.err
    return config, site, en, ru


def by_url(config: Path) -> dict[str, dict[str, Any]]:
    rows = cli(config, "history", "--format", "json", "--limit", "1000").json()
    return {row["url"]: row for row in rows}


def test_check_pairs_the_two_languages_and_history_shows_counterparts(bilingual) -> None:
    config, site, en, ru = bilingual
    rows = by_url(config)
    url = {a.id: (en if a.language == "en" else ru).url_for(a) for a in site.world.articles}
    paired = {(rows[url[e]]["id"], rows[url[r]]["id"]) for e, r in site.pairs.items()}
    made = {(row["id"], row["counterpart"]["id"]) for row in rows.values()
            if row["counterpart"] and row["language"] == "en"}
    assert made and made <= paired  # no wrong pair
    within_a_day = {p for (e, r), p in zip(site.pairs.items(), paired, strict=True)
                    if abs((site.world.get(e).published - site.world.get(r).published).days)
                    <= 1}
    assert len(made) >= 0.8 * len(within_a_day)
    for row in rows.values():
        other = row["counterpart"]
        if other is None:
            continue
        assert set(other) == {"id", "url", "language", "confidence", "manual"}
        assert other["language"] != row["language"] and not other["manual"]
        assert 0.6 <= other["confidence"] <= 1.0
        assert rows[other["url"]]["counterpart"]["id"] == row["id"]
    alone = [a for a in site.world.articles if site.kinds[a.id].endswith("only")]
    assert alone and all(rows[url[a.id]]["counterpart"] is None for a in alone)


def test_a_search_over_both_languages_lists_a_story_once(bilingual) -> None:
    config, *_ = bilingual
    found = cli(config, "history", "--search", "2025", "--format", "json", "--limit",
                "1000").json()
    ids = {row["id"] for row in found}
    grouped = [row for row in found if "counterpart" in row["found_in"]]
    assert grouped and all(row["counterpart"]["id"] not in ids for row in grouped)
    russian = cli(config, "history", "--search", "2025", "--lang", "ru", "--format", "json",
                  "--limit", "1000").json()
    assert {row["id"] for row in russian} >= {row["counterpart"]["id"] for row in grouped
                                              if row["language"] == "en"}
    assert all("counterpart" not in row["found_in"] for row in russian)
    csv = cli(config, "history", "--search", "2025", "--format", "csv").out
    assert "counterpart" in csv.splitlines()[0]
    assert f"{grouped[0]['counterpart']['language']} #{grouped[0]['counterpart']['id']} (" in csv


def test_a_version_published_hours_later_is_paired_and_edits_keep_the_pair(bilingual) -> None:
    config, site, en, ru = bilingual
    newest = site.world.articles[0].published + timedelta(days=3)
    story_en, story_ru = _fresh_pair(site, newest)
    site.world.publish(story_ru)
    assert cli(config, "check").code == 0
    russian = by_url(config)[ru.url_for(story_ru)]
    assert russian["counterpart"] is None  # the English version is not out yet
    site.world.publish(story_en)  # hours later, the next day
    result = cli(config, "check")
    assert result.code == 0, result.err
    rows = by_url(config)
    english = rows[en.url_for(story_en)]
    assert english["counterpart"]["id"] == russian["id"]
    assert rows[ru.url_for(story_ru)]["counterpart"]["id"] == english["id"]

    site.world.edit(story_ru.id, title=story_ru.title + " (обновлено)")  # one side only
    assert cli(config, "check").code == 0
    rows = by_url(config)
    assert rows[ru.url_for(story_ru)]["revisions"] == 2
    assert rows[ru.url_for(story_ru)]["counterpart"]["id"] == english["id"]

    shown = cli(config, "show", str(english["id"]))
    assert shown.code == 0, shown.err
    assert f"Other language (ru): #{russian['id']}" in shown.out
    assert "paired automatically, confidence" in shown.out and "slug:" in shown.out


def _fresh_pair(site: Bilingual, day: date) -> list[Article]:
    """A new story: its Russian version on `day`, the English one the day after."""
    english_id = next(e for e, r in site.pairs.items() if "same slug" in site.kinds[e])
    english, russian = site.world.get(english_id), site.world.get(site.pairs[english_id])
    fresh_ru = replace(russian, id=10**6 + russian.id, published=day,
                       slug=russian.slug + "-novoe")
    fresh_en = replace(english, id=10**6 + english.id, published=day + timedelta(days=1),
                       slug=russian.slug + "-novoe")
    return [fresh_en, fresh_ru]


def test_an_operator_fixes_pairs_and_automatic_pairing_respects_it(bilingual) -> None:
    config, *_ = bilingual
    rows = by_url(config)
    english = next(row for row in rows.values() if row["counterpart"] and row["language"] == "en")
    russian_id = english["counterpart"]["id"]
    lonely_ru = next(row for row in rows.values()
                     if row["language"] == "ru" and row["counterpart"] is None)

    undone = cli(config, "unpair", str(english["id"]))
    assert undone.code == 0, undone.err
    assert f"unpaired {english['id']} (en) and {russian_id} (ru)" in undone.out
    assert cli(config, "pair", "--auto").code == 0
    assert by_url(config)[english["url"]]["counterpart"] is None  # not made again

    made = cli(config, "pair", str(lonely_ru["id"]), str(english["id"]))
    assert made.code == 0, made.err
    assert f"paired {english['id']} (en) with {lonely_ru['id']} (ru) by hand" in made.out
    assert cli(config, "pair", "--auto").code == 0
    assert cli(config, "check").code == 0
    other = by_url(config)[english["url"]]["counterpart"]
    assert other == {"id": lonely_ru["id"], "url": lonely_ru["url"], "language": "ru",
                     "confidence": 1.0, "manual": True}


def test_pair_and_unpair_refuse_bad_ids_with_a_message(bilingual) -> None:
    config, *_ = bilingual
    rows = by_url(config)
    [first, second] = [row for row in rows.values() if row["language"] == "en"][:2]
    lonely = next(row for row in rows.values() if row["counterpart"] is None)
    cases = [
        (("pair", str(first["id"]), str(second["id"])),
         f"items {first['id']} and {second['id']} are both English (en): a pair joins an "
         "English and a Russian version"),
        (("pair", str(first["id"]), "999999"), "no stored item 999999; list items with "
                                              "`csto-monitor history`"),
        (("pair", "abc", str(first["id"])), "'abc': not an item ID"),
        (("pair", str(first["id"])), "give two item IDs (an English and a Russian version), "
                                     "or --auto"),
        (("unpair", "999999"), "no stored item 999999"),
        (("unpair", str(lonely["id"])), f"item {lonely['id']} has no counterpart: nothing "
                                        "to unpair"),
    ]
    for args, message in cases:
        result = cli(config, *args)
        assert result.code != 0, args
        assert message in result.err, (args, result.err)
        assert "Traceback" not in result.err


def test_a_backfill_pairs_the_archive(tmp_path: Path, replica_factory, database_url: str
                                      ) -> None:
    site = bilingual_world(24, seed=5)
    en = replica_factory(markup="bitrix", language="en", world=site.world)
    ru = replica_factory(markup="portal", language="ru", world=site.world)
    config = write_config(tmp_path / "c.yaml", [
        source(en.listing_url, "csto-en", "en"), source(ru.listing_url, "csto-ru", "ru")],
        database_url)
    result = cli(config, "backfill", "--pages", "3")
    assert result.code == 0, result.err
    rows = by_url(config)
    paired = [row for row in rows.values() if row["counterpart"]]
    assert len(paired) >= 2 * 0.8 * len(site.pairs)
    truth = {(en.url_for(site.world.get(e)), ru.url_for(site.world.get(r)))
             for e, r in site.pairs.items()}
    for row in paired:
        assert rows[row["counterpart"]["url"]]["counterpart"]["id"] == row["id"]
        if row["language"] == "en":
            assert (row["url"], row["counterpart"]["url"]) in truth
