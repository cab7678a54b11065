"""Names and lists of places as the press writes them, in Kazakh, Russian and English, on names of our own."""

import datetime

import pytest
from django.utils import translation

from census.models import AuditEntry, Phase
from census.services import extend_phase, record_count, set_status
from reports.briefing import briefing_text
from reports.press import in_places, press_name
from reports.services import drain_recompute_outbox
from tests import factories


def _in(language: str, names: list[str]):
    with translation.override(language):
        return in_places(names)


def _press(language: str, name: str) -> str:
    with translation.override(language):
        return press_name(name)


@pytest.mark.parametrize(
    ("language", "classifier", "press"),
    [
        ("kk", "Орал қ.ә.", "Орал қаласы"),
        ("kk", "Ақсай қ.", "Ақсай қаласы"),
        ("kk", "Тасқала ауданы", "Тасқала ауданы"),
        ("ru", "г.а. Уральск", "город Уральск"),
        ("ru", "г. Аксай", "город Аксай"),
        ("ru", "Таскалинский район", "Таскалинский район"),
        ("en", "Oral (Uralsk) city", "Oral (Uralsk) city"),
    ],
)
def test_a_city_is_named_as_the_press_names_it(language, classifier, press):
    assert _press(language, classifier) == press


@pytest.mark.parametrize(
    ("names", "kazakh"),
    [
        (["Тасқала ауданы"], "Тасқала ауданында"),
        (["Тасқала ауданы", "Сырым ауданы"], "Тасқала және Сырым аудандарында"),
        (["Жаңақала ауданы", "Тасқала ауданы", "Шыңғырлау ауданы"], "Жаңақала, Тасқала және Шыңғырлау аудандарында"),
        (["Бөкей ордасы ауданы", "Бәйтерек ауданы"], "Бөкей ордасы және Бәйтерек аудандарында"),
        (["Орал қаласы"], "Орал қаласында"),
        (["Орал қаласы", "Ақсай қаласы"], "Орал және Ақсай қалаларында"),
        (["Тасқала ауданы", "Сырым ауданы", "Орал қаласы"], "Тасқала және Сырым аудандарында және Орал қаласында"),
    ],
)
def test_kazakh_names_one_plural_kind_after_the_list(names, kazakh):
    assert _in("kk", names) == kazakh


@pytest.mark.parametrize(
    ("names", "russian"),
    [
        (["Таскалинский район"], "в Таскалинском районе"),
        (["Таскалинский район", "Сырымский район"], "в Таскалинском и Сырымском районах"),
        (
            ["Жангалинский район", "Таскалинский район", "Чингирлауский район"],
            "в Жангалинском, Таскалинском и Чингирлауском районах",
        ),
        (["район Биржан сал"], "в районе Биржан сал"),
        (["район Биржан сал", "район Магжана Жумабаева"], "в районах Биржан сал и Магжана Жумабаева"),
        (["Таскалинский район", "район Биржан сал"], "в Таскалинском районе и в районе Биржан сал"),
        (["город Уральск"], "в городе Уральск"),
        (["город Уральск", "город Аксай"], "в городах Уральск и Аксай"),
    ],
)
def test_russian_declines_the_adjectives_and_names_the_kind_once(names, russian):
    assert _in("ru", names) == russian


@pytest.mark.parametrize(
    ("names", "english"),
    [
        (["Taskala District"], "in Taskala District"),
        (["Taskala District", "Syrym District"], "in Taskala and Syrym districts"),
        (["Taskala District", "Oral (Uralsk) city"], "in Taskala District and Oral (Uralsk) city"),
    ],
)
def test_english_names_districts_once(names, english):
    assert _in("en", names) == english


@pytest.mark.parametrize(
    ("language", "names"),
    [("kk", ["Аудан 1"]), ("kk", ["Тасқала ауданы", "Ақсай"]), ("ru", ["Район 1"]), ("ru", ["Таскалинский район", "Аксай"])],
)
def test_a_name_of_an_unknown_shape_gives_no_phrase(language, names):
    # The briefing then lists the names as they are rather than decline one wrongly.
    assert _in(language, names) is None


