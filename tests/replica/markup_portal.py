"""A third markup, a news portal unlike both others: tables of rows on listings, and on
detail pages an <article> whose body has the page furniture interleaved between paragraphs
(counter right after the date, a photo box with its caption after the first paragraph, a
"read also" section and a promo line between paragraphs, share tools after the text)."""

from __future__ import annotations

from collections.abc import Sequence

from tests.replica.common import FOOTER, Context, Pager, ddmmyyyy, esc, esc_br, lead_or_title
from tests.replica.furniture import Furniture
from tests.replica.world import Article, attachment_path, section_path

NAME = "portal"


def listing(ctx: Context, items: Sequence[Article], pager: Pager | None) -> str:
    """A news listing page: one table row per item (an empty list: the 'no news' text)."""
    rows = [_row(ctx, article) for article in items]
    if not rows:
        rows = [f'<tr><td colspan="2">{esc(ctx.labels["empty"])}</td></tr>']
    content = '<table class="tbl-news">\n' + "\n".join(rows) + "\n</table>"
    if pager is not None and pager.pages > 1:
        content += "\n" + _pager(ctx, pager)
    return _page(ctx, ctx.labels["news"], "", f"<h1>{esc(ctx.labels['news'])}</h1>\n{content}")


def detail(ctx: Context, article: Article, sidebar: Sequence[Article],
           extras: Furniture | None = None) -> str:
    """A detail page: the latest-news box first, then the article with its furniture."""
    top = [_trail(article, extras), f'<h1 class="post__title">{esc_br(article.title)}</h1>',
           *_info(article, extras)]
    if article.subtitle:
        top.append(f'<h2 class="post__lead">{esc(article.subtitle)}</h2>')
    body = _interleave(article, extras)
    tail = [*_files(article)]
    if article.signature:
        tail.append(f'<p class="post__sign"><em>{esc(article.signature)}</em></p>')
    if extras is not None:
        tail.append(_tools(extras))
    post = ['<article class="post">', *top, '<div class="post__body">', *body, "</div>", *tail,
            _back(ctx, article), "</article>"]
    return _page(ctx, article.expected_title, _latest(ctx, sidebar), "\n".join(post))


def page(ctx: Context, title: str, paragraphs: Sequence[str]) -> str:
    """A plain content page (about, contacts, errors)."""
    text = "".join(f"<p>{esc(p)}</p>" for p in paragraphs)
    return _page(ctx, title, "", f"<h1>{esc(title)}</h1><div class=\"txt\">{text}</div>")


def _row(ctx: Context, article: Article) -> str:
    href = esc(ctx.href(article))
    if article.listing_style == "lead_only":
        cell = f'<a href="{href}">{esc(lead_or_title(article))}</a>'
    else:
        cell = f'<h3><a href="{href}">{esc_br(article.title)}</a></h3>'
        if article.listing_style == "title_and_lead" and article.lead:
            cell += f"<div>{esc(article.lead)}</div>"
    return (f'<tr data-id="{article.id}"><td class="when">{ddmmyyyy(article.published)}</td>'
            f"<td>{cell}</td></tr>")


def _pager(ctx: Context, pager: Pager) -> str:
    links = [f"<span>{n}</span>" if n == pager.page else f'<a href="{pager.href(n)}">{n}</a>'
             for n in range(1, pager.pages + 1)]
    if pager.page < pager.pages:
        links.append(f'<a href="{pager.href(pager.page + 1)}">{esc(ctx.labels["next"])}</a>')
    return '<div class="pages">' + " ".join(links) + "</div>"


def _latest(ctx: Context, items: Sequence[Article]) -> str:
    rows = "".join(f"<dt>{ddmmyyyy(a.published)}</dt><dd><a href=\"{esc(a.path)}\">"
                   f"{esc(lead_or_title(a))}</a></dd>" for a in items)
    return f'<div class="box-latest"><h5>{esc(ctx.labels["latest"])}</h5><dl>{rows}</dl></div>'


def _trail(article: Article, extras: Furniture | None) -> str:
    if extras is None:
        return ""
    items = "".join(f'<li><a href="{href}">{esc(label)}</a></li>' for href, label in extras.crumbs)
    return f'<ol class="post__trail">{items}<li>{esc(article.expected_title)}</li></ol>'


