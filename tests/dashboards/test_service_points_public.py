"""Self-service points on the pages: the public region page's "Where to take part" (the points open that day it may
list) and the region dashboard's card (how many are open, and the districts without one)."""

import datetime
import html
import re

import pytest
import time_machine
from django.utils import translation

from census.models import AuditEntry
from census.service_points import record_point_use, save_service_point
from reports.dashboards.pages import region_context
from reports.dashboards.store import render_dashboard
from reports.models import RenderedDashboard
from reports.services import drain_recompute_outbox
from tests import factories
from tests.conftest import AFTER_CAMPAIGN
from tests.dashboards.test_widget import high_region  # noqa: F401 -- a fixture

SEP_1 = datetime.date(2021, 9, 1)


def add(campaign, district, name_kk, name_ru, **values):
    values = {"kind": "psc", "name_kk": name_kk, "name_ru": name_ru, "name_en": name_ru, "active_from": SEP_1} | values
    return save_service_point(campaign=campaign, district=district, values=values, source=AuditEntry.Source.COMMAND)


def listed(page: str) -> list[str]:
    section = page[page.index('id="points-title"') :]
    section = section[: section.index("</section>")]
    return [html.unescape(name) for name in re.findall(r"<li><strong><bdi[^>]*>(.*?)</bdi>", section)]


def test_the_region_page_lists_the_open_public_points_by_district_in_the_kazakh_alphabet(
    high_region,  # noqa: F811
    campaign,
    client,
):
    region, districts = high_region
    # Өзен comes after Ақжайық in Kazakh; the points are added in the other order on purpose.
    add(campaign, districts["173000000"], "Өзен ХҚКО", "ЦОН Озен", address="Жібек жолы, 5", opening_hours="09:00–18:00")
    add(campaign, districts["174000000"], "Ақжайық әкімдігі", "Акимат Акжаика", kind="akimat")
    add(campaign, districts["174000000"], "Жабық пункт", "Закрытый пункт", active_to=datetime.date(2021, 9, 30))
    add(campaign, districts["174000000"], "Қызметтік пункт", "Служебный пункт", public=False)
    drain_recompute_outbox()

    page = client.get(f"/kk/public/{region.kato}/?as_of=2021-10-27").content.decode()

    assert "Санаққа қайда қатысуға болады" in page
    assert listed(page) == ["Ақжайық әкімдігі", "Өзен ХҚКО"]
    assert "(әкімдік)" in page and "Жібек жолы, 5 · 09:00–18:00" in page


def test_a_city_s_points_name_it_as_the_press_does(high_region, campaign, client):  # noqa: F811
    region, _districts = high_region
    city = factories.DistrictFactory(region=region, kato="179000000", kind="city", name_kk="Орал қ.ә.", name_ru="г.а. Уральск")
    add(campaign, city, "Орал қаласының ХҚКО", "ЦОН города Уральск")
    drain_recompute_outbox()

    kazakh = client.get(f"/kk/public/{region.kato}/?as_of=2021-10-27").content.decode()
    russian = client.get(f"/ru/public/{region.kato}/?as_of=2021-10-27").content.decode()

    assert (
        'Орал қаласының ХҚКО</bdi></strong> <span class="muted">(халыққа қызмет көрсету орталығы (ХҚКО))</span> · <bdi lang="kk">Орал қаласы</bdi>'
        in kazakh
    )
    assert '· <bdi lang="ru">город Уральск</bdi>' in russian


def test_a_closed_point_is_still_listed_as_of_a_day_it_was_open(high_region, campaign, client):  # noqa: F811
    region, districts = high_region
    add(campaign, districts["174000000"], "Жабық пункт", "Закрытый пункт", active_to=datetime.date(2021, 9, 30))
    drain_recompute_outbox()

    assert listed(client.get(f"/ru/public/{region.kato}/?as_of=2021-09-30").content.decode()) == ["Закрытый пункт"]
    page = client.get(f"/ru/public/{region.kato}/?as_of=2021-10-01").content.decode()
    assert listed(page) == []
    assert "В этот день не работает ни один пункт самообслуживания." in page


