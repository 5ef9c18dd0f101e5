"""Benchmark 13: pairing the English and Russian versions of a story.

A bilingual replica world (tests/replica/bilingual.py, seeded) of 1,000 stories: most in
both languages, the same day or the English one a day later, some Russian-only or English-
only, slugs in another transliteration, of a reworded title, in English or with the site's
oddities, similar stories on one day (and a few with one title, that nothing surviving
translation tells apart), and a few translations published 2-4 days later (never paired by
rule). Its items are stored in a SQLite database as the polls would store them, a day at a
time (the Russian site first, then the English one, each followed by the pairing a poll
runs), and again all at once then paired as `csto-monitor pair --auto` does. Precision and
recall of the automatic pairs against the world's truth, without and with a translator (a
local double that knows the true titles and answers them machine-like).

    .venv/bin/python -m bench.pairing [--quick] [--markdown docs/benchmarks.md]
"""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from bench.common import goal, run_alone

COMMAND = "`.venv/bin/python -m bench.pairing --markdown docs/benchmarks.md`"
STORIES, QUICK_STORIES, SEED = 1000, 200, 11


@dataclass
class Outcome:
    made: set[tuple[int, int]]  # (en article id, ru article id)
    seconds: float
    calls: int


def _store(path: Path, bilingual: Any, translator: Any, polls: bool) -> Outcome:
    from sqlalchemy.orm import Session

    from core.db import make_engine
    from core.migrate import upgrade
    from core.models import Item, Source, StoryPair
    from monitor import pair_store

    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    ids: dict[int, int] = {}
    seconds, calls = 0.0, 0
    with Session(engine) as session:
        sources = {lang: Source(name=f"csto-{lang}", url=f"https://{lang}.example/news/",
                                language=lang) for lang in ("en", "ru")}
        session.add_all(sources.values())
        session.flush()
        by_day: dict[date, list[Any]] = {}
        for article in bilingual.world.articles:
            by_day.setdefault(article.published, []).append(article)
        for day in sorted(by_day):
            for language in ("ru", "en"):  # a poll of each site
                batch = [a for a in by_day[day] if a.language == language]
                for article in batch:
                    item = Item(source_id=sources[language].id,
                                url=f"https://{language}.example{article.path}",
                                section=article.section, slug=article.slug, language=language,
                                published=article.published, title=article.expected_title,
                                lead=article.expected_lead,
                                body="\n\n".join(article.expected_body))
                    session.add(item)
                    session.flush()
                    ids[item.id] = article.id
                if polls and batch:
                    started = time.perf_counter()
                    pair_store.pair_around(session, [day], translator)
                    seconds, calls = seconds + time.perf_counter() - started, calls + 1
        if not polls:
            started = time.perf_counter()
            pair_store.pair_history(session, translator)
            seconds, calls = time.perf_counter() - started, 1
        session.commit()
        made = {(ids[p.en_item_id], ids[p.ru_item_id])
                for p in session.query(StoryPair).all()}
    engine.dispose()
    return Outcome(made, seconds, calls)


def _measure(bilingual: Any, translator_factory: Callable[[], Any] | None,
             polls: bool) -> Outcome:
    with tempfile.TemporaryDirectory() as directory:
        translator = translator_factory() if translator_factory else None
        return _store(Path(directory) / "pairing.db", bilingual, translator, polls)


def _scores(bilingual: Any, made: set[tuple[int, int]]) -> tuple[float, float]:
    truth = set(bilingual.pairs.items())
    right = made & truth
    return len(right) / max(len(made), 1), len(right) / len(truth)


def _cases(bilingual: Any, outcome: Outcome) -> list[str]:
    """Recall by case: which kinds of story the pairing misses."""
    truth = set(bilingual.pairs.items())
    total: Counter[str] = Counter()
    found: Counter[str] = Counter()
    for en, ru in truth:
        for case in bilingual.kinds[en].split("; "):
            total[case] += 1
            found[case] += (en, ru) in outcome.made
    rows = ["| case (a story can be in several) | pairs | found |", "| --- | --- | --- |"]
    rows += [f"| {case} | {total[case]} | {found[case]} ({found[case] / total[case]:.0%}) |"
             for case in sorted(total, key=lambda c: -total[c])]
    return rows


def run(quick: bool = False) -> str:
    from tests.replica.bilingual import bilingual_world

    stories = QUICK_STORIES if quick else STORIES
    bilingual = bilingual_world(stories, seed=SEED)
    articles = bilingual.world.articles
    counts = Counter(a.language for a in articles)
    runs = {
        ("as polls store it", "none"): _measure(bilingual, None, polls=True),
        ("as polls store it", "translator double"): _measure(
            bilingual, bilingual.translator, polls=True),
        ("history at once (`pair --auto`)", "none"): _measure(bilingual, None, polls=False),
        ("history at once (`pair --auto`)", "translator double"): _measure(
            bilingual, bilingual.translator, polls=False),
    }
    rows = ["| figure | value | goal |", "| --- | --- | --- |"]
    for (how, translator), outcome in runs.items():
        precision, recall = _scores(bilingual, outcome.made)
        label = f"{how}, translator: {translator}"
        rows += [
            f"| precision, {label} | {precision:.4f} ({len(outcome.made)} pairs made) | "
            f"≥ 0.99: {goal(precision >= 0.99)} |",
            f"| recall, {label} | {recall:.4f} | ≥ 0.95: {goal(recall >= 0.95)} |",
        ]
    polls = runs[("as polls store it", "none")]
    history = runs[("history at once (`pair --auto`)", "none")]
    rows.append(f"| pairing time, no translator | {polls.seconds / polls.calls * 1000:.1f} ms "
                f"per poll ({polls.calls} polls); {history.seconds:.1f} s for the whole "
                f"history | — |")
    command = "`.venv/bin/python -m bench.pairing --quick`" if quick else COMMAND
    return "\n".join([
        "## 13. Pairing English and Russian versions", "", f"Reproduce: {command}.", "",
        __doc__.split("\n\n")[1].replace("\n", " "), "",
        f"World (seed {SEED}): {stories} stories, {counts['en']} English and "
        f"{counts['ru']} Russian items, {len(bilingual.pairs)} true pairs.", "",
        *rows, "", "Recall by case, as polls store it, no translator:", "",
        *_cases(bilingual, polls), "",
        "Stories published more than a day apart are never paired (the rule), and two "
        "stories of one day with one title are left unpaired rather than guessed: both "
        "count as misses above. The texts are the replica's as the scraper reads them; "
        "tests/test_e2e_pairing.py runs the same pairing behind the real `check`.",
    ]) + "\n"


def main() -> None:
    run_alone(run, __doc__)


if __name__ == "__main__":
    main()
