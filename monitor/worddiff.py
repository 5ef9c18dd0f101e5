"""What changed between two versions of an item, word by word (pure, no I/O).

One value, `ItemDiff`, that every channel renders (Telegram, email, the history page,
`csto-monitor show`); none computes a diff of its own. Texts are compared the way the change
detector compares them (`monitor.diff.normalise`): a field whose only differences are
whitespace, NBSP or quote style has no changes, and a field the detector calls edited
always has at least one.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

from monitor.diff import fold_typography, normalise, tidy
from notifier.summary import split_sentences

# Fields shown first, in this order; any other field follows in the order first seen.
FIELD_ORDER = ("url", "status", "title", "published", "lead", "body")
# Words of unchanged text kept on each side of a change inside a sentence.
CONTEXT_WORDS = 6
# Below this similarity two paragraphs or sentences are removed + added, not word-diffed.
PAIR_SIMILARITY = 0.5

Op = Literal["equal", "delete", "insert"]
Kind = Literal["changed", "added", "removed"]

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
# A word, "..." (what "…" folds to) or another mark, each with the space before it if any
# (text is tidied: one space at most). Spaces as tokens of their own would match each other
# all over a sentence, which makes difflib quadratic and its matches arbitrary.
_TOKENS = re.compile(r"\s*(?:\w+|\.\.\.|[^\w\s])|\s+")
_WORD = re.compile(r"\w")
ELLIPSIS = "…"


@dataclass(frozen=True)
class Run:
    """A stretch of text: unchanged ("equal"), only in the old text, or only in the new."""

    op: Op
    text: str


@dataclass(frozen=True)
class Change:
    """One changed sentence as word runs; or a sentence or paragraph added or removed whole.

    `paragraph` is 1-based: in the new text, or in the old one for a removal. An added
    change is one "insert" run and a removed one a single "delete" run, so a renderer that
    only styles runs still shows it right.
    """

    kind: Kind
    runs: tuple[Run, ...]
    paragraph: int = 1


@dataclass(frozen=True)
class FieldChanges:
    field: str
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class ItemDiff:
    """The changes of every changed field, in field order; `more` were left out by a cap."""

    fields: tuple[FieldChanges, ...] = ()
    more: int = 0

    def __bool__(self) -> bool:
        return bool(self.fields) or self.more > 0

    @property
    def count(self) -> int:
        return sum(len(f.changes) for f in self.fields)

    def head(self, limit: int) -> ItemDiff:
        """The first `limit` changes; the rest are counted in `more`."""
        kept: list[FieldChanges] = []
        room = max(limit, 0)
        for fc in self.fields:
            if room == 0:
                break
            kept.append(FieldChanges(fc.field, fc.changes[:room]))
            room -= len(kept[-1].changes)
        return ItemDiff(tuple(kept), self.more + self.count - (max(limit, 0) - room))


def item_diff(before: Mapping[str, str], after: Mapping[str, str], *,
              limit: int | None = None, context: int = CONTEXT_WORDS) -> ItemDiff:
    """The changes between two versions of an item's fields (a missing field is empty)."""
    found = [FieldChanges(name, tuple(changes))
             for name in field_order(before, after)
             if (changes := field_diff(before.get(name, ""), after.get(name, ""), context))]
    full = ItemDiff(tuple(found))
    return full if limit is None else full.head(limit)


def field_order(before: Mapping[str, str], after: Mapping[str, str]) -> list[str]:
    seen = dict.fromkeys([*before, *after])
    known = [name for name in FIELD_ORDER if name in seen]
    return known + [name for name in seen if name not in FIELD_ORDER]


def field_diff(old: str, new: str, context: int = CONTEXT_WORDS) -> list[Change]:
    """The changes of one field: none when the detector sees no edit, else at least one."""
    if normalise(old) == normalise(new):
        return []
    a, b = paragraphs(old), paragraphs(new)
    changes: list[Change] = []
    for tag, i1, i2, j1, j2 in _opcodes(a, b):
        if tag != "equal":
            changes.extend(_paragraph_block(a[i1:i2], b[j1:j2], i1, j1, context))
    return changes


def paragraphs(text: str) -> list[str]:
    """The non-empty paragraphs of a text (split at blank lines), tidied."""
    return [p for p in map(tidy, _PARAGRAPH_BREAK.split(text)) if p]


def _opcodes(a: Sequence[str], b: Sequence[str]) -> Sequence[tuple[str, int, int, int, int]]:
    # autojunk would take a paragraph or sentence repeated in a long text for junk.
    matcher = SequenceMatcher(None, [normalise(x) for x in a], [normalise(x) for x in b],
                              autojunk=False)
    return matcher.get_opcodes()


