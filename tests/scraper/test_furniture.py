"""Page furniture is dropped from the body by structure and text shape, in both languages.

The snippets use markups of their own (no class names of the replicas); the story's own
short paragraphs, Q&A lines, bare addresses, "(Video)" markers and signatures must stay.
"""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from scraper.extract import furniture
from scraper.extract.detail import extract_detail
from tests.scraper.site import PAGES, page

URL = "https://en.odkb-csto.org/news/news_odkb/this-story/"
RU_URL = "https://odkb-csto.org/news/news_odkb/this-story/"


@pytest.mark.parametrize("text", [
    "Views: 1234", "Просмотров: 1 234", "1 234 просмотра", "2 888 views", "👁 1234",
    "Views 12 | Comments 3", "· Views: 4738", "Рейтинг: 4.5", "14:05", "Обновлено 09:10:33",
    "07.02.2025 · 14:05 · Просмотров: 12", "сегодня в 09:10",
])
def test_counters_and_times(text: str) -> None:
    assert furniture.is_meta_line(text) and furniture.is_furniture_text(text)


@pytest.mark.parametrize("text", [
    "Share: VK Telegram OK | Print | Font size: A+ A-", "Поделиться: ВКонтакте Telegram",
    "Версия для печати", "Размер шрифта: A+ A-", "VK Telegram Одноклассники",
])
def test_share_print_and_font_widgets(text: str) -> None:
    assert furniture.is_furniture_text(text)


@pytest.mark.parametrize("text", [
    "Photo: CSTO Press Service", "Фото: пресс-служба ОДКБ", "Photo by A. Ivanov",
    "Участники встречи, 14:05 · Фото: пресс-служба ОДКБ", "© РИА Новости",
    "Subscribe to the CSTO channel on Telegram", "Подписывайтесь на наш канал в Telegram",
    "Читайте новости ОДКБ ВКонтакте", "Реклама", "Read also", "Читайте также:",
    "Другие новости", "Related news",
])
def test_credits_promos_and_list_headings(text: str) -> None:
    assert furniture.is_furniture_text(text)


@pytest.mark.parametrize("text", [
    "Question: What are the priorities of the Organization this year?",
    "— The key priority is the strengthening of allied relations.",
    "Thank you for your attention.", "Dear parliamentarians,", "Уважаемые парламентарии,",
    "Accreditation is open until 18:00 on the eve of the event: press@odkb-csto.org",
    "Details are available on the Organization's Telegram channel:",
    "Подробности — в Telegram-канале Организации:", "https://t.me/odkb_csto",
    "The CSTO Press Secretary V. Zainetdinov", "Пресс-секретарь ОДКБ В. Зайнетдинов",
    "Photo exhibition dedicated to the Victory opened in Minsk.",
    "Follow-up consultations will be held in Minsk.", "Annex 2", "1941–1945",
    "15 documents have been prepared for consideration by the Council.",
    "The Fourth. The continuing danger of the spread of terrorism.",
    "Text of the speech by the CSTO Secretary General (7.02 2025 Moscow):",
    "В ходе операции изъято более 12\xa0тонн наркотиков.", "The news", "Telegram",
])
def test_story_lines_are_not_furniture(text: str) -> None:
    assert not furniture.is_furniture_text(text)


def article(head: str, body: str, language: str = "en") -> str:
    """A page of a markup nobody has seen: a sidebar, then the article, then back links."""
    back = "Go back" if language == "en" else "Вернуться назад"
    return f"""<html><body><div class="x1"><div class="x2"><span>05.06.2025</span>
      <a href="/news/news_odkb/other-a/">Sidebar lead one</a></div><div class="x2">
      <span>02.06.2025</span><a href="/news/news_odkb/other-b/">Sidebar lead two</a></div></div>
      <div class="y1"><div class="y2">{head}<div class="y3">{body}</div>
      <div class="y4"><a href="/news/">{back}</a></div></div></div></body></html>"""


HEAD = "<h1>The Title</h1><div>07.02.2025</div>"
RELATED = """<div class="r"><div class="r0">Другие материалы</div>
  <div class="r1"><a href="/news/news_odkb/story-one/">The first other story of the week</a>
  <p>Its lead, long enough to look like a paragraph of text of the story itself.</p></div>
  <div class="r1"><a href="/news/news_odkb/story-two/">The second other story</a>
  <p>Another lead of another story, as long as the first one was.</p></div></div>"""


def test_related_list_with_leads_between_paragraphs() -> None:
    html = article(HEAD, f"<p>First paragraph.</p>{RELATED}<p>Second paragraph.</p>")
    assert extract_detail(html, URL).body == ["First paragraph.", "Second paragraph."]


def test_one_paragraph_and_a_longer_related_list() -> None:
    related = "".join(f'<li><a href="/news/smi/s-{n}/">A long title of another story number '
                      f"{n} about the work of the Organization</a></li>" for n in range(4))
    html = article(HEAD, f"<p>Short story.</p><h3>See also</h3><ul>{related}</ul>")
    assert extract_detail(html, URL).body == ["Short story."]


def test_a_story_paragraph_linking_to_other_stories_stays() -> None:
    text = ('As <a href="/news/news_odkb/earlier/">reported earlier</a>, the talks went on; '
            'see also <a href="/news/news_odkb/later/">the statement</a> of the Council.')
    html = article(HEAD, f"<p>{text}</p><p>Second.</p>")
    body = extract_detail(html, URL).body
    assert body == ["As reported earlier, the talks went on; see also the statement of the "
                    "Council.", "Second."]


