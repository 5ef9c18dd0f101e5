"""`csto-monitor subscribers add|list|remove`: the email subscribers, managed by hand."""

from __future__ import annotations

import re
from typing import Annotated, Any

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Subscriber, utcnow
from csto_monitor import cli_support
from csto_monitor.choices import Lang, ListFormat, Mode
from csto_monitor.cli_support import fail

CHANNEL = "email"
COLUMNS = ("channel", "address", "mode", "ui_language", "languages", "accept_translated",
           "preferred_language", "notify_divergence", "sections", "keywords", "status",
           "status_reason", "consecutive_failures", "created_at")
TABLE_COLUMNS = ("address", "channel", "mode", "ui_language", "languages", "sections",
                 "keywords", "status", "status_reason")
_TOKEN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")

subscribers_app = typer.Typer(help="Email subscribers: add, list, remove.",
                              no_args_is_help=True)


def _address(text: str) -> str:
    from core.addresses import AddressError, normalize  # email-validator: `add` only

    try:
        return normalize(text)
    except AddressError as exc:
        raise fail(f"{str(exc).rstrip('.')}; give an address such as ann@example.org"
                   ) from None


def _sections(values: list[str]) -> list[str]:

    for value in values:
        if not _TOKEN.match(value):
            raise fail(f"--section {value!r}: use a section name such as news_odkb")
    return sorted(set(values))


def _keywords(values: list[str]) -> list[str]:
    return [k for k in dict.fromkeys(" ".join(v.split()) for v in values) if k]


def _apply(subscriber: Subscriber, mode: Mode | None, lang: Lang | None, all_languages: bool,
           sections: list[str] | None, keywords: list[str] | None,
           translated: bool | None = None) -> None:
    """Set what was given; a re-add keeps the rest and reactivates the address."""
    if mode is not None:
        subscriber.mode = mode.value
    if lang is not None:
        # --lang is the reader's language: the words of the mail and the news it lists.
        subscriber.ui_language, subscriber.languages = lang.value, [lang.value]
    if all_languages:
        subscriber.languages = []
    if sections:
        subscriber.sections = _sections(sections)
    if keywords:
        subscriber.keywords = _keywords(keywords)
    if translated is not None:
        subscriber.accept_translated = translated
    subscriber.status, subscriber.consecutive_failures = "active", 0
    subscriber.status_reason = None
    subscriber.updated_at = utcnow()


def _apply_story(subscriber: Subscriber, prefer: Lang | None, divergence: bool | None
                 ) -> None:
    """One message per story: its preferred version; alerts when the versions diverge."""
    if prefer is not None:
        subscriber.preferred_language = prefer.value
    if divergence is not None:
        subscriber.notify_divergence = divergence


@subscribers_app.command("add")
def add(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The address, e.g. ann@example.org")],
    mode: Annotated[Mode | None, typer.Option(
        help="instant (one mail per item), daily or weekly digest [default: instant]")] = None,
    lang: Annotated[Lang | None, typer.Option(
        help="Language of the mail and of the news it lists [default: en, news in any]")
    ] = None,
    all_languages: Annotated[bool, typer.Option(
        "--all-languages", help="List news in every language, whatever --lang is")] = False,
    section: Annotated[list[str] | None, typer.Option(
        help="Only this section (repeatable), e.g. news_odkb")] = None,
    keyword: Annotated[list[str] | None, typer.Option(
        help="Only items mentioning this word (repeatable; any of them)")] = None,
    translated: Annotated[bool | None, typer.Option(
        "--translated/--no-translated",
        help="With --lang: also news only published in the other language, machine-"
             "translated when `translation:` is configured [default: no]")] = None,
    prefer: Annotated[Lang | None, typer.Option(
        help="With news in both languages: mail a story once, in this version when it "
             "exists [default: the mail's language]")] = None,
    notify_divergence: Annotated[bool | None, typer.Option(
        "--notify-divergence/--no-notify-divergence",
        help="Also mail when one language version of a story is edited or removed and "
             "the other does not follow [default: no]")] = None,
) -> None:
    """Subscribe an address; adding it again updates the options given and reactivates it."""

    address = _address(email)
    with cli_support.database(cli_support.load(ctx)) as session:
        subscriber = _find(session, CHANNEL, address)
        verb = "updated" if subscriber else "added"
        if subscriber is None:
            subscriber = Subscriber(channel=CHANNEL, address=address, ui_language="en",
                                    languages=[], sections=[], keywords=[], mode="instant",
                                    include_edits=True, include_removals=True)
            session.add(subscriber)
        _apply(subscriber, mode, lang, all_languages, section, keyword, translated)
        _apply_story(subscriber, prefer, notify_divergence)
        session.commit()
        typer.echo(f"{verb} {address}: {_describe(subscriber)}")


def _describe(s: Subscriber) -> str:
    news = ", ".join(s.languages) if s.languages else "any language"
    if s.languages and s.accept_translated:
        news += ", other languages machine-translated"
    parts = [s.mode, f"mail in {s.ui_language}", f"news in {news}"]
    if s.sections:
        parts.append("sections " + ", ".join(s.sections))
    if s.keywords:
        parts.append("keywords " + ", ".join(s.keywords))
    if s.preferred_language:
        parts.append(f"stories in {s.preferred_language} when published in it")
    if s.notify_divergence:
        parts.append("divergence alerts")
    return "; ".join(parts)


def _rows(session: Session) -> list[dict[str, Any]]:
    subscribers = session.scalars(select(Subscriber).order_by(Subscriber.channel,
                                                              Subscriber.address))
    return [{c: _plain(getattr(s, c)) for c in COLUMNS} for s in subscribers]


def _plain(value: Any) -> Any:
    return value.isoformat(timespec="seconds") if hasattr(value, "isoformat") else value


@subscribers_app.command("list")
def list_cmd(
    ctx: typer.Context,
    fmt: Annotated[ListFormat, typer.Option("--format", help="table or json")
                   ] = ListFormat.table,
) -> None:
    """Every subscriber (email and Telegram), with preferences and status."""
    from csto_monitor import output

    with cli_support.database(cli_support.load(ctx)) as session:
        rows = _rows(session)
    if fmt is ListFormat.json:
        output.print_json(rows)
    else:
        output.print_table(rows, TABLE_COLUMNS, "Subscribers")


@subscribers_app.command("remove")
def remove(ctx: typer.Context,
           email: Annotated[str, typer.Argument(help="The address to remove")]) -> None:
    """Delete an email subscriber; nothing more is sent to it, queued mail included."""

    address = _address(email)
    with cli_support.database(cli_support.load(ctx)) as session:
        subscriber = _find(session, CHANNEL, address)
        if subscriber is None:
            raise fail(f"{address} is not subscribed; see `csto-monitor subscribers list`", 1)
        session.delete(subscriber)
        session.commit()
    typer.echo(f"removed {address}")


def _find(session: Session, channel: str, address: str) -> Any:
    """notifier.subscriptions.find, imported by the two commands that use it: not by every
    command's start (it brings in the notifier's story rules)."""
    from notifier.subscriptions import find

    return find(session, channel, address)
