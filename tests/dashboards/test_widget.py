"""The widget and the public page's embed box on data of our own: Kazakh order, bars that tell 98% from 100%, district widgets."""

import datetime
import html
import re

import pytest
from django.utils import translation

from census.accounts import provision_user
from census.models import AuditEntry
from census.services import record_count, set_status
from reports.dashboards.areas import PublicArea
from reports.services import drain_recompute_outbox
from tests import factories

OCT_1 = datetime.date(2021, 10, 1)
FORM = AuditEntry.Source.FORM
# (KATO, Kazakh name, Russian name, people counted of 1,000 registered); listed here out of order on purpose.
DISTRICTS = [
    ("171000000", "Шыңғырлау ауданы", "Чингирлауский район", 1_000),
    ("172000000", "Қазталов ауданы", "Казталовский район", 980),
    ("173000000", "Өзен ауданы", "Озенский район", 990),
    ("174000000", "Ақжайық ауданы", "Акжаикский район", 995),
    ("175000000", "Казталовка ауданы", "Бөкей район", 985),
]
KAZAKH_ORDER = ["Ақжайық ауданы", "Казталовка ауданы", "Қазталов ауданы", "Өзен ауданы", "Шыңғырлау ауданы"]


@pytest.fixture
def high_region(campaign, after_campaign):
    """A region whose districts all stand at 98-100%, each published (in progress, nothing under review)."""
    region = factories.RegionFactory(kato="170000000", name_kk="Биік облысы", name_ru="Высокая область", name_en="High Region")
    staff = provision_user(username="stat.high", role="staff", kato=region.kato, password=None)
    districts = {}
    for kato, name_kk, name_ru, counted in DISTRICTS:
        district = factories.DistrictFactory(region=region, kato=kato, name_kk=name_kk, name_ru=name_ru, name_en=name_ru)
        factories.BaselineFactory(district=district, campaign=campaign, population=1_000)
        # The whole count on one day, past the plausibility check on purpose: confirmed, with a reason.
        record_count(
            campaign=campaign, district=district, date=OCT_1, online=counted, offline=0, user=staff, source=FORM,
            confirm_implausible=True, reason="one report for the whole count",
        )  # fmt: skip
        set_status(campaign=campaign, district=district, status="in_progress", date=OCT_1, user=staff, source=FORM, note="")
        districts[kato] = district
    drain_recompute_outbox()
    return region, districts


def widget_rows(page: str) -> list[tuple[str, float | None]]:
    """(name, filled width of its bar out of 120) per row of the widget's list, in page order."""
    rows = []
    for item in re.findall(r"<li>(.*?)</li>", page, flags=re.S):
        name = re.search(r'<span class="widget-name"><bdi[^>]*>(.*?)</bdi>', item).group(1)
        bars = re.findall(r'<rect x="0" y="0" width="([\d.]+)"', item)
        rows.append((html.unescape(name), float(bars[1]) if len(bars) > 1 else None))
    return rows


def test_the_kazakh_widget_lists_districts_in_kazakh_alphabetical_order(high_region, client):
    region, _districts = high_region

    page = client.get(f"/kk/widget/{region.kato}/").content.decode()

    assert [name for name, _bar in widget_rows(page)] == KAZAKH_ORDER


def test_the_public_page_lists_them_in_the_same_order(high_region, client):
    region, _districts = high_region

    page = client.get(f"/kk/public/{region.kato}/").content.decode()

    positions = [page.index(name) for name in KAZAKH_ORDER]
    assert positions == sorted(positions)


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_bars_of_figures_between_98_and_100_percent_are_told_apart_and_say_where_they_start(high_region, client, language):
    region, _districts = high_region

    page = client.get(f"/{language}/widget/{region.kato}/").content.decode()

    by_figure = sorted(bar for _name, bar in widget_rows(page))
    # 98.0, 98.5, 99.0, 99.5, 100.0%: each half point is several pixels of the 120-unit bar, not a fraction of one.
    assert all(later - earlier >= 5 for earlier, later in zip(by_figure, by_figure[1:], strict=False))
    assert by_figure[0] > 0  # the lowest still shows a bar
    note = {"kk": "Шкала 95 % деңгейінен басталады.", "ru": "Полосы начинаются с 95 %.", "en": "Bars start at 95%."}
    assert note[language] in page.replace("\xa0", " ")


