"""A result's words in context: a short passage with the matched words' ranges.

Made in Python from the stored text with the very analyzer of the index, so both
databases show the same passage and mark exactly the word forms that matched. Each
channel marks the ranges its own way (CLI bold, web `<mark>`, Telegram `<b>`, API ranges).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from core import analyzer
from monitor.read.search_query import Term, matched_words, parse

WIDTH = 24  # words in a snippet
ELLIPSIS = "…"


@dataclass(frozen=True)
class Snippet:
    text: str
    ranges: tuple[tuple[int, int], ...]  # [start, end) of each marked word in `text`

    def as_json(self) -> dict[str, object]:
        return {"text": self.text, "ranges": [list(r) for r in self.ranges]}

    def marked(self, mark: Callable[[str], str], plain: Callable[[str], str] = str) -> str:
        """The text with each range passed through `mark` and the rest through `plain`
        (an escape for HTML)."""
        out, at = [], 0
        for start, end in self.ranges:
            out += [plain(self.text[at:start]), mark(self.text[start:end])]
            at = end
        out.append(plain(self.text[at:]))
        return "".join(out)


def snippet(query: str, texts: Sequence[str]) -> Snippet | None:
    """The passage of `texts` (lead, body, documents…, in order of preference) with the
    most of the query's terms; the start of the first text when none holds a term.

    The texts after the first one with every term in a window are not read: none can do
    better (a search's 50 results each have a body to analyse, and often a document)."""
    terms = parse(query)
    best: tuple[int, str, list[tuple[int, int, str]], int] | None = None
    for text in (t for t in texts if t and t.strip()):
        words = analyzer.spans(text)
        if not words:
            continue
        start, score = _best_window(terms, words)
        if best is None or score > best[0]:
            best = (score, text, words, start)
        if score == len(terms):
            break
    if best is None:
        return None
    _, text, words, start = best
    return _cut(terms, text, words, start)


def _best_window(terms: list[Term], words: list[tuple[int, int, str]]) -> tuple[int, int]:
    """(first word, score) of the window of WIDTH words with the most distinct terms."""
    folded = [w for _, _, w in words]
    per_term = [matched_words([term], folded) for term in terms]
    best, score = 0, 0
    starts = sorted({max(0, i - 3) for hits in per_term for i in hits}) or [0]
    for start in starts:
        window = range(start, start + WIDTH)
        found = sum(1 for hits in per_term if any(i in window for i in hits))
        if found > score:
            best, score = start, found
            if score == len(per_term):
                break
    return best, score


def _cut(terms: list[Term], text: str, words: list[tuple[int, int, str]], start: int
         ) -> Snippet:
    """The window's words as one line (whitespace folded), the matches marked in it."""
    end = min(len(words), start + WIDTH)
    # To the end of the text when the window reaches it (its last full stop too).
    finish = words[end - 1][1] if end < len(words) else len(text)
    passage = " ".join(text[words[start][0]:finish].split())
    passage = (ELLIPSIS if start > 0 else "") + passage + (ELLIPSIS if end < len(words) else "")
    spans = analyzer.spans(passage)
    hits = matched_words(terms, [w for _, _, w in spans])
    return Snippet(passage, tuple((spans[i][0], spans[i][1]) for i in sorted(hits)))
