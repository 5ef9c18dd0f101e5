"""Text shapes of page furniture: lines a CMS prints inside an article that are not the story.

View counters (`Views: 1234`, `1 234 просмотра`, `👁 1234`), times (`14:05`), share, print
and font-size widgets, photo credits, promotional calls to action and the headings of
"read also" lists. Each rule looks at the text only, in English and Russian, never at
class names; the structural rules (link density, images, containers) are in
`scraper/extract/story.py`. A story paragraph is long or a sentence: every rule here
also requires a short line.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from scraper.extract.text import DATE_RE

MAX_FURNITURE_CHARS = 160  # longer lines are never dropped by their text alone
_MAX_CAPTION_CHARS = 250

TIME_RE = re.compile(r"(?<![\d:])([01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?(?![\d:])")
_NUMBER = r"\d[\d\s.,\xa0]*[kKmMкКтТ]?\+?"
_SEPARATORS = re.compile(r"\s*[|·•/]\s*|\s{2,}")
_EDGE = " \t\n|·•/–—-:,;()[]"
# `Views: 1234` (any short label with a colon), `Просмотров 1234`, `1 234 views`.
_LABEL_COLON_NUMBER = re.compile(r"^(?:[^\W\d_]+[\s-]?){1,3}:\s*" + _NUMBER + "$")
_LABEL_NUMBER = re.compile(r"^([^\W\d_]+(?:\s[^\W\d_]+)?)\s*" + _NUMBER + "$")
_NUMBER_LABEL = re.compile(r"^" + _NUMBER + r"\s*([^\W\d_]+(?:\s[^\W\d_]+)?)$")
_NUMBERS = re.compile(_NUMBER)
_DIGIT = re.compile(r"\d")
_LETTERS = re.compile(r"[^\W\d_]+")
_ICON_NUMBER = re.compile(r"^[^\w]*" + _NUMBER + r"[^\w]*$")  # `👁 1234`, `★ 4.5`
_COUNTER_WORDS = re.compile(
    r"^(?:views?|viewed|reads?|hits?|comments?|likes?|shares?|rating|votes?|"
    r"просмотр\w*|прочтени\w*|прочитал\w*|комментари\w*|рейтинг\w*|голос\w*|лайк\w*|"
    r"показ\w*)$",
    re.IGNORECASE,
)
_TIME_WORDS = re.compile(
    r"^(?:updated|published|posted|modified|обновлено|опубликовано|изменено|добавлено|"
    r"в|at|today|сегодня|вчера|yesterday)$",
    re.IGNORECASE,
)
def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words of share, print and font-size widgets: actions, the networks they send to, and
# the little words between them (`Share on VK`, `Версия для печати`).
_WIDGET_ACTIONS = _words(
    """share shares sharing print printable version font size text a+ a- a− a+a- copy link
    send email e-mail mail tweet поделиться поделитесь распечатать печать печати версия для
    шрифт шрифта размер текст скопировать копировать ссылку ссылка отправить"""
)
_WIDGET_NETWORKS = _words(
    """vk vkontakte вконтакте вк telegram телеграм whatsapp viber facebook twitter x ok
    odnoklassniki одноклассники livejournal жж linkedin pinterest reddit skype мой мир
    дзен dzen rutube youtube max rss"""
)
_WIDGET_FILLERS = _words("in on to via в на с по the this page news article pdf новостью "
                         "статьей страницей")
_WIDGET_VERBS = _words(
    "share shares sharing print printable font a+ a- a− поделиться поделитесь "
    "распечатать печать печати шрифт шрифта"
)
_CREDIT = re.compile(
    r"^(?:photos?|photo credit|photograph|image|picture|source of (?:the )?photo|"
    r"фото|фотографи\w*|фотограф|снимок|источник фото|автор фото|изображение|©)"
    r"(?:\s*[:—–-]\s*|\s+by\s+|(?<=©)\s*)\S",
    re.IGNORECASE,
)
_CAPTION_PIECES = re.compile(r"\n|\s[·•|]\s|(?<=[.!?])\s+")
_PROMO_START = re.compile(
    r"^(?:subscribe|follow|join|watch|read|download|install|listen|sign up|stay tuned|"
    r"stay with|get|don't miss|do not miss|find us|подпис\w+|следите|присоединя\w+|"
    r"смотрите|читайте|скачайте|скачивайте|установите|слушайте|не пропустите|"
    r"будьте в курсе|узнавайте|ищите нас|мы в)\b",
    re.IGNORECASE,
)
_PROMO_TARGET = re.compile(
    r"telegram|телеграм|\bvk\b|вконтакте|youtube|rutube|dzen|дзен|instagram|facebook|"
    r"twitter|\bx\.com|t\.me/|vk\.com|\bapp\b|application|приложени|channel|канал|"
    r"newsletter|рассылк|social|соцсет|mobile|мобильн|\bour\b|\bнаш",
    re.IGNORECASE,
)
_ADVERTISING = re.compile(
    r"^(?:advertisement|advertising|sponsored|promo|partner content|реклама|"
    r"на правах рекламы|партн[её]рский материал|спецпроект)$",
    re.IGNORECASE,
)
_LIST_HEADINGS = re.compile(
    r"^(?:read also|see also|also read|related|related news|related articles|related "
    r"stories|more news|more on (?:this|the) topic|more stories|other news|latest news|"
    r"recent news|news on (?:this|the) topic|on the same topic|popular|most read|"
    r"you may also like|recommended|читайте также|смотрите также|см\. также|по теме|"
    r"новости по теме|ещ[её] по теме|другие новости|похожие новости|похожие материалы|"
    r"последние новости|свежие новости|популярное|самое читаемое|рекомендуем|"
    r"материалы по теме|вам может быть интересно)$",
    re.IGNORECASE,
)
_BARE_URL = re.compile(r"^(?:https?://|www\.)\S+$|^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$", re.IGNORECASE)


def _short(text: str, limit: int = MAX_FURNITURE_CHARS) -> bool:
    return 0 < len(text) <= limit


def _parts(text: str) -> list[str]:
    """Pieces of a meta line: `07.02.2025 · 14:05 | Views: 12` → date, time, counter."""
    return [part.strip(_EDGE) for part in _SEPARATORS.split(text) if part.strip(_EDGE)]


def is_counter(text: str) -> bool:
    """A label and a number: `Views: 1234`, `Просмотров 1234`, `1 234 views`, `👁 1234`."""
    text = text.strip(_EDGE)
    if _LABEL_COLON_NUMBER.match(text) or _ICON_NUMBER.match(text):
        return True
    match = _LABEL_NUMBER.match(text) or _NUMBER_LABEL.match(text)
    return match is not None and any(_COUNTER_WORDS.match(w) for w in match.group(1).split())


def is_time(text: str) -> bool:
    """A time, alone or with a word: `14:05`, `Updated 14:05:33`, `сегодня в 09:10`."""
    match = TIME_RE.search(text)
    if match is None:
        return False
    rest = (text[: match.start()] + " " + text[match.end() :]).strip(_EDGE)
    return all(_TIME_WORDS.match(word.strip(_EDGE)) for word in rest.split())


def is_meta_line(text: str) -> bool:
    """Nothing but counters, times and dates (the date line's tail, a stats bar)."""
    if not _short(text):
        return False
    parts = _parts(text)
    return bool(parts) and (
        all(_meta_part(p) for p in parts)
        or _only_numbers_and_icons(text)
    )


def _meta_part(part: str) -> bool:
    """A counter, a time, a date, or a widget button (`Print`) among them."""
    return (
        is_counter(part)
        or is_time(part)
        or DATE_RE.fullmatch(part) is not None
        or is_widget(part.split())
    )


def _only_numbers_and_icons(text: str) -> bool:
    """`14:35 👁 1234 💬 0`: numbers, times and dates between icons, counter words at most."""
    if _DIGIT.search(text) is None:
        return False
    rest = _NUMBERS.sub(" ", TIME_RE.sub(" ", DATE_RE.sub(" ", text)))
    words = _LETTERS.findall(rest)
    if not all(_COUNTER_WORDS.match(w) or _TIME_WORDS.match(w) for w in words):
        return False
    # Something says what the numbers are: an icon, a word, a time (not `1941–1945`).
    icons = any(unicodedata.category(c) in ("So", "Sk", "Co") for c in rest)
    return icons or bool(words) or TIME_RE.search(text) is not None


def is_widget(words: Iterable[str]) -> bool:
    """Share, print and font-size widgets: `Share: VK Telegram | Print | A+ A-`.

    `words` are the widget's pieces (link texts and the words between them), since
    buttons are often printed without spaces between them.
    """
    tokens = [w.strip(_EDGE).lower() for w in words]
    tokens = [t for t in tokens if t]
    if not tokens or len(tokens) > 24:
        return False
    known = [t for t in tokens if t in _WIDGET_ACTIONS or t in _WIDGET_NETWORKS
             or t in _WIDGET_FILLERS]
    networks = [t for t in tokens if t in _WIDGET_NETWORKS and len(t) > 1]
    verbs = any(t in _WIDGET_VERBS for t in tokens) or len(networks) >= 2
    return verbs and len(known) >= 0.75 * len(tokens)


def is_credit(text: str) -> bool:
    """A photo credit, or a short caption with one: `Photo: CSTO Press Service`,
    `Участники встречи, 14:05 · Фото: пресс-служба ОДКБ`."""
    if not _short(text, _MAX_CAPTION_CHARS):
        return False
    pieces = [line.strip(_EDGE) for line in _CAPTION_PIECES.split(text)]
    return any(_CREDIT.match(piece) for piece in pieces if piece)


def is_promo(text: str) -> bool:
    """A call to follow the site elsewhere, or an advertising label."""
    text = text.strip(_EDGE)
    if not _short(text):
        return False
    if _ADVERTISING.match(text):
        return True
    return bool(_PROMO_START.match(text) and _PROMO_TARGET.search(text))


def is_list_heading(text: str) -> bool:
    """The heading of a list of other stories: `Read also`, `Читайте также:`."""
    return bool(_LIST_HEADINGS.match(text.strip(_EDGE).lower()))


def is_bare_url(text: str) -> bool:
    """A paragraph that is one address (`https://t.me/odkb_csto`): story text, even linked."""
    return bool(_BARE_URL.match(text.strip()))


@lru_cache(maxsize=4096)  # a page asks about the same lines several times; pages repeat them
def is_furniture_text(text: str) -> bool:
    """Any of the text rules: counters, times, widgets, credits, promos, list headings."""
    if len(text) > _MAX_CAPTION_CHARS:  # most story paragraphs: no rule applies
        return False
    return (
        is_meta_line(text)
        or is_credit(text)
        or is_promo(text)
        or is_list_heading(text)
        or (_short(text) and is_widget(text.split()))
    )
