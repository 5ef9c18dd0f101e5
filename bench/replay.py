"""Replay: a month of the site's publishing in virtual time, polled three ways.

    .venv/bin/python -m bench.replay [--quick] [--markdown [docs/benchmarks.md]]

The site's process (bench/replay_site.py: Poisson arrivals by hour of week, summits, body
edits at realistic ages) is generated for `REPLICATIONS` independent months, each after
`WARM_UP` of history for the learned rhythm to learn from, and polled in virtual time (no
waiting) by:

- the product before this change: fixed 10-minute polling, and every 6 hours (and at the
  poll after the listing changed) the listing read in full and the newest 20 pages again;
- the product with fixed 10-minute polling (`polling: fixed`) and decaying revisits;
- the product with learned polling (the defaults): monitor.rhythm decides every next poll,
  monitor.revisits every revisit — the same functions the daemon and the poller call;
- urlwatch-style fixed polling at the same 10 minutes, which re-reads the listing only, so
  an edit to an article's body is never seen.

Requests are counted as the product spends them against the replica (tests prove each
count): a poll of an unchanged listing is one request answered 304, a new item adds its
page, a revisit is one conditional request (304 when unchanged), a changed page one more
(the confirming second read). urlwatch reads the listing in full on each poll.
"""

from __future__ import annotations

import json
import statistics
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bench.common import PYTHON, ROOT, goal, percentile, run_alone
from bench.replay_site import MOSCOW, Story, stories
from core.config import Revisits
from monitor import revisits, rhythm

INTERVAL = timedelta(minutes=10)
MAX_INTERVAL = timedelta(hours=1)
BURST = timedelta(hours=2)
STEPS = tuple(Revisits().schedule)
CAP = Revisits().max_per_poll
WARM_UP = timedelta(weeks=8)
MONTH = timedelta(days=30)
TAIL = timedelta(days=32)  # after the month, so that its items' late edits can be found
REPLICATIONS = 20
START = datetime(2026, 1, 5, tzinfo=MOSCOW).astimezone(UTC)  # a Monday, 00:00 Moscow
AGES = (("within a day", timedelta(0), timedelta(days=1)),
        ("1–7 days", timedelta(days=1), timedelta(days=7)),
        ("7–30 days", timedelta(days=7), timedelta(days=30)))


@dataclass
class Tally:
    """What one way of polling achieved, summed over the replications."""

    requests: int = 0  # during the measured months
    days: float = 0.0
    delays: list[tuple[datetime, float]] = field(default_factory=list)  # (published, min)
    edits: list[tuple[timedelta, float | None]] = field(default_factory=list)  # (age, min)
    revisit_requests: int = 0  # spent on the measured months' items, their whole life


RECHECK_EVERY = timedelta(hours=6)  # the product before revisits: crawl.recheck_interval
RECHECK_LATEST = 20


class Poller:
    """One way of polling one generated history, in virtual time."""

    def __init__(self, site: list[Story], learned: bool, revisit: bool,
                 recheck: bool = False) -> None:
        self.site, self.learned, self.revisit, self.recheck = site, learned, revisit, recheck
        self.last_full: datetime | None = None
        self.seen: dict[int, datetime] = {}
        self.read: dict[int, int] = {}  # edits the last read of the page showed
        self.schedules: dict[int, revisits.Schedule] = {}
        self.found: dict[tuple[int, int], datetime] = {}  # (story, edit) -> found at
        self.spent: dict[int, int] = {}  # revisit requests per story
        self.requests: list[datetime] = []
        self.profile = rhythm.learn([], 0.0, "Europe/Moscow")
        self.learned_at = START

    def run(self, end: datetime) -> None:
        now, pending = START, 0
        while now < end:
            pending = self.poll(now, pending)
            now = self.next_poll(now)

    def poll(self, now: datetime, pending: int) -> int:
        self.requests.append(now)  # the listing
        before = pending
        while pending < len(self.site) and self.site[pending].published <= now:
            story = self.site[pending]
            self.seen[story.number] = now
            self.read[story.number] = story.version_at(now)
            self.schedules[story.number] = revisits.start(now, STEPS)
            if self.revisit or self.recheck:  # urlwatch reads only the listing
                self.requests.append(now)
            pending += 1
        if self.revisit:
            self.revisit_due(now)
        if self.recheck:
            self.recheck_latest(now, pending, changed=pending != before)
        return pending

    def recheck_latest(self, now: datetime, pending: int, changed: bool) -> None:
        """Before revisits: every 6 hours, and at the poll after the listing changed, the
        newest 20 pages were read again (the listing too, unconditionally: counted above)."""
        if self.last_full is not None and now - self.last_full < RECHECK_EVERY:
            return
        for story in self.site[max(0, pending - RECHECK_LATEST):pending]:
            shown = story.version_at(now)
            for edit in range(self.read[story.number], shown):
                self.found[(story.number, edit)] = now
            cost = 2 if shown > self.read[story.number] else 1
            self.read[story.number] = shown
            self.requests.extend([now] * cost)
            self.spent[story.number] = self.spent.get(story.number, 0) + cost
        self.last_full = None if changed else now

    def revisit_due(self, now: datetime) -> None:
        times = [(str(n), s.next_at) for n, s in self.schedules.items()]
        for key in revisits.due(times, now, CAP):
            number = int(key)
            shown = self.site[number].version_at(now)
            edited = shown > self.read[number]
            for edit in range(self.read[number], shown):
                self.found[(number, edit)] = now
            self.read[number] = shown
            cost = 2 if edited else 1  # a changed page is read again to confirm it
            self.requests.extend([now] * cost)
            self.spent[number] = self.spent.get(number, 0) + cost
            self.schedules[number] = revisits.after_revisit(
                self.schedules[number], STEPS, now, edited=edited)

    def next_poll(self, now: datetime) -> datetime:
        if not self.learned:
            return now + INTERVAL
        if now - self.learned_at >= timedelta(days=1) or len(self.seen) != self.profile.items:
            weeks = min((now - START) / timedelta(weeks=1), 26.0)
            recent = [t for t in self.seen.values() if now - t <= timedelta(weeks=26)]
            self.profile = rhythm.learn(recent, weeks, "Europe/Moscow")
            self.learned_at = now
        latest = max(self.seen.values(), default=None)
        burst_until = latest + BURST if latest else None
        return rhythm.next_poll(self.profile, now, INTERVAL, MAX_INTERVAL, burst_until).at


