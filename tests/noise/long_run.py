"""Issue 24's long run: a busy day of formulaic titles on a furnished replica with a small
listing, real body edits and real re-slugs mixed in, and what the stored history must be.

Shared by tests/noise/test_long_run.py (the real `check`, on both databases) and
bench/reslug_long_run.py (the figures). The site lists 10 items a page and the source
reads 2 pages: most of the day's stories slide off the crawled pages while more stories
with the same formulas arrive.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from core.models import ChangeEvent, Item
from tests.noise.furniture import FURNITURE_WORDS
from tests.replica import Article, World, make_article, sample_world

DAY = date(2025, 7, 1)  # after every sample article: the day's stories lead the listing
COUNTRIES = [
    "Cuba", "Serbia", "Mongolia", "India", "Vietnam", "Laos", "Egypt", "Algeria", "Brazil",
    "Argentina", "Indonesia", "Malaysia", "Pakistan", "Qatar", "Oman", "Kuwait", "Jordan",
    "Nicaragua", "Venezuela", "Myanmar", "Cambodia", "Thailand", "Bahrain", "Tunisia",
]
CITIES = ["Moscow", "Minsk", "Yerevan", "Astana", "Bishkek", "Dushanbe", "Almaty", "Kazan"]
COUNCILS = ["Defense Ministers", "Foreign Ministers", "Secretaries of Security Councils"]
TOPICS = ["countering international terrorism", "international information security",
          "the situation in Afghanistan", "biological security", "illegal migration",
          "drug trafficking", "emergency response", "peacekeeping training"]


def formulaic_title(n: int) -> tuple[str, str]:
    """The n-th story of the day: (title, what makes it its own story)."""
    kind, k = n % 3, n // 3
    if kind == 0:
        country = COUNTRIES[k % len(COUNTRIES)]
        return f"CSTO Secretary General met with the Ambassador of {country}", country
    if kind == 1:
        council, city = COUNCILS[k % len(COUNCILS)], CITIES[k % len(CITIES)]
        return f"A meeting of the CSTO Council of {council} was held in {city}", \
            f"{council} in {city}"
    topic = TOPICS[k % len(TOPICS)]
    return f"Consultations of representatives of the CSTO member states on {topic}", topic


def story(n: int) -> Article:
    title, own = formulaic_title(n)
    body = [f"Today the parties held talks ({own}, meeting {n}).",
            "The parties discussed the current international and regional security situation.",
            "Special attention was paid to cooperation within the CSTO."]
    return make_article(title, published=DAY, body=body, lead=body[0],
                        slug=f"story-{n}-{own.lower().replace(' ', '-')}")


@dataclass
class Expected:
    """What happened on the site, and the events it must give."""

    publications: list[str] = field(default_factory=list)  # URL at publication
    edits: list[str] = field(default_factory=list)  # URL of the edited story at the time
    reslugs: list[tuple[str, str, str]] = field(default_factory=list)  # (old, new, how)


class LongRun:
    """The site's busy day, one step per `check`: a publication every step, a body edit
    every `edit_every` steps, a re-slug (alternately 404 and 301) every `reslug_every`."""

    def __init__(self, world: World, base_url: str, edit_every: int = 7,
                 reslug_every: int = 5) -> None:
        self.world, self.base = world, base_url
        self.edit_every, self.reslug_every = edit_every, reslug_every
        self.expected = Expected()
        self.published: list[int] = []  # article ids of the day, oldest first

    def step(self, n: int) -> None:
        article = self.world.publish(story(n))
        self.published.append(article.id)
        self.expected.publications.append(article.url(self.base))
        if n % self.edit_every == self.edit_every - 1:
            self._edit(n)
        if n % self.reslug_every == self.reslug_every - 1:
            self._reslug(n)

    def _listed_story(self, n: int, back: int) -> Article:
        """A story of the day still on the crawled pages (`back` places below the newest)."""
        return self.world.get(self.published[max(0, len(self.published) - 1 - back)])

    def _edit(self, n: int) -> None:
        article = self._listed_story(n, 4 + n % 5)
        self.world.edit(article.id, body=[*article.body, f"Added after the meeting ({n})."])
        self.expected.edits.append(article.url(self.base))

    def _reslug(self, n: int) -> None:
        article = self._listed_story(n, 2 + n % 7)
        if self.expected.edits and self.expected.edits[-1] == article.url(self.base):
            article = self._listed_story(n, 1)  # one event per change: not the one edited
        redirect = (n // self.reslug_every) % 2 == 1
        old = article.url(self.base)
        new = self.world.reslug(article.id, article.slug + "-1", redirect=redirect)
        if n % 2:  # and the title lightly edited with it
            self.world.edit(article.id, title=new.title + ".")
        self.expected.reslugs.append((old, new.url(self.base), "redirect" if redirect else "404"))


def busy_world() -> World:
    """Older stories on earlier days, 10 a listing page."""
    world = sample_world(12, "en")
    world.page_size = 10
    return world


@dataclass
class Verdict:
    events: Counter[str]
    false_events: list[str]  # one line per event nobody caused, or expected one missing
    misplaced: list[str]  # stored stories not at their own URL with their own text


def judge(database_url: str, world: World, run: LongRun) -> Verdict:
    """Compare the stored events and stories with what happened on the site."""
    engine = create_engine(database_url)
    try:
        with Session(engine) as session:
            events = list(session.scalars(select(ChangeEvent).order_by(ChangeEvent.id)))
            items = {row.url: row for row in session.scalars(select(Item))}
            return Verdict(Counter(e.kind for e in events), _false_events(events, run),
                           _misplaced(items, world, run))
    finally:
        engine.dispose()


def _false_events(events: list[ChangeEvent], run: LongRun) -> list[str]:
    wanted = Counter([("new", url, ()) for url in run.expected.publications]
                     + [("edited", url, ("body",)) for url in run.expected.edits]
                     + [("edited", new, ("url",)) for _, new, _ in run.expected.reslugs])
    seen = Counter()
    for event in events:
        fields = tuple(event.fields or ()) if event.kind == "edited" else ()
        if event.kind == "edited" and "url" in fields:
            fields = ("url",)  # a re-slug may carry the light title edit with it
        seen[(event.kind, event.url, fields)] += 1
    return [f"unexpected {kind} {url} {list(fields)} x{n}"
            for (kind, url, fields), n in (seen - wanted).items()] + [
        f"missing {kind} {url} {list(fields)} x{n}"
        for (kind, url, fields), n in (wanted - seen).items()]


def _misplaced(items: dict[str, Item], world: World, run: LongRun) -> list[str]:
    wrong = []
    for article_id in run.published:
        article = world.get(article_id)
        row = items.get(article.url(run.base))
        if row is None:
            wrong.append(f"{article.url(run.base)}: not stored")
            continue
        if row.title != article.expected_title or row.status != "active":
            wrong.append(f"{row.url}: {row.status} {row.title!r}")
        body = row.body.split("\n\n")
        if body != article.expected_body:
            wrong.append(f"{row.url}: body {body!r}")
        wrong += [f"{row.url}: furniture {w!r}" for w in FURNITURE_WORDS if w in row.body]
    stored_today = [url for url, row in items.items() if row.published == DAY]
    if len(stored_today) != len(run.published):
        wrong.append(f"{len(stored_today)} stories of the day stored, "
                     f"{len(run.published)} published")
    return wrong
