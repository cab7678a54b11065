"""One district's day: the form with previous days beside it, corrections with a reason, history, status, "not reported"."""

import datetime

import pytest
import time_machine

from census.models import AuditEntry, DailyCount, DistrictStatus
from census.services import record_count
from tests.entry.conftest import OPEN_DAY, client_for, make_person

pytestmark = pytest.mark.usefixtures("after_campaign")


def day(n: int) -> datetime.date:
    return datetime.date(2021, 10, n)


def page_url(district, **query):
    query = {"date": OPEN_DAY.isoformat(), **query}
    return f"/en/entry/district/{district.kato}/?" + "&".join(f"{k}={v}" for k, v in query.items())


def save(client, district, *, online, offline, date=OPEN_DAY, mode="daily", reason="", version=None, language="en"):
    if version is None:
        row = DailyCount.objects.filter(district=district, date=date).first()
        version = row.version if row else 0
    return client.post(
        f"/{language}/entry/district/{district.kato}/",
        {"date": date.isoformat(), "mode": mode, "online": online, "offline": offline, "reason": reason, "version": version},
    )


def test_the_form_shows_the_previous_days_beside_the_fields(area, staff_client, campaign):
    # given
    for n, (online, offline) in {2: (10, 1), 3: (20, 2), 4: (30, 3)}.items():
        record_count(campaign=campaign, district=area.first, date=day(n), online=online, offline=offline, source="form")

    # when
    response = staff_client.get(page_url(area.first))

    # then
    assert response.status_code == 200
    beside = [(d["count"].date, d["count"].online, d["total_online"]) for d in response.context["days_beside"]]
    assert beside == [(day(4), 30, 60), (day(3), 20, 30), (day(2), 10, 10)]
    assert response.context["before"] == (60, 6)
    assert "before this day: 60 in total" in response.content.decode()
    assert response["ETag"] == '"0"'


def test_saving_a_day_records_it_and_comes_back_to_the_page(area, staff_client):
    # when
    response = save(staff_client, area.first, online="1 250", offline="300")

    # then
    assert response.status_code == 302
    assert response["Location"] == f"/en/entry/district/{area.first.kato}/?date=2021-10-05&mode=daily"
    assert DailyCount.objects.get(district=area.first).online == 1250
    assert AuditEntry.objects.get(district=area.first).source == AuditEntry.Source.FORM


def test_a_bad_figure_is_shown_next_to_its_field_in_the_reader_s_language(area, staff_client):
    # when
    response = save(staff_client, area.first, online="abc", offline="", language="kk")

    # then
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"online", "offline"}
    assert form.errors["online"] != ["Enter a whole number."]
    assert 'value="abc"' in response.content.decode()
    assert not DailyCount.objects.exists()


def test_a_correction_of_a_past_day_needs_a_reason_and_then_shows_in_the_history(area, staff_client, staff, campaign):
    # given
    record_count(campaign=campaign, district=area.first, date=OPEN_DAY, online=100, offline=50, source="form")

    # when
    refused = save(staff_client, area.first, online="90", offline="50")
    accepted = save(staff_client, area.first, online="90", offline="50", reason="Double-counted dormitory")
    history = staff_client.get(f"/en/entry/district/{area.first.kato}/history/")

    # then
    assert refused.status_code == 400
    assert refused.context["form"].errors["online"] == ["Lowering a recorded figure is a correction: give a reason."]
    assert accepted.status_code == 302
    assert DailyCount.objects.get(district=area.first).online == 90
    html = history.content.decode()
    newest = history.context["page"].object_list[0]
    assert newest.user == staff and newest.reason == "Double-counted dormitory"
    assert newest.change_list == [{"label": "Online", "old": "100", "new": "90"}]
    assert "Double-counted dormitory" in html and "100 → 90" in html and "web form" in html and staff.username in html


def test_a_stale_form_gets_a_conflict_showing_the_current_value_and_nothing_is_overwritten(area, staff_client, campaign):
    # given: the page was loaded with no row; meanwhile a colleague saved the day
    colleague = make_person("colleague", "staff", area.region.kato)
    record_count(campaign=campaign, district=area.first, date=OPEN_DAY, online=40, offline=4, user=colleague, source="form")

    # when
    response = save(staff_client, area.first, online="10", offline="1", version=0)

    # then
    assert response.status_code == 409
    assert DailyCount.objects.get(district=area.first).online == 40
    message = " ".join(response.context["form"].non_field_errors())
    assert "colleague" in message and "40 online" in message
    assert response.context["form"]["version"].value() == "1"
    assert 'value="10"' in response.content.decode()