def test_bars_start_at_zero_when_a_figure_is_low(campaign, after_campaign, client):
    region = factories.RegionFactory(kato="180000000")
    staff = provision_user(username="stat.low", role="staff", kato=region.kato, password=None)
    for kato, counted in (("181000000", 300), ("182000000", 990)):
        district = factories.DistrictFactory(region=region, kato=kato)
        factories.BaselineFactory(district=district, campaign=campaign, population=1_000)
        # The whole count on one day, past the plausibility check on purpose: confirmed, with a reason.
        record_count(
            campaign=campaign, district=district, date=OCT_1, online=counted, offline=0, user=staff, source=FORM,
            confirm_implausible=True, reason="one report for the whole count",
        )  # fmt: skip
        set_status(campaign=campaign, district=district, status="in_progress", date=OCT_1, user=staff, source=FORM, note="")
    drain_recompute_outbox()

    page = client.get(f"/en/widget/{region.kato}/").content.decode()

    bars = sorted(bar for _name, bar in widget_rows(page))
    assert bars == pytest.approx([120 * 30 / 110, 120 * 99 / 110], abs=0.1)
    assert "Bars start at" not in page


@pytest.mark.parametrize(
    ("language", "as_of"), [("kk", "30 қазан 2021 ж."), ("ru", "30 октября 2021"), ("en", "30 October 2021")]
)
def test_a_district_has_a_widget_of_its_own(high_region, client, language, as_of):
    # (after the campaign: the figures of its last day, 30 Oct, carried from 1 Oct)
    _region, districts = high_region
    ozen = districts["173000000"]

    response = client.get(f"/{language}/widget/{ozen.kato}/")

    page = response.content.decode().replace("\xa0", " ")
    assert response.status_code == 200
    assert ozen.name_kk in page if language == "kk" else ozen.name_ru in page
    assert "99.0%" in page or "99,0 %" in page
    assert as_of in page
    assert "X-Frame-Options" not in response
    assert "frame-ancestors *" in response["Content-Security-Policy"]


def test_a_district_widget_withholds_figures_not_yet_published(high_region, client, campaign):
    _region, districts = high_region
    region = districts["171000000"].region
    unset = factories.DistrictFactory(region=region, kato="176000000", name_en="Unset District")
    factories.BaselineFactory(district=unset, campaign=campaign, population=1_000)
    staff = provision_user(username="stat.high2", role="staff", kato=region.kato, password=None)
    record_count(campaign=campaign, district=unset, date=OCT_1, online=123, offline=0, user=staff, source=FORM)
    drain_recompute_outbox()

    page = client.get(f"/en/widget/{unset.kato}/").content.decode()

    assert "Not yet published" in page
    assert "12.3%" not in page and ">123<" not in page


def test_the_public_region_page_offers_the_embed_code_of_its_widget_and_its_districts(high_region, client):
    region, districts = high_region

    response = client.get(f"/ru/public/{region.kato}/")

    page = response.content.decode()
    snippet = html.unescape(re.search(r'<textarea id="embed-code"[^>]*>(.*?)</textarea>', page, flags=re.S).group(1))
    assert snippet.startswith(f'<iframe src="http://testserver/ru/widget/{region.kato}/" width="320" height="400"')
    assert 'title="Ход переписи: Высокая область"' in snippet
    assert "<script" not in snippet
    for district in districts.values():
        assert f"http://testserver/ru/widget/{district.kato}/" in page
    assert "Разместить на своём сайте" in page
    # The embed box is made per request: the stored page (shared by every visitor) holds no host name.
    assert "testserver" not in client.get(f"/ru/widget/{region.kato}/").content.decode()


@pytest.mark.parametrize(
    ("language", "published", "of", "text"),
    [
        ("en", 1, 1, "1 of 1 district"),
        ("en", 1, 3, "1 of 3 districts"),
        ("ru", 1, 21, "1 из 21 района"),
        ("ru", 2, 3, "2 из 3 районов"),
        ("ru", 5, 11, "5 из 11 районов"),
    ],
)
def test_the_published_districts_agree_with_their_number(language, published, of, text):
    with translation.override(language):
        area = PublicArea(place=None, link=None, as_of=datetime.date(2021, 10, 27), published=published, of=of)
        assert area.published_text == text
