"""The public region page's "Where to take part": the self-service points open that day that it may list."""

import datetime
import html
import re

import pytest
import time_machine

from census.models import AuditEntry
from census.service_points import save_service_point
from reports.services import drain_recompute_outbox
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
