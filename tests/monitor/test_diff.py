"""Table of diff cases: a stored state, a crawl report, and the expected change events."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import pytest

from monitor.diff import diff, normalise, scope, title_similarity, titles_match
from monitor.snapshot import Change, EditedChange, NewChange, RemovedChange, StoredItem
from scraper.items import ListingEntry, NewsItem, ProbeResult
from scraper.report import CrawlReport

BASE = "https://en.odkb-csto.org/news/news_odkb/"
DAY = date(2025, 6, 5)
TITLE_A = "The CSTO Secretary General met with the Ambassador of China"
TITLE_B = "Staff talks on the joint trainings of the CSTO CRRF were held in Minsk"
LEAD = "On 3-5 June, the Republic of Belarus hosted the second staff talks."
BODY = ["On 3-5 June, the Republic of Belarus hosted staff talks.", "The talks were useful."]


def url(slug: str) -> str:
    return f"{BASE}{slug}/"


def stored(slug: str, id: int = 1, **kw: Any) -> StoredItem:
    values: dict[str, Any] = dict(id=id, url=url(slug), published=DAY, title=TITLE_A,
                                  lead=LEAD, body="\n\n".join(BODY), active=True)
    values.update(kw)
    return StoredItem(**values)


def item(slug: str, **kw: Any) -> NewsItem:
    values: dict[str, Any] = dict(url=url(slug), section="news_odkb", slug=slug,
                                  language="en", published=DAY, title=TITLE_A, lead=LEAD,
                                  body=list(BODY))
    values.update(kw)
    return NewsItem(**values)


def entry(slug: str, position: int) -> ListingEntry:
    return ListingEntry(url=url(slug), published=DAY, title=TITLE_A, lead=LEAD,
                        page=position // 10 + 1, position=position)


def probe(slug: str, status: int) -> ProbeResult:
    return ProbeResult(url=url(slug), status=status)


def moved(slug: str, to: str) -> ProbeResult:
    return ProbeResult(url=url(slug), status=301, location=url(to))


# A summit day on the CSTO site: most titles are one of a few formulas.
AMBASSADOR = "The CSTO Secretary General met with the Ambassador of {} to the Russian Federation"
BUSY_TITLES = [
    AMBASSADOR.format("the People's Republic of China"), AMBASSADOR.format("Mongolia"),
    AMBASSADOR.format("the Islamic Republic of Iran"), AMBASSADOR.format("the Republic of India"),
    "A meeting of the CSTO Council of Defense Ministers was held in Bishkek",
    "A meeting of the CSTO Council of Foreign Ministers was held in Bishkek",
    "Consultations of representatives of the CSTO member states on biological security",
    "Consultations of representatives of the CSTO member states on the situation in Afghanistan",
]
BUSY_SLUGS = [f"busy-{n}" for n in range(len(BUSY_TITLES))]
BUSY_DAY = [stored(slug, id=10 + n, title=title)
            for n, (slug, title) in enumerate(zip(BUSY_SLUGS, BUSY_TITLES, strict=True))]


@dataclass
class Case:
    stored: list[StoredItem]
    listed: list[str]  # slugs on the listing, newest first
    items: list[NewsItem] = field(default_factory=list)
    probes: list[ProbeResult] = field(default_factory=list)
    expected: list[tuple[str, ...]] = field(default_factory=list)
    allow_removals: bool = True


def report_of(case: Case) -> CrawlReport:
    return CrawlReport(
        source="en", finish_reason="finished", listing_pages_ok=1,
        listing=[entry(slug, pos) for pos, slug in enumerate(case.listed)],
        items=case.items, probes=case.probes,
    )


def run(case: Case) -> list[Change]:
    by_url = {s.url: s for s in case.stored}
    return diff(by_url, report_of(case), allow_removals=case.allow_removals)


def describe(change: Change) -> tuple[str, ...]:
    """Comparable form: ("new", slug), ("edited", old, new, *fields), ("removed", slug)."""
    def slug(u: str) -> str:
        return u.removeprefix(BASE).rstrip("/")

    if isinstance(change, NewChange):
        return ("new", slug(change.item.url))
    if isinstance(change, EditedChange):
        return ("edited", slug(change.stored.url), slug(change.item.url), *change.fields)
    assert isinstance(change, RemovedChange)
    return ("removed", slug(change.stored.url))


CASES = {
    "new": Case(stored=[], listed=["a"], items=[item("a")], expected=[("new", "a")]),
    "unchanged": Case(stored=[stored("a")], listed=["a"], items=[item("a")]),
    "title edited": Case(
        stored=[stored("a")], listed=["a"], items=[item("a", title=TITLE_A + " (updated)")],
        expected=[("edited", "a", "a", "title")]),
    "published edited": Case(
        stored=[stored("a")], listed=["a"], items=[item("a", published=date(2025, 6, 4))],
        expected=[("edited", "a", "a", "published")]),
    "lead edited": Case(
        stored=[stored("a")], listed=["a"], items=[item("a", lead="A new lead.")],
        expected=[("edited", "a", "a", "lead")]),
    "body edited": Case(
        stored=[stored("a")], listed=["a"], items=[item("a", body=[*BODY, "Added."])],
        expected=[("edited", "a", "a", "body")]),
    "several fields edited, contract order": Case(
        stored=[stored("a")], listed=["a"],
        items=[item("a", body=["Other."], lead="Other lead.", title="Other title")],
        expected=[("edited", "a", "a", "title", "lead", "body")]),
    "whitespace and nbsp only is not an edit": Case(
        stored=[stored("a")], listed=["a"],
        items=[item("a", title=TITLE_A.replace(" ", "\u00a0", 2) + "  ",
                    lead="  " + LEAD.replace(" ", "\n", 1),
                    body=[BODY[0] + "\u200b", "", " " + BODY[1]])]),
    "decomposed unicode is not an edit": Case(
        stored=[stored("a", title="Встреча в Минске, ёлка")], listed=["a"],
        items=[item("a", title="Встреча в Минске, е\u0308лка")]),
    "re-slug with identical title": Case(
        stored=[stored("old")], listed=["new"], items=[item("new")],
        probes=[probe("old", 404)], expected=[("edited", "old", "new", "url")]),
    "re-slug with small title edit": Case(
        stored=[stored("old")], listed=["new"],
        items=[item("new", title=TITLE_A.replace("met with", "held a meeting with"),
                    lead="Edited lead.")], probes=[probe("old", 410)],
        expected=[("edited", "old", "new", "url", "title", "lead")]),
    "re-slug ignores case and spacing of the title": Case(
        stored=[stored("old")], listed=["new"], items=[item("new", title=TITLE_A.upper())],
        probes=[probe("old", 404)], expected=[("edited", "old", "new", "url", "title")]),
    "same title, old URL not probed (slid off the listing): two stories": Case(
        stored=[stored("old")], listed=["new"], items=[item("new")],
        expected=[("new", "new")]),
    "same title, old URL still served: two stories": Case(
        stored=[stored("old")], listed=["new"], items=[item("new")],
        probes=[probe("old", 200)], expected=[("new", "new")]),
    "old URL redirects to the new one: a re-slug whatever the title": Case(
        stored=[stored("old")], listed=["new"], items=[item("new", title=TITLE_B)],
        probes=[moved("old", "new")], expected=[("edited", "old", "new", "url", "title")]),
    "redirect wins over a gone candidate with the same title": Case(
        stored=[stored("gone", id=1), stored("old", id=2, title=TITLE_B)], listed=["new"],
        items=[item("new")], probes=[probe("gone", 404), moved("old", "new")],
        expected=[("edited", "old", "new", "url", "title"), ("removed", "gone")]),
    "old URL redirects elsewhere: two stories": Case(
        stored=[stored("old")], listed=["new"], items=[item("new")],
        probes=[moved("old", "third")], expected=[("new", "new")]),
    "old URL redirects to itself: served, two stories": Case(
        stored=[stored("old")], listed=["new"], items=[item("new")],
        probes=[moved("old", "old")], expected=[("new", "new")]),
    "probe error on a like candidate: the new item waits": Case(
        stored=[stored("old")], listed=["new"], items=[item("new")],
        probes=[probe("old", 503)]),
    "probe answered nothing on a like candidate: the new item waits": Case(
        stored=[stored("old")], listed=["new"], items=[item("new")],
        probes=[probe("old", 0)]),
    "probe error on an unlike candidate: the new item is new": Case(
        stored=[stored("old", title=TITLE_B)], listed=["new"], items=[item("new")],
        probes=[probe("old", 503)], expected=[("new", "new")]),
    "probe error on a like candidate of another date: the new item is new": Case(
        stored=[stored("old", published=date(2025, 6, 4))], listed=["new"],
        items=[item("new")], probes=[probe("old", 503)], expected=[("new", "new")]),
    "formulaic title of a gone item on a busy day: a new story and a removal": Case(
        stored=[*BUSY_DAY, stored("cuba", id=1, title=AMBASSADOR.format("Cuba"))],
        listed=["serbia", *BUSY_SLUGS], items=[item("serbia", title=AMBASSADOR.format("Serbia"))],
        probes=[probe("cuba", 404)], expected=[("new", "serbia"), ("removed", "cuba")]),
    "lightly edited formulaic title of a gone item on a busy day: a re-slug": Case(
        stored=[*BUSY_DAY, stored("cuba", id=1, title=AMBASSADOR.format("Cuba"))],
        listed=["cuba-2", *BUSY_SLUGS],
        items=[item("cuba-2", title=AMBASSADOR.format("the Republic of Cuba"))],
        probes=[probe("cuba", 404)], expected=[("edited", "cuba", "cuba-2", "url", "title")]),
    "different story on the same date is new": Case(
        stored=[stored("old")], listed=["new"], items=[item("new", title=TITLE_B)],
        expected=[("new", "new")]),
    "same title on another date is new": Case(
        stored=[stored("old")], listed=["new"],
        items=[item("new", published=date(2025, 6, 6))], expected=[("new", "new")]),
    "stored item still listed is not a re-slug candidate": Case(
        stored=[stored("old")], listed=["new", "old"], items=[item("new")],
        expected=[("new", "new")]),
    "removed stored item is not a re-slug candidate": Case(
        stored=[stored("old", active=False)], listed=["new"], items=[item("new")],
        expected=[("new", "new")]),
    "two re-slug candidates, best wins": Case(
        stored=[stored("old-1", id=1, title=TITLE_A + " in Moscow"),
                stored("old-2", id=2, title=TITLE_A)],
        listed=["new"], items=[item("new")], probes=[probe("old-1", 404), probe("old-2", 404)],
        expected=[("edited", "old-2", "new", "url"), ("removed", "old-1")]),
    "two new slugs for one stored item, best wins, other is new": Case(
        stored=[stored("old")], listed=["new-1", "new-2"],
        items=[item("new-1", title=TITLE_A + " in Moscow"), item("new-2")],
        probes=[probe("old", 404)],
        expected=[("new", "new-1"), ("edited", "old", "new-2", "url")]),
    "re-slugged item is not removed even if its old URL is gone": Case(
        stored=[stored("old")], listed=["new"], items=[item("new")],
        probes=[probe("old", 404)], expected=[("edited", "old", "new", "url")]),
    "removal with 404": Case(
        stored=[stored("a")], listed=[], probes=[probe("a", 404)],
        expected=[("removed", "a")]),
    "removal with 410": Case(
        stored=[stored("a")], listed=[], probes=[probe("a", 410)],
        expected=[("removed", "a")]),
    "probe 200 is not a removal": Case(
        stored=[stored("a")], listed=[], probes=[probe("a", 200)]),
    "probe 500 is not a removal": Case(
        stored=[stored("a")], listed=[], probes=[probe("a", 500)]),
    "removal suppressed when not allowed": Case(
        stored=[stored("a")], listed=[], probes=[probe("a", 404)], allow_removals=False),
    "listed item is never removed even if a probe says 404": Case(
        stored=[stored("a")], listed=["a"], probes=[probe("a", 404)]),
    "already removed item is not removed again": Case(
        stored=[stored("a", active=False)], listed=[], probes=[probe("a", 404)]),
    "removed item reappears": Case(
        stored=[stored("a", active=False)], listed=["a"], items=[item("a")],
        expected=[("edited", "a", "a", "status")]),
    "removed item reappears edited": Case(
        stored=[stored("a", active=False)], listed=["a"], items=[item("a", lead="New.")],
        expected=[("edited", "a", "a", "status", "lead")]),
    "listing only (no detail) produces nothing": Case(
        stored=[stored("a")], listed=["a", "b"]),
    "deterministic ordering": Case(
        stored=[stored("c", id=3), stored("gone-2", id=2), stored("gone-1", id=1),
                stored("edit", id=4, title=TITLE_B)],
        listed=["n1", "edit", "n2", "c"],
        items=[item("n2", title="Third"), item("edit", title=TITLE_B + "!"),
               item("n1", title="First"), item("c")],
        probes=[probe("gone-2", 410), probe("gone-1", 404)],
        expected=[("new", "n1"), ("edited", "edit", "edit", "title"), ("new", "n2"),
                  ("removed", "gone-1"), ("removed", "gone-2")]),
    "unlisted crawled items follow listed ones in report order": Case(
        stored=[stored("x", id=1, active=False, title="X"),
                stored("y", id=2, active=False, title="Y")],
        listed=["n"], items=[item("y", title="Y"), item("n", title="N"),
                             item("x", title="X")],
        expected=[("new", "n"), ("edited", "y", "y", "status"),
                  ("edited", "x", "x", "status")]),
}


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_diff(case: Case) -> None:
    assert [describe(c) for c in run(case)] == case.expected


def test_diff_is_repeatable() -> None:
    case = CASES["deterministic ordering"]
    assert run(case) == run(replace(case, stored=list(reversed(case.stored))))


# Older history around every case: same titles on other dates, removed items of the day.
HISTORY = [stored(f"history-{n}", id=100 + n, published=date(2020, 1, 1 + n % 28),
                  title=(TITLE_A, TITLE_B)[n % 2]) for n in range(30)]
HISTORY += [stored("removed-same-day", id=200, active=False)]


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_diff_reads_only_its_scope(case: Case) -> None:
    """Given only the items of `scope(report)`, diff returns what it does with everything."""
    report = report_of(case)
    everything = {s.url: s for s in [*HISTORY, *case.stored]}
    wanted = scope(report)
    scoped = {url: s for url, s in everything.items()
              if url in wanted.urls or (s.active and s.published in wanted.dates)}
    full = diff(everything, report, allow_removals=case.allow_removals)
    assert diff(scoped, report, allow_removals=case.allow_removals) == full
    assert [describe(c) for c in full] == case.expected


def test_edited_change_carries_stored_and_crawled_values() -> None:
    old, new = stored("old"), item("new", title=TITLE_A + ".")
    report = CrawlReport(source="en", listing=[entry("new", 0)], items=[new],
                         probes=[probe("old", 410)])
    assert diff({old.url: old}, report, allow_removals=True) == [
        EditedChange(old, new, ("url", "title"), reslug="410")
    ]
    report.probes = [moved("old", "new")]
    assert diff({old.url: old}, report, allow_removals=True) == [
        EditedChange(old, new, ("url", "title"), reslug="redirect")
    ]
    assert diff({new.url: replace(old, url=new.url)}, report, allow_removals=True) == [
        EditedChange(replace(old, url=new.url), new, ("title",))
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  a\u00a0 b\n\nc\t", "a b c"),
        ("e\u0301", "\u00e9"),
        ("soft\u00adhyphen\u200b", "softhyphen"),
        ("", ""),
    ],
    ids=["spaces", "nfc", "invisible", "empty"],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (TITLE_A, TITLE_A, True),
        (TITLE_A, "  " + TITLE_A.lower().replace(" ", "\u00a0"), True),
        (TITLE_A, TITLE_A.replace("China", "the PRC"), True),
        (TITLE_A, TITLE_B, False),
        ("CSTO", "CIS", False),
    ],
    ids=["identical", "case-and-space", "small-edit", "different", "short-different"],
)
def test_titles_match(a: str, b: str, expected: bool) -> None:
    assert titles_match(a, b) is expected
    assert titles_match(b, a) is expected


def test_title_similarity_bounds() -> None:
    assert title_similarity(TITLE_A, TITLE_A.upper()) == 1.0
    assert 0.0 <= title_similarity(TITLE_A, TITLE_B) < 0.85