# --- In the briefing, on a region of our own ----------------------------------------------------------


@pytest.fixture
def named_region(campaign, after_campaign):
    """A region of three districts and a city, named as the classifier names them."""
    region = factories.RegionFactory(kato="330000000", name_kk="Сынақ облысы", name_ru="Тестовая область", name_en="Test Region")
    rows = [
        ("331000000", "district", "Ақжайық ауданы", "Акжаикский район", "Akzhaik District"),
        ("332000000", "district", "Бөрлі ауданы", "Бурлинский район", "Burli District"),
        ("333000000", "district", "Сырым ауданы", "Сырымский район", "Syrym District"),
        ("334000000", "city", "Ақсай қ.ә.", "г.а. Аксай", "Aksai city"),
    ]
    districts = []
    for kato, kind, kk, ru, en in rows:
        district = factories.DistrictFactory(region=region, kato=kato, kind=kind, name_kk=kk, name_ru=ru, name_en=en)
        factories.BaselineFactory(district=district, campaign=campaign, population=1000)
        districts.append(district)
    return region, districts


def _enter(campaign, district, online):
    # A district's whole count in one day: past the plausibility check on purpose, so confirmed with a reason.
    record_count(
        campaign=campaign,
        district=district,
        date=datetime.date(2021, 9, 10),
        online=online,
        offline=0,
        source=AuditEntry.Source.COMMAND,
        confirm_implausible=True,
        reason="one report for the whole count",
    )


def _complete(campaign, districts):
    for district in districts:
        set_status(
            campaign=campaign,
            district=district,
            status="completed",
            date=datetime.date(2021, 10, 1),
            source=AuditEntry.Source.COMMAND,
        )


def _briefing(campaign, region, language, as_of=datetime.date(2021, 10, 10)):
    drain_recompute_outbox()
    return briefing_text(region=region, as_of=as_of, language=language, campaign=campaign).replace("\xa0", " ")


@pytest.mark.parametrize(
    ("completed", "kazakh", "russian"),
    [
        (1, "Ақжайық ауданында санақ аяқталды.", "В Акжаикском районе перепись завершена."),
        (2, "Ақжайық және Бөрлі аудандарында санақ аяқталды.", "В Акжаикском и Бурлинском районах перепись завершена."),
        (
            3,
            "Ақжайық, Бөрлі және Сырым аудандарында санақ аяқталды.",
            "В Акжаикском, Бурлинском и Сырымском районах перепись завершена.",
        ),
    ],
)
def test_the_briefing_lists_one_two_or_three_completed_districts_naming_the_kind_once(
    campaign, named_region, completed, kazakh, russian
):
    region, districts = named_region
    for online, district in zip((400, 500, 600, 700), districts, strict=True):
        _enter(campaign, district, online)
    _complete(campaign, districts[:completed])

    kk, ru = _briefing(campaign, region, "kk"), _briefing(campaign, region, "ru")

    assert kazakh in kk
    assert russian in ru
    assert "ауданы, " not in kk and "район, " not in ru  # no "… ауданы, … ауданы және …"


