"""Who may open and change what on the entry pages: a matrix of person × page/action → status, and writes outside scope change nothing.

District A is the target of every page below; it lies in the test region. Staff
of district B (same region) and of another region must neither see A's pages
(404) nor change A through any form (the grid simply ignores cells outside
their area); officials read dashboards only (403); anonymous visitors are sent
to sign in.
"""

import datetime
import io

import pytest

from census.models import (
    AuditEntry,
    Campaign,
    DailyCount,
    DailyNonResponse,
    DailyStaffing,
    DistrictStatus,
    ServicePoint,
    ServicePointUse,
)
from census.service_points import save_service_point
from tests.entry.conftest import OPEN_DAY, client_for, people

pytestmark = pytest.mark.usefixtures("after_campaign")

ACTORS = [
    "anonymous",
    "no_role",
    "official_region",
    "official_country",
    "staff_region",
    "staff_district",
    "staff_other_district",
    "staff_other_region",
    "admin",
]

# page/action: expected status per actor, in the order of ACTORS.
#                         anon no_role off_reg off_cty st_reg st_dis st_oth_dis st_oth_reg admin
MATRIX = {
    "home":               (302, 403, 403, 403, 200, 200, 200, 200, 200),
    "not_reported":       (302, 403, 403, 403, 200, 200, 200, 200, 200),
    "grid":               (302, 403, 403, 403, 200, 200, 200, 404, 200),
    "grid_save":          (302, 403, 403, 403, 302, 302, 302, 404, 302),
    "district":           (302, 403, 403, 403, 200, 200, 404, 404, 200),
    "district_save":      (302, 403, 403, 403, 302, 302, 404, 404, 302),
    "history":            (302, 403, 403, 403, 200, 200, 404, 404, 200),
    "status":             (302, 403, 403, 403, 200, 200, 404, 404, 200),
    "status_save":        (302, 403, 403, 403, 302, 302, 404, 404, 302),
    "import":             (302, 403, 403, 403, 200, 200, 200, 200, 200),
    "import_check":       (302, 403, 403, 403, 200, 200, 200, 200, 200),
    "import_apply":       (302, 403, 403, 403, 302, 302, 302, 302, 302),
    "export_csv":         (302, 403, 403, 403, 200, 200, 200, 200, 200),
    "export_xlsx":        (302, 403, 403, 403, 200, 200, 200, 200, 200),
    "staffing":           (302, 403, 403, 403, 200, 200, 404, 404, 200),
    "staffing_save":      (302, 403, 403, 403, 302, 302, 404, 404, 302),
    "staffing_export_csv":  (302, 403, 403, 403, 200, 200, 200, 200, 200),
    "staffing_export_xlsx": (302, 403, 403, 403, 200, 200, 200, 200, 200),
    "visits_export_csv":  (302, 403, 403, 403, 200, 200, 200, 200, 200),
    "visits_export_xlsx": (302, 403, 403, 403, 200, 200, 200, 200, 200),
    "sync_health":        (302, 403, 200, 200, 200, 403, 403, 200, 200),
    "points":             (302, 403, 403, 403, 200, 200, 404, 404, 200),
    "points_save":        (302, 403, 403, 403, 302, 302, 404, 404, 302),
    "visits":             (302, 403, 403, 403, 200, 200, 404, 404, 200),
    "visits_save":        (302, 403, 403, 403, 302, 302, 404, 404, 302),
}  # fmt: skip
# Actions that write to district A, and who may make them land.
WRITES = {"grid_save", "district_save", "status_save", "import_apply", "staffing_save", "points_save", "visits_save"}
MAY_WRITE_A = {"staff_region", "staff_district", "admin"}


def _file_for(area):
    content = f"district;date;online;offline\n{area.first.kato};{OPEN_DAY:%d.%m.%Y};11;7\n".encode()
    upload = io.BytesIO(content)
    upload.name = "counts.csv"
    return upload


