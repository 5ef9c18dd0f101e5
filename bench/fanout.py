"""Fan-out: one new item to 1,000 Telegram subscribers, and 1,000 daily email digests.

Telegram: the Bot API double runs in its own process (its CPU does not compete with the
sender's GIL) and enforces Telegram's flood limits (429 beyond 30 messages/s overall,
1/s per private chat, 20/min per channel). The daemon's delivery path runs against it:
`outbox.enqueue` then `notifier.dispatch.deliver_due` with the real `TelegramNotifier`
(`telegram.api_url` pointing at the double), on SQLite. Sustained rate: accepted
messages over the span between the first and the last, as the double saw them.

Email: `csto-monitor digest`'s path (`send_due`: queue, render, send over one SMTP
connection) for 1,000 daily subscribers against aiosmtpd in its own process.

    .venv/bin/python -m bench.fanout [--quick] [--markdown docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from bench.common import DOC, PYTHON, ROOT, free_port, goal, spread, stop, write_section

GOAL_RATE = 28.0  # messages/s, with 0 violations
COMMAND = "`.venv/bin/python -m bench.fanout --markdown docs/benchmarks.md`"


@dataclass
class TelegramRun:
    messages: int  # accepted by the double
    span: float  # seconds from the first accepted send to the last
    wall: float  # seconds deliver_due took
    cpu: float  # CPU seconds the sending process used meanwhile (the double's not counted)
    violations: int  # breaches of the limits among all attempts (limit_violations())
    refused: int  # attempts answered 429 by the double's enforcement
    duplicates: int  # chats that received the message more than once
    sent: int  # deliveries marked sent
    pending: int  # deliveries left pending (must be 0)

    @property
    def rate(self) -> float:
        return (self.messages - 1) / self.span


def start_double(port: int, rtt: float) -> subprocess.Popen[bytes]:
    """The Bot API double in its own process, enforcing the flood limits."""
    proc = subprocess.Popen([PYTHON, "-m", "tests.telegram.botapi", "--port", str(port),
                             "--enforce", "--delay", str(rtt)], cwd=ROOT, stdout=subprocess.PIPE)
    assert proc.stdout is not None
    proc.stdout.readline()  # "Bot API double: URL" once it listens
    return proc


def seed_fanout(url: str, subscribers: int) -> None:
    """Active instant subscribers, and one poll that found one new item."""
    from core.db import open_database
    from core.models import ChangeEvent, CrawlRun, Item, Source, Subscriber, utcnow

    database = open_database(url)
    with database.sessions() as session, session.begin():
        source = Source(name="csto-en", url="https://en.odkb-csto.org/news/", language="en")
        session.add(source)
        session.flush()
        run = CrawlRun(source_id=source.id, outcome="changed")
        session.add(run)
        session.flush()
        item = Item(source=source, url="https://en.odkb-csto.org/news/news_odkb/1/",
                    section="news_odkb", slug="1", language="en", published=date(2026, 11, 1),
                    title="The CSTO Secretary General met the delegation",
                    lead="The parties discussed cooperation. They agreed to meet again.",
                    body="The parties discussed cooperation. They agreed to meet again.")
        session.add(ChangeEvent(item=item, run_id=run.id, kind="new", url=item.url,
                                title=item.title, detected_at=utcnow()))
        session.add_all(Subscriber(channel="telegram", address=str(10_000 + n), status="active")
                        for n in range(subscribers))
    database.engine.dispose()


async def _deliver(url: str, port: int, width: int | None) -> tuple[float, float, int]:
    """Queue the event as the poller does, then drain the outbox as the daemon does."""
    from sqlalchemy import select

    from core.config import Telegram
    from core.db import make_engine, session_factory
    from core.models import ChangeEvent
    from notifier import outbox
    from notifier.channels.telegram import TelegramNotifier
    from notifier.dispatch import deliver_due
    from tests.telegram.botapi import TOKEN

    engine = make_engine(url)
    sessions = session_factory(engine)
    cfg = Telegram.model_validate({"token": TOKEN, "api_url": f"http://127.0.0.1:{port}",
                                   "channel": "@csto_news"})
    notifier = TelegramNotifier(cfg, sessions)
    if width is not None:
        notifier.concurrency = width
    with sessions() as session, session.begin():
        events = list(session.scalars(select(ChangeEvent)))
        outbox.enqueue(session, events, {"telegram": notifier}, ("new",))
    await notifier.ready()  # getMe before the clock starts
    try:
        started, cpu = time.perf_counter(), time.process_time()
        result = await deliver_due(sessions, {"telegram": notifier})
        return time.perf_counter() - started, time.process_time() - cpu, result.sent
    finally:
        await notifier.bot.shutdown()
        engine.dispose()


def _report(port: int) -> dict[str, Any]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_double/report", timeout=10) as r:
        report: dict[str, Any] = json.load(r)
    return report


def _pending(url: str) -> int:
    from sqlalchemy import func, select

    from core.db import make_engine, session_factory
    from core.models import Delivery

    engine = make_engine(url)
    with session_factory(engine)() as session:
        count = session.scalar(select(func.count(Delivery.id))
                               .where(Delivery.status == "pending")) or 0
    engine.dispose()
    return count


def telegram_run(subscribers: int, rtt: float = 0.0, width: int | None = None
                 ) -> TelegramRun:
    """One fan-out; `rtt`: the double answers that late; `width`: sends overlapping."""
    port = free_port()
    double = start_double(port, rtt)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/fanout.db"
            seed_fanout(url, subscribers)
            wall, cpu, sent = asyncio.run(_deliver(url, port, width))
            pending = _pending(url)
        report = _report(port)
    finally:
        stop(double)
    accepted = [(at, chat) for at, chat, error in report["sends"] if error is None]
    times = [at for at, _ in accepted]
    chats = [chat for _, chat in accepted]
    return TelegramRun(messages=len(accepted), span=max(times) - min(times), wall=wall, cpu=cpu,
                       violations=len(report["violations"]), refused=report["refused"],
                       duplicates=len(chats) - len(set(chats)), sent=sent, pending=pending)


def email_run(subscribers: int) -> tuple[float, int]:
    """(seconds, digests sent) for `csto-monitor digest` to `subscribers` daily readers."""
    from bench.email_digests import seed, settings, start_server
    from csto_monitor.digest_cli import send_due

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/digests.db"
        seed(url, subscribers, 12)
        port = free_port()
        server = start_server(port)
        try:
            started = time.perf_counter()
            _, sent = asyncio.run(send_due(settings(url, port), "daily", False))
            return time.perf_counter() - started, sent
        finally:
            stop(server)


def _telegram_rows(runs: list[TelegramRun], subscribers: int) -> list[str]:
    rates = [r.rate for r in runs]
    violations = sum(r.violations for r in runs)
    met = min(rates) >= GOAL_RATE and violations == 0
    lost = sum(r.pending + (subscribers + 1 - r.messages) for r in runs)
    return [
        f"| Telegram fan-out, sustained ({subscribers} subscribers + the channel) | "
        f"{spread(rates, 'msg/s', 1)} | ≥ {GOAL_RATE:g} msg/s: {goal(met)} |",
        f"| limit violations seen by the double (all runs) | {violations} | 0: "
        f"{goal(violations == 0)} |",
        f"| sends refused 429 by the double's enforcement (all runs) | "
        f"{sum(r.refused for r in runs)} | 0 |",
        f"| deliver_due wall time | {spread([r.wall for r in runs], 's', 1)} | — |",
        f"| sender CPU per message | {spread([r.cpu / r.messages for r in runs])} | — |",
        f"| messages lost / sent twice (all runs) | {lost} / "
        f"{sum(r.duplicates for r in runs)} | 0 / 0 |",
    ]


def _email_row(runs: list[tuple[float, int]], subscribers: int) -> str:
    rates = [sent / seconds for seconds, sent in runs]
    return (f"| email digests to a local SMTP server ({subscribers} daily subscribers) | "
            f"{spread(rates, 'digests/s', 1)} | — |")


def report(tg: list[TelegramRun], mail: list[tuple[float, int]], subscribers: int,
           quick: bool) -> str:
    command = "`.venv/bin/python -m bench.fanout --quick`" if quick else COMMAND
    lines = [
        "## 5. Fan-out: Telegram subscribers and email digests", "",
        f"Command: {command} (SQLite; the Bot API double and aiosmtpd each in their own "
        "process on 127.0.0.1).", "",
        "| figure | value | goal |", "| --- | --- | --- |",
        *_telegram_rows(tg, subscribers), _email_row(mail, subscribers), "",
        READING, "",
    ]
    return "\n".join(lines)


READING = """\
Reading: Telegram fan-out is bounded by the flood limits, by design. The limiter allows
30 sends per 1.01 s window, a send holding its place from its start until its answer is
back; on 127.0.0.1 that is ~29.6 msg/s (the first 30 go out at once, then ~29.5/s). Up
to 8 recipients are sent to at once (the bot's HTTP connections), each recipient's
messages in order. The sender's CPU per message is a fraction of the ~34 ms slot: the
rest of the time it waits on the limiter. The double runs in its own process, counts
breaches of the limits over every attempt on its own clock, and answers 429 beyond
them: 0 violations and 0 refusals mean the limiter never overshot.

Before the fix (HEAD 44a6371; `--telegram-only 1000`, 4 runs): 28.1, 28.2, 28.3, 26.9
msg/s, and 1 violation in one run (31 sends within 1 s); under py-spy 24.2 msg/s with 5
violations: goal **MISSED** (violations). Profile (py-spy, 200 Hz, `deliver_due`'s
samples): the HTTP send (PTB `Bot._post` -> httpx `AsyncClient.request`) 45 %,
`subscriptions.find` 16 %, `outbox.mark_sent`'s commit 14 %; ~8 ms of CPU a message, so
the sender was mostly idle in `FloodLimiter.acquire`. The ceiling was the window itself,
30 per 1.05 s = 28.6 msg/s, and counting a send from its start let a request delayed
more than the 5 % margin (50 ms, easy on a busy machine) land 31 in a second. Fixes: (1)
`notifier/telegram/limits.py`: a send holds its window place until its answer is back,
so no latency can make a breach and the margin shrinks to 1 %; alone, still sequential:
29.6, 29.6 msg/s, 0 violations. (2) `notifier/dispatch.py`: sends overlap, up to
`TelegramNotifier.concurrency`, one recipient's in order, each mark committed right
after its send (marks are not batched: the profile did not point at them, and a crash
would then resend a whole batch). On 127.0.0.1 (2) adds nothing (29.5, 29.3 msg/s): it
matters over a real network. With the double answering after 100 ms (`--telegram-only
300 --rtt 0.1`): before 7.6 msg/s, after 26.9 msg/s (~30 / (1.01 + 0.1) s); sequential
sends could not reach the goal against Telegram's own round trip.

Email digests go over one SMTP connection, one after the other (queue, render, send);
no goal was set. Runs of one kind are repeated twice; the machine is shared, so read
the spread, not the last digit."""


def run(quick: bool = False) -> str:
    subscribers, repeats = (150, 1) if quick else (1000, 2)
    tg = [telegram_run(subscribers) for _ in range(repeats)]
    mail = [email_run(subscribers) for _ in range(repeats)]
    for r in tg:
        print(f"telegram: {r}  rate {r.rate:.2f}/s")
    for seconds, sent in mail:
        print(f"email: {sent} in {seconds:.1f} s")
    return report(tg, mail, subscribers, quick)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="150 subscribers, one run each")
    parser.add_argument("--markdown", type=Path, help=f"write the section into (e.g. {DOC})")
    parser.add_argument("--telegram-only", type=int, metavar="SUBSCRIBERS",
                        help="one Telegram fan-out only, printed (for profiling)")
    parser.add_argument("--rtt", type=float, default=0.0,
                        help="with --telegram-only: the double answers this late (seconds)")
    parser.add_argument("--width", type=int,
                        help="with --telegram-only: sends overlapping [default: the notifier's]")
    args = parser.parse_args()
    if args.telegram_only:
        r = telegram_run(args.telegram_only, args.rtt, args.width)
        print(r, f"rate {r.rate:.2f}/s")
        return
    section = run(args.quick)
    print(section)
    if args.markdown:
        write_section(args.markdown, section)


if __name__ == "__main__":
    main()