def _paragraph_block(old: Sequence[str], new: Sequence[str], i0: int, j0: int,
                     context: int) -> Iterator[Change]:
    """Replaced paragraphs: similar pairs diffed by sentence, the others whole."""
    for i, j in _pairs(old, new):
        if i is not None and j is not None:
            yield from _sentence_changes(old[i], new[j], j0 + j + 1, context)
        elif j is not None:
            yield Change("added", (Run("insert", new[j]),), j0 + j + 1)
        elif i is not None:
            yield Change("removed", (Run("delete", old[i]),), i0 + i + 1)


def _sentence_changes(old: str, new: str, paragraph: int, context: int) -> Iterator[Change]:
    a, b = split_sentences(old), split_sentences(new)
    for tag, i1, i2, j1, j2 in _opcodes(a, b):
        if tag == "equal":
            continue
        for i, j in _pairs(a[i1:i2], b[j1:j2]):
            if i is not None and j is not None:
                runs = word_runs(a[i1 + i], b[j1 + j], context)
                yield Change("changed", runs, paragraph)
            elif j is not None:
                yield Change("added", (Run("insert", b[j1 + j]),), paragraph)
            elif i is not None:
                yield Change("removed", (Run("delete", a[i1 + i]),), paragraph)


def _pairs(old: Sequence[str], new: Sequence[str]) -> list[tuple[int | None, int | None]]:
    """Old and new texts in order, similar ones paired: (i, j), (i, None) or (None, j).

    Greedy and order-keeping: each old text pairs with the first similar new text after the
    last pair; the new texts skipped on the way were added.
    """
    pairs: list[tuple[int | None, int | None]] = []
    next_j = 0
    new_words = [_words(text) for text in new]
    for i, text in enumerate(old):
        words = _words(text)
        j = next((j for j in range(next_j, len(new)) if _similar(words, new_words[j])), None)
        if j is None:
            pairs.append((i, None))
            continue
        pairs.extend((None, k) for k in range(next_j, j))
        pairs.append((i, j))
        next_j = j + 1
    pairs.extend((None, k) for k in range(next_j, len(new)))
    return pairs


def _words(text: str) -> Counter[str]:
    """The words (and marks) of a text, wherever they stand, capitalised or not."""
    return Counter(fold_typography(t).strip().casefold() for t in _TOKENS.findall(text))


def _similar(a: Counter[str], b: Counter[str]) -> bool:
    # The share of words in common, in any order (difflib's quick_ratio): linear, where
    # ratio() is quadratic on repetitive text, and enough to tell an edited sentence from
    # another one.
    total = a.total() + b.total()
    return total > 0 and 2 * (a & b).total() / total >= PAIR_SIMILARITY


def word_runs(old: str, new: str, context: int = CONTEXT_WORDS) -> tuple[Run, ...]:
    """`old` rewritten into `new` as equal / delete / insert runs of words.

    Words compare by their folded form, so a quote-style change alone is equal text (shown
    as in `new`). Equal text longer than `context` words on a side of a change is cut to
    the nearest words with "…".
    """
    a, b = _TOKENS.findall(tidy(old)), _TOKENS.findall(tidy(new))
    matcher = SequenceMatcher(None, [fold_typography(t) for t in a],
                              [fold_typography(t) for t in b], autojunk=False)
    chunks: list[_Chunk] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            chunks.append(_Chunk(equal="".join(b[j1:j2]), old="".join(a[i1:i2])))
        else:
            chunks.append(_Chunk(deleted="".join(a[i1:i2]), inserted="".join(b[j1:j2])))
    return _as_runs(_shift_spaces(_merge_small_equalities(chunks)), context)


@dataclass
class _Chunk:
    """Equal text (as in the new text, and as in the old), or deleted and inserted text."""

    equal: str | None = None
    old: str = ""
    deleted: str = ""
    inserted: str = ""

    @property
    def is_equal(self) -> bool:
        return self.equal is not None

    @property
    def size(self) -> int:
        return len(self.equal) if self.equal is not None else max(len(self.deleted),
                                                                  len(self.inserted))


