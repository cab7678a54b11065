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
    assert "отмечен в Бокейординском районе: 72,4 % жителей" in text
    assert "Лидер по охвату — Таскалинский район: 100,6 %." in text
    assert "(16 727) превышает зарегистрированную численность населения (16 629)" in text
    assert "В Жангалинском, Таскалинском и Чингирлауском районах перепись завершена досрочно." in text
    assert "В Каратобинском и Сырымском районах перепись близится к завершению." in text
    assert "от 90,8 % до 96,1 %" in text
    # Numbers use a no-break space: a figure never breaks across lines in a release.
    assert f"308{NBSP}529" in body["text"]
    assert f"40,7{NBSP}%" in body["text"]


# The demo day as a Kazakh press officer publishes it (the kk review, section 5): a headline, not the region's bare
# name as a sentence; the day's news: the days left to door-to-door's end as known that day (the extension to
# 8 Nov was decided on the 28th; online had closed on 15 Oct, so there is no call to answer online);
# the press date "2021 жылғы 27 қазандағы";
# name as a sentence; "үйме-үй аралау" and "санақ жүргізушілер", the product's terms; "-ы" on a percentage after a
# genitive; "Ондағы" so the over-100 sentence is about Tasqala; districts listed once with one "аудандарында";
# the city as the press writes it ("Орал қаласы", not the classifier's "Орал қ.ә."); the door-to-door day from the
# demo's illustrative visits (doors not opened, revisits); where the figures come from.
KAZAKH_DEMO_DAY = """Батыс Қазақстан облысы: санақ халықтың 87,2 %-ын қамтыды

Үйме-үй аралау 2021 жылғы 30 қазанда аяқталады: 3 күн қалды.

2021 жылғы 27 қазандағы жағдай бойынша санақ сұрақтарына онлайн режимде 308 529 адам (халықтың 46,4 %-ы) \
жауап берді. \
Тағы 270 695 адам (40,7 %) үйме-үй аралау кезінде санақ жүргізушілерге жауап берді. \
Барлығы санаққа 579 224 адам қатысты, бұл тіркелген халық санының 87,2 %-ы. \
Онлайн режимде қатысудың ең жоғары көрсеткіші Бөкей ордасы ауданында тіркелді: тұрғындардың 72,4 %-ы. \
Одан кейін — Қаратөбе ауданы (70,0 %) және Шыңғырлау ауданы (70,0 %). \
Қамту бойынша көшбасшы — Тасқала ауданы: 100,6 %. \
Ондағы санаққа қатысқандар саны (16 727) тіркелген халық санынан (16 629) асып түсті; мұндай деректер тексеріледі. \
Сондай-ақ қамту 100 % шегінен асты: Шыңғырлау ауданы (100,2 %). \
Жаңақала, Тасқала және Шыңғырлау аудандарында санақ мерзімінен бұрын аяқталды. \
Қаратөбе және Сырым аудандарында санақ аяқталу сатысында. \
Қалған аудандарда қамту 90,8 % – 96,1 % аралығында. \
Орал қаласында қамту — 77,3 %. \
210 үй шаруашылығы санақ жүргізушілерге есік ашпады. 536 қайта бару жоспарланған.

Дереккөз: статистика органдарының санақ барысы туралы күндік деректері."""

RUSSIAN_DEMO_DAY = """Западно-Казахстанская область: перепись охватила 87,2 % населения

Сплошной обход завершается 30 октября 2021 г.: остаётся 3 дня.

По состоянию на 27 октября 2021 г. на вопросы переписи в онлайн-режиме ответили 308 529 человек (46,4 % населения). \
Ещё 270 695 человек (40,7 %) ответили на вопросы переписчиков в ходе сплошного обхода. \
Всего в переписи приняли участие 579 224 человека — 87,2 % от зарегистрированной численности населения. \
Самый высокий показатель участия в онлайн-режиме отмечен в Бокейординском районе: 72,4 % жителей. \
Далее следуют Каратобинский район (70,0 %) и Чингирлауский район (70,0 %). \
Лидер по охвату — Таскалинский район: 100,6 %. \
Здесь число участников переписи (16 727) превышает зарегистрированную численность населения (16 629); \
такие данные проходят проверку. \
Охват выше 100 % отмечен также: Чингирлауский район (100,2 %). \
В Жангалинском, Таскалинском и Чингирлауском районах перепись завершена досрочно. \
В Каратобинском и Сырымском районах перепись близится к завершению. \
По остальным районам охват составляет от 90,8 % до 96,1 %. \
В городе Уральск охват составляет 77,3 %. \
210 домохозяйств не открыли дверь интервьюерам. Запланировано 536 повторных посещений.

Источник: ежедневные данные органов статистики о ходе переписи."""


