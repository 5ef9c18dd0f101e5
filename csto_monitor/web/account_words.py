"""The words of the sign-up, confirmation and preference pages, in English and Russian."""

from __future__ import annotations

from aiohttp import web

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "other_lang": "ru", "other_lang_name": "По-русски",
        "subscribe_title": "Subscribe by email",
        "subscribe_intro": "CSTO news in your mailbox: new stories, edits and removals on "
                           "the CSTO site. We send one mail to confirm the address first.",
        "email": "Email address", "language": "Language of the mail",
        "news": "News", "news_mine": "in this language", "news_all": "in both languages",
        "mode": "How often", "mode_instant": "at once, one mail per story",
        "mode_daily": "daily digest", "mode_weekly": "weekly digest",
        "sections": "Sections (none ticked: all)", "keywords": "Keywords (optional)",
        "keywords_hint": "Only stories mentioning any of these words; separate with commas.",
        "translated": "Also stories published only in the other language (machine "
                      "translated when available)",
        "prefer": "A story published in both languages: send the version in",
        "prefer_default": "the language of the mail", "divergence":
        "Tell me when one language version is edited or removed and the other is not",
        "honeypot": "Leave this empty", "submit": "Subscribe",
        "telegram": "Prefer Telegram? Use the bot:",
        "check_title": "Check your mailbox",
        "check_text": "If {address} can receive news, a mail is on its way to it: open the "
                      "link in it to confirm. Nothing is sent before that.",
        "bad_title": "Please check the form", "back": "Back to the form",
        "limit_title": "Too many sign-ups",
        "limit_text": "Too many sign-ups came from here or for this address. Try again in "
                      "{minutes} minutes.",
        "full_title": "Sign-ups are paused",
        "full_text": "Too many sign-ups are waiting for confirmation. Try again later.",
        "off_title": "Sign-up is closed",
        "off_text": "This server does not take sign-ups on the web; ask its operator.",
        "confirm_title": "Confirm your subscription",
        "confirm_text": "Subscribe {address} to CSTO news?", "confirm_button": "Confirm",
        "confirmed_title": "Subscribed",
        "confirmed_text": "{address} is subscribed: {summary}. Every mail has a link to "
                          "change this.",
        "bad_link_title": "This link does not work",
        "bad_link_text": "This confirmation link is not valid: it was cut or changed. "
                         "Open the whole link from the mail, or sign up again.",
        "used_link_text": "This confirmation link was used already, replaced by a newer "
                          "sign-up, or has expired. Sign up again if you are not "
                          "subscribed.",
        "expired_link_text": "This confirmation link has expired. Sign up again.",
        "prefs_title": "Your subscription",
        "prefs_for": "Preferences of {address}", "save": "Save",
        "saved": "Saved: {summary}. It applies from the next mail.",
        "pause": "Pause", "resume": "Resume", "unsubscribe": "Unsubscribe",
        "paused_text": "Paused: no mail is sent until you resume.",
        "bouncing_text": "Paused because mail to this address was refused: {reason}. "
                         "Resume to try again.",
        "resumed": "Resumed: mail starts again with the next story.",
        "unsubscribed_text": "{address} will receive no more news. Subscribe again any time "
                             "on the sign-up page.",
        "gone_text": "This address has no subscription here (it may have been removed).",
        "s_instant": "every story at once", "s_daily": "a daily digest",
        "s_weekly": "a weekly digest", "s_lang": "mail in {lang}",
        "s_sections": "sections {sections}", "s_keywords": "keywords {keywords}",
        "lang_en": "English", "lang_ru": "Russian",
    },
    "ru": {
        "other_lang": "en", "other_lang_name": "In English",
        "subscribe_title": "Подписка по почте",
        "subscribe_intro": "Новости ОДКБ на почту: новые материалы, правки и удаления на "
                           "сайте ОДКБ. Сначала мы пришлём одно письмо для подтверждения "
                           "адреса.",
        "email": "Адрес почты", "language": "Язык писем",
        "news": "Новости", "news_mine": "на этом языке", "news_all": "на обоих языках",
        "mode": "Как часто", "mode_instant": "сразу, по письму на материал",
        "mode_daily": "ежедневная сводка", "mode_weekly": "еженедельная сводка",
        "sections": "Разделы (ничего не отмечено: все)",
        "keywords": "Ключевые слова (необязательно)",
        "keywords_hint": "Только материалы с любым из этих слов; через запятую.",
        "translated": "Также материалы только на другом языке (в машинном переводе, если "
                      "он есть)",
        "prefer": "Материал на обоих языках: присылать версию на",
        "prefer_default": "языке писем", "divergence":
        "Сообщать, когда одну языковую версию правят или удаляют, а другую нет",
        "honeypot": "Оставьте пустым", "submit": "Подписаться",
        "telegram": "Удобнее в Telegram? Бот:",
        "check_title": "Проверьте почту",
        "check_text": "Если на адрес {address} можно присылать новости, письмо уже в пути: "
                      "откройте ссылку в нём для подтверждения. До этого ничего не придёт.",
        "bad_title": "Проверьте форму", "back": "Вернуться к форме",
        "limit_title": "Слишком много подписок",
        "limit_text": "Слишком много подписок отсюда или на этот адрес. Попробуйте через "
                      "{minutes} мин.",
        "full_title": "Подписка приостановлена",
        "full_text": "Слишком много подписок ждут подтверждения. Попробуйте позже.",
        "off_title": "Подписка закрыта",
        "off_text": "Этот сервер не принимает подписки через сайт; обратитесь к его "
                    "администратору.",
        "confirm_title": "Подтвердите подписку",
        "confirm_text": "Подписать {address} на новости ОДКБ?",
        "confirm_button": "Подтвердить",
        "confirmed_title": "Подписка оформлена",
        "confirmed_text": "Адрес {address} подписан: {summary}. В каждом письме есть "
                          "ссылка, чтобы это изменить.",
        "bad_link_title": "Ссылка не работает",
        "bad_link_text": "Ссылка подтверждения недействительна: её обрезали или изменили. "
                         "Откройте ссылку из письма целиком или подпишитесь снова.",
        "used_link_text": "Эта ссылка подтверждения уже использована, заменена более новой "
                          "подпиской или устарела. Подпишитесь снова, если вы не подписаны.",
        "expired_link_text": "Срок действия ссылки истёк. Подпишитесь снова.",
        "prefs_title": "Ваша подписка",
        "prefs_for": "Настройки адреса {address}", "save": "Сохранить",
        "saved": "Сохранено: {summary}. Действует со следующего письма.",
        "pause": "Приостановить", "resume": "Возобновить", "unsubscribe": "Отписаться",
        "paused_text": "Приостановлено: писем не будет, пока вы не возобновите рассылку.",
        "bouncing_text": "Приостановлено, потому что почтовый сервер отказался принять "
                         "письмо: {reason}. Возобновите, чтобы попробовать снова.",
        "resumed": "Возобновлено: письма придут, начиная со следующего материала.",
        "unsubscribed_text": "На адрес {address} больше ничего не придёт. Подписаться снова "
                             "можно на странице подписки.",
        "gone_text": "Этот адрес здесь не подписан (возможно, его уже удалили).",
        "s_instant": "каждый материал сразу", "s_daily": "ежедневная сводка",
        "s_weekly": "еженедельная сводка", "s_lang": "письма на языке: {lang}",
        "s_sections": "разделы {sections}", "s_keywords": "ключевые слова {keywords}",
        "lang_en": "английский", "lang_ru": "русский",
    },
}


def page_language(request: web.Request, default: str | None = None) -> str:
    """`?lang=` first, then the given language, then the browser's Accept-Language."""
    asked = request.query.get("lang")
    if asked in WORDS:
        return asked
    if default in WORDS:
        return default
    for part in request.headers.get("Accept-Language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in WORDS:
            return code
    return "en"
