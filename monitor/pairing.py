"""Which English and Russian items are one story: scoring and deciding (pure, no I/O).

A candidate pair is an English and a Russian version published at most one day apart
(undated items are never paired automatically). Its confidence is the weighted mean of
the signals both versions allow (see `score`): slug, proper names, numbers, dates named in
the text, section, the distance of the publication dates, and, when a translator is given,
the similarity of the English title to the Russian title's translation. Each signal's
score and a readable detail are kept as the pair's evidence.

A pair is made only when it is unambiguous: its confidence reaches `Rules.threshold`, it
beats every other candidate of both versions by `Rules.margin`, and at least one signal of
content (not only the date and the section) agrees. Two similar stories on one day are
therefore left unpaired rather than guessed. A pair an operator rejected is never made,
but still counts as a competitor (the signals confused them once).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from monitor.pair_signals import Traits, Version, matched, similar_skeletons, traits, unmatched

__all__ = ["DEFAULT_RULES", "Decision", "Evidence", "Rules", "Scored", "TextTranslator",
           "Version", "decide", "score"]


class TextTranslator(Protocol):
    """Machine translation; None when the text could not be translated (never raises)."""

    def translate(self, text: str, source: str, target: str) -> str | None: ...


@dataclass(frozen=True)
class Evidence:
    signal: str  # slug | names | numbers | dates | section | day | translation
    score: float  # 0..1: how well the two versions agree on it
    detail: str

    def as_json(self) -> dict[str, object]:
        return {"signal": self.signal, "score": round(self.score, 3), "detail": self.detail}


@dataclass(frozen=True)
class Scored:
    en_id: int
    ru_id: int
    confidence: float
    evidence: tuple[Evidence, ...]

    def content_agrees(self, rules: Rules) -> bool:
        """Whether what the story says agrees, not only where and when it was published:
        the title or the names (numbers and dates alone are too common), and the weighted
        mean of every signal of content."""
        content = [e for e in self.evidence if e.signal not in ("section", "day")]
        weight = sum(rules.weights[e.signal] for e in content)
        mean = sum(rules.weights[e.signal] * e.score for e in content) / weight if weight else 0
        return mean >= rules.threshold and any(
            e.score >= 0.5 for e in content if e.signal in ("slug", "names", "translation"))


@dataclass(frozen=True)
class Rules:
    threshold: float = 0.6
    margin: float = 0.03
    weights: dict[str, float] = field(default_factory=lambda: {
        "slug": 3.0, "names": 2.0, "numbers": 1.5, "dates": 1.0, "section": 1.5, "day": 0.5,
        "translation": 3.0})


DEFAULT_RULES = Rules()
Decision = Scored  # a pair made

def _share(left: Collection[str], right: Collection[str]) -> float:
    """Dice overlap of two word collections, words matched fuzzily."""
    return 2 * matched(tuple(left), tuple(right)) / (len(left) + len(right))


def _slug(en: Traits, ru: Traits) -> Evidence | None:
    """Both slugs transliterate the Russian title: a word missing on one side is an edit of
    the title, a word replaced on both sides counts twice, and a name replaced by another
    name (another city, another country) says these are two stories."""
    a, b = en.slug, ru.slug
    if not a or not b or en.slug_english != ru.slug_english:
        return None  # an English slug says nothing of the Russian title
    if en.slug_truncated or ru.slug_truncated:  # one was cut: its end says nothing
        n = min(len(a), len(b))
        a, b = a[:n], b[:n]
    only_en, only_ru = unmatched(a, b)
    shared = len(a) - len(only_en)
    replaced = min(len(only_en), len(only_ru))
    value = 2 * shared / (2 * shared + len(only_en) + len(only_ru) + 2 * replaced)
    detail = f"{shared} of {max(len(a), len(b))} slug words agree"
    names = (_names_among(only_en, en.names), _names_among(only_ru, ru.names))
    if names[0] and names[1]:
        return Evidence("slug", 0.0, f"{detail}; the names differ: {names[0][0]} / "
                                     f"{names[1][0]}")
    return Evidence("slug", value, detail)


def _names_among(words: list[str], names: frozenset[str]) -> list[str]:
    return [w for w in words if any(similar_skeletons(w, name) for name in names)]


def _sets(name: str, en: frozenset[str], ru: frozenset[str]) -> Evidence | None:
    if not en or not ru:
        return None  # names in one text only are translated ones: they tell nothing
    shared = matched(en, ru)
    # Of the shorter list (names translated, not transliterated, never meet), at least two:
    # one shared name alone is weak evidence.
    value = shared / max(min(len(en), len(ru)), 2)
    return Evidence(name, min(value, 1.0), f"{shared} shared of {len(en)} en / {len(ru)} ru")


def _numbers(en: Traits, ru: Traits) -> Evidence | None:
    a, b = en.numbers, ru.numbers
    if not a and not b:
        return None
    union = a | b
    shared = sorted(a & b, key=lambda n: (len(n), n))
    return Evidence("numbers", len(shared) / len(union),
                    f"{len(shared)} of {len(union)} shared: {', '.join(shared[:6]) or 'none'}")


def _dates(en: Traits, ru: Traits) -> Evidence | None:
    # The day of publication is named by every story of that day: it tells nothing.
    own = {f"{v.published:%m-%d}" for v in (en.version, ru.version) if v.published}
    a, b = en.dates - own, ru.dates - own
    if not a and not b:
        return None
    shared = sorted(a & b)
    return Evidence("dates", len(shared) / len(a | b),
                    f"days named in both: {', '.join(shared) or 'none'}")


def _translation(en: Version, ru: Version, translator: TextTranslator) -> Evidence | None:
    translated = translator.translate(ru.title, "ru", "en")
    if not translated:
        return None
    from rapidfuzz import fuzz  # see pair_signals.skeleton()

    value = fuzz.token_sort_ratio(en.title.lower(), translated.lower()) / 100
    return Evidence("translation", value, f"title vs its translation: {value:.2f}")


def score(en: Traits, ru: Traits, translator: TextTranslator | None = None,
          rules: Rules = DEFAULT_RULES) -> Scored | None:
    """The confidence that `en` and `ru` are one story; None when they cannot be (not
    dated within one day of each other)."""
    a, b = en.version, ru.version
    if a.published is None or b.published is None:
        return None
    apart = abs((a.published - b.published).days)
    if apart > 1:
        return None
    signals = [_slug(en, ru), _sets("names", en.names, ru.names), _numbers(en, ru),
               _dates(en, ru),
               Evidence("section", float(a.section == b.section),
                        f"{a.section} / {b.section}"),
               Evidence("day", 1.0 if apart == 0 else 0.6,
                        "same day" if apart == 0 else "one day apart")]
    if translator is not None:
        signals.append(_translation(a, b, translator))
    evidence = tuple(s for s in signals if s is not None)
    total = sum(rules.weights[e.signal] for e in evidence)
    confidence = sum(rules.weights[e.signal] * e.score for e in evidence) / total
    return Scored(a.id, b.id, confidence, evidence)


def _candidates(ens: Sequence[Traits], rus: Sequence[Traits], translator: TextTranslator | None,
                rules: Rules) -> list[Scored]:
    by_day: dict[object, list[Traits]] = defaultdict(list)
    for r in rus:
        if r.version.published is not None:
            by_day[r.version.published.toordinal()].append(r)
    found = []
    for e in ens:
        if e.version.published is None:
            continue
        day = e.version.published.toordinal()
        for r in by_day[day - 1] + by_day[day] + by_day[day + 1]:
            if (scored := score(e, r, translator, rules)) is not None:
                found.append(scored)
    return found


def decide(versions: Iterable[Version], *, translator: TextTranslator | None = None,
           rejected: Collection[tuple[int, int]] = (), rules: Rules = DEFAULT_RULES
           ) -> list[Decision]:
    """The unambiguous pairs among unpaired `versions` (English and Russian mixed).

    `rejected` holds (en_id, ru_id) pairs an operator undid: never made, still competitors.
    """
    all_traits = [traits(v) for v in versions]
    ens = [t for t in all_traits if t.version.language == "en"]
    rus = [t for t in all_traits if t.version.language == "ru"]
    scored = _candidates(ens, rus, translator, rules)
    of_en: dict[int, list[Scored]] = defaultdict(list)
    of_ru: dict[int, list[Scored]] = defaultdict(list)
    for s in scored:
        of_en[s.en_id].append(s)
        of_ru[s.ru_id].append(s)
    blocked = set(rejected)
    made = []
    for s in scored:
        if (s.en_id, s.ru_id) in blocked or s.confidence < rules.threshold:
            continue
        if not s.content_agrees(rules):
            continue
        rivals = [o.confidence for o in of_en[s.en_id] + of_ru[s.ru_id] if o is not s]
        if all(s.confidence - other >= rules.margin for other in rivals):
            made.append(s)
    return made