def test_the_kazakh_briefing_of_the_demo_day_reads_as_a_press_officer_writes(wko_reader):
    text = briefing(wko_reader, "kk")["text"]

    assert plain(text) == KAZAKH_DEMO_DAY
    # No classifier abbreviation, no "офлайн форматта", and percentages never break from their number.
    assert "қ.ә." not in text and "офлайн" not in text
    assert f"46,4{NBSP}%-ы" in text


def test_the_russian_briefing_of_the_demo_day_reads_as_a_press_officer_writes(wko_reader):
    text = briefing(wko_reader, "ru")["text"]

    assert plain(text) == RUSSIAN_DEMO_DAY
    assert "г.а." not in text and "офлайн" not in text


@pytest.mark.parametrize(
    ("lang", "news", "call"),
    [
        (
            "ru",
            "28 октября 2021 г. принято решение продлить онлайн-перепись и сплошной обход до 8 ноября 2021 г. "
            "Сплошной обход завершается 8 ноября 2021 г.: остаётся 11 дней.",
            "Жители, ещё не прошедшие перепись, могут ответить на её вопросы онлайн до 8 ноября 2021 г. "
            "через sanaq.gov.kz, eGov и Aitu.",
        ),
        (
            "kk",
            "2021 жылғы 28 қазанда онлайн-санақ пен үйме-үй аралау мерзімін 2021 жылғы 8 қарашаға дейін ұзарту туралы "
            "шешім қабылданды. Үйме-үй аралау 2021 жылғы 8 қарашада аяқталады: 11 күн қалды.",
            "Санаққа әлі қатыспаған тұрғындар 2021 жылғы 8 қарашаға дейін sanaq.gov.kz, eGov және Aitu арқылы онлайн "
            "режимде қатыса алады.",
        ),
    ],
)
def test_the_briefing_of_the_extensions_day_announces_it_and_says_where_to_answer_online(wko_reader, lang, news, call):
    # when the briefing is asked as of 28 Oct, the day the region extended both channels to 8 Nov (the seed's news)
    paragraphs = plain(briefing(wko_reader, lang, date="2021-10-28")["text"]).split("\n\n")

    # then the news follows the headline, and the call to take part online (the demo campaign's channels) comes
    # after the figures, before the source
    assert paragraphs[1] == news
    assert paragraphs[-2] == call
    assert len(paragraphs) == 5


def test_the_english_briefing_writes_numbers_the_english_way(wko_reader):
    text = briefing(wko_reader, "en")["text"]

    assert "308,529 people (46.4% of the population)" in text
    assert "270,695 people (40.7%)" in text
    assert "Bokeyorda District: 72.4% of residents" in text
    assert "Taskala District leads in coverage with 100.6%." in text
    assert "The census was completed early in Zhangala, Taskala and Chingirlau districts." in text
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
    # Whole shares of a small baseline in one day, to make round percentages: confirmed past the plausibility checks.
    record_count(
        campaign=campaign, district=district, date=day, online=online, offline=offline, source=AuditEntry.Source.COMMAND,
        confirm_implausible=True, reason="briefing wording test",
    )  # fmt: skip


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
    assert ") ответил на вопросы переписчиков в ходе сплошного обхода." in text
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
    assert region_briefing(campaign, region, "kk") == "2021 жылғы 10 қазандағы жағдай бойынша санақ деректері әлі жоқ."


def test_other_districts_with_one_figure_read_as_one_figure_not_a_range_from_it_to_itself(campaign, after_campaign):
    # given a leader and five other districts, each at exactly 30.0%
    region = factories.RegionFactory(kato="360000000", name_ru="Другая область", name_kk="Басқа облыс")
    for n in range(1, 7):
        district = factories.DistrictFactory(region=region, kato=f"36{n}000000", name_ru=f"Район {n}", name_kk=f"Аудан {n}")
        factories.BaselineFactory(district=district, campaign=campaign, population=1000)
        enter(campaign, district, datetime.date(2021, 9, 10), 900 if n == 1 else 300, 0)

    texts = {language: region_briefing(campaign, region, language) for language in ("ru", "kk", "en")}

    assert "от 30,0 % до 30,0 %" not in texts["ru"]
    assert "В остальных районах охват одинаков: 30,0 %." in texts["ru"], texts["ru"]
    assert "Қалған аудандардың әрқайсысында қамту — 30,0 %." in texts["kk"], texts["kk"]
    assert "In the other districts coverage is 30.0% in each." in texts["en"], texts["en"]
