"""POST /api/v1/daily-counts/batch/: entries saved on a device while offline, sent later, each judged and saved on its own."""

import datetime

import pytest

from census.models import AuditEntry, DailyCount, DeviceSync, IdempotentRequest
from census.services import record_count
from tests import factories

URL = "/api/v1/daily-counts/batch/"
KATO = "131000000"


@pytest.fixture
def area(campaign, after_campaign):
    region = factories.RegionFactory(kato="130000000")
    district = factories.DistrictFactory(region=region, kato=KATO)
    factories.BaselineFactory(district=district, campaign=campaign, population=1000)
    return region, district


@pytest.fixture
def writer(area, token_client):
    client, _token = token_client(region=area[0], can_write=True)
    return client


def item(key, date="2021-10-06", online=10, offline=20, **fields):
    return {"key": key, "district": KATO, "date": date, "online": online, "offline": offline, **fields}


def send(client, *items, lang="en"):
    response = client.post(f"{URL}?lang={lang}", {"items": list(items)}, format="json")
    assert response.status_code == 200, response.content
    return response.json()["results"]


def rows(district):
    return {row.date.isoformat(): (row.online, row.offline) for row in DailyCount.objects.filter(district=district)}


def test_each_item_gets_its_own_result_in_the_order_sent_and_a_bad_one_holds_back_nothing(writer, area, campaign):
    # given: one day already recorded, the same figures for another, and a day counted since
    record_count(campaign=campaign, district=area[1], date=datetime.date(2021, 10, 4), online=5, offline=5, source="command")
    record_count(campaign=campaign, district=area[1], date=datetime.date(2021, 10, 3), online=7, offline=7, source="command")

    # when
    results = send(
        writer,
        item("k-new", "2021-10-06"),
        item("k-bad", "2021-10-07", online=-1),
        item("k-same", "2021-10-03", online=7, offline=7, version=1),
        item("k-fix", "2021-10-04", online=6, offline=5, version=1, reason="late form"),
        item("k-huge", "2021-10-08", online=900),
    )

    # then
    assert [(r["key"], r["status"]) for r in results] == [
        ("k-new", "created"),
        ("k-bad", "rejected"),
        ("k-same", "unchanged"),
        ("k-fix", "updated"),
        ("k-huge", "rejected"),
    ]
    assert results[0]["record"]["version"] == 1
    assert results[1]["errors"] == {"online": ["A count cannot be negative."]}
    assert results[3]["record"]["version"] == 2
    assert results[4]["code"] == "implausible"
    assert {check["check"] for check in results[4]["checks"]} == {"day_over_baseline"}
    assert rows(area[1]) == {"2021-10-03": (7, 7), "2021-10-04": (6, 5), "2021-10-06": (10, 20)}


def test_implausible_figures_confirmed_with_a_reason_are_saved_with_their_warning(writer, area):
    [result] = send(writer, item("k-1", online=900, confirm_implausible=True, reason="a boarding school"))

    assert result["status"] == "created"
    assert any(w["check"] == "day_over_baseline" and w["implausible"] for w in result["warnings"])


def test_a_batch_sent_twice_writes_once_and_the_replay_gets_the_first_results(writer, area):
    batch = [item("k-1", "2021-10-05"), item("k-2", "2021-10-06", online=3, offline=4)]
    first = send(writer, *batch)

    again = send(writer, *batch)

    assert [r["status"] for r in first] == ["created", "created"]
    assert [r["status"] for r in again] == ["created", "created"]
    assert all(r["replayed"] for r in again)
    assert [r["record"] for r in again] == [r["record"] for r in first]
    assert DailyCount.objects.filter(district=area[1]).count() == 2
    assert AuditEntry.objects.filter(district=area[1]).count() == 2
    assert IdempotentRequest.objects.count() == 2


def test_a_key_sent_again_with_other_figures_is_rejected_and_changes_nothing(writer, area):
    send(writer, item("k-1"))

    [result] = send(writer, item("k-1", online=11))

    assert result["status"] == "rejected"
    assert result["code"] == "idempotency_key_reused"
    assert rows(area[1]) == {"2021-10-06": (10, 20)}


def test_a_day_changed_meanwhile_is_a_conflict_answered_with_both_values(writer, area, campaign):
    # given: the device entered the day against "no record yet", and someone else saved it since
    record_count(campaign=campaign, district=area[1], date=datetime.date(2021, 10, 6), online=40, offline=50, source="form")

    # when
    [result] = send(writer, item("k-1", online=10, offline=20, version=0))

    # then: nothing written; the server's record and what was entered are both in the answer
    assert result["status"] == "conflict"
    assert (result["record"]["online"], result["record"]["offline"], result["record"]["version"]) == (40, 50, 1)
    assert result["entered"] == {"online": 10, "offline": 20, "mode": "daily", "version": 0}
    assert "40" in result["message"] and "10" in result["message"]
    assert rows(area[1]) == {"2021-10-06": (40, 50)}
    assert IdempotentRequest.objects.count() == 0


def test_a_conflict_with_the_very_figures_entered_is_unchanged_not_a_conflict(writer, area, campaign):
    # The first send landed but its answer was lost; the device sends again against the old version.
    record_count(campaign=campaign, district=area[1], date=datetime.date(2021, 10, 6), online=10, offline=20, source="form")

    [result] = send(writer, item("k-1", version=0))

    assert result["status"] == "unchanged"
    assert AuditEntry.objects.filter(district=area[1]).count() == 1


