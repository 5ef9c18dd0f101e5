"""GET/POST /subscribe (the sign-up form) and /confirm/<token> (double opt-in).

POST /subscribe answers the same "check your mailbox" page whether the address is new,
pending or subscribed already (no enumeration); the mail sent differs: a confirmation
link, or the subscriber's preference link. Mails go out after the answer, on the loop.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from multidict import MultiDictProxy
from sqlalchemy.orm import Session

from core.config import Email
from csto_monitor.web.account_words import WORDS, page_language
from csto_monitor.web.context import SESSIONS, in_thread, render
from csto_monitor.web.signup_limits import WindowLimit
from notifier import preferences, signups, tokens
from notifier.email.account_mail import account_message, send_account_message
from notifier.sections import SECTIONS, section_name

log = logging.getLogger(__name__)
HONEYPOT = "website"  # hidden from people by CSS; a bot filling it is told "check your mail"
PURGE_EVERY = 300  # seconds between deletions of expired sign-ups
TEXT_FIELDS = ("email", "language", "news", "mode", "prefer", "translated", "divergence")


@dataclass
class SignupState:
    """Per-process state of the form: its limits and the mails being sent."""

    config: Email
    bot_url: str | None = None
    by_client: WindowLimit = field(init=False)
    by_address: WindowLimit = field(init=False)
    sending: set[asyncio.Task[Any]] = field(default_factory=set)
    # One sign-up written at a time: concurrent SQLite writers would wait on each other in
    # the busy handler's sleeps (measured: 10 sign-ups/s with 8 in flight, see bench/).
    writing: asyncio.Lock = field(default_factory=asyncio.Lock)

    def __post_init__(self) -> None:
        limits, window = self.config.signup, self.config.signup.window.total_seconds()
        self.by_client = WindowLimit(limits.per_client, window)
        self.by_address = WindowLimit(limits.per_address, window)

    def link(self, path: str, token: str) -> str:
        return f"{str(self.config.public_url).rstrip('/')}/{path}/{token}"

    def send_later(self, to: str, language: str, kind: str, url: str) -> None:
        hours = round(self.config.signup.confirm_within.total_seconds() / 3600)
        message = account_message(self.config, to, language, kind, url, hours)
        task = asyncio.create_task(send_account_message(self.config, message, to))
        self.sending.add(task)
        task.add_done_callback(self.sending.discard)

    async def drain(self) -> None:
        """Wait for the mails still being sent (at shutdown)."""
        if self.sending:
            await asyncio.gather(*self.sending, return_exceptions=True)


SIGNUP: web.AppKey[SignupState] = web.AppKey("signup")


def known_sections(session: Session) -> list[str]:
    from csto_monitor.web.queries import sections

    return sorted(set(SECTIONS) | set(sections(session)))


def form_context(request: web.Request, lang: str, sections: list[str],
                 choices: preferences.Choices, **extra: Any) -> dict[str, Any]:
    """What the choice fields of subscribe.html and preferences.html need."""
    return {"w": WORDS[lang], "page_lang": lang, "c": choices,
            "sections": [(s, section_name(s, lang)) for s in sections], **extra}


def _state(request: web.Request) -> SignupState | None:
    return request.app.get(SIGNUP)


def closed(request: web.Request, lang: str) -> web.Response:
    w = WORDS[lang]
    return page(request, lang, 404, w["off_title"], w["off_text"])


def page(request: web.Request, lang: str, status: int, title: str, message: str,
         headers: Mapping[str, str] | None = None, **links: Any) -> web.Response:
    response = render(request, "account_message.html", status=status, title=title,
                      message=message, w=WORDS[lang], page_lang=lang, links=links)
    response.headers.update(headers or {})
    return response


async def subscribe_page(request: web.Request) -> web.Response:
    lang = page_language(request)
    state = _state(request)
    if state is None:
        return closed(request, lang)
    sections = await in_thread(request, known_sections)
    return render(request, "subscribe.html", **form_context(
        request, lang, sections, preferences.Choices(language=lang), email="", error=None,
        bot_url=state.bot_url))


def _too_many(request: web.Request, lang: str, wait: float) -> web.Response:
    w = WORDS[lang]
    return page(request, lang, 429, w["limit_title"],
                w["limit_text"].format(minutes=max(1, math.ceil(wait / 60))),
                {"Retry-After": str(math.ceil(wait))}, back="/subscribe?lang=" + lang)


def _fields(form: MultiDictProxy[Any]) -> tuple[dict[str, str], dict[str, list[str]]]:
    single = {name: str(form.get(name, "")) for name in (*TEXT_FIELDS, HONEYPOT)}
    multi = {name: [str(v) for v in form.getall(name, [])] for name in ("section", "keyword")}
    return single, multi


def _read(single: dict[str, str], multi: dict[str, list[str]], sections: list[str]
          ) -> tuple[str, preferences.Choices]:
    """The normalised address and the choices, or ChoiceError."""
    from core.addresses import AddressError, normalize

    raw = single["email"]
    if preferences.has_line_break(raw):
        raise preferences.ChoiceError("email", "the address may not contain line breaks")
    try:
        address = normalize(raw)
    except AddressError as exc:
        raise preferences.ChoiceError("email", str(exc)) from None
    return address, preferences.parse(single, multi, sections)


async def subscribe(request: web.Request) -> web.Response:
    form = await request.post()
    single, multi = _fields(form)
    lang = page_language(request, single["language"] or None)
    state = _state(request)
    if state is None:
        return closed(request, lang)
    rate_limited = state.config.signup.rate_limits
    wait = state.by_client.wait(f"ip:{request.remote}") if rate_limited else 0
    if wait:
        return _too_many(request, lang, wait)
    w = WORDS[lang]
    if single[HONEYPOT]:
        log.info("sign-up with the honeypot field filled from %s ignored", request.remote)
        return page(request, lang, 200, w["check_title"],
                    w["check_text"].format(address=single["email"][:320]))
    sections = await in_thread(request, known_sections)
    try:
        address, choices = _read(single, multi, sections)
    except preferences.ChoiceError as exc:
        return render(request, "subscribe.html", status=400, **form_context(
            request, lang, sections, preferences.Choices(language=lang),
            email=single["email"], error=f"{exc.field}: {exc}", bot_url=state.bot_url))
    wait = state.by_address.wait(address) if rate_limited else 0
    if wait:
        return _too_many(request, lang, wait)
    return await _record(request, state, address, choices, lang)


async def _record(request: web.Request, state: SignupState, address: str,
                  choices: preferences.Choices, lang: str) -> web.Response:
    limits, w = state.config.signup, WORDS[lang]
    try:
        async with state.writing:
            outcome = await in_thread(request, lambda s: signups.request(
                s, address, choices, ttl=limits.confirm_within,
                max_pending=limits.max_pending))
    except signups.TooManyPending:
        log.warning("sign-up refused: %d unconfirmed sign-ups already (email.signup."
                    "max_pending)", limits.max_pending)
        return page(request, lang, 503, w["full_title"], w["full_text"],
                    {"Retry-After": "3600"})
    secret = state.config.secret or ""
    if isinstance(outcome, signups.Pending):
        token = tokens.confirmation(secret, outcome.signup_id, outcome.nonce,
                                    int(outcome.expires.timestamp()))
        url = f"{state.link('confirm', token)}?lang={outcome.language}"
        state.send_later(address, outcome.language, "confirm", url)
    else:
        token = tokens.preferences(secret, address)
        state.send_later(address, outcome.language, "known",
                         state.link("preferences", token))
    return page(request, lang, 200, w["check_title"], w["check_text"].format(address=address))


def _confirmation(request: web.Request, lang: str
                  ) -> tuple[SignupState, tuple[int, str]] | web.Response:
    """The form's state and the link's sign-up, or the page saying why the link is no good."""
    state = _state(request)
    if state is None:
        return closed(request, lang)
    w = WORDS[lang]
    found = tokens.read_confirmation(state.config.secret or "", request.match_info["token"])
    if found is None:
        return page(request, lang, 400, w["bad_link_title"], w["bad_link_text"],
                    subscribe="/subscribe?lang=" + lang)
    signup_id, nonce, expires = found
    if expires <= time.time():
        return page(request, lang, 410, w["bad_link_title"], w["expired_link_text"],
                    subscribe="/subscribe?lang=" + lang)
    return state, (signup_id, nonce)


async def confirm_page(request: web.Request) -> web.Response:
    """GET shows a button: mail scanners open links, and must not subscribe anyone."""
    lang = page_language(request)
    checked = _confirmation(request, lang)
    if isinstance(checked, web.Response):
        return checked
    return render(request, "confirm.html", w=WORDS[lang], page_lang=lang,
                  token=request.match_info["token"])


async def confirm(request: web.Request) -> web.Response:
    lang = page_language(request)
    checked = _confirmation(request, lang)
    if isinstance(checked, web.Response):
        return checked
    state, found = checked
    done = await in_thread(request, lambda s: signups.confirm(s, *found))
    if done is None:
        w = WORDS[lang]
        return page(request, lang, 410, w["bad_link_title"], w["used_link_text"],
                    subscribe="/subscribe?lang=" + lang)
    lang = done.choices.language
    w = WORDS[lang]
    from csto_monitor.web.preferences import summary

    prefs = state.link("preferences", tokens.preferences(state.config.secret or "",
                                                         done.address))
    return page(request, lang, 200, w["confirmed_title"], w["confirmed_text"].format(
        address=done.address, summary=summary(done.choices, lang)), preferences=prefs)


async def housekeeping(app: web.Application) -> AsyncIterator[None]:
    """While the server runs: forget expired sign-ups every few minutes; at shutdown, let
    the mails being sent finish."""
    sessions, state = app[SESSIONS], app[SIGNUP]

    def forget() -> None:
        with sessions() as session:
            if signups.forget_expired(session):
                session.commit()

    async def loop() -> None:
        while True:
            try:
                await asyncio.to_thread(forget)
            except Exception as exc:  # a database outage must not end the loop
                log.warning("expired sign-ups not deleted: %s", str(exc).splitlines()[0])
            await asyncio.sleep(PURGE_EVERY)

    task = asyncio.create_task(loop())
    yield
    task.cancel()
    await state.drain()
