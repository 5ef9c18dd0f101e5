"""Classic Bitrix-like markup: div.news-list > div.news-item, span.news-date-time, h1 titles."""

from __future__ import annotations

from collections.abc import Sequence

from tests.replica.common import (
    FOOTER,
    Context,
    Pager,
    ddmmyyyy,
    esc,
    esc_br,
    lead_or_title,
)
from tests.replica.furniture import Furniture
from tests.replica.world import Article, attachment_path, section_path

NAME = "bitrix"


def listing(ctx: Context, items: Sequence[Article], pager: Pager | None) -> str:
    """A news listing page (an empty list renders the 'no news' text)."""
    rows = [_item(ctx, article) for article in items]
    content = ['<div class="news-list">', *(rows or [f"<p>{esc(ctx.labels['empty'])}</p>"]),
               "</div>"]
    if pager is not None and pager.pages > 1:
        content.append(_pager(ctx, pager))
    return _page(ctx, ctx.labels["news"], "", "\n".join(content))


def detail(ctx: Context, article: Article, sidebar: Sequence[Article],
           extras: Furniture | None = None) -> str:
    """A detail page: sidebar of the latest items first, then the article; with furniture,
    breadcrumbs, the counter and the photo come before the text, promo, share and related
    news after it (all inside div.news-detail)."""
    before = [] if extras is None else _views_and_picture(extras)
    parts = [*_heading(article), *before, *_body(article), *_files(article)]
    if article.signature:
        parts.append(f'<p style="text-align: right;"><i>{esc(article.signature)}</i></p>')
    if extras is not None:
        parts = [_crumbs(article, extras), *parts, *_after_text(extras)]
    parts.append('<div style="clear:both"></div>')
    content = "\n".join(['<div class="news-detail">', *parts, "</div>", *_back(ctx, article)])
    return _page(ctx, article.expected_title, _sidebar(sidebar), content,
                 h1=esc_br(article.title))


def page(ctx: Context, title: str, paragraphs: Sequence[str]) -> str:
    """A plain content page (about, contacts, errors)."""
    return _page(ctx, title, "", "\n".join(f"<p>{esc(text)}</p>" for text in paragraphs))


def _item(ctx: Context, article: Article) -> str:
    href = esc(ctx.href(article))
    if article.listing_style == "lead_only":
        text = f'<a href="{href}">{esc(lead_or_title(article))}</a>'
    else:
        text = f'<a href="{href}"><b>{esc_br(article.title)}</b></a><br />'
        if article.listing_style == "title_and_lead" and article.lead:
            text += f"\n\t\t{esc(article.lead)}"
    return (f'\t<div class="news-item" id="bx_3218110189_{article.id}">\n'
            f'\t\t<span class="news-date-time">{ddmmyyyy(article.published)}</span>\n'
            f'\t\t{text}\n\t\t<div style="clear:both"></div>\n\t</div>')


def _pager(ctx: Context, pager: Pager) -> str:
    links = []
    if pager.page > 1:
        links.append(f'<li class="bx-pag-prev"><a href="{pager.href(pager.page - 1)}">'
                     f"<span>{esc(ctx.labels['prev'])}</span></a></li>")
    for number in range(1, pager.pages + 1):
        links.append(f'<li class="bx-active"><span>{number}</span></li>' if number == pager.page
                     else f'<li><a href="{pager.href(number)}"><span>{number}</span></a></li>')
    if pager.page < pager.pages:
        links.append(f'<li class="bx-pag-next"><a href="{pager.href(pager.page + 1)}">'
                     f"<span>{esc(ctx.labels['next'])}</span></a></li>")
    return ('<div class="bx-pagination"><div class="bx-pagination-container"><ul>\n'
            + "\n".join(links) + "\n</ul></div></div>")


def _sidebar(items: Sequence[Article]) -> str:
    rows = [f'<div class="news-item"><span class="news-date-time">{ddmmyyyy(a.published)}'
            f'</span><br /><a href="{esc(a.path)}">{esc(lead_or_title(a))}</a></div>'
            for a in items]
    return '<div class="left-col"><div class="news-list news-list-side">\n' + "\n".join(
        rows) + "\n</div></div>"


