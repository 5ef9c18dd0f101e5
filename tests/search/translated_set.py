"""The translation set of issue 21, point 5 (tests and `bench --only search`): English
query words (tests/search/inflections.py's) that can find Russian-only stories only through
the stored English of their title and lead.

Each form of an English query word stands in the English of a Russian sentence; the
Russian sentence is the story's own title or lead. Written for this project.
"""

from __future__ import annotations

# English form (as in inflections.ENGLISH) -> the Russian word its sentence translates
RUSSIAN_OF: dict[str, str] = {
    "exercise": "учения", "exercising": "тренировки",
    "countries": "страны", "country's": "государства",
    "meetings": "встречи", "ministers": "министры", "agreements": "соглашения",
    "negotiations": "переговоры", "negotiated": "согласованные условия",
    "security": "безопасность", "securing": "обеспечение охраны",
    "threats": "угрозы", "attacked": "атакованные объекты", "attacks": "атаки",
    "borders": "границы", "bordering": "приграничные районы", "drugs": "наркотики",
    "peacekeeping": "миротворчество", "peacekeeper": "миротворец",
    "cooperation": "сотрудничество", "cooperating": "взаимодействующие ведомства",
    "training": "подготовка", "trained": "обученные специалисты",
    "deployed": "развёрнутые силы", "deployment": "развёртывание",
    "visited": "посещённые города", "visiting": "поездка", "delegations": "делегации",
    "summits": "саммиты", "migrants": "мигранты", "weapons": "оружие",
    "discussed": "обсуждённые вопросы", "discussion": "обсуждение",
    "signed": "подписанные документы", "signing": "подписание",
    "strengthened": "укреплённые позиции", "strengthening": "укрепление",
}
# A Russian sentence and its English, by turn ({} is the word or the form).
FRAMES = (("В центре внимания — {}.", "The focus was on {} this month."),
          ("Главная тема встречи — {}.", "Officials spoke about {} at length."),
          ("Стороны снова отметили: {}.", "Both sides noted the {} again."))
# Stories with an English version: their Russian text is translated too, but the story is
# found by its English item alone (listed once). One per query word below.
PAIRED = ("summit", "border", "drug", "weapon", "visit")
# Russian-only stories whose English no query should find (near misses of the words).
NEUTRAL: dict[str, str] = {
    "Тренер принёс новую обувь.": "The trainer brought new shoes.",
    "Способ варки риса.": "A method for cooking rice.",
    "Осенью в сельской местности было тихо.": "The countryside was quiet in autumn.",
    "Сигналы с радиовышки.": "Signals from the radio tower.",
    "Пограничное дело закрыли.": "The borderline case was closed.",
    "Посетители гуляли по саду.": "Visitors enjoyed the garden.",
    "Метание диска на стадионе.": "Discus throwing at the stadium.",
    "Аттика — область Греции.": "Attica is a region of Greece.",
    "Светская музыка в старом зале.": "Secular music in the old hall.",
}
