"""English and Russian text bank for realistic CSTO-style sample articles."""

from __future__ import annotations

from dataclasses import dataclass

NBSP = "\xa0"


@dataclass(frozen=True)
class Template:
    """One kind of story; {placeholders} are filled from FILLERS in the article's language."""

    section: str
    title: dict[str, str]
    paragraphs: dict[str, list[str]]


# Each filler: the same index gives the same value in both languages.
FILLERS: dict[str, dict[str, list[str]]] = {
    "city": {
        "en": ["Moscow", "Minsk", "Yerevan", "Astana", "Bishkek", "Dushanbe", "St. Petersburg"],
        "ru": ["Москве", "Минске", "Ереване", "Астане", "Бишкеке", "Душанбе", "Санкт-Петербурге"],
    },
    "country": {
        "en": ["the People's Republic of China", "the Republic of Serbia", "Mongolia",
               "the Islamic Republic of Iran", "the Republic of India"],
        "ru": ["Китайской Народной Республики", "Республики Сербия", "Монголии",
               "Исламской Республики Иран", "Республики Индия"],
    },
    "person": {
        "en": ["I.N. Tasmagambetov", "Imangali Tasmagambetov", "Imangali\xa0Tasmagambetov"],
        "ru": ["И.Н.\xa0Тасмагамбетов", "Имангали Тасмагамбетов", "Имангали\xa0Тасмагамбетов"],
    },
    "exercise": {
        "en": ["Interaction-2025", "Search-2025", "Echelon-2025", "Cobalt-2025",
               "Indestructible Brotherhood-2025"],
        "ru": ["Взаимодействие-2025", "Поиск-2025", "Эшелон-2025", "Кобальт-2025",
               "Нерушимое братство-2025"],
    },
    "topic": {
        "en": ["countering international terrorism", "international information security",
               "the situation in Afghanistan", "biological security"],
        "ru": ["противодействию международному терроризму",
               "международной информационной безопасности", "ситуации в Афганистане",
               "биологической безопасности"],
    },
}

