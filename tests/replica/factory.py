"""Factories of realistic articles and worlds, including the real seed article."""

from __future__ import annotations

import hashlib
import itertools
import random
import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from tests.replica.texts import (
    ANNEX,
    DOWNLOAD,
    EXTRA_PARAGRAPHS,
    FILLERS,
    MONTHS,
    SIGNATURES,
    SUBTITLES,
    TEMPLATES,
    translit,
)
from tests.replica.world import Article, World

SEED_FILE = Path(__file__).parent / "seeds" / "seed_en.txt"  # "data/" is git-ignored
SEED_TITLE_START = "The CSTO Secretary General participated in the fourth meeting"
SEED_RU_TITLE = ("Генеральный секретарь ОДКБ принял участие в четвертом заседании председателей "
                 "комитетов (комиссий) парламентов государств – членов ОДКБ")
# Titles (en, ru) of the five sidebar items of the seed page, in page order.
SEED_SIDEBAR_TITLES = [
    ("Second staff talks on the joint trainings of the CSTO CRRF were held in Belarus",
     "В Республике Беларусь прошли вторые штабные переговоры по подготовке совместных учений"),
    ("The CSTO Secretary General I.N. Tasmagambetov met with Ambassador of the People's "
     "Republic of China to the Russian Federation Zhang Hanhui",
     "Генеральный секретарь ОДКБ И.Н. Тасмагамбетов встретился с Послом КНР в России"),
    ("A meeting with the heads of the CSTO basic training organizations was held in "
     "St. Petersburg",
     "В Санкт-Петербурге состоялся сбор с руководителями базовых организаций ОДКБ"),
    ("Sadyr Japarov received the participants of the meeting of the CSTO Council of Defense "
     "Ministers",
     "Садыр Жапаров принял участников заседания Совета министров обороны ОДКБ"),
    ("A meeting of the CSTO Council of Defense Ministers was held in Bishkek",
     "В Бишкеке состоялось заседание Совета министров обороны ОДКБ"),
]
DEFAULT_START = date(2025, 6, 5)
DEFAULT_BODY = [
    "On 7 February 2025, the CSTO Secretary General Imangali Tasmagambetov met with the "
    "Ambassador of the Republic of Serbia to the Russian Federation.",
    "The parties discussed the international and regional security situation.",
]
_DATE = re.compile(r"^(\d\d)\.(\d\d)\.(\d{4})$")
_ids = itertools.count(1)


def next_id() -> int:
    """A fresh article id, unique in this process."""
    return next(_ids)


def slugify(title: str) -> str:
    """The site's slug of a title: transliterated, hyphenated, cut at 100 characters."""
    return translit(title)[:100]


def make_article(title: str = "The CSTO Secretary General met with the Ambassador of Serbia",
                 **fields: Any) -> Article:
    """An article with sensible defaults; any Article field can be given."""
    body = list(fields.pop("body", None) or DEFAULT_BODY)
    if "lead" not in fields:
        fields["lead"] = "" if fields.get("listing_style") == "title_only" else body[0]
    if "id" not in fields:
        fields["id"] = next_id()
    defaults = {"language": "en", "section": "news_odkb", "slug": slugify(title),
                "published": date(2025, 2, 7)}
    return Article(title=title, body=body, **{**defaults, **fields})


def sample_articles(n: int, language: str = "en", start_date: date = DEFAULT_START,
                    seed: int = 0) -> list[Article]:
    """n varied articles, newest first from start_date; the same seed gives the same stories
    on the same dates in both languages."""
    rng = random.Random(seed)
    used: set[str] = set()
    return [_sample(i, day, language, rng, used)
            for i, day in enumerate(_dates(rng, n, start_date))]


def _dates(rng: random.Random, n: int, start: date) -> Iterator[date]:
    """Publication dates going back in time: 1–3 items a week, at most 3 on one day."""
    day, on_day = start, 0
    for i in range(n):
        if i and (on_day >= 3 or rng.random() < 0.7):
            day -= timedelta(days=rng.randint(1, 6))
            on_day = 0
        on_day += 1
        yield day


def _sample(i: int, day: date, language: str, rng: random.Random, used: set[str]) -> Article:
    template = TEMPLATES[(i * 7) % len(TEMPLATES)]
    picks = {key: rng.randrange(len(values["en"])) for key, values in FILLERS.items()}
    extra = rng.sample(range(len(EXTRA_PARAGRAPHS["en"])), k=rng.randint(0, 3))
    variant = rng.randrange(2)
    values = _values(picks, language, day, variant)
    body = [p.format(**values) for p in template.paragraphs[language]]
    body += [EXTRA_PARAGRAPHS[language][j] for j in extra]
    ru_title = template.title["ru"].format(**_values(picks, "ru", day, variant))
    article_id = next_id()
    return Article(
        id=article_id, language=language, section=template.section, published=day,
        slug=_slug(i, ru_title, language, used), title=template.title[language].format(**values),
        body=body, **_extras(i, article_id, language, body),
    )