def test_cumulative_entry_shows_and_takes_totals_as_of_the_day(area, staff_client, campaign):
    # given
    record_count(campaign=campaign, district=area.first, date=day(4), online=100, offline=10, source="form")

    # when
    response = save(staff_client, area.first, online="160", offline="25", mode="cumulative")
    page = staff_client.get(page_url(area.first, mode="cumulative"))

    # then
    assert response.status_code == 302
    assert (DailyCount.objects.get(district=area.first, date=OPEN_DAY).online, page.context["form"]["online"].value()) == (
        60,
        160,
    )


def test_the_history_lists_status_decisions_and_corrections_with_who_and_source(area, staff_client, staff, campaign):
    # given
    record_count(campaign=campaign, district=area.first, date=OPEN_DAY, online=5, offline=5, user=staff, source="import")
    staff_client.post(f"/en/entry/district/{area.first.kato}/status/", {"status": "nearly_complete", "date": "2021-10-27"})

    # when
    response = staff_client.get(f"/en/entry/district/{area.first.kato}/history/")

    # then
    entries = list(response.context["page"].object_list)
    assert [e.subject for e in entries] == ["status", "count"]
    assert entries[0].change_list == [{"label": "Status", "old": "—", "new": "nearly complete"}]
    assert "file import" in response.content.decode()


def test_setting_a_status_records_the_decision_with_its_date(area, staff_client, staff):
    # when
    response = staff_client.post(
        f"/en/entry/district/{area.first.kato}/status/",
        {"status": "completed_early", "date": "2021-10-27", "note": "Akimat order"},
    )

    # then
    assert response.status_code == 302
    decision = DistrictStatus.objects.get(district=area.first)
    assert (decision.status, decision.date, decision.note, decision.set_by) == (
        "completed_early",
        day(27),
        "Akimat order",
        staff,
    )
    page = staff_client.get(f"/en/entry/district/{area.first.kato}/status/")
    assert "completed early" in page.content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        pytest.param({"status": "completed", "date": "2021-12-01"}, "date", id="future-date"),
        pytest.param({"status": "completed", "date": "2012-10-27"}, "date", id="before-the-census"),
        pytest.param({"status": "finished", "date": "2021-10-27"}, "status", id="unknown-status"),
        pytest.param({"status": "completed", "date": "27/27/2021"}, "date", id="bad-date"),
    ],
)
def test_a_bad_status_is_refused_next_to_its_field(area, staff_client, data, field):
    # when
    response = staff_client.post(f"/en/entry/district/{area.first.kato}/status/", data)

    # then
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not DistrictStatus.objects.exists()


def test_not_reported_lists_the_districts_without_a_count_today_inside_an_open_phase(area, campaign):
    # given: "today" is 20 October, door to door is open
    with time_machine.travel(datetime.datetime(2021, 10, 20, 15, 0, tzinfo=datetime.UTC), tick=False):
        record_count(campaign=campaign, district=area.first, date=day(20), online=0, offline=0, source="form")
        record_count(campaign=campaign, district=area.second, date=day(19), online=0, offline=9, source="form")
        client = client_for(make_person("stat.r", "staff", area.region.kato))

        # when
        response = client.get("/en/entry/not-reported/")

    # then
    missing = [(item["district"], item["last"]) for item in response.context["missing"]]
    assert missing == [(area.second, day(19)), (area.third, None)]
    assert response.context["due_count"] == 3
    html = response.content.decode()
    assert "Not reported today" in html and area.elsewhere.name_en not in html


def test_not_reported_says_so_when_no_phase_is_open(area, staff_client):
    # when: after the campaign (the pinned today, 20 November)
    response = staff_client.get("/en/entry/not-reported/")

    # then
    assert response.context["missing"] == []
    assert "No phase of the census is open" in response.content.decode()


def test_an_unknown_district_is_a_404(area, staff_client):
    assert staff_client.get("/en/entry/district/999999999/").status_code == 404
    assert staff_client.get("/en/entry/region/999999999/").status_code == 404