@pytest.mark.parametrize("path", ["/en/public/", "/en/widget/170000000/"])
def test_the_country_page_and_the_widget_have_no_such_list(high_region, campaign, client, path):  # noqa: F811
    add(campaign, high_region[1]["174000000"], "Пункт", "Пункт")
    drain_recompute_outbox()

    page = client.get(path).content.decode()

    assert page and "points-title" not in page and "Where to take part" not in page


def test_a_point_added_later_appears_on_the_page_already_stored(
    high_region,  # noqa: F811
    campaign,
    client,
    django_capture_on_commit_callbacks,
):
    region, districts = high_region
    url = f"/en/public/{region.kato}/?as_of=2021-10-27"
    assert listed(client.get(url).content.decode()) == []

    # when: a minute later a point is added, and the coverage work it owes is done and committed
    with time_machine.travel(AFTER_CAMPAIGN + datetime.timedelta(minutes=1), tick=False):
        add(campaign, districts["173000000"], "Өзен ХҚКО", "Ozen public service centre")
        with django_capture_on_commit_callbacks(execute=True):
            drain_recompute_outbox()

    # then: the stored page is older than the figures it shows, so it is made again, with the point
    assert listed(client.get(url).content.decode()) == ["Ozen public service centre"]


def test_the_region_dashboard_counts_open_points_and_names_districts_without_one_lowest_online_first(
    high_region,  # noqa: F811
    campaign,
):
    region, districts = high_region
    add(campaign, districts["174000000"], "Ақжайық әкімдігі", "Акимат Акжаика", kind="akimat")
    add(campaign, districts["174000000"], "Ақжайық ХҚКО", "ЦОН Акжаика")
    # Closed before the day shown: Озен has no open point that day.
    add(campaign, districts["173000000"], "Өзен ХҚКО", "ЦОН Озен", active_to=datetime.date(2021, 9, 30))

    with translation.override("en"):
        card = region_context(campaign, region, datetime.date(2021, 10, 27))["points"]

    assert card["open_text"] == "2 points open, in 1 of 5 districts."
    # online 980, 985, 990 and 1,000 of 1,000 registered: the lowest first
    assert [(row["area"].name, row["online_text"]) for row in card["without"]] == [
        ("Казталовский район", "98.0%"),
        ("Бөкей район", "98.5%"),
        ("Озенский район", "99.0%"),
        ("Чингирлауский район", "100.0%"),
    ]
    page = render_dashboard(
        campaign=campaign, kind=RenderedDashboard.Kind.REGION, kato=region.kato, as_of=datetime.date(2021, 10, 27),
        languages=["kk"], pdf=False,
    )[0].html  # fmt: skip
    assert "Өзіне-өзі қызмет көрсету пункттері" in page
    assert "2 пункт жұмыс істейді: 5 ауданның ішінен 1 ауданда." in page


def test_a_campaign_without_points_shows_no_card(high_region, campaign):  # noqa: F811
    region, _districts = high_region

    assert region_context(campaign, region, datetime.date(2021, 10, 27))["points"] is None


def test_the_card_gives_the_points_share_of_the_days_online_answers_and_names_points_idle_for_3_days(
    high_region,  # noqa: F811
    campaign,
):
    region, districts = high_region
    oct_1 = datetime.date(2021, 10, 1)
    busy = add(campaign, districts["174000000"], "Ақжайық ХҚКО", "ЦОН Акжаика")
    add(campaign, districts["173000000"], "Өзен ХҚКО", "ЦОН Озен")
    # Opened two days before: not yet open for 3 days, so not named as idle.
    add(campaign, districts["172000000"], "Қазталов ХҚКО", "ЦОН Казталова", active_from=datetime.date(2021, 9, 30))
    record_point_use(campaign=campaign, point=busy, date=oct_1, assisted=99, source=AuditEntry.Source.FORM)

    with translation.override("en"):
        card = region_context(campaign, region, oct_1)["points"]

    # 4,950 answered online that day in the five districts (980 + 985 + 990 + 995 + 1,000)
    assert card["helped_text"] == "99 people helped at the points, 2.0% of the day's online answers."
    assert [point.name_ru for point in card["idle"]] == ["ЦОН Озен"]
    assert card["idle_title"] == "Open, but nobody helped there in the last 3 days"
