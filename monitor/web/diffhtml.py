"""monitor.textdiff's plain-text diff lines as escaped, highlighted HTML."""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup, escape

from monitor.models import ItemRevision
from monitor.textdiff import revision_diff

_MARKS = re.compile(r"\[-(.*?)-\]|\{\+(.*?)\+\}", re.DOTALL)
# Line prefix (see textdiff.FieldDiff) -> CSS class and the sign shown before the line.
_KINDS = {"- ": ("del", "−"), "+ ": ("ins", "+"), "~ ": ("chg", "~"), "  ": ("ctx", " ")}


@dataclass(frozen=True)
class HtmlLine:
    css: str
    sign: str
    html: Markup


def marked_words(text: str) -> Markup:
    """`[-old-]` as <del>, `{+new+}` as <ins>, everything else escaped."""
    out: list[Markup] = []
    position = 0
    for match in _MARKS.finditer(text):
        out.append(escape(text[position:match.start()]))
        removed, added = match.group(1), match.group(2)
        out.append(Markup("<del>{}</del>").format(removed) if removed is not None
                   else Markup("<ins>{}</ins>").format(added))
        position = match.end()
    out.append(escape(text[position:]))
    return Markup("").join(out)


def html_line(line: str) -> HtmlLine:
    if line.startswith("@@"):
        return HtmlLine("hunk", "", escape(line))
    css, sign = _KINDS.get(line[:2], ("ctx", " "))
    body = marked_words(line[2:]) if css == "chg" else escape(line[2:])
    return HtmlLine(css, sign, body)


def revision_fields(revision: ItemRevision) -> dict[str, str]:
    return {
        "url": revision.url, "title": revision.title,
        "published": revision.published.isoformat() if revision.published else "",
        "lead": revision.lead, "body": revision.body,
    }


def html_diff(before: ItemRevision, after: ItemRevision) -> list[tuple[str, list[HtmlLine]]]:
    """(field, lines) for every field that differs between two revisions."""
    return [(d.field, [html_line(line) for line in d.lines])
            for d in revision_diff(revision_fields(before), revision_fields(after))]
