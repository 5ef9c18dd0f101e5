"""What survives translation, read from one language version of a story (pure).

The English and the Russian version of a story share no words, but they share: the slug
(both sites transliterate the Russian title, not always identically), numbers, dates,
proper names (Latin on one side, Cyrillic on the other) and the section. `Traits` holds
these in a form that compares across the two languages; `monitor.pairing` scores them.

Cyrillic is turned into Latin by anyascii, then every word into a *skeleton*: its
consonants, with the digraphs that transliteration schemes spell differently (kh/h,
ts/c, zh/z, shch/sch, j/y/i ...) folded, so that "Тасмагамбетов" and "Tasmagambetov",
"Минске" and "Minsk", "kh" and "h" slugs meet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import unquote

_FOLDS = (("shch", "s"), ("sch", "s"), ("kh", "h"), ("zh", "z"), ("ts", "c"), ("tz", "c"),
          ("ch", "c"), ("sh", "s"), ("ph", "f"), ("ck", "k"), ("w", "v"), ("q", "k"),
          ("x", "ks"), ("c", "k"), ("j", ""))
_VOWELS = re.compile(r"[aeiouy]+")
_DOUBLES = re.compile(r"(.)\1+")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")  # "Telegram-канале": two words
_NUMBER = re.compile(r"(?<![\d.,])\d{1,3}(?:[ \xa0\u202f,]\d{3})+(?!\d)|\d+")
_SLUG_SPLIT = re.compile(r"[^a-z0-9]+")

# Capitalised words that are the CSTO's vocabulary, not names (lower case; Russian by stem).
_EN_COMMON = frozenset((
    "a", "an", "the", "on", "in", "at", "by", "for", "from", "to", "of", "and", "or",
    "with", "about", "after", "as", "is", "was", "were", "will", "be", "has", "have",
    "csto", "cis", "un", "osce", "crrf", "secretary", "general", "council", "ministers",
    "minister", "defense", "defence", "foreign", "affairs", "collective", "security",
    "treaty", "organization", "organization's", "forces", "force", "joint", "staff",
    "parliamentary", "assembly", "ambassador", "republic", "federation", "russian",
    "state", "states", "member", "chairman", "chairperson", "chairmanship", "press",
    "question", "dear", "thank", "following", "details", "next", "more", "announcement",
    "interview", "speech", "statement", "representatives", "particular", "chief",
    "video", "text", "deputy", "rapid", "reaction", "head", "heads", "president",
    "extraordinary", "plenipotentiary", "secretariat", "great", "victory", "years",
    "charter", "people's", "islamic", "news", "media", "meeting", "consultations",
    "results", "it", "this", "that", "january", "february", "march", "april", "may",
    "june", "july", "august", "september", "october", "november", "december", "monday",
    "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))
_RU_COMMON_STEMS = ("одкб", "снг", "оон", "обсе", "ксор", "генерал", "секрет", "совет",
                    "минист", "оборон", "коллект", "безопас", "респуб", "федерац", "росси",
                    "организ", "посол", "посл", "объедин", "штаб", "пресс", "вопрос",
                    "уважа", "благодар", "анонс", "интерв", "выступ", "заявл", "парлам",
                    "ассамб", "чрезвыч", "полномоч", "председ", "государ", "велик",
                    "побед", "устав", "стороны", "участ", "по", "на", "в", "во", "с", "о",
                    "об", "и", "к", "для", "при", "из", "от", "за", "подробн", "министр",
                    "заседан", "консульт", "народн", "исламск", "текст", "видео",
                    "январ", "феврал", "март", "апрел", "июн", "июл", "август", "сентябр",
                    "октябр", "ноябр", "декабр")
_MONTHS_EN = {m: i + 1 for i, m in enumerate(
    ("january", "february", "march", "april", "may", "june", "july", "august",
     "september", "october", "november", "december"))}
_MONTHS_RU = ("январ", "феврал", "март", "апрел", "ма", "июн", "июл", "август", "сентябр",
              "октябр", "ноябр", "декабр")
_DAY_MONTH = re.compile(r"\b(\d{1,2})\s+([^\W\d_]{3,})", re.UNICODE)
_MONTH_DAY = re.compile(r"\b([A-Za-z]{3,})\s+(\d{1,2})\b")
_DOTTED = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b")
MIN_SKELETON = 3


def skeleton(word: str) -> str:
    """A word's consonants in Latin, transliteration differences folded ('' if none)."""
    from anyascii import anyascii  # here: `history` and `show` import pairing, never call it

    text = "".join(c for c in anyascii(word).lower() if c.isalpha())
    for old, new in _FOLDS:
        text = text.replace(old, new)
    return _DOUBLES.sub(r"\1", _VOWELS.sub("", text))


def _month(word: str) -> int | None:
    lowered = word.lower()
    if lowered in _MONTHS_EN:
        return _MONTHS_EN[lowered]
    if lowered in ("мая", "май"):
        return 5
    for number, stem in enumerate(_MONTHS_RU, start=1):
        if stem != "ма" and lowered.startswith(stem):
            return number
    return None