def test_the_briefing_opens_on_a_headline_and_ends_on_its_source(campaign, named_region):
    region, districts = named_region
    for district in districts:
        _enter(campaign, district, 250)

    kk = _briefing(campaign, region, "kk").split("\n\n")
    ru = _briefing(campaign, region, "ru").split("\n\n")

    # a headline, the day's news (the days left: this campaign names no online channels to call readers to),
    # the figures, and the source
    assert kk[0] == "Сынақ облысы: санақ халықтың 25,0 %-ын қамтыды"
    assert kk[1] == "Үйме-үй аралау 2021 жылғы 30 қазанда аяқталады: 20 күн қалды."
    assert kk[2].startswith(
        "2021 жылғы 10 қазандағы жағдай бойынша санақ сұрақтарына онлайн режимде 1 000 адам (халықтың 25,0 %-ы)"
    )
    assert kk[3] == "Дереккөз: статистика органдарының санақ барысы туралы күндік деректері."
    assert ru[0] == "Тестовая область: перепись охватила 25,0 % населения"
    assert ru[1] == "Сплошной обход завершается 30 октября 2021 г.: остаётся 20 дней."
    assert ru[2].startswith("По состоянию на 10 октября 2021 г.")
    assert ru[3] == "Источник: ежедневные данные органов статистики о ходе переписи."
    assert len(kk) == len(ru) == 4


def test_the_city_is_named_as_the_press_names_it_in_the_briefing(campaign, named_region):
    region, districts = named_region
    for online, district in zip((300, 400, 500, 770), districts, strict=True):
        _enter(campaign, district, online)

    kk, ru = _briefing(campaign, region, "kk"), _briefing(campaign, region, "ru")

    assert "Ақсай қаласы" in kk and "қ.ә." not in kk
    assert "город Аксай" in ru and "г.а." not in ru
    # The city leads in online participation; the only other district is named with its coverage.
    assert "Онлайн режимде қатысудың ең жоғары көрсеткіші Ақсай қаласында тіркелді: тұрғындардың 77,0 %-ы." in kk


@pytest.mark.parametrize(
    ("day", "kazakh"),
    [
        (datetime.date(2021, 9, 1), "2021 жылғы 1 қыркүйектегі"),
        (datetime.date(2021, 10, 27), "2021 жылғы 27 қазандағы"),
        (datetime.date(2021, 11, 8), "2021 жылғы 8 қарашадағы"),
        (datetime.date(2022, 1, 15), "2022 жылғы 15 қаңтардағы"),
        (datetime.date(2022, 4, 2), "2022 жылғы 2 сәуірдегі"),
    ],
)
def test_the_kazakh_briefing_dates_its_figures_as_a_release_does(campaign, named_region, day, kazakh):
    region, _districts = named_region

    text = briefing_text(region=region, as_of=day, language="kk", campaign=campaign)

    assert text == f"{kazakh} жағдай бойынша санақ деректері әлі жоқ."


# --- The day's news and the call to action --------------------------------------------------------------------


def _paragraphs(campaign, region, language, as_of):
    return _briefing(campaign, region, language, as_of).split("\n\n")


@pytest.mark.parametrize(
    ("language", "call"),
    [
        ("kk", "Санаққа әлі қатыспаған тұрғындар 2021 жылғы 15 қазанға дейін sanaq.gov.kz, eGov және Aitu арқылы онлайн режимде қатыса алады."),
        ("ru", "Жители, ещё не прошедшие перепись, могут ответить на её вопросы онлайн до 15 октября 2021 г. через sanaq.gov.kz, eGov и Aitu."),
        ("en", "Residents who have not yet taken part can still answer the census online until 15 October 2021 via sanaq.gov.kz, eGov and Aitu."),
    ],
)  # fmt: skip
def test_while_online_is_open_the_briefing_calls_readers_to_the_campaigns_own_channels(campaign, named_region, language, call):
    # given a campaign that names where its residents answer online
    region, districts = named_region
    _enter(campaign, districts[0], 250)
    campaign.online_channels = "sanaq.gov.kz, eGov , Aitu"
    campaign.save()

    # when
    paragraphs = _paragraphs(campaign, region, language, datetime.date(2021, 10, 10))

    # then the call comes after the figures, just before the source
    assert paragraphs[-2] == call