def _values(picks: dict[str, int], language: str, day: date, variant: int) -> dict[str, str]:
    values = {key: FILLERS[key][language][index] for key, index in picks.items()}
    values["day"] = _date_words(day, language, variant)
    return values


def _date_words(day: date, language: str, variant: int) -> str:
    month = MONTHS[language][day.month - 1]
    if language == "ru":
        return f"{day.day}\xa0{month} {day.year}\xa0года"
    return f"On {month} {day.day}, {day.year}" if variant else f"On {day.day} {month} {day.year}"


def _slug(i: int, ru_title: str, language: str, used: set[str]) -> str:
    """A slug with the site's oddities, chosen by position so every kind shows up."""
    kind = i % 9
    full = translit(ru_title, keep="." if kind == 5 else "")
    slug = full[:99] + "-" if kind == 7 else full[:100]
    if kind == 2:
        slug = slug.replace("-", "_")
    elif kind == 4:
        slug = slug.replace("-", "%20", 1)
    elif kind == 5 and "." not in slug:
        slug = slug.replace("-", ".", 1)
    if language == "en" and i % 11 == 6:
        slug = slug[:99] + "2"  # the two language versions do not always share a slug
    base, k = slug, 1
    while slug in used:
        slug, k = base[: 100 - len(str(k))] + str(k), k + 1
    used.add(slug)
    return slug


def _extras(i: int, article_id: int, language: str, body: list[str]) -> dict[str, Any]:
    """Listing/detail quirks, subtitle, attachments and signature, by position."""
    style = {2: "lead_only", 4: "title_only"}.get(i % 5, "title_and_lead")
    extras: dict[str, Any] = {
        "listing_style": style,
        "lead": "" if style == "title_only" else body[0],
        "date_style": {1: "own_line", 3: "glued", 5: "nbsp"}.get(i % 6, "after_title"),
        "subtitle": SUBTITLES[language][i % 2] if i % 6 == 4 else None,
        "signature": SIGNATURES[language] if i % 5 == 3 else None,
        "attachments": _attachments(i, article_id, language),
    }
    extras.update(_link_quirks(i, article_id))
    return extras


def _attachments(i: int, article_id: int, language: str) -> list[tuple[str, str]]:
    if i % 4 != 3:
        return []
    name = hashlib.md5(f"doc-{article_id}".encode()).hexdigest() + ".docx"
    files = [(name, f"{DOWNLOAD[language]} {name}")]
    if i % 8 == 7:
        files.append((ANNEX[language], ANNEX[language]))
    return files


def _link_quirks(i: int, article_id: int) -> dict[str, Any]:
    return {
        1: {"link_query": "?bxajaxid=" + hashlib.md5(str(i).encode()).hexdigest()},
        3: {"link_query": f"?sphrase_id={1000 + i}"},
        5: {"link_query": f"?ELEMENT_ID={article_id}"},
        6: {"link_fragment": "#loaded"},
        8: {"link_absolute_http": True},
        9: {"link_no_trailing_slash": True},
    }.get(i % 10, {})


def seed_articles() -> list[Article]:
    """The five sidebar items of the real seed page and the seed article, newest first."""
    lines = SEED_FILE.read_text("utf-8").split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith(SEED_TITLE_START))
    sidebar = [
        make_article(en, slug=slugify(ru), published=day, lead=lead, body=[lead],
                     listing_style="lead_only")
        for (day, lead), (en, ru) in zip(_dated_blocks(lines[:start]), SEED_SIDEBAR_TITLES,
                                         strict=True)
    ]
    return [*sidebar, _seed_from(lines[start:])]


def seed_article() -> Article:
    """The real English article of 07.02.2025 from the seed page."""
    return seed_articles()[-1]


def _dated_blocks(lines: list[str]) -> list[tuple[date, str]]:
    """(date, text) of each sidebar block: a dd.mm.yyyy line, then its text line."""
    texts = [line for line in lines if line.strip()]
    return [(_parse_date(line), texts[i + 1]) for i, line in enumerate(texts)
            if _DATE.match(line)]


def _parse_date(text: str) -> date:
    day, month, year = _DATE.match(text).groups()  # type: ignore[union-attr]
    return date(int(year), int(month), int(day))


def _seed_from(lines: list[str]) -> Article:
    title, heading, *rest = [line for line in lines if line]
    published = _parse_date(heading.rsplit(" ", 1)[1])
    body = rest[: rest.index("Go back")]
    return make_article(title, slug=slugify(SEED_RU_TITLE), published=published, lead=body[0],
                        body=body)


def sample_world(n: int = 25, language: str = "en", **world_fields: Any) -> World:
    """A World of n articles: for 'en', the seed page's six items then samples before them."""
    if language != "en":
        return World(sample_articles(n, language), **world_fields)
    seeds = seed_articles()[:n]
    older = sample_articles(n - len(seeds), "en", start_date=date(2025, 2, 6))
    return World(seeds + older, **world_fields)
