"""Summaries of CSTO news for notifications: sentence boundaries in English and Russian."""

from __future__ import annotations

import pytest

from notifier.summary import split_sentences, summarize, truncate

EN_LEAD = (
    "On 7 February 2025, the CSTO Secretary General Imangali Tasmagambetov spoke at the "
    "fourth meeting of the chairmen of the committees of the parliaments of the CSTO member "
    "states. The event took place in the State Duma of the Federal Assembly of the Russian "
    "Federation. The theme of the report is “Issues of Foreign Policy Coordination”. "
    "Current international and regional problems were discussed."
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "The CSTO Secretary General I.N. Tasmagambetov met with Ambassador Zhang Hanhui. "
            "The parties discussed cooperation.",
            ["The CSTO Secretary General I.N. Tasmagambetov met with Ambassador Zhang Hanhui.",
             "The parties discussed cooperation."],
            id="en-initials"),
        pytest.param(
            "On 27-30 May, in the city of St. Petersburg, a meeting was held. It was useful.",
            ["On 27-30 May, in the city of St. Petersburg, a meeting was held.",
             "It was useful."],
            id="en-st-petersburg"),
        pytest.param(
            "Mr. Serdyukov signed Protocol No. 5 on 07.02.2025. Spending grew by 2.5 percent.",
            ["Mr. Serdyukov signed Protocol No. 5 on 07.02.2025.",
             "Spending grew by 2.5 percent."],
            id="en-mr-no-date-decimal"),
        pytest.param(
            "Threats of a hybrid nature, e.g. sanctions, were discussed. Dr. Ivanov spoke.",
            ["Threats of a hybrid nature, e.g. sanctions, were discussed.", "Dr. Ivanov spoke."],
            id="en-eg-dr"),
        pytest.param(
            "The theme is “Issues of Foreign Policy.” The Council met. Who, if not us?! "
            "Together… we are strong. Thank you for your attention!",
            ["The theme is “Issues of Foreign Policy.”", "The Council met.",
             "Who, if not us?!", "Together… we are strong.",
             "Thank you for your attention!"],
            id="en-curly-quotes-interrobang-ellipsis"),
        pytest.param(
            "The First. Increasing military presence of the North Atlantic Alliance. "
            "15 documents have been prepared.",
            ["The First.", "Increasing military presence of the North Atlantic Alliance.",
             "15 documents have been prepared."],
            id="en-sentence-starting-with-number"),
        pytest.param(
            "Генеральный секретарь ОДКБ И.Н. Тасмагамбетов встретился с В.В. Путиным "
            "в г. Москве. Стороны обсудили сотрудничество.",
            ["Генеральный секретарь ОДКБ И.Н. Тасмагамбетов встретился с В.В. Путиным "
             "в г. Москве.", "Стороны обсудили сотрудничество."],
            id="ru-initials-city"),
        pytest.param(
            "Совещание прошло в академии им. Можайского, т.е. в Санкт-Петербурге. Далее "
            "выступил ген. Сердюков.",
            ["Совещание прошло в академии им. Можайского, т.е. в Санкт-Петербурге.",
             "Далее выступил ген. Сердюков."],
            id="ru-im-te"),
        pytest.param(
            "Заседание прошло 7 февраля 2025 г. Мероприятие состоялось в Москве.",
            ["Заседание прошло 7 февраля 2025 г.", "Мероприятие состоялось в Москве."],
            id="ru-year-ends-sentence"),
        pytest.param(
            "7 февраля 2025 г. Совет собрался в Москве. В 2024-2025 гг. Совет работал.",
            ["7 февраля 2025 г. Совет собрался в Москве.", "В 2024-2025 гг. Совет работал."],
            id="ru-leading-date-is-not-a-sentence"),
        pytest.param(
            "Учение «Взаимодействие-2025» прошло успешно. «Мы готовы!» — сказал генерал. "
            "«Вы готовы?» Да.",
            ["Учение «Взаимодействие-2025» прошло успешно.", "«Мы готовы!» — сказал генерал.",
             "«Вы готовы?»", "Да."],
            id="ru-guillemets"),
        pytest.param(
            "Обсуждались миграция, терроризм и т.д. Далее выступил министр. Кто, если не мы?! "
            "Только вместе…",
            ["Обсуждались миграция, терроризм и т.д.", "Далее выступил министр.",
             "Кто, если не мы?!", "Только вместе…"],
            id="ru-etc-interrobang"),
        pytest.param("Без точки в конце", ["Без точки в конце"], id="no-terminator"),
        pytest.param("  ", [], id="empty"),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_summary_keeps_three_sentences() -> None:
    assert summarize(EN_LEAD, []) == " ".join(split_sentences(EN_LEAD)[:3])
    assert summarize(EN_LEAD, []).endswith("“Issues of Foreign Policy Coordination”.")


def test_summary_respects_max_sentences() -> None:
    assert summarize(EN_LEAD, [], max_sentences=1) == split_sentences(EN_LEAD)[0]


def test_summary_stops_before_the_sentence_that_overflows() -> None:
    first, second = split_sentences(EN_LEAD)[:2]
    limit = len(first) + 1 + len(second) - 1
    assert summarize(EN_LEAD, [], max_chars=limit) == first


def test_short_lead_is_kept_whole() -> None:
    lead = "Генеральный секретарь ОДКБ И.Н. Тасмагамбетов провел рабочую встречу."
    assert summarize(lead, ["Тело новости."]) == lead


def test_empty_lead_falls_back_to_first_body_paragraph() -> None:
    body = ["", "  ", "На базе академии им. Можайского прошло совещание. Второе предложение."]
    assert summarize("\u00a0", body, max_sentences=1) == (
        "На базе академии им. Можайского прошло совещание."
    )


def test_body_as_text_is_split_into_paragraphs() -> None:
    body = "\n\nThe talks were held in Minsk.\nThey were useful.\n\nSecond paragraph."
    assert summarize("", body) == "The talks were held in Minsk. They were useful."


def test_nothing_to_summarize() -> None:
    assert summarize("", []) == ""
    assert summarize(" ", "\n\n") == ""


def test_whitespace_is_collapsed() -> None:
    assert summarize("The  CSTO\u00a0Council\nmet. ", []) == "The CSTO Council met."


def test_single_long_sentence_is_cut_at_a_word_boundary() -> None:
    lead = ("On 3-5 June, the Republic of Belarus hosted the second staff talks on the "
            "organization and conduct of the joint trainings with the CSTO Collective Rapid "
            "Reaction Forces “Interaction-2025”.")
    summary = summarize(lead, [], max_chars=80)
    assert summary == ("On 3-5 June, the Republic of Belarus hosted the second staff talks on "
                       "the…")
    assert len(summary) <= 80


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("one two three", 20, "one two three"),
        ("one two three", 8, "one two…"),
        ("one two three", 9, "one two…"),
        ("one, two three", 7, "one…"),
        ("Взаимодействие-2025", 6, "Взаим…"),
    ],
    ids=["fits", "exact-word-end", "mid-word", "trailing-comma", "one-long-word"],
)
def test_truncate(text: str, limit: int, expected: str) -> None:
    assert truncate(text, limit) == expected
    assert len(truncate(text, limit)) <= limit


@pytest.mark.parametrize(("sentences", "chars"), [(0, 600), (3, 1)])
def test_invalid_limits(sentences: int, chars: int) -> None:
    with pytest.raises(ValueError):
        summarize("Text.", [], max_sentences=sentences, max_chars=chars)