def _request(client, page: str, area):
    a, region = area.first, area.region
    day = OPEN_DAY.isoformat()
    if page == "home":
        return client.get("/en/entry/")
    if page == "not_reported":
        return client.get(f"/en/entry/not-reported/?date={day}")
    if page == "grid":
        return client.get(f"/en/entry/region/{region.kato}/?date={day}")
    if page == "grid_save":
        return client.post(
            f"/en/entry/region/{region.kato}/",
            {
                "date": day,
                "mode": "daily",
                "reason": "",
                f"{a.kato}-online": "11",
                f"{a.kato}-offline": "7",
                f"{a.kato}-version": "0",
                f"{a.kato}-online-was": "",
                f"{a.kato}-offline-was": "",
            },
        )
    if page == "district":
        return client.get(f"/en/entry/district/{a.kato}/?date={day}")
    if page == "district_save":
        return client.post(
            f"/en/entry/district/{a.kato}/",
            {"date": day, "mode": "daily", "online": "11", "offline": "7", "reason": "", "version": "0"},
        )
    if page == "history":
        return client.get(f"/en/entry/district/{a.kato}/history/")
    if page == "status":
        return client.get(f"/en/entry/district/{a.kato}/status/")
    if page == "status_save":
        return client.post(
            f"/en/entry/district/{a.kato}/status/", {"status": "completed_early", "date": "2021-10-27", "note": "decision"}
        )
    if page == "import":
        return client.get("/en/entry/import/")
    if page == "import_check":
        return client.post("/en/entry/import/", {"file": _file_for(area), "mode": "daily", "reason": ""})
    if page == "import_apply":
        preview = client.post("/en/entry/import/", {"file": _file_for(area), "mode": "daily", "reason": ""})
        token = preview.context["token"] if preview.status_code == 200 and preview.context else None
        return client.post("/en/entry/import/apply/", {"token": token or "no-such-upload"})
    if page == "export_csv":
        return client.get("/en/entry/export.csv")
    if page == "export_xlsx":
        return client.get("/en/entry/export.xlsx")
    if page == "staffing":
        return client.get(f"/en/entry/district/{a.kato}/staffing/?date={day}")
    if page == "staffing_save":
        return client.post(
            f"/en/entry/district/{a.kato}/staffing/",
            {
                "date": day,
                "interviewers": "5",
                "instructors": "1",
                "volunteers": "0",
                "vaccinated": "6",
                "reason": "",
                "version": "0",
            },
        )
    if page in ("staffing_export_csv", "staffing_export_xlsx"):
        return client.get("/en/entry/staffing-export." + page.rsplit("_", 1)[1])
    if page in ("visits_export_csv", "visits_export_xlsx"):
        return client.get("/en/entry/visits-export." + page.rsplit("_", 1)[1])
    if page == "sync_health":
        return client.get("/en/entry/sync-health/")
    if page == "points":
        return client.get(f"/en/entry/district/{a.kato}/points/?date={day}")
    if page == "points_save":
        point = ServicePoint.objects.get(district=a)
        return client.post(f"/en/entry/district/{a.kato}/points/", {"date": day, f"assisted-{point.pk}": "4", "reason": ""})
    if page == "visits":
        return client.get(f"/en/entry/district/{a.kato}/visits/?date={day}")
    if page == "visits_save":
        figures = {"assigned": "50", "visits": "10", "interviewed": "7", "notice_shown": "1", "not_at_home": "1",
                   "door_closed": "1", "refused": "0", "no_notice": "0", "vacant": "0", "revisits_scheduled": "2",
                   "revisits_made": "0", "outstanding": "40"}  # fmt: skip
        return client.post(f"/en/entry/district/{a.kato}/visits/", {"date": day, "reason": "", "version": "0", **figures})
    raise AssertionError(page)


