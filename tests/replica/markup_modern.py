"""A redesign unlike Bitrix: article cards, <time> in <small>, div.hdr titles, <br><br> bodies."""

from __future__ import annotations

from collections.abc import Sequence

from tests.replica.common import FOOTER, Context, Pager, ddmmyyyy, esc, lead_or_title
from tests.replica.furniture import Furniture
from tests.replica.world import Article, attachment_path, section_path

NAME = "modern"


def listing(ctx: Context, items: Sequence[Article], pager: Pager | None) -> str:
    """A news listing page (an empty list renders the 'no news' text)."""
    cards = [_card(ctx, article) for article in items]
    content = ['<section class="feed__list">',
               *(cards or [f'<div class="feed__empty">{esc(ctx.labels["empty"])}</div>']),
               "</section>"]
    if pager is not None and pager.pages > 1:
        content.append(_pager(ctx, pager))
    return _page(ctx, ctx.labels["news"], '<main class="feed">\n' + "\n".join(content)
                 + "\n</main>")


def detail(ctx: Context, article: Article, sidebar: Sequence[Article],
           extras: Furniture | None = None) -> str:
    """A detail page: the rail of latest items first, then the story; with furniture, a
    breadcrumb nav above the title, stats and a figure under the meta line, and an aside of
    related stories, a share bar and a promo line inside the story after the text."""
    story = ['<section class="story">']
    if extras is not None:
        story.append(_crumbs(extras))
    story += [f'<div class="hdr">{esc(article.title)}</div>', _meta(article)]
    if extras is not None:
        story += _stats_and_figure(extras)
    if article.subtitle:
        story.append(f'<div class="story__sub">{esc(article.subtitle)}</div>')
    story.append(f'<div class="story__text">{_text(article)}</div>')
    if extras is not None:
        story += _after_text(extras)
    if article.attachments:
        story.append(_files(article))
    if article.signature:
        story.append(f'<div class="story__sign">{esc(article.signature)}</div>')
    story += ["</section>", _back(ctx, article)]
    body = '<div class="layout">\n' + _rail(ctx, sidebar) + "\n" + "\n".join(story) + "\n</div>"
    return _page(ctx, article.expected_title, body)


def _crumbs(extras: Furniture) -> str:
    links = " › ".join(f'<a href="{href}">{esc(label)}</a>' for href, label in extras.crumbs)
    return f'<nav class="crumbs">{links}</nav>'


def _stats_and_figure(extras: Furniture) -> list[str]:
    views = f"{extras.views:,}".replace(",", "\xa0")
    label = extras.words["views"].lower()
    return [f'<div class="story__stats"><span class="ico-eye"></span> {views} {esc(label)}</div>',
            f'<figure class="story__fig"><img src="{esc(extras.image_url)}" alt="">'
            f"<figcaption>{esc(extras.caption)} · {esc(extras.words['credit'])}</figcaption>"
            "</figure>"]


def _after_text(extras: Furniture) -> list[str]:
    text, link = extras.promo
    words = extras.words
    related = "".join(f'<li><a href="{esc(a.path)}">{esc(a.title)}</a> <small>'
                      f"{ddmmyyyy(a.published)}</small></li>" for a in extras.related)
    shares = " ".join(f'<a class="share__btn" href="https://share.example/{n}">{esc(n)}</a>'
                      for n in extras.networks)
    return [f'<aside class="story__more"><h4>{esc(words["related"])}</h4><ul>{related}</ul>'
            "</aside>",
            f'<div class="story__share">{esc(words["share"])} {shares} '
            f'<a href="javascript:window.print()">{esc(words["print"])}</a> '
            '<a class="fs" href="#">A+</a> <a class="fs" href="#">A−</a></div>',
            f'<div class="story__promo">{esc(text)} <a href="{esc(link)}">→</a></div>']


def page(ctx: Context, title: str, paragraphs: Sequence[str]) -> str:
    """A plain content page (about, contacts, errors)."""
    text = "<br><br>".join(esc(p) for p in paragraphs)
    return _page(ctx, title, f'<div class="static"><div class="hdr">{esc(title)}</div>'
                             f'<div class="static__text">{text}</div></div>')


def _stamp(article: Article) -> str:
    day = article.published
    return f'<small><time datetime="{day.isoformat()}">{ddmmyyyy(day)}</time></small>'