TEMPLATES: list[Template] = [
    Template("news_odkb", {
        "en": "The CSTO Secretary General {person} met with the Ambassador of {country} to the "
              "Russian Federation",
        "ru": "Генеральный секретарь ОДКБ {person} встретился с Послом {country} в Российской "
              "Федерации",
    }, {
        "en": ["{day}, the CSTO Secretary General {person} met with the Ambassador "
               "Extraordinary and Plenipotentiary of {country} to the Russian Federation.",
               "The parties discussed the current international and regional security "
               "situation and prospects for cooperation between the CSTO and {country}.",
               "The Ambassador was informed about the priorities of the Kyrgyz Chairmanship "
               "in the Organization in 2025 — “80 Years of the Great Victory”."],
        "ru": ["{day} Генеральный секретарь ОДКБ {person} встретился с Чрезвычайным и "
               "Полномочным Послом {country} в Российской Федерации.",
               "Стороны обсудили текущую международную и региональную ситуацию в сфере "
               "безопасности, а также перспективы сотрудничества ОДКБ и {country}.",
               "Послу были представлены приоритеты председательства Кыргызской Республики в "
               "Организации в 2025\xa0году — «80 лет Великой Победы»."],
    }),
    Template("news_odkb", {
        "en": "A meeting of the CSTO Council of Defense Ministers was held in {city}",
        "ru": "В {city} состоялось заседание Совета министров обороны ОДКБ",
    }, {
        "en": ["{day}, a regular meeting of the CSTO Council of Defense Ministers was held in "
               "{city}. The event was attended by Secretary General {person}.",
               "The ministers considered 11 issues of military cooperation, including the "
               "plan of joint trainings of the CSTO forces for 2026.",
               "Following the meeting, the ministers signed a number of decisions that will be "
               "submitted to the Collective Security Council."],
        "ru": ["{day} в {city} состоялось очередное заседание Совета министров обороны ОДКБ. "
               "В мероприятии принял участие Генеральный секретарь {person}.",
               "Министры рассмотрели 11\xa0вопросов военного сотрудничества, в том числе план "
               "совместной подготовки сил ОДКБ на 2026\xa0год.",
               "По итогам заседания подписан ряд решений, которые будут внесены на "
               "рассмотрение Совета коллективной безопасности."],
    }),
    Template("news_odkb", {
        "en": "The active phase of the joint training “{exercise}” of the CSTO Collective Rapid "
              "Reaction Forces began in {city} (Video)",
        "ru": "В {city} началась активная фаза совместного учения с КСОР ОДКБ «{exercise}» "
              "(Видео)",
    }, {
        "en": ["{day}, the active phase of the joint training “{exercise}” with the CSTO "
               "Collective Rapid Reaction Forces (CRRF) began in {city}. (Video)",
               "More than 2,000 servicemen and 500 units of military equipment are involved. "
               "The training is led by the Chief of the CSTO Joint Staff."],
        "ru": ["{day} в {city} началась активная фаза совместного учения с Коллективными "
               "силами оперативного реагирования ОДКБ «{exercise}». (Видео)",
               "К учению привлечено более 2000\xa0военнослужащих и 500\xa0единиц техники. "
               "Руководит учением начальник Объединенного штаба ОДКБ."],
    }),
    Template("news_odkb", {
        "en": "Announcement: the CSTO Press Secretary will hold a briefing on the results of "
              "the meeting in {city}",
        "ru": "Анонс: пресс-секретарь ОДКБ проведет брифинг по итогам встречи в {city}",
    }, {
        "en": ["Next week the CSTO Press Secretary will hold a briefing for journalists on the "
               "results of the meeting in {city}.",
               "Accreditation is open until 18:00 on the eve of the event: press@odkb-csto.org"],
        "ru": ["На следующей неделе пресс-секретарь ОДКБ проведет брифинг для журналистов по "
               "итогам встречи в {city}.",
               "Аккредитация открыта до 18:00 накануне мероприятия: press@odkb-csto.org"],
    }),
    Template("smi", {
        "en": "Interview of the CSTO Secretary General {person} to the newspaper \"Izvestia\"",
        "ru": "Интервью Генерального секретаря ОДКБ {person} газете «Известия»",
    }, {
        "en": ["Question: What are the priorities of the Organization this year?",
               "— The key priority is the strengthening of allied relations. We pay special "
               "attention to {topic}.",
               "Question: How do you assess the situation on the Tajik-Afghan border?",
               "— The situation remains difficult, but it is under the control of the border "
               "services of our states."],
        "ru": ["Вопрос: Каковы приоритеты Организации в этом году?",
               "— Ключевой приоритет — укрепление союзнических отношений. Особое внимание мы "
               "уделяем {topic}.",
               "Вопрос: Как вы оцениваете обстановку на таджикско-афганской границе?",
               "— Обстановка остается сложной, но она находится под контролем пограничных "
               "ведомств наших государств."],
    }),
    Template("speech", {
        "en": "Speech by the CSTO Secretary General at the meeting of the CSTO Parliamentary "
              "Assembly Council in {city}",
        "ru": "Выступление Генерального секретаря ОДКБ на заседании Совета Парламентской "
              "Ассамблеи ОДКБ в {city}",
    }, {
        "en": ["Dear Chairperson, distinguished participants of the meeting!",
               "I am grateful for the invitation and the opportunity to address today's "
               "meeting in {city}.",
               "The parliamentary dimension is becoming an increasingly important area of our "
               "work, in particular in {topic}.",
               "Thank you for your attention."],
        "ru": ["Уважаемый председатель, уважаемые участники заседания!",
               "Благодарю за приглашение и возможность выступить на сегодняшнем заседании в "
               "{city}.",
               "Парламентское измерение становится все более важным направлением нашей работы, "
               "в том числе в сфере противодействия угрозам по {topic}.",
               "Благодарю за внимание."],
    }),
    Template("statements", {
        "en": "Statement of the CSTO Council of Foreign Ministers on {topic}",
        "ru": "Заявление Совета министров иностранных дел ОДКБ по {topic}",
    }, {
        "en": ["The Ministers of Foreign Affairs of the CSTO member states express their deep "
               "concern about the growing threats in the field of {topic}.",
               "The member states reaffirm their commitment to the UN Charter and the 1941–1945 "
               "legacy of the common Victory."],
        "ru": ["Министры иностранных дел государств — членов ОДКБ выражают глубокую "
               "озабоченность ростом угроз и призывают к совместной работе по {topic}.",
               "Государства-члены подтверждают приверженность Уставу ООН и памяти о Победе "
               "1941–1945\xa0годов."],
    }),
    Template("news_odkb", {
        "en": "The results of the international anti-drug operation “Channel – Trap” were "
              "summed up in {city}",
        "ru": "В {city} подведены итоги международной антинаркотической операции «Канал — "
              "Ловушка»",
    }, {
        "en": ["{day}, the results of the operation “Channel – Trap” were summed up in {city}.",
               "More than 12 tons of drugs were seized during the operation.",
               "Details are available on the Organization's Telegram channel:",
               "https://t.me/odkb_csto"],
        "ru": ["{day} в {city} подведены итоги операции «Канал\xa0— Ловушка».",
               "В ходе операции изъято более 12\xa0тонн наркотиков.",
               "Подробности — в Telegram-канале Организации:",
               "https://t.me/odkb_csto"],
    }),
    Template("news_odkb", {
        "en": "CSTO & CIS: consultations of representatives of the secretariats on {topic} took "
              "place in {city}",
        "ru": "В {city} прошли консультации представителей секретариатов ОДКБ и СНГ по {topic}",
    }, {
        "en": ["{day}, consultations of representatives of the CSTO & CIS secretariats on "
               "{topic} took place in {city}.",
               "The parties agreed to hold the next round of consultations in the 'hybrid' "
               "format."],
        "ru": ["{day} в {city} состоялись консультации представителей секретариатов ОДКБ и СНГ "
               "по {topic}.",
               "Стороны договорились провести следующий раунд консультаций в „гибридном“ "
               "формате."],
    }),
    Template("smi", {
        "en": "Krasnaya Zvezda:\n“The CSTO Joint Staff is 20 years old”",
        "ru": "«Красная звезда»:\n«Объединенному штабу ОДКБ — 20\xa0лет»",
    }, {
        "en": ["The newspaper \"Krasnaya Zvezda\" published an article about the history of the "
               "CSTO Joint Staff.",
               "The Chief of the Joint Staff told about the trainings held in {city}."],
        "ru": ["Газета «Красная звезда» опубликовала статью об истории Объединенного штаба ОДКБ.",
               "Начальник Объединенного штаба рассказал об учениях, прошедших в {city}."],
    }),
    Template("news_odkb", {
        "en": "Consultations of deputy foreign ministers of the CSTO member states on {topic} "
              "took place in {city}",
        "ru": "В {city} состоялись консультации заместителей министров иностранных дел "
              "государств — членов ОДКБ по {topic}",
    }, {
        "en": ["{day}, consultations of deputy foreign ministers of the CSTO member states on "
               "{topic} took place in {city}.",
               "The participants exchanged views on the coordination of approaches within the "
               "UN, the OSCE and other international organizations."],
        "ru": ["{day} в {city} состоялись консультации заместителей министров иностранных дел "
               "государств — членов ОДКБ по {topic}.",
               "Участники обменялись мнениями о координации подходов в ООН, ОБСЕ и других "
               "международных организациях."],
    }),
    Template("news_odkb", {
        "en": "The CSTO peacekeeping forces completed the exercise “{exercise}” in {city}",
        "ru": "Миротворческие силы ОДКБ завершили учение «{exercise}» в {city}",
    }, {
        "en": ["{day}, the CSTO peacekeeping forces completed the exercise “{exercise}” at the "
               "training ground near {city}.",
               "The Secretary General {person} thanked the personnel for their high level of "
               "training."],
        "ru": ["{day} миротворческие силы ОДКБ завершили учение «{exercise}» на полигоне в "
               "{city}.",
               "Генеральный секретарь {person} поблагодарил личный состав за высокий уровень "
               "подготовки."],
    }),
]

