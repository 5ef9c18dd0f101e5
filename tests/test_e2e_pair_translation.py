"""End to end: the configured translator adds title similarity to the pairing a poll
does (`check` against the bilingual replica, the LibreTranslate double on 127.0.0.1).

A new story whose two versions share nothing that survives translation (an English slug,
no names, numbers or dates) is paired only by the similarity of the English title to the
Russian title's translation: with a working translator, not without one; a failing
provider (an error, a hang longer than `translation.timeout`) still lets the poll finish,
pairing what the other signals can.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.harness import cli, source, write_config
from tests.replica.bilingual import Bilingual, bilingual_world
from tests.replica.world import Article
from tests.translation.doubles import TranslatorDouble
from tests.translation.helpers import config as translation_config

pytestmark = pytest.mark.e2e

TITLE_EN = "Defence ministers agreed on joint exercises next autumn"
TITLE_RU = "Министры обороны договорились о совместных учениях следующей осенью"


@pytest.fixture
def double() -> Iterator[TranslatorDouble]:
    started = TranslatorDouble("libretranslate").start()
    yield started
    started.stop()


def _machine_translations(site: Bilingual) -> dict[str, str]:
    """What the double answers: the world's titles as a machine would translate them, and
    the title-only story's."""
    machine = site.translator()
    found = {ru: machine.translate(ru, "ru", "en") or en for ru, en in site.translations.items()}
    found.update({" ".join(ru.split()): en for ru, en in found.items()})
    return {**found, TITLE_RU: TITLE_EN.replace("next", "coming")}


def _new_stories(site: Bilingual) -> tuple[list[Article], list[Article]]:
    """Two stories three days after the newest: one the other signals pair (a slug shared
    by both versions) and one only the titles' meaning ties together."""
    day = site.world.articles[0].published + timedelta(days=3)
    english_id = next(e for e, r in site.pairs.items() if "same slug" in site.kinds[e])
    english, russian = site.world.get(english_id), site.world.get(site.pairs[english_id])
    plain = [replace(english, id=10**6 + english.id, published=day,
                     slug=russian.slug + "-novoe"),
             replace(russian, id=10**6 + russian.id, published=day,
                     slug=russian.slug + "-novoe")]
    bare = [replace(english, id=2 * 10**6 + english.id, published=day, title=TITLE_EN,
                    slug="csto-defence-ministers-agreed-on-joint-exercises",
                    lead="The ministers met and agreed.", subtitle=None, signature=None,
                    body=["The sides discussed cooperation and agreed to continue the work."],
                    attachments=[]),
            replace(russian, id=2 * 10**6 + russian.id, published=day, title=TITLE_RU,
                    slug="ministry-oborony-dogovorilis-o-sovmestnyh-ucheniyah",
                    lead="Министры встретились и договорились.", subtitle=None,
                    signature=None, attachments=[],
                    body=["Стороны обсудили сотрудничество и договорились продолжить работу."])]
    return plain, bare


def _counterpart(config: Path, url: str) -> dict[str, Any] | None:
    rows = cli(config, "history", "--format", "json", "--limit", "1000").json()
    return next(row for row in rows if row["url"] == url)["counterpart"]


@pytest.mark.parametrize("provider", ["none", "works", "500", "timeout"])
def test_translation_pairs_a_story_only_its_titles_tie(
        provider: str, tmp_path: Path, replica_factory, database_url: str,
        double: TranslatorDouble) -> None:
    site = bilingual_world(24, seed=5)
    en = replica_factory(markup="bitrix", language="en", world=site.world)
    ru = replica_factory(markup="modern", language="ru", world=site.world)
    double.dictionary = _machine_translations(site)
    double.fail = None if provider in ("none", "works") else provider
    double.hang = 5.0  # ten times translation.timeout
    extra = {} if provider == "none" else {"translation": translation_config(double)}
    config = write_config(tmp_path / "c.yaml", [
        source(en.listing_url, "csto-en", "en"), source(ru.listing_url, "csto-ru", "ru")],
        database_url, **extra)
    first = cli(config, "check")
    assert first.code == 0, first.err

    plain, bare = _new_stories(site)
    for article in plain + bare:
        site.world.publish(article)
    asked = len(double.requests)
    result = cli(config, "check")
    assert result.code == 0, result.err
    assert "Traceback" not in result.err

    other = _counterpart(config, en.url_for(plain[0]))
    assert other is not None and other["url"] == ru.url_for(plain[1])  # in every case
    paired = _counterpart(config, en.url_for(bare[0]))
    if provider == "works":
        assert paired is not None and paired["url"] == ru.url_for(bare[1])
        shown = cli(config, "show", str(paired["id"]))
        assert "translation: " in shown.out and "title vs its translation" in shown.out
    else:
        assert paired is None
        assert _counterpart(config, ru.url_for(bare[1])) is None
    if provider == "none":
        assert not double.requests
        return
    assert TITLE_RU in double.texts[asked:]  # asked before the poll's transaction
    if provider != "works":
        # The provider's failure is logged (cause and fix) and the poll goes on.
        assert "translation failed" in result.err, result.err
