"""Readable plain-text diffs between two revisions of an item, for the CLI `show` command."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from monitor.diff import normalise

# Fields shown first, in this order; any other field follows in the order first seen.
FIELD_ORDER = ("url", "status", "title", "published", "lead", "body")
# Paragraphs of context around a changed body paragraph.
CONTEXT = 1
# Context paragraphs are clipped to this many characters: they only help to locate a hunk.
CONTEXT_WIDTH = 100
# Below this similarity two paragraphs are shown as removed + added, not as a word diff.
PAIR_SIMILARITY = 0.5

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


@dataclass(frozen=True)
class FieldDiff:
    """The diff of one field.

    Line prefixes: "- " old, "+ " new, "  " context, "~ " a paragraph with word-level
    marks (`[-old-]`, `{+new+}`), "@@ " a hunk header giving 1-based paragraph numbers.
    """

    field: str
    lines: list[str]


def revision_diff(
    before: Mapping[str, str], after: Mapping[str, str], *, words: bool = True
) -> list[FieldDiff]:
    """One `FieldDiff` per field that differs beyond whitespace (a missing field is empty)."""
    diffs: list[FieldDiff] = []
    for name in _field_names(before, after):
        old, new = before.get(name, ""), after.get(name, "")
        if normalise(old) == normalise(new):
            continue
        if "\n" in old or "\n" in new or name == "body":
            lines = paragraph_diff(_paragraphs(old), _paragraphs(new), words=words)
        else:
            lines = line_diff(old, new)
        diffs.append(FieldDiff(name, lines))
    return diffs


def _field_names(before: Mapping[str, str], after: Mapping[str, str]) -> list[str]:
    seen = dict.fromkeys([*before, *after])
    known = [name for name in FIELD_ORDER if name in seen]
    return known + [name for name in seen if name not in FIELD_ORDER]


def _paragraphs(text: str) -> list[str]:
    return [normalise(p) for p in _PARAGRAPH_BREAK.split(text) if normalise(p)]


def line_diff(old: str, new: str) -> list[str]:
    """`- old` / `+ new` for a single-line field; an empty side is left out."""
    lines = [f"- {normalise(old)}"] if normalise(old) else []
    return lines + ([f"+ {normalise(new)}"] if normalise(new) else [])


def paragraph_diff(
    old: Sequence[str], new: Sequence[str], *, context: int = CONTEXT, words: bool = True
) -> list[str]:
    """A unified-style diff over paragraphs, with hunk headers and a little context."""
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    lines: list[str] = []
    for group in matcher.get_grouped_opcodes(context):
        lines.append(_hunk_header(group))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines.extend(f"  {clip(p)}" for p in old[i1:i2])
            elif tag == "replace" and words:
                lines.extend(_replaced(old[i1:i2], new[j1:j2]))
            else:
                lines.extend(f"- {p}" for p in old[i1:i2])
                lines.extend(f"+ {p}" for p in new[j1:j2])
    return lines


def _hunk_header(group: list[tuple[str, int, int, int, int]]) -> str:
    i1, j1 = group[0][1], group[0][3]
    i2, j2 = group[-1][2], group[-1][4]
    return f"@@ -{_span(i1, i2)} +{_span(j1, j2)} @@"


def _span(start: int, stop: int) -> str:
    # Unified-diff convention: an empty range names the paragraph before it.
    count = stop - start
    return f"{start + 1 if count else start},{count}"


def _replaced(old: Sequence[str], new: Sequence[str]) -> Iterator[str]:
    """Similar paragraph pairs as one word-marked line; the rest as plain removals/additions."""
    for index in range(max(len(old), len(new))):
        a = old[index] if index < len(old) else None
        b = new[index] if index < len(new) else None
        if a is not None and b is not None and _similar(a, b):
            yield f"~ {word_diff(a, b)}"
            continue
        if a is not None:
            yield f"- {a}"
        if b is not None:
            yield f"+ {b}"


def _similar(a: str, b: str) -> bool:
    return SequenceMatcher(None, _TOKENS.findall(a), _TOKENS.findall(b),
                           autojunk=False).ratio() >= PAIR_SIMILARITY


def word_diff(old: str, new: str) -> str:
    """`old` rewritten into `new` with removed words as `[-…-]` and added ones as `{+…+}`."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    out: list[str] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.append("".join(a[i1:i2]))
        else:
            out.append(_mark("".join(a[i1:i2]), "".join(b[j1:j2])))
    return "".join(out)


def _mark(removed: str, added: str) -> str:
    # Spaces bordering a change go outside the marks: "a {+b+} c" reads better than "a{+ b+} c".
    sides = [s for s in (removed, added) if s]
    lead = " " if all(s[0].isspace() for s in sides) else ""
    trail = " " if all(s[-1].isspace() for s in sides) else ""
    if lead:
        removed, added = removed.lstrip(), added.lstrip()
    if trail:
        removed, added = removed.rstrip(), added.rstrip()
    marks = (f"[-{removed}-]" if removed else "") + (f"{{+{added}+}}" if added else "")
    return lead + marks + trail if marks else lead or trail


def clip(text: str, width: int = CONTEXT_WIDTH) -> str:
    """`text` cut at a word boundary to at most `width` characters, with "…" when cut."""
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    head = cut.rsplit(" ", 1)[0] if " " in cut else cut
    return head.rstrip(" ,;:") + "…"
