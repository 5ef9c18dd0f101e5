"""A bilingual World: each story in English and Russian, as the CSTO publishes them, with
the ground truth of which articles are one story (for pairing tests and the benchmark).

Serve it with two ReplicaServers on the same World (language="en" and language="ru").

Stories are drawn from the text bank (tests/replica/texts.py) with the same fillers in
both languages. What makes pairing hard is in the mix, by share of stories:

- both versions on the same day; the English one a day later (published hours apart,
  across midnight); rarely, a late translation 2–4 days later (never paired by rule);
- Russian-only and English-only stories;
- slugs that differ: another transliteration scheme (h/kh, c/ts, iu/yu, j/y), a
  reworded Russian title, an English slug, the site's oddities (underscores, %20, dots,
  a digit added, cut at 100 characters);
- two similar stories on one day (one template, other names), and rarely two that differ
  only in a way nothing survives translation (they should be left unpaired).

`translator()` is a local translation double: it knows the world's true translations and
answers them imperfectly (articles dropped, some words replaced), as a machine would.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from tests.replica.factory import _dates, _extras, _values, next_id
from tests.replica.texts import EXTRA_PARAGRAPHS, FILLERS, TEMPLATES, translit
from tests.replica.world import Article, World

# Another Russian transliteration, as a second editor might use (differs from translit()).
_SCHEME_B = {"х": "h", "ц": "c", "ю": "iu", "я": "ia", "й": "j", "щ": "sch", "ё": "yo",
             "ж": "zh", "ы": "y", "э": "e", "ъ": "", "ь": ""}
_SYNONYMS = {"meeting": "session", "held": "conducted", "met": "had a meeting",
             "began": "started", "completed": "finished", "took": "had", "Council": "Board"}


@dataclass
class Bilingual:
    """The world, and what the tests and the benchmark check against."""

    world: World
    pairs: dict[int, int] = field(default_factory=dict)  # en article id -> ru article id
    # ru title -> en title: what a translator should answer (see `translator`)
    translations: dict[str, str] = field(default_factory=dict)
    kinds: dict[int, str] = field(default_factory=dict)  # en or ru id -> the story's case

    def translator(self) -> WorldTranslator:
        return WorldTranslator(self.translations)


class WorldTranslator:
    """A translation double (monitor.pairing.TextTranslator): the world's true English
    title for a Russian one, made a little machine-like; None for unknown texts."""

    def __init__(self, translations: dict[str, str]) -> None:
        self._known = {_plain(ru): en for ru, en in translations.items()}
        self.calls = 0

    def translate(self, text: str, source: str, target: str) -> str | None:
        self.calls += 1
        english = self._known.get(_plain(text)) if (source, target) == ("ru", "en") else None
        if english is None:
            return None
        words = [_SYNONYMS.get(w, w) for w in english.split() if w.lower() not in ("the", "a")]
        return " ".join(words)


def _plain(text: str) -> str:
    return " ".join(text.replace("\xa0", " ").split())


def _translit_b(text: str) -> str:
    out: list[str] = []
    for char in text.lower():
        if char in _SCHEME_B:
            out.append(_SCHEME_B[char])
        elif char.isalnum() and not char.isascii():
            out.append(translit(char))
        elif char.isascii() and char.isalnum():
            out.append(char)
        elif out and out[-1] != "-":
            out.append("-")
    return "".join(out).strip("-")


def _reworded(ru_title: str, rng: random.Random) -> str:
    """The Russian title as another editor might have had it: a word dropped or moved."""
    words = ru_title.split()
    if len(words) > 4:
        words.pop(rng.randrange(1, len(words)))
        if rng.random() < 0.5:
            words.insert(0, words.pop(rng.randrange(1, len(words))))
    return " ".join(words)


def _cut(slug: str) -> str:
    return slug[:100]


class _Slugs:
    """Unique slugs per language, as the site makes them (a digit added to repeat one)."""

    def __init__(self) -> None:
        self.used: dict[str, set[str]] = {"en": set(), "ru": set()}

    def unique(self, slug: str, language: str) -> str:
        base, k = slug, 1
        while slug in self.used[language]:
            slug, k = base[: 100 - len(str(k))] + str(k), k + 1
        self.used[language].add(slug)
        return slug

    def pair(self, ru_title: str, en_title: str, rng: random.Random) -> tuple[str, str, str]:
        """(ru slug, en slug, how they differ)."""
        ru = _cut(translit(ru_title))
        roll = rng.random()
        if roll < 0.55:
            en, how = ru, "same slug"
        elif roll < 0.72:
            en, how = _cut(_translit_b(ru_title)), "other transliteration"
        elif roll < 0.82:
            en, how = _cut(translit(_reworded(ru_title, rng))), "reworded title"
        elif roll < 0.87:
            en, how = _cut(translit(en_title)), "English slug"
        elif roll < 0.93:
            en, how = ru.replace("-", "_"), "underscores"
        else:
            en, how = ru[:99] + "2", "digit added"
        return self.unique(ru, "ru"), self.unique(en, "en"), how


def _story(i: int, template_index: int, picks: dict[str, int], day: date,
           rng: random.Random) -> tuple[dict[str, Any], dict[str, Any]]:
    """The article fields of the story in each language (without slug and id)."""
    template = TEMPLATES[template_index]
    variant = rng.randrange(2)
    extra = rng.sample(range(len(EXTRA_PARAGRAPHS["en"])), k=rng.randint(0, 3))
    found = []
    for language in ("en", "ru"):
        values = _values(picks, language, day, variant)
        body = [p.format(**values) for p in template.paragraphs[language]]
        body += [EXTRA_PARAGRAPHS[language][j] for j in extra]
        found.append({"language": language, "section": template.section, "published": day,
                      "title": template.title[language].format(**values), "body": body})
    return found[0], found[1]


def _picks(rng: random.Random) -> dict[str, int]:
    return {key: rng.randrange(len(values["en"])) for key, values in FILLERS.items()}


def _fresh(rng: random.Random, recent: dict[tuple[int, str], date], day: date
           ) -> tuple[int, dict[str, int]]:
    """A story not told within 3 days: the site does not publish one story twice by
    chance (twins are made on purpose, in `bilingual_world`)."""
    while True:
        template_index, picks = rng.randrange(len(TEMPLATES)), _picks(rng)
        title = TEMPLATES[template_index].title["en"]  # one title: one story
        key = (template_index, repr(sorted((k, v) for k, v in picks.items()
                                           if "{" + k + "}" in title and k != "person")))
        if key not in recent or abs((recent[key] - day).days) > 3:
            recent[key] = day
            return template_index, picks


def _other_picks(picks: dict[str, int], rng: random.Random, subtle: bool) -> dict[str, int]:
    """A similar story's fillers: other names (or, when subtle, only the person's spelling,
    which translation keeps identical)."""
    other = dict(picks)
    keys = ["person"] if subtle else [k for k in FILLERS if k != "person"]
    for key in keys:
        choices = [j for j in range(len(FILLERS[key]["en"])) if j != picks[key]]
        other[key] = rng.choice(choices)
    return other


def _same_title(template_index: int, group: list[dict[str, int]]) -> bool:
    title = TEMPLATES[template_index].title["ru"]
    return len({repr([(k, v) for k, v in sorted(g.items()) if "{" + k + "}" in title
                      and k != "person"]) for g in group}) == 1


def _article(i: int, fields: dict[str, Any], slug: str) -> Article:
    article_id = next_id()
    extras = _extras(i, article_id, fields["language"], fields["body"])
    extras.pop("attachments")
    return Article(id=article_id, slug=slug, **fields, **extras)


def bilingual_world(stories: int = 60, seed: int = 0, start: date = date(2025, 6, 5),
                    **world_fields: Any) -> Bilingual:
    """`stories` stories (most in both languages), newest first from `start`."""
    rng = random.Random(seed)
    slugs, result, articles = _Slugs(), Bilingual(World()), []
    days = list(_dates(rng, stories, start))
    recent: dict[tuple[int, str], date] = {}
    i = 0
    while i < stories:
        template_index, picks = _fresh(rng, recent, days[i])
        group, twin = [picks], ""
        roll = rng.random()
        if roll < 0.06 and i + 1 < stories:
            group, twin = [picks, _other_picks(picks, rng, subtle=False)], "similar story"
        elif roll < 0.065 and i + 1 < stories:
            group, twin = [picks, _other_picks(picks, rng, subtle=True)], "same-title story"
        if twin and _same_title(template_index, group):
            twin = "same-title story"  # nothing in the title told them apart
        day = days[i]  # a similar story is published the same day
        for member in group:
            articles += _one_story(i, template_index, member, day, rng, slugs, result, twin)
            i += 1
    result.world = World(sorted(articles, key=lambda a: a.published, reverse=True),
                         **world_fields)
    return result


def _one_story(i: int, template_index: int, picks: dict[str, int], day: date,
               rng: random.Random, slugs: _Slugs, result: Bilingual, twin: str
               ) -> list[Article]:
    en_fields, ru_fields = _story(i, template_index, picks, day, rng)
    roll = rng.random()
    if twin == "same-title story":  # two same-titled stories, each in both languages
        roll = 0.5
    ru_slug, en_slug, how = slugs.pair(ru_fields["title"], en_fields["title"], rng)
    if roll < 0.10:
        ru = _article(i, ru_fields, ru_slug)
        result.kinds[ru.id] = "Russian only"
        return [ru]
    if roll < 0.14:
        en = _article(i, en_fields, en_slug)
        result.kinds[en.id] = "English only"
        return [en]
    case = "same day"
    if roll < 0.24:
        en_fields["published"], case = day + timedelta(days=1), "English a day later"
    elif roll < 0.25:
        en_fields["published"] = day + timedelta(days=rng.randint(2, 4))
        case = "English 2-4 days later"
    en, ru = _article(i, en_fields, en_slug), _article(i, ru_fields, ru_slug)
    result.pairs[en.id] = ru.id
    result.translations[ru.title] = en.title
    label = f"{case}; {how}" + (f"; {twin} that day" if twin else "")
    result.kinds[en.id] = result.kinds[ru.id] = label
    return [en, ru]

