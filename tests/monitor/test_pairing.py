"""Pairing English and Russian versions of a story: each kind of evidence, ambiguity, dates."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from monitor.pair_signals import Version, dates_in, names_in, numbers_in, skeleton, traits
from monitor.pairing import Scored, decide, score

DAY = date(2025, 2, 7)
EN = Version(
    id=1, language="en", section="news_odkb", published=DAY,
    slug="v-minske-sostoyalos-zasedanie-soveta-ministrov-oborony-odkb",
    title="A meeting of the CSTO Council of Defense Ministers was held in Minsk",
    lead="On 5 February 2025, a regular meeting of the CSTO Council of Defense Ministers was "
         "held in Minsk. The event was attended by Secretary General Imangali Tasmagambetov.",
    body="The ministers considered 11 issues, including the plan of joint trainings for 2026. "
         "More than 2,000 servicemen will take part.")
RU = Version(
    id=2, language="ru", section="news_odkb", published=DAY,
    slug="v-minske-sostoyalos-zasedanie-soveta-ministrov-oborony-odkb",
    title="В Минске состоялось заседание Совета министров обороны ОДКБ",
    lead="5 февраля 2025 года в Минске состоялось очередное заседание Совета министров "
         "обороны ОДКБ. В мероприятии принял участие Генеральный секретарь Имангали "
         "Тасмагамбетов.",
    body="Министры рассмотрели 11 вопросов, в том числе план совместной подготовки на 2026 "
         "год. Примут участие более 2 000 военнослужащих.")
# The same kind of story, another day's: another city, other numbers.
RU_YEREVAN = replace(
    RU, id=3, slug="v-erevane-sostoyalos-zasedanie-soveta-ministrov-oborony-odkb",
    title="В Ереване состоялось заседание Совета министров обороны ОДКБ",
    lead=RU.lead.replace("Минске", "Ереване").replace("5 февраля", "6 февраля"),
    body=RU.body.replace("11", "14").replace("2 000", "1 500"))


def evidence(scored: Scored | None) -> dict[str, float]:
    assert scored is not None
    return {e.signal: e.score for e in scored.evidence}


def pair_ids(*versions: Version, **kwargs: object) -> set[tuple[int, int]]:
    return {(d.en_id, d.ru_id) for d in decide(versions, **kwargs)}  # type: ignore[arg-type]


def test_what_survives_translation_is_read_in_both_languages() -> None:
    assert skeleton("Тасмагамбетов") == skeleton("Tasmagambetov")
    assert skeleton("Бишкеке").startswith(skeleton("Bishkek"))
    assert numbers_in("More than 2,000 servicemen and 11 issues") == {"2000", "11"}
    assert numbers_in("более 2\xa0000 военнослужащих и 11 вопросов") == {"2000", "11"}
    assert dates_in("On February 5, 2025 and on 7 March") == {"02-05", "03-07"}
    assert dates_in("5 февраля 2025 года и 7 марта; 01.06.2025") == {"02-05", "03-07", "06-01"}
    assert names_in(EN.lead, "en") >= {skeleton("Minsk"), skeleton("Tasmagambetov")}
    assert skeleton("Council") not in names_in(EN.lead, "en")  # vocabulary, not a name
    assert skeleton("Совета") not in names_in(RU.lead, "ru")


def test_a_true_pair_agrees_on_every_kind_of_evidence() -> None:
    found = evidence(score(traits(EN), traits(RU)))
    assert found == {"slug": 1.0, "names": 1.0, "numbers": 1.0, "dates": 1.0, "section": 1.0,
                     "day": 1.0}
    assert pair_ids(EN, RU) == {(1, 2)}
    [decision] = decide([EN, RU])
    assert decision.confidence > 0.95
    assert any("slug words agree" in e.detail for e in decision.evidence)


def test_slugs_in_another_transliteration_still_agree() -> None:
    other = replace(EN, slug="v_minske_sostoialos_zasedanie_soveta_ministrov_oborony_odkb2")
    assert evidence(score(traits(other), traits(RU)))["slug"] == 1.0
    reworded = replace(EN, slug="zasedanie-soveta-ministrov-oborony-v-minske")
    assert evidence(score(traits(reworded), traits(RU)))["slug"] > 0.8


def test_a_slug_that_names_another_city_is_evidence_against() -> None:
    found = score(traits(EN), traits(RU_YEREVAN))
    assert found is not None and evidence(found)["slug"] == 0.0
    assert any("the names differ" in e.detail for e in found.evidence)
    assert pair_ids(EN, RU_YEREVAN) == set()


def test_an_english_slug_is_no_evidence_either_way() -> None:
    english = replace(EN, slug="a-meeting-of-the-csto-council-of-defense-ministers-was-held")
    assert "slug" not in evidence(score(traits(english), traits(RU)))
    assert pair_ids(english, RU) == {(1, 2)}  # names and numbers are enough


def test_numbers_names_and_dates_each_count() -> None:
    no_slug = replace(EN, slug="x")
    base = score(traits(no_slug), traits(RU))
    other_numbers = replace(RU, body=RU.body.replace("11", "17").replace("2 000", "900"))
    other_names = replace(RU, lead=RU.lead.replace("Имангали Тасмагамбетов", "Жапаров"),
                          title=RU.title.replace("Минске", "Москве"))
    other_dates = replace(RU, lead=RU.lead.replace("5 февраля", "3 февраля"))
    assert base is not None
    for changed, signal in ((other_numbers, "numbers"), (other_names, "names"),
                            (other_dates, "dates")):
        worse = score(traits(no_slug), traits(changed))
        assert worse is not None and worse.confidence < base.confidence, signal
        assert evidence(worse)[signal] < evidence(base)[signal], signal


def test_another_section_lowers_the_confidence() -> None:
    speech = replace(RU, section="speech")
    same, other = score(traits(EN), traits(RU)), score(traits(EN), traits(speech))
    assert same is not None and other is not None
    assert evidence(other)["section"] == 0.0 and other.confidence < same.confidence


def test_dates_more_than_a_day_apart_are_never_paired() -> None:
    next_day = replace(RU, published=DAY + timedelta(days=1))
    assert pair_ids(EN, next_day) == {(1, 2)}
    assert evidence(score(traits(EN), traits(next_day)))["day"] < 1.0
    for days in (2, 3, 30):
        later = replace(RU, published=DAY + timedelta(days=days))
        assert score(traits(EN), traits(later)) is None
        assert pair_ids(EN, later) == set()
    assert pair_ids(replace(EN, published=None), RU) == set()


def test_two_similar_stories_on_one_day_are_left_unpaired() -> None:
    # One English story, two Russian ones that the evidence cannot tell apart.
    twin = replace(RU, id=4, slug=RU.slug + "-2")
    assert pair_ids(EN, RU, twin) == set()
    # Told apart by a name: the right one is paired, the other left alone.
    assert pair_ids(EN, RU, replace(RU_YEREVAN, published=DAY)) == {(1, 2)}


def test_a_story_in_one_language_only_stays_unpaired() -> None:
    assert pair_ids(EN) == set() and pair_ids(RU) == set()
    unrelated = Version(id=9, language="ru", section="speech", published=DAY,
                        slug="vystuplenie-generalnogo-sekretarya", title="Выступление",
                        body="Уважаемые коллеги! Благодарю за внимание.")
    assert pair_ids(EN, unrelated) == set()


def test_a_rejected_pair_is_not_made_and_still_competes() -> None:
    assert pair_ids(EN, RU, rejected={(1, 2)}) == set()
    copy = replace(RU, id=5)  # as good as the rejected one: still ambiguous
    assert pair_ids(EN, RU, copy, rejected={(1, 2)}) == set()


class Translator:
    def __init__(self, answers: dict[str, str]) -> None:
        self.answers = answers

    def translate(self, text: str, source: str, target: str) -> str | None:
        return self.answers.get(text)


def test_a_translator_adds_title_similarity() -> None:
    english = replace(EN, slug="a-meeting-of-the-csto-council-of-defense-ministers")
    bare_en = replace(english, lead="", body="")
    bare_ru = replace(RU, lead="", body="", slug="zasedanie-sovmina")
    assert pair_ids(bare_en, bare_ru) == set()  # nothing but the day and the section
    translator = Translator({RU.title: "Meeting of CSTO Council of Defence Ministers held in "
                                       "Minsk"})
    found = evidence(score(traits(bare_en), traits(bare_ru), translator))
    assert found["translation"] > 0.7
    assert pair_ids(bare_en, bare_ru, translator=translator) == {(1, 2)}
    failing = Translator({})  # a provider failure: no signal, not a veto
    assert "translation" not in evidence(score(traits(EN), traits(RU), failing))
    assert pair_ids(EN, RU, translator=failing) == {(1, 2)}