def test_another_campaign_calls_readers_to_its_own_channels_and_none_once_online_has_closed(campaign, named_region):
    region, districts = named_region
    _enter(campaign, districts[0], 250)
    campaign.online_channels = "census.example, App"
    campaign.save()

    open_day = _briefing(campaign, region, "en", datetime.date(2021, 10, 15))
    closed_day = _briefing(campaign, region, "en", datetime.date(2021, 10, 16))

    assert "online until 15 October 2021 via census.example and App." in open_day
    assert "sanaq" not in open_day
    assert "answer the census online" not in closed_day


@pytest.mark.parametrize(
    ("as_of", "language", "news"),
    [
        # the day before the decision: the end as it was then known
        ("2021-10-27", "ru", "Сплошной обход завершается 30 октября 2021 г.: остаётся 3 дня."),
        ("2021-10-27", "kk", "Үйме-үй аралау 2021 жылғы 30 қазанда аяқталады: 3 күн қалды."),
        ("2021-10-27", "en", "Door-to-door counting ends on 30 October 2021: 3 days are left."),
        # the day of the decision: the news, then the new end
        (
            "2021-10-28",
            "ru",
            "28 октября 2021 г. принято решение продлить сплошной обход до 8 ноября 2021 г. "
            "Сплошной обход завершается 8 ноября 2021 г.: остаётся 11 дней.",
        ),
        (
            "2021-10-28",
            "kk",
            "2021 жылғы 28 қазанда үйме-үй аралау мерзімін 2021 жылғы 8 қарашаға дейін ұзарту туралы шешім қабылданды. "
            "Үйме-үй аралау 2021 жылғы 8 қарашада аяқталады: 11 күн қалды.",
        ),
        (
            "2021-10-28",
            "en",
            "On 28 October 2021 it was decided to extend door-to-door counting until 8 November 2021. "
            "Door-to-door counting ends on 8 November 2021: 11 days are left.",
        ),
        # the day after: no longer news
        ("2021-10-29", "en", "Door-to-door counting ends on 8 November 2021: 10 days are left."),
        ("2021-11-07", "ru", "Сплошной обход завершается 8 ноября 2021 г.: остаётся 1 день."),
        ("2021-11-07", "en", "Door-to-door counting ends on 8 November 2021: 1 day is left."),
        ("2021-11-08", "ru", "Сплошной обход завершается сегодня, 8 ноября 2021 г."),
        ("2021-11-09", "kk", "Үйме-үй аралау 2021 жылғы 8 қарашада аяқталды."),
    ],
)
def test_the_news_is_the_extension_decided_that_day_and_the_days_left_as_then_known(
    campaign, named_region, as_of, language, news
):
    # given door-to-door extended from 30 Oct to 8 Nov by a decision of 28 Oct
    region, districts = named_region
    _enter(campaign, districts[0], 250)
    extend_phase(
        phase=campaign.phases.get(kind=Phase.Kind.DOOR_TO_DOOR), ends_on=datetime.date(2021, 11, 8),
        decided_on=datetime.date(2021, 10, 28), reason="regional decision", source=AuditEntry.Source.COMMAND,
    )  # fmt: skip

    # when
    paragraphs = _paragraphs(campaign, region, language, datetime.date.fromisoformat(as_of))

    # then the news comes right under the headline, with no later decision in it
    assert paragraphs[1] == news


def test_an_extension_for_another_region_is_no_news_here(campaign, named_region):
    region, districts = named_region
    _enter(campaign, districts[0], 250)
    elsewhere = factories.RegionFactory(kato="350000000")
    extend_phase(
        phase=campaign.phases.get(kind=Phase.Kind.DOOR_TO_DOOR), ends_on=datetime.date(2021, 11, 8),
        decided_on=datetime.date(2021, 10, 28), reason="regional decision", region=elsewhere,
        source=AuditEntry.Source.COMMAND,
    )  # fmt: skip

    paragraphs = _paragraphs(campaign, region, "en", datetime.date(2021, 10, 28))

    assert paragraphs[1] == "Door-to-door counting ends on 30 October 2021: 2 days are left."