def _merge_small_equalities(chunks: list[_Chunk]) -> list[_Chunk]:
    """Fold an unchanged stretch no longer than the changes on both sides into them.

    "[-the quick brown-]{+a slow red+} fox" reads better than a change per word with the
    spaces between them left unchanged (the rule of diff-match-patch's semantic cleanup).
    """
    out: list[_Chunk] = []
    for chunk in chunks:
        if (not chunk.is_equal and len(out) >= 2 and out[-1].is_equal
                and not out[-2].is_equal and out[-1].size <= min(out[-2].size, chunk.size)):
            middle, before = out.pop(), out.pop()
            chunk = _Chunk(deleted=before.deleted + middle.old + chunk.deleted,
                           inserted=before.inserted + (middle.equal or "") + chunk.inserted)
        if out and not out[-1].is_equal and not chunk.is_equal:
            before = out.pop()
            chunk = _Chunk(deleted=before.deleted + chunk.deleted,
                           inserted=before.inserted + chunk.inserted)
        out.append(chunk)
    return out


def _shift_spaces(chunks: list[_Chunk]) -> list[_Chunk]:
    """A space both sides of a change begin (or end) with goes to the unchanged text."""
    out: list[_Chunk] = []
    for chunk in chunks:
        if chunk.is_equal or not (chunk.deleted and chunk.inserted):
            out.append(chunk)
            continue
        if _only_space_before(chunk):
            out += _space_change(chunk)
            continue
        lead = _common_space(chunk.deleted, chunk.inserted, start=True)
        trail = _common_space(chunk.deleted[len(lead):], chunk.inserted[len(lead):],
                              start=False)
        end = -len(trail) or None
        if lead:
            out.append(_Chunk(equal=lead, old=lead))
        out.append(_Chunk(deleted=chunk.deleted[len(lead):end],
                          inserted=chunk.inserted[len(lead):end]))
        if trail:
            out.append(_Chunk(equal=trail, old=trail))
    return _join_equal(out)


def _only_space_before(chunk: _Chunk) -> bool:
    """" ." -> ".": the text is the same, only the space before it came or went."""
    return fold_typography(chunk.deleted.lstrip()) == fold_typography(chunk.inserted.lstrip())


def _space_change(chunk: _Chunk) -> list[_Chunk]:
    old, new = chunk.deleted.lstrip(), chunk.inserted.lstrip()
    return [_Chunk(deleted=chunk.deleted[:-len(old)], inserted=chunk.inserted[:-len(new)]),
            _Chunk(equal=new, old=old)]


def _common_space(a: str, b: str, *, start: bool) -> str:
    x, y = (a[:1], b[:1]) if start else (a[-1:], b[-1:])
    same = x == y and x.isspace() and len(a) > 1 and len(b) > 1
    return x if same else ""


def _join_equal(chunks: list[_Chunk]) -> list[_Chunk]:
    out: list[_Chunk] = []
    for chunk in chunks:
        if chunk.is_equal and out and out[-1].is_equal:
            out[-1] = _Chunk(equal=(out[-1].equal or "") + (chunk.equal or ""),
                             old=out[-1].old + chunk.old)
        else:
            out.append(chunk)
    return out


def _as_runs(chunks: list[_Chunk], context: int) -> tuple[Run, ...]:
    runs: list[Run] = []
    last = len(chunks) - 1
    for index, chunk in enumerate(chunks):
        if chunk.equal is not None:
            text = _context(chunk.equal, context, first=index == 0, final=index == last)
            runs.append(Run("equal", text))
            continue
        if chunk.deleted:
            runs.append(Run("delete", chunk.deleted))
        if chunk.inserted:
            runs.append(Run("insert", chunk.inserted))
    return tuple(runs)


def _context(text: str, words: int, *, first: bool, final: bool) -> str:
    """Unchanged text cut to `words` words next to each change it borders."""
    words = max(words, 1)
    tokens = _TOKENS.findall(text)
    positions = [k for k, t in enumerate(tokens) if _WORD.search(t)]
    keep_head = 0 if first else words  # words after the change before this text
    keep_tail = 0 if final else words  # words before the change after this text
    # Cutting a word or two saves nothing: "…" would stand for less than it hides.
    if len(positions) <= keep_head + keep_tail + 2 or (first and final):
        return text
    head = "".join(tokens[:positions[keep_head - 1] + 1]) if keep_head else ""
    tail = "".join(tokens[positions[-keep_tail]:]) if keep_tail else ""
    if first:
        return ELLIPSIS + " " + tail.lstrip() if tail else text
    if final:
        return head + " " + ELLIPSIS if head else text
    return f"{head} {ELLIPSIS} {tail.lstrip()}"


def spaced(text: str) -> tuple[str, str, str]:
    """(leading spaces, text, trailing spaces): renderers put the spaces outside a mark."""
    core = text.strip()
    if not core:  # a change of spacing only ("word ." -> "word."): the space is the change
        return "", text, ""
    start = text.index(core)
    return text[:start], core, text[start + len(core):]