def test_messages_come_in_the_language_asked_for(writer, area, campaign):
    record_count(campaign=campaign, district=area[1], date=datetime.date(2021, 10, 6), online=40, offline=50, source="form")

    results = send(writer, item("k-1", "2021-10-05", online=-1), item("k-2", version=0), lang="ru")

    assert results[0]["errors"] == {"online": ["Число переписанных не может быть отрицательным."]}
    assert results[1]["message"] == (
        "За это время данные за день изменил другой пользователь: сейчас внесено 40 онлайн и 50 при сплошном обходе; "
        "вы ввели 10 и 20."
    )


def test_districts_outside_the_callers_area_are_rejected_and_the_rest_saved(area, token_client, campaign):
    other = factories.DistrictFactory(region=factories.RegionFactory(kato="140000000"), kato="141000000")
    factories.BaselineFactory(district=other, campaign=campaign, population=1000)
    client, _token = token_client(region=area[0], can_write=True)

    results = send(client, item("k-in"), {**item("k-out"), "district": other.kato})

    assert [r["status"] for r in results] == ["created", "rejected"]
    assert results[1]["code"] == "out_of_scope"
    assert not DailyCount.objects.filter(district=other).exists()


def test_a_read_only_token_cannot_send_a_batch(area, token_client):
    client, _token = token_client(region=area[0], can_write=False)

    response = client.post(URL, {"items": [item("k-1")]}, format="json")

    assert response.status_code == 403
    assert not DailyCount.objects.exists()


@pytest.mark.parametrize("body", [{}, {"items": []}, {"items": "x"}, {"items": [item(str(i)) for i in range(201)]}])
def test_a_malformed_batch_is_a_400_and_changes_nothing(writer, area, body):
    response = writer.post(URL, body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert not DailyCount.objects.exists()


def test_an_item_without_a_usable_key_is_rejected(writer, area):
    results = send(writer, {**item("x"), "key": ""}, {**item("x"), "key": "ключ"})

    assert [r["status"] for r in results] == ["rejected", "rejected"]
    assert not DailyCount.objects.exists()


def test_cumulative_totals_for_d_plus_1_sent_before_d_end_with_the_right_days(writer, area):
    # D+1's total as of its day arrives first in the batch, D's second.
    results = send(
        writer,
        item("k-d1", "2021-10-06", online=30, offline=60, mode="cumulative"),
        item("k-d", "2021-10-05", online=10, offline=20, mode="cumulative"),
    )

    assert [r["status"] for r in results] == ["created", "created"]
    assert rows(area[1]) == {"2021-10-05": (10, 20), "2021-10-06": (20, 40)}
    assert (results[0]["record"]["online_cumulative"], results[0]["record"]["offline_cumulative"]) == (30, 60)


def test_daily_figures_for_d_plus_1_in_an_earlier_batch_than_d_end_with_the_right_running_totals(writer, area):
    send(writer, item("k-d1", "2021-10-06", online=30, offline=60))
    send(writer, item("k-d", "2021-10-05", online=10, offline=20))

    listed = writer.get("/api/v1/daily-counts/", {"district": KATO}).json()["results"]

    assert [(r["date"], r["online_cumulative"], r["offline_cumulative"]) for r in listed] == [
        ("2021-10-05", 10, 20),
        ("2021-10-06", 40, 80),
    ]


def test_each_batch_is_logged_with_how_its_items_ended_and_the_longest_wait_on_the_device(writer, area, campaign):
    # given: one entry saved on the device three hours ago, one just now; a day someone else changed meanwhile
    record_count(campaign=campaign, district=area[1], date=datetime.date(2021, 10, 4), online=5, offline=5, source="form")

    send(
        writer,
        item("k-1", "2021-10-05", saved_at="2021-11-20T09:00:00Z"),
        item("k-2", "2021-10-06", saved_at="2021-11-20T11:59:00Z"),
        item("k-3", "2021-10-04", version=0),
        item("k-4", "2021-10-07", online=-1),
    )

    log = DeviceSync.objects.get()
    assert (log.items, log.written, log.conflicts, log.rejected) == (4, 2, 1, 1)
    assert log.longest_wait == datetime.timedelta(hours=3)
    assert log.token is not None and log.user is None


@pytest.mark.parametrize(
    ("saved_at", "status"),
    [
        ("2021-10-06T17:30:00+05:00", "updated"),  # typed on the day itself, sent weeks later: not a correction
        ("2021-10-07T09:00:00+05:00", "rejected"),  # typed once the day had passed: a correction, a reason is due
        (None, "rejected"),  # not said: judged as of today
        ("2031-01-01T00:00:00+05:00", "rejected"),  # a device clock in the future counts as today
    ],
)
def test_a_change_is_a_correction_only_if_its_day_had_passed_when_it_was_typed(writer, area, campaign, saved_at, status):
    record_count(campaign=campaign, district=area[1], date=datetime.date(2021, 10, 6), online=5, offline=5, source="command")
    sent = item("k-1", "2021-10-06", online=8, offline=5, version=1)
    if saved_at:
        sent["saved_at"] = saved_at

    [result] = send(writer, sent)

    assert result["status"] == status
    if status == "rejected":
        assert result["errors"] == {"reason": ["Changing a past day's figures is a correction: give a reason."]}
    assert rows(area[1])["2021-10-06"] == ((8, 5) if status == "updated" else (5, 5))


def test_lowering_a_figure_needs_a_reason_even_on_the_day_it_was_typed(writer, area, campaign):
    record_count(campaign=campaign, district=area[1], date=datetime.date(2021, 10, 6), online=5, offline=5, source="command")

    [result] = send(writer, item("k-1", "2021-10-06", online=4, offline=5, version=1, saved_at="2021-10-06T17:30:00+05:00"))

    assert result["status"] == "rejected" and "online" in result["errors"]
