"""The inflection set of issue 21's tests and benchmark: query words, each written into
items only in other forms, and neutral items (near misses included) that must not match.

Written for this project (not taken from the issue): everyday words of CSTO news.
"""

from __future__ import annotations

# query word -> forms that stand in the items (never the query's own form)
RUSSIAN: dict[str, tuple[str, ...]] = {
    "учение": ("учения", "учений", "учениях"),
    "Армения": ("Армении", "Армению", "Арменией"),
    "совещание": ("совещании", "совещания", "совещаний"),
    "граница": ("границы", "границе", "границами"),
    "миротворческий": ("миротворческих", "миротворческая", "миротворческими"),
    "наркотики": ("наркотиков", "наркотикам"),
    "безопасность": ("безопасности", "безопасностью"),
    "министр": ("министра", "министров", "министрами"),
    "оборона": ("обороны", "обороне"),
    "договор": ("договора", "договору", "договоров"),
    "переговоры": ("переговорах", "переговоров"),
    "Казахстан": ("Казахстана", "Казахстане"),
    "Киргизия": ("Киргизии", "Киргизией"),
    "террористический": ("террористических", "террористическими"),
    "угроза": ("угрозы", "угрозам", "угрозой"),
    "сотрудничество": ("сотрудничества", "сотрудничестве"),
    "генеральный": ("генерального", "генеральным"),
    "секретарь": ("секретаря", "секретарём"),
    "заседание": ("заседании", "заседаний"),
    "подготовка": ("подготовки", "подготовке"),
    "штаб": ("штаба", "штабе"),
    "войска": ("войск", "войсками"),
    "военнослужащий": ("военнослужащих", "военнослужащими"),
    "вооружение": ("вооружения", "вооружений"),
    "миграция": ("миграции", "миграцией"),
    "кибератака": ("кибератак", "кибератаками"),
    "делегация": ("делегации", "делегацию"),
    "визит": ("визита", "визите"),
    "саммит": ("саммита", "саммите"),
    "парламент": ("парламента", "парламенте"),
    "соглашение": ("соглашения", "соглашении"),
    "пограничник": ("пограничники", "пограничников"),
    "ёмкость": ("емкости", "ёмкостью"),
}
ENGLISH: dict[str, tuple[str, ...]] = {
    "exercises": ("exercise", "exercising"),
    "country": ("countries", "country's"),
    "meeting": ("meetings",),
    "minister": ("ministers",),
    "agreement": ("agreements",),
    "negotiate": ("negotiations", "negotiated"),
    "secure": ("security", "securing"),
    "threat": ("threats",),
    "attack": ("attacked", "attacks"),
    "border": ("borders", "bordering"),
    "drug": ("drugs",),
    "peacekeepers": ("peacekeeping", "peacekeeper"),
    "cooperate": ("cooperation", "cooperating"),
    "train": ("training", "trained"),
    "deploy": ("deployed", "deployment"),
    "visit": ("visited", "visiting"),
    "delegation": ("delegations",),
    "summit": ("summits",),
    "migrant": ("migrants",),
    "weapon": ("weapons",),
    "discuss": ("discussed", "discussion"),
    "sign": ("signed", "signing"),
    "strengthen": ("strengthened", "strengthening"),
}
# Sentences the forms are set in, by language ({} is the form).
FRAMES = {
    "ru": ("В центре внимания — {} и ход работы.", "Речь шла о {} в ближайшие месяцы.",
           "Стороны отметили: {}."),
    "en": ("The focus was on {} this month.", "Officials spoke about {} at length.",
           "Both sides noted the {} again."),
}
# Items no query should find; near misses of the query words among them.
NEUTRAL = {
    "ru": ("Учитель рассказал ученикам о погоде.", "Армейский оркестр сыграл марш.",
           "Министерство культуры открыло выставку картин.", "Солнечная погода порадовала.",
           "Пограничный столб покрасили заново.", "Секретный рецепт пирога.",
           "Штабелёр привезли на склад.", "Визитка лежала на столе.",
           "Парламентёры вели себя тихо.", "Грань между светом и тенью."),
    "en": ("The trainer brought new shoes.", "A method for cooking rice.",
           "The countryside was quiet in autumn.", "Signals from the radio tower.",
           "The borderline case was closed.", "Visitors enjoyed the garden.",
           "Discus throwing at the stadium.", "Summitry is a word of diplomats.",
           "Attica is a region of Greece.", "Secular music in the old hall."),
}
