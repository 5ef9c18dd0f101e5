"""A word diff (monitor.worddiff) as escaped HTML: <del> and <ins> inside each change."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from core.models import Document, DocumentVersion, ItemRevision
from monitor.documents import file_note
from monitor.revdiff import revision_diff, version_diff
from monitor.worddiff import Change, Run, spaced

# Change kind -> CSS class and the sign shown before the line.
_KINDS = {"changed": ("chg", "~"), "added": ("ins", "+"), "removed": ("del", "−")}
_TAGS = {"delete": "del", "insert": "ins"}


@dataclass(frozen=True)
class HtmlLine:
    css: str
    sign: str
    where: str  # "¶3" for a body paragraph, else empty
    html: Markup


def run_html(run: Run) -> Markup:
    """Equal text escaped; a deleted or inserted run in <del>/<ins>, its edge spaces outside."""
    if run.op == "equal":
        return escape(run.text)
    lead, core, trail = spaced(run.text)
    tag = _TAGS[run.op]
    return escape(lead) + Markup(f"<{tag}>{{}}</{tag}>").format(core) + escape(trail)


def html_line(change: Change, field: str) -> HtmlLine:
    css, sign = _KINDS[change.kind]
    where = f"¶{change.paragraph}" if field == "body" else ""
    return HtmlLine(css, sign, where, Markup("").join(run_html(r) for r in change.runs))


def html_diff(before: ItemRevision, after: ItemRevision) -> list[tuple[str, list[HtmlLine]]]:
    """(field, lines) for every field that differs between two revisions."""
    return [(fc.field, [html_line(c, fc.field) for c in fc.changes])
            for fc in revision_diff(before, after).fields]


def document_views(documents: list[Document]) -> list[dict[str, object]]:
    """Each document with a note (type, size, status) and its versions, newest first, each
    with the text diff against the one before."""
    return [{"document": d, "note": file_note(d.content_type, d.bytes, d.status),
             "versions": list(reversed(_version_views(d.name, d.versions)))}
            for d in documents]


def _version_views(name: str, versions: list[DocumentVersion]) -> list[dict[str, object]]:
    views: list[dict[str, object]] = []
    for before, version in zip([None, *versions], versions, strict=False):
        diff = version_diff(name, before.text, version.text).fields if before else ()
        views.append({"version": version,
                      "lines": [html_line(c, "") for fc in diff for c in fc.changes]})
    return views
