"""Two regions of districts with a whole campaign of counts, entered the way staff enter them."""

import datetime
from dataclasses import dataclass

import pytest

from census.models import AuditEntry
from census.services import record_count
from reports.models import CoverageSnapshot
from reports.services import drain_recompute_outbox, recompute_coverage
from tests import factories

# A real Celery worker on a queue of the test's own (test_worker.py).
from tests.processes import celery_worker_process, worker_queue  # noqa: F401

CAMPAIGN_START = datetime.date(2021, 9, 1)
ONLINE_END = datetime.date(2021, 10, 15)
DOOR_TO_DOOR_START = datetime.date(2021, 10, 1)
PHASE_END = datetime.date(2021, 10, 30)

# kato -> (region kato, baseline, online a day, door-to-door a day). North's small district ends up
# over its baseline, its big one at two thirds, so the region's rate is far from the average of its districts'.
DISTRICTS = {
    "111000000": ("110000000", 1_000, 10, 30),
    "112000000": ("110000000", 20_000, 100, 300),
    "113000000": ("110000000", 5_000, 50, 80),
    "121000000": ("120000000", 8_000, 60, 150),
    "122000000": ("120000000", 3_000, 20, 60),
}


def campaign_days(first=CAMPAIGN_START, last=PHASE_END):
    day = first
    while day <= last:
        yield day
        day += datetime.timedelta(days=1)


def planned_count(kato: str, day: datetime.date) -> tuple[int, int]:
    """A district's (online, door-to-door) for a day: its daily pace, varied a little, inside each channel's phase."""
    _region, _baseline, online, offline = DISTRICTS[kato]
    wiggle = day.day % 3
    return (
        online + wiggle if day <= ONLINE_END else 0,
        offline + wiggle if day >= DOOR_TO_DOOR_START else 0,
    )


def enter(campaign, district, day, online, offline, *, reason="", **kwargs):
    return record_count(
        campaign=campaign,
        district=district,
        date=day,
        online=online,
        offline=offline,
        reason=reason,
        source=AuditEntry.Source.FORM,
        **kwargs,
    )


@dataclass
class Census:
    """The test's campaign and its areas, by KATO code."""

    campaign: object
    regions: dict
    districts: dict

    @property
    def north(self):
        return self.regions["110000000"]

    @property
    def south(self):
        return self.regions["120000000"]

    def __getitem__(self, kato):
        return self.districts[kato]

    def enter_all(self, *, skip=()):
        """Enter every district's planned count for every day of the campaign, except the (kato, day) pairs in `skip`."""
        for kato, district in self.districts.items():
            for day in campaign_days():
                if (kato, day) not in skip:
                    # North's small district goes over its baseline on purpose: its last days are confirmed
                    # past the plausibility check (above 110%), as staff would confirm a verified figure.
                    enter(
                        self.campaign, district, day, *planned_count(kato, day),
                        confirm_implausible=True, reason="planned over the baseline",
                    )  # fmt: skip


@pytest.fixture
def census(campaign, after_campaign):
    """Regions North (3 districts) and South (2 districts) in a campaign shaped like 2021's, no counts yet."""
    regions = {kato: factories.RegionFactory(kato=kato) for kato in ("110000000", "120000000")}
    districts = {}
    for kato, (region_kato, baseline, _online, _offline) in DISTRICTS.items():
        districts[kato] = factories.DistrictFactory(kato=kato, region=regions[region_kato])
        factories.BaselineFactory(district=districts[kato], campaign=campaign, population=baseline)
    return Census(campaign=campaign, regions=regions, districts=districts)


@pytest.fixture
def counted(census):
    """The census with every district's counts for the whole campaign entered and the coverage job run."""
    census.enter_all()
    # The test's transaction never commits, so the job its commit would publish is run here.
    drain_recompute_outbox()
    return census


def snapshot_values(campaign) -> dict:
    """Every snapshot of the campaign, keyed by (kato, date), with every stored figure except when it was computed."""
    fields = [f.attname for f in CoverageSnapshot._meta.concrete_fields if f.name not in ("id", "computed_at")]
    return {
        (row["kato"], row["date"]): row
        for row in CoverageSnapshot.objects.filter(campaign=campaign).values(*fields).order_by("kato", "date")
    }


def clean_snapshot_values(campaign) -> dict:
    """What a full recompute from nothing gives: the reference that any other way of getting there must equal."""
    CoverageSnapshot.objects.filter(campaign=campaign).delete()
    recompute_coverage(campaign=campaign)
    return snapshot_values(campaign)


def differences(actual: dict, expected: dict) -> list:
    """(kato, date, field, actual, expected) for every figure that differs, for a readable failure; [] when equal."""
    found = [(*key, "row", key in actual, key in expected) for key in sorted(actual.keys() ^ expected.keys())]
    for key in sorted(actual.keys() & expected.keys()):
        found.extend((*key, f, actual[key][f], expected[key][f]) for f in actual[key] if actual[key][f] != expected[key][f])
    return found