EXTRA_PARAGRAPHS: dict[str, list[str]] = {
    "en": [
        "The parties noted the importance of further strengthening the collective security "
        "system in all its basic elements.",
        "Particular attention was paid to countering the challenges and threats of a hybrid "
        "nature.",
        "The CSTO is called upon to remain one of the pillars of the Eurasian security "
        "architecture.",
        "Representatives of the CSTO Secretariat and the Joint Staff took part in the event.",
        "\xa0",
    ],
    "ru": [
        "Стороны отметили важность дальнейшего укрепления системы коллективной безопасности во "
        "всех ее базовых элементах.",
        "Особое внимание было уделено противодействию вызовам и угрозам «гибридного» характера.",
        "ОДКБ призвана оставаться одной из опор евразийской архитектуры безопасности.",
        "В мероприятии приняли участие представители Секретариата и Объединенного штаба ОДКБ.",
        "\xa0",
    ],
}

SUBTITLES = {
    "en": ["Text of the speech by the CSTO Secretary General",
           "The event was held in a hybrid format"],
    "ru": ["Текст выступления Генерального секретаря ОДКБ",
           "Мероприятие прошло в гибридном формате"],
}
SIGNATURES = {"en": "The CSTO Press Secretary V.\xa0Zainetdinov",
              "ru": "Пресс-секретарь ОДКБ В.\xa0Зайнетдинов"}
DOWNLOAD = {"en": "Download document", "ru": "Скачать документ"}
ANNEX = {"en": "Annex 2.pdf", "ru": "Приложение 2.pdf"}
MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"],
    "ru": ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
           "сентября", "октября", "ноября", "декабря"],
}

_TRANSLIT = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p",
     "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"],
    strict=True,
))


def translit(text: str, keep: str = "") -> str:
    """Bitrix-like slug of a (Russian) title: lowercase Latin, hyphens, chars in keep kept."""
    out: list[str] = []
    for char in text.lower():
        if char in _TRANSLIT:
            out.append(_TRANSLIT[char])
        elif (char.isascii() and char.isalnum()) or char in keep:
            out.append(char)
        elif out and out[-1] != "-":
            out.append("-")
    return "".join(out).strip("-")
