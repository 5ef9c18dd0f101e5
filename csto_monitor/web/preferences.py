"""/preferences/<token>: an email subscriber changes every choice, pauses, resumes or
unsubscribes. The token (notifier.tokens.preferences) is in every mail's footer."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web
from sqlalchemy.orm import Session

from core.models import utcnow
from csto_monitor.web.account_words import WORDS, page_language
from csto_monitor.web.context import in_thread, render
from csto_monitor.web.signup import SIGNUP, known_sections, page
from notifier import preferences, tokens
from notifier.preferences import ChoiceError, Choices
from notifier.subscriptions import find

CHANNEL = "email"
ACTIONS = ("save", "pause", "resume", "unsubscribe")


def summary(choices: Choices, lang: str) -> str:
    """The choices in a few words of the reader's language."""
    w = WORDS[lang]
    parts = [w[f"s_{choices.mode}"], w["s_lang"].format(lang=w[f"lang_{choices.language}"])]
    if choices.sections:
        parts.append(w["s_sections"].format(sections=", ".join(choices.sections)))
    if choices.keywords:
        parts.append(w["s_keywords"].format(keywords=", ".join(choices.keywords)))
    return "; ".join(parts)


@dataclass(frozen=True)
class Seen:
    """A subscriber as the page shows it."""

    address: str
    choices: Choices
    status: str
    reason: str | None


def _seen(session: Session, address: str) -> Seen | None:
    subscriber = find(session, CHANNEL, address)
    if subscriber is None:
        return None
    return Seen(address, Choices.of(subscriber), subscriber.status, subscriber.status_reason)


def _address(request: web.Request) -> str | None:
    state = request.app.get(SIGNUP)
    secret = state.config.secret if state is not None else None
    return tokens.read_preferences(secret, request.match_info["token"]) if secret else None


def _bad_link(request: web.Request) -> web.Response:
    lang = page_language(request)
    w = WORDS[lang]
    return page(request, lang, 400, w["bad_link_title"], w["bad_link_text"],
                subscribe="/subscribe?lang=" + lang)


def _gone(request: web.Request, lang: str) -> web.Response:
    w = WORDS[lang]
    return page(request, lang, 404, w["prefs_title"], w["gone_text"],
                subscribe="/subscribe?lang=" + lang)


def _show(request: web.Request, seen: Seen, sections: list[str], status: int = 200,
          notice: str | None = None, error: str | None = None) -> web.Response:
    from csto_monitor.web.signup import form_context

    lang = page_language(request, seen.choices.language)
    return render(request, "preferences.html", status=status, **form_context(
        request, lang, sections, seen.choices, email=seen.address, notice=notice,
        error=error, status_code=seen.status, reason=seen.reason,
        token=request.match_info["token"]))


async def preferences_page(request: web.Request) -> web.Response:
    address = _address(request)
    if address is None:
        return _bad_link(request)
    seen, sections = await in_thread(request, lambda s: (_seen(s, address),
                                                         known_sections(s)))
    if seen is None:
        return _gone(request, page_language(request))
    return _show(request, seen, sections)


def _change(session: Session, address: str, action: str, choices: Choices | None
            ) -> Seen | None:
    subscriber = find(session, CHANNEL, address)
    if subscriber is None:
        return None
    if action == "save" and choices is not None:
        choices.apply(subscriber)
    elif action == "pause":
        subscriber.status = "paused"
        subscriber.status_reason = f"paused by the reader on {utcnow():%Y-%m-%d}"
    elif action == "resume":
        subscriber.status, subscriber.status_reason = "active", None
        subscriber.consecutive_failures = 0
    elif action == "unsubscribe":
        subscriber.status = "unsubscribed"
        subscriber.status_reason = f"unsubscribed on the preference page on {utcnow():%Y-%m-%d}"
    subscriber.updated_at = utcnow()
    session.commit()
    return _seen(session, address)


async def change(request: web.Request) -> web.Response:
    address = _address(request)
    if address is None:
        return _bad_link(request)
    form = await request.post()
    action = str(form.get("action", "save"))
    action = action if action in ACTIONS else "save"
    sections = await in_thread(request, known_sections)
    choices = None
    if action == "save":
        multi = {n: [str(v) for v in form.getall(n, [])] for n in ("section", "keyword")}
        try:
            choices = preferences.parse({k: str(v) for k, v in form.items()}, multi, sections)
        except ChoiceError as exc:
            seen = await in_thread(request, lambda s: _seen(s, address))
            if seen is None:
                return _gone(request, page_language(request))
            return _show(request, seen, sections, 400, error=f"{exc.field}: {exc}")
    seen = await in_thread(request, lambda s: _change(s, address, action, choices))
    if seen is None:
        return _gone(request, page_language(request))
    return _show(request, seen, sections, notice=_notice(seen, action))


def _notice(seen: Seen, action: str) -> str:
    w = WORDS[seen.choices.language]
    if action == "save":
        return w["saved"].format(summary=summary(seen.choices, seen.choices.language))
    if action == "unsubscribe":
        return w["unsubscribed_text"].format(address=seen.address)
    return w["resumed"] if action == "resume" else w["paused_text"]