def _a_state(area):
    return (
        list(DailyCount.objects.filter(district=area.first).values_list("date", "online", "offline")),
        list(DistrictStatus.objects.filter(district=area.first).values_list("status", "date")),
        list(DailyStaffing.objects.filter(district=area.first).values_list("date", "interviewers", "vaccinated")),
        list(ServicePointUse.objects.filter(district=area.first).values_list("date", "assisted")),
        list(DailyNonResponse.objects.filter(district=area.first).values_list("date", "visits")),
        AuditEntry.objects.filter(district=area.first).count(),
    )


CASES = [
    pytest.param(actor, page, expected[i], id=f"{actor}-{page}")
    for page, expected in MATRIX.items()
    for i, actor in enumerate(ACTORS)
]


@pytest.mark.parametrize(("actor", "page", "expected"), CASES)
def test_each_person_gets_the_status_the_matrix_says_and_writes_land_only_in_scope(area, actor, page, expected):
    # given
    user = people(area)[actor]
    client = client_for(user)
    if page.startswith("points"):
        # District A's self-service point, open since the start of online participation.
        save_service_point(
            campaign=Campaign.objects.get(), district=area.first, source=AuditEntry.Source.COMMAND,
            values={"kind": "psc", "name_kk": "ХҚКО", "name_ru": "ЦОН", "name_en": "PSC", "active_from": datetime.date(2021, 9, 1)},
        )  # fmt: skip
    before = _a_state(area)

    # when
    response = _request(client, page, area)

    # then
    assert response.status_code == expected
    if expected == 302 and actor == "anonymous":
        assert response["Location"].startswith("/en/login/?next=")
    after = _a_state(area)
    if page in WRITES and actor in MAY_WRITE_A:
        assert after != before
    else:
        assert after == before


def test_the_matrix_covers_every_entry_page():
    # given
    from census import entry_urls

    # when
    names = {pattern.name for pattern in entry_urls.urlpatterns}

    # then: every page but sign-in and sign-out has rows above.
    covered = {page.removesuffix("_save").removesuffix("_check") for page in MATRIX}
    assert names - {"login", "logout", "start"} == covered
    assert all(len(row) == len(ACTORS) for row in MATRIX.values())


def test_a_district_person_sees_only_their_district_in_the_region_grid(area):
    # given
    client = client_for(people(area)["staff_district"])

    # when
    response = client.get(f"/en/entry/region/{area.region.kato}/?date={OPEN_DAY}")

    # then
    names = [row["district"].kato for row in response.context["rows"]]
    assert names == [area.first.kato]
    assert area.second.name_en not in response.content.decode()


def test_lists_omit_districts_outside_the_scope(area):
    # given
    client = client_for(people(area)["staff_other_region"])

    # when
    home = client.get("/en/entry/").content.decode()
    missing = client.get(f"/en/entry/not-reported/?date={OPEN_DAY}").content.decode()

    # then
    assert area.elsewhere.name_en in home
    for district in area.districts:
        assert district.name_en not in home
        assert district.name_en not in missing


def test_an_export_holds_only_the_scope_s_counts(area, campaign):
    # given
    from census.services import record_count

    for district in (area.first, area.elsewhere):
        record_count(campaign=campaign, district=district, date=OPEN_DAY, online=3, offline=4, source="form")
    client = client_for(people(area)["staff_other_region"])

    # when
    text = client.get("/en/entry/export.csv").content.decode("utf-8-sig")

    # then
    assert area.elsewhere.kato in text
    assert area.first.kato not in text


def test_an_official_signing_in_lands_on_the_dashboards_and_staff_on_the_entry_pages(area):
    # given
    everyone = people(area)

    # when
    official = client_for(everyone["official_region"]).get("/en/start/")
    staff = client_for(everyone["staff_region"]).get("/en/start/")

    # then
    assert official.status_code == 302 and "/entry/" not in official["Location"]
    assert staff["Location"] == "/en/entry/"
