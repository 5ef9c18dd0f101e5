"""The bot's command handlers for everyone: subscription, settings, and the news history.

Each handler answers in the chat's language: the subscriber's choice, else the user's
Telegram language. Admin commands are in csto_monitor/bot/admin.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker
from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ChatMemberStatus, ChatType, ParseMode
from telegram.ext import ContextTypes

from core.config import Settings
from core.models import Item, ItemRevision
from csto_monitor.bot import prefs
from csto_monitor.bot.keyboards import settings_keyboard, settings_text, subscribe_button
from monitor.documents import file_note
from monitor.read import history
from notifier.telegram.client import NO_PREVIEW
from notifier.telegram.html import escape, link, split
from notifier.telegram.i18n import language_of, t
from notifier.telegram.render import item_list

Context = ContextTypes.DEFAULT_TYPE
MAX_LATEST = 20


@dataclass
class BotDeps:
    """What handlers need, kept in `application.bot_data["deps"]`."""

    settings: Settings
    sessions: sessionmaker[Session]

    @property
    def signup_page(self) -> str | None:
        """The email sign-up form, offered by /help when email.public_url is set."""
        email = self.settings.email
        if email is None or email.public_url is None or not email.sign_up_open:
            return None
        return f"{str(email.public_url).rstrip('/')}/subscribe"

    @property
    def admins(self) -> set[int]:
        return set(self.settings.telegram.admins) if self.settings.telegram else set()


def deps(context: Context) -> BotDeps:
    found: BotDeps = context.bot_data["deps"]
    return found


def chat_language(update: Update, context: Context) -> str:
    """The subscriber's chosen language, else the user's Telegram language."""
    assert update.effective_chat
    with deps(context).sessions() as session:
        subscriber = prefs.find(session, update.effective_chat.id)
        if subscriber is not None:
            return subscriber.ui_language
    if context.chat_data and "language" in context.chat_data:  # /language before /subscribe
        return str(context.chat_data["language"])
    user = update.effective_user
    return language_of(user.language_code if user else None)


async def reply(update: Update, text: str,
                reply_markup: InlineKeyboardMarkup | None = None) -> None:
    """Answer in the chat, split if long; `text` is Telegram HTML."""
    assert update.effective_chat
    for part in split(text):
        await update.effective_chat.send_message(part, parse_mode=ParseMode.HTML,
                                                 link_preview_options=NO_PREVIEW,
                                                 reply_markup=reply_markup)


async def may_manage(update: Update, context: Context) -> bool:
    """In a group only its administrators change the subscription; in private, the user."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return False
    if chat.type == ChatType.PRIVATE:
        return True
    member = await context.bot.get_chat_member(chat.id, user.id)
    return member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)


async def start(update: Update, context: Context) -> None:
    """Greet the user and offer a subscribe button."""
    language = chat_language(update, context)
    await reply(update, t(language, "welcome"), reply_markup=subscribe_button(language))


async def help_command(update: Update, context: Context) -> None:
    """List the commands (the admin ones only to admins)."""
    language = chat_language(update, context)
    user = update.effective_user
    admin = user is not None and user.id in deps(context).admins
    page = deps(context).signup_page
    text = t(language, "help") + (t(language, "help_email", url=escape(page)) if page else "")
    await reply(update, text + (t(language, "help_admin") if admin else ""))


async def subscribe(update: Update, context: Context) -> None:
    """Subscribe this chat (a group only by its administrators)."""
    language = chat_language(update, context)
    if not await may_manage(update, context):
        await reply(update, t(language, "group_admins_only"))
        return
    assert update.effective_chat
    with deps(context).sessions() as session, session.begin():
        added = prefs.subscribe(session, update.effective_chat.id, language)
    await reply(update, t(language, "subscribed" if added else "already"))


async def unsubscribe(update: Update, context: Context) -> None:
    """Stop sending to this chat."""
    language = chat_language(update, context)
    if not await may_manage(update, context):
        await reply(update, t(language, "group_admins_only"))
        return
    assert update.effective_chat
    with deps(context).sessions() as session, session.begin():
        removed = prefs.unsubscribe(session, update.effective_chat.id)
    await reply(update, t(language, "unsubscribed" if removed else "not_subscribed"))


async def settings(update: Update, context: Context) -> None:
    """Show the settings panel of a subscribed chat."""
    language = chat_language(update, context)
    assert update.effective_chat
    with deps(context).sessions() as session:
        subscriber = prefs.find(session, update.effective_chat.id)
        if subscriber is None or subscriber.status != "active":
            await reply(update, t(language, "not_subscribed"),
                        reply_markup=subscribe_button(language))
            return
        keyboard = settings_keyboard(subscriber, prefs.known_sections(session))
        await reply(update, settings_text(subscriber), reply_markup=keyboard)