def dates_in(text: str) -> frozenset[str]:
    """Days named in a text as "MM-DD": "7 February", "February 7", "7 февраля", 07.02.2025."""
    found = set()
    for day, word in _DAY_MONTH.findall(text):
        if (month := _month(word)) and 1 <= int(day) <= 31:
            found.add(f"{month:02d}-{int(day):02d}")
    for word, day in _MONTH_DAY.findall(text):
        if (month := _month(word)) and 1 <= int(day) <= 31:
            found.add(f"{month:02d}-{int(day):02d}")
    for day, month, _year in _DOTTED.findall(text):
        if 1 <= int(month) <= 12 and 1 <= int(day) <= 31:
            found.add(f"{int(month):02d}-{int(day):02d}")
    return frozenset(found)


def numbers_in(text: str) -> frozenset[str]:
    """The numbers of a text, thousands separators dropped ("2,000" and "2 000": "2000")."""
    return frozenset(re.sub(r"\D", "", n).lstrip("0") or "0" for n in _NUMBER.findall(text))


def _common(word: str, language: str) -> bool:
    lowered = word.lower()
    if language == "ru" and re.match(r"[а-яё]", lowered):
        return any(lowered.startswith(stem) for stem in _RU_COMMON_STEMS if len(stem) > 2) \
            or lowered in _RU_COMMON_STEMS
    return lowered in _EN_COMMON


def names_in(text: str, language: str) -> frozenset[str]:
    """Skeletons of the capitalised words that are not the CSTO's common vocabulary."""
    found = set()
    for word in _WORD.findall(text):
        if not word[0].isupper() or (word.isupper() and len(word) <= 5):
            continue  # lower case, or an acronym (ОДКБ is not CSTO letter by letter)
        if _common(word, language):
            continue
        if len(shape := skeleton(word)) >= MIN_SKELETON:
            found.add(shape)
    return frozenset(found)


_ENGLISH_SLUG_WORDS = frozenset(("the", "of", "and", "csto", "with", "for", "to", "in", "on"))


def english_slug(slug: str) -> bool:
    """Whether a slug is made of English words rather than a transliteration of Russian."""
    words = set(_SLUG_SPLIT.split(unquote(slug).lower()))
    return "odkb" not in words and len(words & _ENGLISH_SLUG_WORDS) >= 2


def slug_tokens(slug: str) -> tuple[str, ...]:
    """The slug's words as skeletons, in order; a uniqueness digit glued to the end dropped."""
    words = [w for w in _SLUG_SPLIT.split(unquote(slug).lower()) if w]
    if words and re.fullmatch(r"[a-z]+\d", words[-1]):
        words[-1] = words[-1][:-1]
    return tuple(s for s in (skeleton(w) if not w.isdigit() else w for w in words) if s)


def similar_skeletons(a: str, b: str) -> bool:
    """The same word in two spellings or two grammatical cases (Минске ~ Minsk)."""
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    if len(short) >= MIN_SKELETON and long.startswith(short) and len(long) - len(short) <= 2:
        return True
    from rapidfuzz import fuzz  # see skeleton()

    return min(len(a), len(b)) >= 5 and fuzz.ratio(a, b) >= 80


Words = frozenset[str] | tuple[str, ...]


def unmatched(left: Words, right: Words) -> tuple[list[str], list[str]]:
    """The words of each side that have no similar word on the other (each used once)."""
    pool = list(right)
    alone = []
    for word in left:
        hit = next((i for i, other in enumerate(pool) if similar_skeletons(word, other)), None)
        if hit is None:
            alone.append(word)
        else:
            pool.pop(hit)
    return alone, pool


def matched(left: Words, right: Words) -> int:
    """How many words of `left` have a similar word in `right` (each used once)."""
    return len(left) - len(unmatched(left, right)[0])


@dataclass(frozen=True)
class Version:
    """One language version of a story, as pairing reads it."""

    id: int
    language: str  # en | ru
    section: str
    slug: str
    published: date | None
    title: str
    lead: str = ""
    body: str = ""


@dataclass(frozen=True)
class Traits:
    """What of a version survives translation."""

    version: Version
    slug: tuple[str, ...]
    slug_truncated: bool  # cut at the site's 100 characters: compare the common start only
    slug_english: bool  # English words, not the Russian title's transliteration
    numbers: frozenset[str]
    dates: frozenset[str]
    names: frozenset[str]


def traits(version: Version) -> Traits:
    text = "\n".join((version.title, version.lead, version.body))
    return Traits(version=version, slug=slug_tokens(version.slug),
                  slug_truncated=len(unquote(version.slug)) >= 99,
                  slug_english=english_slug(version.slug),
                  numbers=numbers_in(text), dates=dates_in(text),
                  names=names_in(text, version.language))
