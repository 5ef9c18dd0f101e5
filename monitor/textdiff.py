"""A word diff as plain text: `[-deleted-]{+inserted+}` marks, for terminals and email."""

from __future__ import annotations

from collections.abc import Sequence

from monitor.worddiff import Change, Run, spaced

# Context paragraphs and summaries are clipped to this many characters.
CONTEXT_WIDTH = 100
# Line prefixes: a sentence with word marks, one added whole, one removed whole.
PREFIX = {"changed": "~ ", "added": "+ ", "removed": "- "}


def marked(runs: Sequence[Run], width: int | None = None) -> str:
    """Runs as one line: deleted words as `[-…-]`, inserted ones as `{+…+}`."""
    out: list[str] = []
    for run in runs:
        text = clip(run.text, width) if width else run.text
        if run.op == "equal":
            out.append(text)
            continue
        lead, core, trail = spaced(text)
        out.append(lead + (f"[-{core}-]" if run.op == "delete" else f"{{+{core}+}}") + trail)
    return "".join(out)


def change_line(change: Change, width: int | None = None) -> str:
    """One change as a line: `~ ` with word marks, or `+ `/`- ` and the whole text."""
    if change.kind == "changed":
        return PREFIX["changed"] + marked(change.runs, width)
    text = "".join(run.text for run in change.runs)
    return PREFIX[change.kind] + (clip(text, width) if width else text)


def clip(text: str, width: int = CONTEXT_WIDTH) -> str:
    """`text` cut at a word boundary to at most `width` characters, with "…" when cut."""
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    head = cut.rsplit(" ", 1)[0] if " " in cut else cut
    return head.rstrip(" ,;:") + "…"