async def keywords(update: Update, context: Context) -> None:
    """Set the keyword filter: `/keywords Minsk, exercise`; without words, clear it."""
    language = chat_language(update, context)
    if not await may_manage(update, context):
        await reply(update, t(language, "group_admins_only"))
        return
    assert update.effective_chat
    words = prefs.parse_keywords(" ".join(context.args or []))
    with deps(context).sessions() as session, session.begin():
        subscriber = prefs.find(session, update.effective_chat.id)
        if subscriber is None or subscriber.status != "active":
            await reply(update, t(language, "not_subscribed"))
            return
        subscriber.keywords = words
    text = (t(language, "keywords_set", keywords=escape(", ".join(words))) if words
            else t(language, "keywords_cleared"))
    await reply(update, text)


async def language(update: Update, context: Context) -> None:
    """Switch the bot's language: `/language ru`, or without argument, to the other one."""
    current = chat_language(update, context)
    wanted = (context.args or ["ru" if current == "en" else "en"])[0].lower()
    chosen = language_of(wanted)
    assert update.effective_chat
    with deps(context).sessions() as session, session.begin():
        subscriber = prefs.find(session, update.effective_chat.id)
        if subscriber is not None:
            subscriber.ui_language = chosen
    if context.chat_data is not None:
        context.chat_data["language"] = chosen
    await reply(update, t(chosen, "language_set"))


async def latest(update: Update, context: Context) -> None:
    """The newest N items (default 5)."""
    language = chat_language(update, context)
    args = context.args or ["5"]
    if len(args) != 1 or not args[0].isdigit() or not 1 <= int(args[0]) <= MAX_LATEST:
        await reply(update, t(language, "latest_usage"))
        return
    with deps(context).sessions() as session:
        rows = history.items(session, history.Filters(limit=int(args[0])))
    await reply(update, item_list(rows, language))


async def search(update: Update, context: Context) -> None:
    """Full-text search over the stored history."""
    language = chat_language(update, context)
    text = " ".join(context.args or []).strip()
    if not text:
        await reply(update, t(language, "search_usage"))
        return
    with deps(context).sessions() as session:
        rows = history.items(session, history.Filters(search=text, limit=10))
    await reply(update, item_list(rows, language))


async def item(update: Update, context: Context) -> None:
    """One item with its revisions: `/item 42`."""
    language = chat_language(update, context)
    args = context.args or []
    if len(args) != 1 or not args[0].isdigit():
        await reply(update, t(language, "item_usage"))
        return
    with deps(context).sessions() as session:
        found = history.find_item(session, args[0])
        if found is None:
            await reply(update, t(language, "no_item", ref=escape(args[0])))
            return
        text = item_text(found.title, found.url, found.status, found.revisions, language,
                         document_links(found))
    await reply(update, text)


def document_links(found: Item) -> list[str]:
    """Each attached document as a link, with its type, size and versions."""
    return [f"{link(d.url, d.name)} · "
            f"{escape(file_note(d.content_type, d.bytes, d.status))}"
            f" · v{len(d.versions)}" for d in found.documents if d.attached]


def item_text(title: str, url: str, status: str, revisions: list[ItemRevision],
              language: str, documents: list[str] | None = None) -> str:
    lines = [f"<b>{escape(title)}</b>", f"<i>{escape(status)}</i> · {link(url, url)}", "",
             f"<b>{t(language, 'revisions')}</b>"]
    for revision in revisions:
        changed = ", ".join(revision.changed_fields) or "—"
        lines.append(f"{revision.number}. {revision.captured_at:%Y-%m-%d %H:%M} UTC · "
                     f"{escape(changed)} · {escape(revision.title)}")
    if documents:
        lines += ["", f"<b>{t(language, 'documents')}</b>", *documents]
    return "\n".join(lines)


async def unknown(update: Update, context: Context) -> None:
    """Any other command: point to /help (in groups, only when addressed to this bot)."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    if chat.type != ChatType.PRIVATE and f"@{context.bot.username}" not in (message.text or ""):
        return  # meant for another bot
    await reply(update, t(chat_language(update, context), "unknown"))


async def text_message(update: Update, context: Context) -> None:
    """Plain text in a private chat: the bot only understands commands."""
    await reply(update, t(chat_language(update, context), "text_only"))
