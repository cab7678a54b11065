"""The briefing text: the seed's facts in Russian, Kazakh and English, numbers and plurals as each language writes them."""

import datetime

import pytest

from census.models import AuditEntry
from census.services import record_count, set_status
from reports.briefing import briefing_text
from reports.services import drain_recompute_outbox
from tests import factories

OCT_27 = datetime.date(2021, 10, 27)
NBSP = "\xa0"


def plain(text: str) -> str:
    """The text with no-break spaces (between thousands, before %) read as spaces."""
    return text.replace(NBSP, " ")


def briefing(client, lang, **params):
    query = "&".join(f"{k}={v}" for k, v in {"date": "2021-10-27", "lang": lang, **params}.items())
    response = client.get(f"/api/v1/briefing/?{query}")
    assert response.status_code == 200, response.content
    return response.json()


def test_the_russian_briefing_carries_the_seeds_facts(wko_reader):
    body = briefing(wko_reader, "ru", region="270000000")
    text = plain(body["text"])

    assert body["as_of"] == "2021-10-27"
    assert "По состоянию на 27 октября 2021 г." in text
    assert "ответили 308 529 человек (46,4 % населения)" in text
    assert "270 695 человек (40,7 %)" in text
    assert "Бокейординский район: 72,4 % жителей" in text
    assert "Лидер по охвату — Таскалинский район: 100,6 %." in text
    assert "(16 727) превышает зарегистрированную численность населения (16 629)" in text
    assert "Перепись досрочно завершена: Жангалинский район, Таскалинский район и Чингирлауский район." in text
    assert "На стадии завершения: Каратобинский район и Сырымский район." in text
    assert "от 90,8 % до 96,1 %" in text
    # Numbers use a no-break space: a figure never breaks across lines in a release.
    assert f"308{NBSP}529" in body["text"]
    assert f"40,7{NBSP}%" in body["text"]


def test_the_kazakh_briefing_carries_the_same_facts_in_kazakh(wko_reader):
    text = plain(briefing(wko_reader, "kk")["text"])

    assert text.startswith("Батыс Қазақстан облысы. 27.10.2021 ж. жағдай бойынша")
    assert "онлайн режимде 308 529 адам (халықтың 46,4 %) жауап берді" in text
    assert "Тағы 270 695 адам (40,7 %) санақтан офлайн форматта өтті." in text
    assert "Бөкей ордасы ауданы: тұрғындардың 72,4 %" in text
    assert "Қамту бойынша көшбасшы — Тасқала ауданы: 100,6 %." in text
    assert "Санақ мерзімінен бұрын аяқталды: Жаңақала ауданы, Тасқала ауданы және Шыңғырлау ауданы." in text
    assert "Аяқталу сатысында: Қаратөбе ауданы және Сырым ауданы." in text


def test_the_english_briefing_writes_numbers_the_english_way(wko_reader):
    text = briefing(wko_reader, "en")["text"]

    assert "308,529 people (46.4% of the population)" in text
    assert "270,695 people (40.7%)" in text
    assert "Bokeyorda District: 72.4% of residents" in text
    assert "Taskala District leads in coverage with 100.6%." in text
    assert "Completed early: Zhangala District, Taskala District and Chingirlau District." in text
    assert NBSP not in text


def test_the_language_comes_from_accept_language_when_lang_is_not_given(wko_reader):
    response = wko_reader.get("/api/v1/briefing/?date=2021-10-27", HTTP_ACCEPT_LANGUAGE="kk")

    assert response.json()["language"] == "kk"
    assert "Тасқала ауданы" in response.json()["text"]


def test_an_unknown_briefing_language_is_a_400(wko_reader):
    response = wko_reader.get("/api/v1/briefing/?lang=de")

    assert response.status_code == 400
    assert "lang" in response.json()["errors"]


# --- Grammar of numbers, on data of our own -------------------------------------------------------------


@pytest.fixture
def small_region(campaign, after_campaign):
    """A region of three districts whose figures the tests choose."""
    region = factories.RegionFactory(kato="350000000", name_ru="Тестовая область", name_kk="Сынақ облысы")
    districts = [
        factories.DistrictFactory(region=region, kato=f"35{n}000000", name_ru=f"Район {n}", name_kk=f"Аудан {n}")
        for n in (1, 2, 3)
    ]
    for district in districts:
        factories.BaselineFactory(district=district, campaign=campaign, population=1000)
    return region, districts


def enter(campaign, district, day, online, offline):
    record_count(campaign=campaign, district=district, date=day, online=online, offline=offline, source=AuditEntry.Source.COMMAND)


def region_briefing(campaign, region, language):
    drain_recompute_outbox()
    return plain(briefing_text(region=region, as_of=datetime.date(2021, 10, 10), language=language, campaign=campaign))


@pytest.mark.parametrize(
    ("online", "russian", "english"),
    [
        (1, "ответил 1 человек", "1 person ("),
        (2, "ответили 2 человека", "2 people"),
        (4, "ответили 4 человека", "4 people"),
        (5, "ответили 5 человек", "5 people"),
        (11, "ответили 11 человек", "11 people"),
        (21, "ответил 21 человек", "21 people"),
        (22, "ответили 22 человека", "22 people"),
        (112, "ответили 112 человек", "112 people"),
    ],
)
def test_counts_of_people_agree_with_their_number(campaign, small_region, online, russian, english):
    # given one district with `online` people counted online in all the region
    region, (first, *_rest) = small_region
    enter(campaign, first, datetime.date(2021, 9, 10), online, 0)

    # then
    assert russian in region_briefing(campaign, region, "ru")
    assert english in region_briefing(campaign, region, "en")
    assert f"онлайн режимде {online} адам" in region_briefing(campaign, region, "kk")


def test_one_person_counted_offline_reads_in_the_singular(campaign, small_region):
    region, (first, *_rest) = small_region
    enter(campaign, first, datetime.date(2021, 10, 5), 3, 1)

    text = region_briefing(campaign, region, "ru")

    assert "Ещё 1 человек (" in text
    assert ") прошёл перепись в офлайн-формате." in text
    assert "Всего в переписи приняли участие 4 человека" in text


def test_a_single_completed_district_and_a_single_remaining_one_read_naturally(campaign, small_region):
    # given district 1 completed, district 2 the leader, district 3 the only other one
    region, (first, second, third) = small_region
    enter(campaign, first, datetime.date(2021, 9, 10), 500, 0)
    enter(campaign, second, datetime.date(2021, 9, 10), 900, 0)
    enter(campaign, third, datetime.date(2021, 9, 10), 300, 0)
    set_status(
        campaign=campaign, district=first, status="completed", date=datetime.date(2021, 10, 1), source=AuditEntry.Source.COMMAND
    )

    text = region_briefing(campaign, region, "ru")

    assert "Перепись завершена: Район 1." in text
    assert "Лидер по охвату — Район 2: 90,0 %." in text
    assert "превышает" not in text
    assert "Район 3: охват составляет 30,0 %." in text
    assert "Далее следуют Район 1 (50,0 %) и Район 3 (30,0 %)." in text


def test_a_region_without_figures_says_so(campaign, small_region):
    region, _districts = small_region

    assert region_briefing(campaign, region, "ru") == "Данных переписи по состоянию на 10 октября 2021 г. пока нет."
    assert region_briefing(campaign, region, "kk") == "10.10.2021 ж. жағдай бойынша санақ деректері әлі жоқ."