def replay(learned: bool, revisit: bool, replications: int, recheck: bool = False) -> Tally:
    tally = Tally()
    measured_from, measured_to = START + WARM_UP, START + WARM_UP + MONTH
    for seed in range(replications):
        site = stories(START, measured_to, seed)
        poller = Poller(site, learned, revisit, recheck)
        poller.run(measured_to + TAIL)
        tally.requests += sum(1 for t in poller.requests if measured_from <= t < measured_to)
        tally.days += MONTH / timedelta(days=1)
        for story in site:
            if not measured_from <= story.published < measured_to:
                continue
            seen = poller.seen[story.number]
            tally.delays.append((story.published, (seen - story.published).total_seconds() / 60))
            tally.revisit_requests += poller.spent.get(story.number, 0)
            for index, edit in enumerate(story.edits):
                if edit <= seen:
                    continue  # already on the page when the item was first read
                found = poller.found.get((story.number, index))
                delay = (found - edit).total_seconds() / 60 if found else None
                tally.edits.append((edit - story.published, delay))
    return tally


def active(published: datetime) -> bool:
    """Moscow working hours on weekdays: when the site publishes almost everything."""
    local = published.astimezone(MOSCOW)
    return local.weekday() < 5 and 9 <= local.hour < 18


def _minutes(values: Sequence[float]) -> str:
    if not values:
        return "—"
    return f"median {statistics.median(values):.1f}, p95 {percentile(values, 95):.1f} min"


def _edits_in(tally: Tally, low: timedelta, high: timedelta) -> tuple[int, list[float]]:
    chosen = [delay for age, delay in tally.edits if low <= age < high]
    return len(chosen), [d for d in chosen if d is not None]


def _edit_cell(tally: Tally, low: timedelta, high: timedelta) -> str:
    total, found = _edits_in(tally, low, high)
    if not total:
        return "—"
    return f"{len(found)}/{total} found" + (f"; {_human(found)}" if found else "")


def _human(values: Sequence[float]) -> str:
    median, p95 = statistics.median(values), percentile(values, 95)
    return f"median {_duration(median)}, p95 {_duration(p95)}"


def _duration(minutes: float) -> str:
    if minutes < 120:
        return f"{minutes:.0f} min"
    return f"{minutes / 60:.1f} h" if minutes < 48 * 60 else f"{minutes / 1440:.1f} d"


def run(quick: bool = False) -> str:
    replications = 3 if quick else REPLICATIONS
    arms = {"fixed 10 min, before (recheck 20 / 6 h)": replay(False, False, replications, True),
            "fixed 10 min + revisits (`polling: fixed`)": replay(False, True, replications),
            "learned + revisits (default)": replay(True, True, replications),
            "urlwatch-style 10 min": replay(False, False, replications)}
    before, fixed, learned = list(arms.values())[:3]
    lines = [*_table(arms), "", *_goals(before, fixed, learned), _idle_revisit(), "",
             *_notes(learned, replications)]
    return HEADER + "\n".join(lines) + "\n"


