"""Taps on inline buttons: the welcome "Subscribe" and the /settings panel."""

from __future__ import annotations

from sqlalchemy.orm import Session
from telegram import CallbackQuery, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from core.models import Subscriber, utcnow
from csto_monitor.bot import prefs
from csto_monitor.bot.handlers import Context, chat_language, deps, may_manage
from csto_monitor.bot.keyboards import MODES, settings_keyboard, settings_text
from notifier.telegram.i18n import t


def apply_choice(session: Session, subscriber: Subscriber, data: str) -> bool:
    """Change one preference from a button's data; False if the data is not understood."""
    key, _, value = data.partition(":")
    if key == "lang" and value in ("en", "ru"):
        prefs.toggle_language(subscriber, value)
    elif key == "sec" and value.isdigit():
        sections = prefs.known_sections(session)
        if int(value) >= len(sections):
            return False
        prefs.toggle_section(subscriber, sections[int(value)], sections)
    elif key == "mode" and value in MODES:
        subscriber.mode = value
    elif key == "edits":
        subscriber.include_edits = not subscriber.include_edits
    elif key == "removals":
        subscriber.include_removals = not subscriber.include_removals
    elif key == "translated":
        subscriber.accept_translated = not subscriber.accept_translated
    elif key == "pref" and value in ("en", "ru"):
        subscriber.preferred_language = value
    elif key == "divergence":
        subscriber.notify_divergence = not subscriber.notify_divergence
    elif key == "ui" and value in ("en", "ru"):
        subscriber.ui_language = value
    else:
        return False
    subscriber.updated_at = utcnow()
    return True


async def button(update: Update, context: Context) -> None:
    """Handle a tap: subscribe, or change a setting and redraw the panel."""
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    language = chat_language(update, context)
    if not await may_manage(update, context):
        await query.answer(t(language, "group_admins_only"), show_alert=True)
        return
    if query.data == "sub":
        with deps(context).sessions() as session, session.begin():
            added = prefs.subscribe(session, update.effective_chat.id, language)
        await query.answer()
        await update.effective_chat.send_message(t(language, "subscribed" if added
                                                   else "already"))
        return
    await _settings_tap(query, update.effective_chat.id, context, language)


async def _settings_tap(query: CallbackQuery, chat_id: int, context: Context,
                        language: str) -> None:
    if query.data == "done":
        await query.answer(t(language, "done"))
        await query.edit_message_reply_markup(None)
        return
    with deps(context).sessions() as session, session.begin():
        subscriber = prefs.find(session, chat_id)
        if subscriber is None or subscriber.status != "active":
            await query.answer(t(language, "not_subscribed"), show_alert=True)
            return
        apply_choice(session, subscriber, query.data or "")
        text, keyboard = settings_text(subscriber), settings_keyboard(
            subscriber, prefs.known_sections(session))
    await query.answer()
    try:
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)
    except BadRequest as error:  # "message is not modified": a double tap, harmless
        if "not modified" not in error.message:
            raise