def _heading(article: Article) -> list[str]:
    """The title copy with the date, per the article's date_style."""
    title, day = esc_br(article.title), ddmmyyyy(article.published)
    date_span = f'<span class="news-date-time">{day}</span>'
    if article.date_style == "own_line":
        return [f'<p class="news-title">{title}</p>', f"<p>{date_span}</p>"]
    if article.date_style == "glued":
        return [f'<p class="news-title">{title}</p>']
    space = "&nbsp;&nbsp;" if article.date_style == "nbsp" else " "
    return [f'<p class="news-title">{title}{space}{date_span}</p>']


def _body(article: Article) -> list[str]:
    parts = [f"<h3>{esc(article.subtitle)}</h3>"] if article.subtitle else []
    paragraphs = [esc(text) for text in article.body]
    if article.date_style == "glued":
        glued = f'<span class="news-date-time">{ddmmyyyy(article.published)}</span>'
        paragraphs = [glued + (paragraphs[0] if paragraphs else ""), *paragraphs[1:]]
    return parts + [f"<p>{text}</p>" for text in paragraphs]


def _files(article: Article) -> list[str]:
    return [f'<p><a href="{esc(attachment_path(name))}">{esc(label)}</a></p>'
            for name, label in article.attachments]


def _crumbs(article: Article, extras: Furniture) -> str:
    links = " / ".join(f'<a href="{href}">{esc(label)}</a>' for href, label in extras.crumbs)
    return f'<div class="bx-breadcrumb">{links} / <span>{esc(article.expected_title)}</span></div>'


def _views_and_picture(extras: Furniture) -> list[str]:
    """Bitrix's DETAIL_PICTURE sits above the text; its description below it."""
    return [f'<div class="news-detail-views">{esc(extras.words["views"])}: {extras.views}</div>',
            f'<div class="news-detail-picture"><img src="{esc(extras.image_url)}" alt="" /></div>',
            f'<div class="news-detail-picture-text">{esc(extras.caption)}<br />'
            f'{esc(extras.words["credit"])}</div>']


def _after_text(extras: Furniture) -> list[str]:
    text, link = extras.promo
    words = extras.words
    shares = " ".join(f'<a href="https://share.example/{n}" rel="nofollow">{esc(n)}</a>'
                      for n in extras.networks)
    related = [f'<div class="news-item"><span class="news-date-time">{ddmmyyyy(a.published)}'
               f'</span> <a href="{esc(a.path)}">{esc(lead_or_title(a))}</a></div>'
               for a in extras.related]
    return [f'<p class="news-detail-promo"><a href="{esc(link)}">{esc(text)}</a></p>',
            f'<div class="news-detail-share"><noindex>{esc(words["share"])} {shares} | '
            f'<a href="?print=Y">{esc(words["print"])}</a> | {esc(words["font"])}: '
            '<a href="#">A+</a> <a href="#">A-</a></noindex></div>',
            f'<div class="news-detail-related"><p><b>{esc(words["related"])}</b></p>',
            *related, "</div>"]


def _back(ctx: Context, article: Article) -> list[str]:
    links = [("javascript:history.back()", "back"), (section_path(article.section), "section"),
             ("/news/", "all")]
    return ['<div class="news-detail-back">',
            *(f'<p><a href="{href}">{esc(ctx.labels[key])}</a></p>' for href, key in links),
            "</div>"]


def _page(ctx: Context, title: str, sidebar: str, content: str, h1: str | None = None) -> str:
    menu = "".join(f'<li><a href="{href}">{esc(label)}</a></li>' for href, label in ctx.menu)
    footer = " | ".join(f'<a href="{esc(href)}">{esc(label)}</a>' for href, label in FOOTER)
    return f"""<!DOCTYPE html>
<html lang="{ctx.language}">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
<title>{esc(title)} | {esc(ctx.labels['site'])}</title>
<link href="/bitrix/templates/odkb/template_styles.css" type="text/css" rel="stylesheet" />
</head>
<body>
<div id="panel"></div>
<div class="header">
<div class="header-date">{esc(ctx.labels['today'])}: {ddmmyyyy(ctx.today)}</div>
<a class="logo" href="/"><img src="/bitrix/templates/odkb/images/logo.png" alt="CSTO" /></a>
<a class="lang-switch" href="{ctx.other_site}">{esc(ctx.labels['other'])}</a>
<ul class="top-menu">{menu}</ul>
</div>
<div class="workarea">
{sidebar}
<div class="content">
<h1>{h1 if h1 is not None else esc(title)}</h1>
{content}
</div>
</div>
<div class="footer">{footer}<br />{esc(ctx.labels['copyright'])}</div>
</body>
</html>
"""