def _table(arms: dict[str, Tally]) -> list[str]:
    names = list(arms)
    rows = [f"| figure | {' | '.join(names)} |", "| --- |" + " --- |" * len(names)]

    def row(figure: str, cell: object) -> None:
        rows.append(f"| {figure} | " + " | ".join(cell(arms[n]) for n in names) + " |")  # type: ignore[operator]

    row("requests per day", lambda t: f"{t.requests / t.days:.1f}")
    row("new-item delay, working hours", lambda t: _minutes(
        [d for p, d in t.delays if active(p)]))
    row("new-item delay, overall", lambda t: _minutes([d for _, d in t.delays]))
    for label, low, high in AGES:
        row(f"body edits made {label} after publication",
            lambda t, lo=low, hi=high: _edit_cell(t, lo, hi))
    row("requests per detected edit", lambda t: (
        f"{t.revisit_requests / found:.1f}" if (found := sum(
            1 for _, d in t.edits if d is not None)) else "— (none found)"))
    return rows


def _goals(before: Tally, fixed: Tally, learned: Tally) -> list[str]:
    ratio = learned.requests / before.requests
    active_learned = statistics.median([d for p, d in learned.delays if active(p)])
    active_fixed = statistics.median([d for p, d in fixed.delays if active(p)])
    p95 = percentile([d for _, d in learned.delays], 95)
    total, found = _edits_in(learned, timedelta(0), timedelta(days=1))
    day_median = statistics.median(found) if found else float("inf")
    all_total, all_found = _edits_in(learned, timedelta(0), timedelta(days=30))
    return [
        "| figure | value | goal |", "| --- | --- | --- |",
        f"| learned / fixed 10 min (as before) requests per day | {ratio:.2f} | ≤ 0.33: "
        f"{goal(ratio <= 1 / 3)} |",
        f"| learned / fixed 10 min with the same revisits | "
        f"{learned.requests / fixed.requests:.2f} | — |",
        f"| median new-item delay in working hours, learned vs fixed | "
        f"{active_learned:.1f} vs {active_fixed:.1f} min | no worse: "
        f"{goal(active_learned <= active_fixed + 0.05)} |",
        f"| p95 new-item delay overall, learned | {p95:.1f} min | ≤ 60 min: "
        f"{goal(p95 <= 60)} |",
        f"| edits within a day of publication, learned | {len(found)}/{total} found, median "
        f"{day_median:.0f} min | median ≤ 60 min: {goal(day_median <= 60)} |",
        f"| edits up to 30 days old found, learned | {len(all_found)}/{all_total} | every "
        f"one: {goal(len(all_found) == all_total)} |",
    ]


def _idle_revisit() -> str:
    """The goal row of an idle revisit, measured against the replica (bench.replay_idle)."""
    proc = subprocess.run([PYTHON, "-m", "bench.replay_idle"], cwd=ROOT, capture_output=True,
                          text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"replay_idle failed: {proc.stderr[-3000:]}")
    found = json.loads(proc.stdout.splitlines()[-1])
    pages = [status for path, status in found["answers"] if path != "/news/"]
    met = pages == [304] and found["unchanged"]
    return (f"| requests per idle revisit (replica, real crawl) | {len(pages)} (answered "
            f"{', '.join(map(str, pages))}; the listing: 1 more, 304) | 1, answered 304: "
            f"{goal(met)} |")


def _notes(learned: Tally, replications: int) -> list[str]:
    items = len(learned.delays)
    return [
        f"{replications} generated months ({items} items, {len(learned.edits)} body edits "
        f"made after the item was first read), each after {WARM_UP.days // 7} weeks of "
        "history; working hours are Monday to Friday 09:00–18:00 Moscow time. An idle "
        "revisit costs one request answered 304 (tests/scraper/test_revisit_polls.py "
        "counts it at the replica). urlwatch-style polling finds no body edit: the listing "
        "does not show them. Before revisits, the product re-read the newest 20 pages every "
        "6 hours: old edits were found sooner, at 18 times the requests per edit.",
        "",
        "The ratio goal is met against fixed polling as it was (the issue's baseline), not "
        "against fixed polling with the same revisits (0.44). The reason is arithmetic: "
        "`polling.max_interval` (1 h) keeps a floor of 24 polls a day and revisits take ~3, "
        "so a third of fixed polling's ~147 leaves room for about 6 hours a weekday at 10 "
        "minutes, while the generated site spreads its items over the 9 hours from 09:00 "
        "to 18:00 (the learned profile keeps about 8 of them active); narrowing the active "
        "hours to fit made the working-hours median worse than fixed polling's in trials "
        "(80 % → 75 % of the items in active hours, less smoothing: 0.40 of the requests, "
        "median 6.1 vs 5.7 min). A `max_interval` of 2 h would lower the floor to 12 a day.",
    ]


def main() -> None:
    run_alone(run, __doc__)


HEADER = """## 11. Replay: learned polling and decaying revisits over a month

Reproduce: `.venv/bin/python -m bench.replay --markdown docs/benchmarks.md`.

"""

if __name__ == "__main__":
    main()