def test_counter_glued_to_the_date_line_and_breadcrumbs_after_it() -> None:
    head = ('<h1>The Title</h1><div>07.02.2025 <b>|</b> Просмотров: 1 234</div>'
            '<div><a href="/">Главная</a> » <a href="/news/">Новости</a> » The Title</div>')
    fields = extract_detail(article(head, "<p>Текст новости.</p>", "ru"), RU_URL)
    assert (fields.title, fields.published, fields.body) == (
        "The Title", date(2025, 2, 7), ["Текст новости."])


def test_widgets_whose_buttons_touch() -> None:
    tools = ('<div><span>Поделиться:</span><a href="#">ВКонтакте</a><a href="#">Telegram</a>'
             '<a href="?print=Y">Версия для печати</a><span>Шрифт</span><a href="#">A+</a>'
             '<a href="#">A-</a></div>')
    html = article(HEAD, f"<p>Текст.</p>{tools}", "ru")
    assert extract_detail(html, RU_URL).body == ["Текст."]


def test_captions_are_kept_apart() -> None:
    figure = ('<figure><img src="/upload/p.jpg?v=17"><figcaption>The meeting, 12:30'
              "</figcaption></figure>")
    box = ('<div><img src="/upload/q.jpg?v=18" alt="Участники встречи">'
           "<div>Участники встречи</div></div>")
    stamped = '<div><img src="/upload/r.jpg?v=19"></div><div>Signing ceremony, 14:05</div>'
    html = article(HEAD, f"<p>One.</p>{figure}<p>Two.</p>{box}{stamped}<p>Three.</p>")
    fields = extract_detail(html, URL)
    assert fields.body == ["One.", "Two.", "Three."]
    assert fields.captions == ["The meeting, 12:30", "Участники встречи",
                               "Signing ceremony, 14:05"]


def test_a_quotation_in_a_figure_is_story() -> None:
    quote = ("<figure><blockquote>We value this dialogue.</blockquote>"
             "<figcaption>The Secretary General</figcaption></figure>")
    fields = extract_detail(article(HEAD, f"<p>One.</p>{quote}<p>Two.</p>"), URL)
    assert fields.body == ["One.", "We value this dialogue.", "Two."]
    assert fields.captions == ["The Secretary General"]


def test_a_paragraph_after_a_photo_is_story() -> None:
    html = article(HEAD, '<p>One.</p><p><img src="/p.jpg"></p><p>The talks ended at 18:00 in '
                         "Minsk, with a joint statement of the ministers.</p>")
    assert extract_detail(html, URL).body == [
        "One.", "The talks ended at 18:00 in Minsk, with a joint statement of the ministers."]


def test_promo_lines_and_share_links_in_english() -> None:
    body = ("<p>Question: How do you assess the year?</p><p>— It was intense. (Video)</p>"
            '<p><a href="https://t.me/odkb_csto">https://t.me/odkb_csto</a></p>'
            '<p>Subscribe to our channel: <a href="https://t.me/odkb_csto">t.me/odkb_csto</a></p>'
            "<p><i>The CSTO Press Secretary V. Zainetdinov</i></p>"
            '<div><b>Read also</b></div><div><a href="/news/smi/x/">Another story</a></div>'
            '<div>Share: <a href="#">VK</a> <a href="#">Telegram</a> | <a href="#">Print</a></div>')
    assert extract_detail(article(HEAD, body), URL).body == [
        "Question: How do you assess the year?", "— It was intense. (Video)",
        "https://t.me/odkb_csto", "The CSTO Press Secretary V. Zainetdinov"]


def test_the_seed_speech_survives_furniture_around_it() -> None:
    expected = json.loads((PAGES / "bitrix/detail_seed.expected.json").read_text("utf-8"))
    html = page("bitrix/detail_seed.html")
    counter = '<div class="q">👁 1 234</div><div class="q"><img src="/i.jpg?v=3"></div>'
    related = ('<section><h4>Related</h4><ul>'
               + "".join(f'<li><a href="/news/news_odkb/r{n}/">Related story {n}</a></li>'
                         for n in range(3)) + "</ul></section>")
    tools = '<div>Share: <a href="#">VK</a> <a href="#">Telegram</a> <a href="#">A+</a></div>'
    html = re.sub(r"(<span class=\"news-detail__date\">07.02.2025</span></div>)",
                  r"\1" + counter, html, count=1)
    dear = "<p>Dear parliamentarians,</p>"
    html = html.replace(dear, related + dear)
    back = '<p><a href="javascript:history.back()">'
    html = html.replace(back, tools + back, 1)
    fields = extract_detail(html, URL)
    assert fields.body == expected["paragraphs"]



def test_a_blog_like_markup() -> None:
    """Labelled date with a time and icon counters, a captioned photo box, a promo link and
    a card list of other stories between paragraphs, share list and tools after the text."""
    fields = extract_detail(page("other/blog.html"), URL)
    assert (fields.title, fields.published) == ("The Story Title", date(2025, 2, 7))
    assert fields.body == [
        "The first paragraph of the story tells what happened in Minsk on Friday.",
        "The second paragraph adds the details, with a quote from the minister.",
        "Third paragraph."]
    assert fields.captions == ["Delegations at the meeting (photo 14:35:02)"]



def test_an_old_table_markup_in_russian() -> None:
    """Counter and print link on the date line, photo and credit in one paragraph, a table
    of other stories with dates, a promo with a link, share links, then the signature."""
    fields = extract_detail(page("other/tables_ru.html"), RU_URL)
    assert (fields.title, fields.published) == ("Заседание Совета министров", date(2025, 2, 7))
    assert fields.body == [
        "В Минске состоялось заседание Совета министров иностранных дел ОДКБ.",
        "Министры обсудили вопросы коллективной безопасности.",
        "Следующее заседание пройдет в Астане.",
        "Пресс-секретарь ОДКБ В. Зайнетдинов"]
    assert fields.captions == ["Министры перед заседанием. Фото: Сергей Иванов"]
