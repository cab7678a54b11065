"""Two people saving the same district-day at once: one row, no lost update (PostgreSQL, real transactions and threads)."""

import threading

import pytest
from django.db import connection

from census.errors import CountConflict
from census.models import AuditEntry, DailyCount
from census.services import record_count
from tests.entry.conftest import OPEN_DAY, client_for, make_person

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("after_campaign")]

THREADS = 8


def run_together(work, count=THREADS):
    """Run `work(i)` in `count` threads released at the same moment; return what each returned or raised."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:  # collected for the test to inspect
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_parallel_first_inserts_of_one_district_day_make_exactly_one_row(area, campaign):
    # when: eight people save the same new day at once, each having seen no row
    def insert(i):
        return record_count(
            campaign=campaign, district=area.first, date=OPEN_DAY, online=100 + i, offline=i, source="form", expected_version=0
        )

    results = run_together(insert)

    # then: one wins, the others are told of the conflict; one row, one audit entry
    winners = [r for r in results if not isinstance(r, Exception)]
    assert len(winners) == 1
    assert all(isinstance(r, CountConflict) for r in results if r not in winners)
    row = DailyCount.objects.get(district=area.first, date=OPEN_DAY)
    assert (row.online, row.offline, row.version) == (winners[0].count.online, winners[0].count.offline, 1)
    assert AuditEntry.objects.filter(district=area.first).count() == 1


def test_parallel_first_inserts_without_a_version_still_make_one_row(area, campaign):
    # when
    results = run_together(
        lambda i: record_count(campaign=campaign, district=area.first, date=OPEN_DAY, online=7, offline=7, source="import")
    )

    # then
    assert not [r for r in results if isinstance(r, Exception)]
    assert DailyCount.objects.filter(district=area.first, date=OPEN_DAY).count() == 1
    assert sum(1 for r in results if r.created) == 1


def test_two_stale_grids_saved_at_once_one_wins_the_other_gets_a_conflict(area, campaign):
    # given: two colleagues load the same empty grid
    people = [make_person(f"stat.{n}", "staff", area.region.kato) for n in ("aigul", "bolat")]
    clients = [client_for(person) for person in people]
    url = f"/en/entry/region/{area.region.kato}/"
    loaded = [c.get(f"{url}?date={OPEN_DAY}") for c in clients]
    kato = area.first.kato

    def save(i):
        version = loaded[i].context["rows"][0]["version"]
        data = {
            "date": OPEN_DAY.isoformat(), "mode": "daily", "reason": "",
            f"{kato}-online": str(10 * (i + 1)), f"{kato}-offline": "1", f"{kato}-version": str(version),
            f"{kato}-online-was": "", f"{kato}-offline-was": "",
        }  # fmt: skip
        return clients[i].post(url, data).status_code

    # when
    statuses = run_together(save, count=2)

    # then
    assert sorted(statuses) == [302, 409]
    winner = statuses.index(302)
    row = DailyCount.objects.get(district=area.first, date=OPEN_DAY)
    assert row.online == 10 * (winner + 1)
    assert row.updated_by == people[winner]


def test_a_stale_save_after_a_change_is_refused_and_the_change_survives(area, campaign):
    # given
    first = record_count(campaign=campaign, district=area.first, date=OPEN_DAY, online=1, offline=1, source="form")
    record_count(
        campaign=campaign, district=area.first, date=OPEN_DAY, online=5, offline=1, reason="recount", source="form",
        expected_version=first.count.version,
    )  # fmt: skip

    # when
    with pytest.raises(CountConflict) as conflict:
        record_count(
            campaign=campaign, district=area.first, date=OPEN_DAY, online=3, offline=1, reason="mine", source="form",
            expected_version=first.count.version,
        )  # fmt: skip

    # then
    assert conflict.value.current.online == 5
    assert DailyCount.objects.get(district=area.first, date=OPEN_DAY).online == 5
