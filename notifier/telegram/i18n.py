"""The bot's own words in English and Russian; scraped text is never translated."""

from __future__ import annotations

LANGUAGES = ("en", "ru")

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "welcome": ("Hello! I follow the news of the Collective Security Treaty Organization "
                    "(CSTO) site and tell you when an article is published, edited or "
                    "removed.\n\nSubscribe to receive them here; /settings chooses what and "
                    "how often. /help lists every command."),
        "help": ("<b>Commands</b>\n/subscribe – receive news here\n/unsubscribe – stop\n"
                 "/settings – languages, sections, keywords, instant or daily, edits, "
                 "removals\n/keywords WORD, WORD – only news mentioning them (/keywords "
                 "clears)\n/latest [N] – the newest N items (1–20)\n/search TEXT – search "
                 "the stored news\n/item ID – one item with its revisions\n/language – "
                 "English or Russian"),
        "help_email": "\n\nBy email instead: {url}",
        "help_admin": "\n\n<b>Admins</b>\n/status – sources and outbox\n/stats – subscribers "
                      "and deliveries",
        "subscribe_button": "Subscribe",
        "subscribed": "Subscribed. You will receive new items here. /settings to choose "
                      "what.",
        "already": "You are already subscribed. /settings to choose what you receive.",
        "unsubscribed": "Unsubscribed: nothing more will be sent here. /subscribe to "
                        "come back.",
        "not_subscribed": "This chat is not subscribed. /subscribe to start.",
        "group_admins_only": "Only an administrator of this group can change its "
                             "subscription.",
        "settings": ("<b>Your settings</b>\nNews languages: {languages}\nOther language, "
                     "machine-translated: {translated}\nSections: {sections}"
                     "\nKeywords: {keywords}\nDelivery: {mode}\nEdits: {edits} · Removals: "
                     "{removals}\n\nTap to change. Keywords: /keywords WORD, WORD"),
        "all": "all", "none": "none", "on": "on", "off": "off",
        "instant": "instant", "daily": "daily digest",
        "edits": "Edits", "removals": "Removals", "done": "Done",
        "translated": "Other language, translated",
        "keywords_set": "Keywords: {keywords}. Only news mentioning one of them is sent.",
        "keywords_cleared": "Keyword filter cleared: every item of your sections is sent.",
        "language_set": "I will speak English here.",
        "latest_usage": "Usage: /latest [N], where N is a number from 1 to 20.",
        "search_usage": "Usage: /search TEXT, e.g. /search Minsk exercise",
        "item_usage": "Usage: /item ID, where ID is a number shown by /latest or /search.",
        "nothing": "Nothing found.",
        "no_item": "There is no item {ref}. /latest shows the newest ones.",
        "unknown": "I do not know that command. /help lists what I can do.",
        "text_only": "I answer commands only. /help lists them.",
        "admins_only": "Sorry, this command is for the bot's administrators only.",
        "new_post": "", "updated": "Updated", "fields": "changed: {fields}",
        "removed": "This page was removed from the site.",
        "burst": "<b>{count} changes on the CSTO site</b>",
        "kind_new": "new", "kind_edited": "updated", "kind_removed": "removed",
        "kind_document_changed": "document changed", "documents": "Documents",
        "kind_diverged": "versions differ",
        "digest": "<b>Your CSTO digest for {day}</b> · {count} change(s)",
        "revisions": "Revisions",
        "undated": "undated",
        "in_translation": "found in the English translation",
        "alert": "⚠️ Source {source} is failing: {failures} polls in a row. Last error: {error}",
        "recovered": "✅ Source {source} works again.",
        "stats": ("<b>Subscribers</b>: {active} active, {blocked} blocked, {gone} "
                  "unsubscribed\n<b>Deliveries</b> (telegram): {sent} sent, {pending} "
                  "pending, {failed} failed\n<b>Channel posts</b>: {posts}"),
        "status": "<b>Healthy</b>: {healthy}\n{sources}\n<b>Outbox</b>: {pending} pending",
    },
    "ru": {
        "welcome": ("Здравствуйте! Я слежу за новостями сайта Организации Договора о "
                    "коллективной безопасности (ОДКБ) и сообщаю, когда статья опубликована, "
                    "изменена или удалена.\n\nПодпишитесь, чтобы получать их здесь; /settings "
                    "— что и как часто. /help — все команды."),
        "help": ("<b>Команды</b>\n/subscribe – получать новости здесь\n/unsubscribe – "
                 "отписаться\n/settings – языки, разделы, ключевые слова, сразу или раз в "
                 "день, правки, удаления\n/keywords СЛОВО, СЛОВО – только новости с ними "
                 "(/keywords – сбросить)\n/latest [N] – последние N новостей (1–20)\n"
                 "/search ТЕКСТ – поиск по новостям\n/item ID – новость и её редакции\n"
                 "/language – русский или английский"),
        "help_email": "\n\nПо почте: {url}",
        "help_admin": "\n\n<b>Администраторам</b>\n/status – источники и очередь\n/stats – "
                      "подписчики и доставки",
        "subscribe_button": "Подписаться",
        "subscribed": "Вы подписаны. Новости будут приходить сюда. /settings — что "
                      "получать.",
        "already": "Вы уже подписаны. /settings — что получать.",
        "unsubscribed": "Подписка отменена: сюда больше ничего не придёт. /subscribe — "
                        "вернуться.",
        "not_subscribed": "Этот чат не подписан. /subscribe — подписаться.",
        "group_admins_only": "Подписку группы может менять только её администратор.",
        "settings": ("<b>Ваши настройки</b>\nЯзыки новостей: {languages}\nДругой язык, "
                     "в машинном переводе: {translated}\nРазделы: {sections}\nКлючевые "
                     "слова: {keywords}\nДоставка: {mode}\nПравки: {edits} · Удаления: "
                     "{removals}\n\nНажмите, чтобы изменить. Ключевые "
                     "слова: /keywords СЛОВО, СЛОВО"),
        "all": "все", "none": "нет", "on": "вкл", "off": "выкл",
        "instant": "сразу", "daily": "раз в день",
        "edits": "Правки", "removals": "Удаления", "done": "Готово",
        "translated": "Другой язык в переводе",
        "keywords_set": "Ключевые слова: {keywords}. Присылаются только новости с ними.",
        "keywords_cleared": "Фильтр по словам сброшен: присылаются все новости ваших "
                            "разделов.",
        "language_set": "Буду говорить здесь по-русски.",
        "latest_usage": "Формат: /latest [N], где N — число от 1 до 20.",
        "search_usage": "Формат: /search ТЕКСТ, например /search учения Минск",
        "item_usage": "Формат: /item ID, где ID — номер из /latest или /search.",
        "nothing": "Ничего не найдено.",
        "no_item": "Новости {ref} нет. /latest — последние новости.",
        "unknown": "Такой команды нет. /help — что я умею.",
        "text_only": "Я отвечаю только на команды. /help — список.",
        "admins_only": "Извините, эта команда только для администраторов бота.",
        "new_post": "", "updated": "Изменено", "fields": "изменено: {fields}",
        "removed": "Эта страница удалена с сайта.",
        "burst": "<b>{count} изменений на сайте ОДКБ</b>",
        "kind_new": "новое", "kind_edited": "изменено", "kind_removed": "удалено",
        "kind_document_changed": "изменён документ", "documents": "Документы",
        "kind_diverged": "версии расходятся",
        "digest": "<b>Дайджест ОДКБ за {day}</b> · изменений: {count}",
        "revisions": "Редакции",
        "undated": "без даты",
        "in_translation": "найдено в английском переводе",
        "alert": "⚠️ Источник {source} не отвечает: {failures} опросов подряд. Ошибка: "
                 "{error}",
        "recovered": "✅ Источник {source} снова работает.",
        "stats": ("<b>Подписчики</b>: активных {active}, заблокировали {blocked}, отписались "
                  "{gone}\n<b>Доставки</b> (telegram): отправлено {sent}, в очереди {pending}, "
                  "неудачных {failed}\n<b>Посты в канале</b>: {posts}"),
        "status": "<b>Исправно</b>: {healthy}\n{sources}\n<b>Очередь</b>: {pending}",
    },
}


def language_of(code: str | None) -> str:
    """The bot language for a Telegram language code ("ru", "ru-RU", "en-GB", None)."""
    base = (code or "").split("-")[0].lower()
    return base if base in LANGUAGES else "en"


def t(language: str, key: str, **values: object) -> str:
    """The text `key` in `language` (English when missing), with `values` filled in."""
    text = TEXTS.get(language, TEXTS["en"]).get(key) or TEXTS["en"][key]
    return text.format(**values) if values else text
