"""The 'markup_changed' fault: a plausible listing whose items have no item links or dates."""

from __future__ import annotations

from collections.abc import Sequence

from tests.replica.common import Context, esc
from tests.replica.texts import MONTHS
from tests.replica.world import Article


def listing(ctx: Context, items: Sequence[Article]) -> str:
    """Items open through JavaScript and show dates in words: nothing a scraper can trust."""
    tiles = "\n".join(_tile(ctx, article) for article in items)
    menu = " ".join(f'<a href="{href}">{esc(label)}</a>' for href, label in ctx.menu)
    return f"""<!DOCTYPE html>
<html lang="{ctx.language}"><head><meta charset="utf-8">
<title>{esc(ctx.labels['news'])}</title>
<script src="/local/js/feed.bundle.js"></script></head>
<body><div id="app">
<nav>{menu}</nav>
<div class="feed" data-source="/api/feed">
{tiles}
</div>
<button class="feed__more" data-page="2">…</button>
</div></body></html>
"""


def _tile(ctx: Context, article: Article) -> str:
    day = article.published
    words = f"{day.day} {MONTHS[ctx.language][day.month - 1]} {day.year}"
    return (f'<div class="tile" role="link" tabindex="0" onclick="openNews({article.id})">'
            f'<div class="tile__t">{esc(article.title)}</div>'
            f'<div class="tile__d">{esc(words)}</div></div>')