def _info(article: Article, extras: Furniture | None) -> list[str]:
    """The date (per date_style) with the view counter right after it."""
    day = f"<time>{ddmmyyyy(article.published)}</time>"
    hits = "" if extras is None else f'{esc(extras.words["views"])}: {extras.views}'
    if article.date_style == "glued":  # the date is glued to the first paragraph
        return [f'<div class="post__hits">{hits}</div>'] if hits else []
    if article.date_style == "own_line":
        return [f'<div class="post__date">{day}</div>',
                *([f'<div class="post__hits">{hits}</div>'] if hits else [])]
    joint = " &nbsp;|&nbsp; " if article.date_style == "nbsp" else " · "
    return [f'<div class="post__info">{day}{joint + hits if hits else ""}</div>']


def _interleave(article: Article, extras: Furniture | None) -> list[str]:
    """Body paragraphs with the photo box after the first, the related section after the
    second and the promo line before the last (when there are that many)."""
    paragraphs = [f"<p>{esc(text)}</p>" for text in article.body]
    if article.date_style == "glued":
        first = esc(article.body[0]) if article.body else ""
        paragraphs[:1] = [f"<p><time>{ddmmyyyy(article.published)}</time>{first}</p>"]
    if extras is None:
        return paragraphs
    out: list[str] = []
    for index, paragraph in enumerate(paragraphs):
        if index == len(paragraphs) - 1 and index >= 2:
            out.append(_promo(extras))
        out.append(paragraph)
        if index == 0:
            out.append(_photo(extras))
        if index == 1:
            out.append(_related(extras))
    if len(paragraphs) < 2:
        out.append(_related(extras))
    return out


def _photo(extras: Furniture) -> str:
    return (f'<div class="media"><img src="{esc(extras.image_url)}" width="640">'
            f'<div class="media__note">{esc(extras.caption)}</div>'
            f'<div class="media__src">{esc(extras.words["credit"])}</div></div>')


def _related(extras: Furniture) -> str:
    rows = "".join(f'<li><a href="{esc(a.path)}">{esc(a.title)}</a> '
                   f"<time>{ddmmyyyy(a.published)}</time></li>" for a in extras.related)
    return (f'<section class="see-also"><div class="see-also__t">{esc(extras.words["related"])}'
            f"</div><ul>{rows}</ul></section>")


def _promo(extras: Furniture) -> str:
    text, link = extras.promo
    shown = link.split("://", 1)[-1].rstrip("/")
    return f'<p class="post__ad">{esc(text)}: <a href="{esc(link)}">{esc(shown)}</a></p>'


def _tools(extras: Furniture) -> str:
    words = extras.words
    shares = "".join(f'<a href="https://share.example/{n}">{esc(n)}</a>' for n in extras.networks)
    return (f'<div class="post__tools"><span>{esc(words["share"])}</span>{shares}'
            f'<a href="?print=Y">{esc(words["print"])}</a><span>{esc(words["font"])}</span>'
            '<a href="#">A+</a><a href="#">A-</a></div>')


def _files(article: Article) -> list[str]:
    return [f'<div class="post__file"><a href="{esc(attachment_path(name))}">{esc(label)}</a></div>'
            for name, label in article.attachments]


def _back(ctx: Context, article: Article) -> str:
    links = [("javascript:history.back()", "back"), (section_path(article.section), "section"),
             ("/news/", "all")]
    return '<div class="post__back">' + "".join(
        f'<div><a href="{href}">{esc(ctx.labels[key])}</a></div>' for href, key in links) + "</div>"


def _page(ctx: Context, title: str, side: str, main: str) -> str:
    menu = "".join(f'<a href="{href}">{esc(label)}</a>' for href, label in ctx.menu)
    footer = "".join(f'<li><a href="{esc(href)}">{esc(label)}</a></li>' for href, label in FOOTER)
    return f"""<!DOCTYPE html>
<html lang="{ctx.language}"><head><meta charset="utf-8">
<title>{esc(title)} :: {esc(ctx.labels['site'])}</title></head>
<body><div id="root">
<div class="masthead"><a href="/">{esc(ctx.labels['site'])}</a>
<div class="masthead__menu">{menu}</div>
<a href="{ctx.other_site}">{esc(ctx.labels['other'])}</a>
<span>{esc(ctx.labels['today'])}: {ddmmyyyy(ctx.today)}</span></div>
<div class="grid"><div class="grid__side">{side}</div>
<div class="grid__main">
{main}
</div></div>
<div class="bottom"><ul>{footer}</ul><p>{esc(ctx.labels['copyright'])}</p></div>
</div></body></html>
"""