def _card(ctx: Context, article: Article) -> str:
    href = esc(ctx.href(article))
    if article.listing_style == "lead_only":
        inner = f'<a class="card__link" href="{href}"><p class="card__text">' \
                f"{esc(lead_or_title(article))}</p></a>"
    else:
        inner = f'<a class="card__link" href="{href}"><div class="card__title">' \
                f"{esc(article.title)}</div></a>"
        if article.listing_style == "title_and_lead" and article.lead:
            inner += f'\n  <p class="card__text">{esc(article.lead)}</p>'
    return (f'<article class="card" data-entity="{article.id}">\n  {inner}\n'
            f'  <footer class="card__meta">{_stamp(article)}</footer>\n</article>')


def _pager(ctx: Context, pager: Pager) -> str:
    def link(number: int) -> str:
        # pages after the first are linked relatively: "?PAGEN_1=N"
        return pager.base_path if number == 1 else f"?PAGEN_1={number}"

    parts = [f'<a class="pager__num" href="{link(n)}">{n}</a>' if n != pager.page
             else f'<b class="pager__num is-current">{n}</b>'
             for n in range(1, pager.pages + 1)]
    if pager.page < pager.pages:
        parts.append(f'<a class="pager__more" rel="next" href="{link(pager.page + 1)}">'
                     f"{esc(ctx.labels['next'])} →</a>")
    return '<nav class="pager">' + " ".join(parts) + "</nav>"


def _rail(ctx: Context, items: Sequence[Article]) -> str:
    rows = [f'<li><small>{ddmmyyyy(a.published)}</small> <a href="{esc(a.path)}">'
            f"{esc(lead_or_title(a))}</a></li>" for a in items]
    return (f'<aside class="rail"><h4 class="rail__hdr">{esc(ctx.labels["latest"])}</h4>\n'
            '<ul class="rail__list">\n' + "\n".join(rows) + "\n</ul></aside>")


def _meta(article: Article) -> str:
    """The title copy with the date, per the article's date_style."""
    title, stamp = esc(article.title), _stamp(article)
    joints = {"after_title": " ", "own_line": "<br>", "nbsp": "&nbsp; &nbsp;"}
    if article.date_style == "glued":
        return f'<div class="story__meta">{title}</div>'
    return f'<div class="story__meta">{title}{joints[article.date_style]}{stamp}</div>'


def _text(article: Article) -> str:
    text = "<br><br>".join(esc(p) for p in article.body)
    if article.date_style == "glued":
        text = f"<small>{ddmmyyyy(article.published)}</small>{text}"
    return text


def _files(article: Article) -> str:
    rows = [f'<li><a class="file" href="{esc(attachment_path(name))}">{esc(label)}</a></li>'
            for name, label in article.attachments]
    return '<ul class="story__files">' + "".join(rows) + "</ul>"


def _back(ctx: Context, article: Article) -> str:
    links = [("javascript:history.back()", "back"), (section_path(article.section), "section"),
             ("/news/", "all")]
    return '<nav class="story__back">' + " | ".join(
        f'<a href="{href}">{esc(ctx.labels[key])}</a>' for href, key in links) + "</nav>"


def _page(ctx: Context, title: str, main: str) -> str:
    nav = " ".join(f'<a href="{href}">{esc(label)}</a>' for href, label in ctx.menu)
    footer = " ".join(f'<a href="{esc(href)}">{esc(label)}</a>' for href, label in FOOTER)
    return f"""<!doctype html>
<html lang="{ctx.language}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)} — {esc(ctx.labels['site'])}</title>
<link rel="stylesheet" href="/local/assets/app.css"></head>
<body class="l-site">
<header class="topbar"><a class="topbar__logo" href="/">CSTO</a>
<nav class="topbar__nav">{nav}</nav>
<a class="topbar__lang" hreflang="{'ru' if ctx.language == 'en' else 'en'}" \
href="{ctx.other_site}">{esc(ctx.labels['other'])}</a>
<span class="topbar__today">{esc(ctx.labels['today'])} \
<time datetime="{ctx.today.isoformat()}">{ddmmyyyy(ctx.today)}</time></span>
</header>
{main}
<footer class="bottom">{footer}<div>{esc(ctx.labels['copyright'])}</div></footer>
</body></html>
"""
