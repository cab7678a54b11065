"""The demo region: West Kazakhstan 2021, loaded through the same services users' entries go through.

The daily counts are generated (deterministically) so that they add up exactly
to each district's published "as of 27 Oct 2021" totals: online front-loaded
from 1 Sep, door-to-door from 1 Oct, then the extension to 8 Nov.
"""

import datetime
import json
import math
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction

from census.accounts import provision_user
from census.models import AuditEntry, Campaign, DailyCount, Phase, PhaseExtension
from census.services import EntryMode, extend_phase, record_count, set_status
from census.units import set_baseline
from regions.boundaries import assign_tile_positions
from regions.models import District, Region

SOURCE = AuditEntry.Source.COMMAND
CHECKPOINT = datetime.date(2021, 10, 27)
CAMPAIGN_START = datetime.date(2021, 9, 1)
DOOR_TO_DOOR_START = datetime.date(2021, 10, 1)
# The briefing of 28 Oct 2021 announced the extension of both channels to 8 Nov.
EXTENSION_DECIDED_ON = datetime.date(2021, 10, 28)
EXTENSION_REASON = (
    "Regional decision announced at the briefing of 28 Oct 2021 (shared/seeds): online and the main stage extended to 8 Nov."
)
# By the end of the extension, districts still in progress reach this share of their baseline (illustrative).
FINAL_SHARE = {"in_progress": 0.985, "nearly_complete": 0.995}
# Of what is counted after 27 Oct, this share arrives online (the rest door to door).
LATE_ONLINE_SHARE = 0.1
DEMO_PASSWORD = "census-demo-2021"  # noqa: S105 -- published on purpose: demo accounts only
DEMO_USERS = [
    # (username, role, scope KATO, description)
    ("admin", "admin", "000000000", "administrator"),
    ("stat.wko", "staff", "270000000", "statistics staff, West Kazakhstan Region"),
    ("stat.taskala", "staff", "276000000", "statistics staff, Taskala District"),
    ("akimat.wko", "official", "270000000", "official, West Kazakhstan Region akimat"),
    ("official.kz", "official", "000000000", "official, national level"),
]


def allocate(total: int, weights: list[float]) -> list[int]:
    """Split `total` into whole numbers in proportion to `weights`, adding up exactly (largest remainder)."""
    weight_sum = sum(weights)
    shares = [total * w / weight_sum for w in weights]
    parts = [math.floor(s) for s in shares]
    by_remainder = sorted(range(len(weights)), key=lambda i: (shares[i] - parts[i], -i), reverse=True)
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _dates(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    return [first + datetime.timedelta(days=i) for i in range((last - first).days + 1)]


def _weekend_factor(day: datetime.date) -> float:
    return 0.8 if day.weekday() >= 5 else 1.0


def daily_curves(*, online: int, offline: int, late_online: int, late_offline: int, end: datetime.date, kato: str):
    """{date: (online, offline)} from 1 Sep to `end` whose sums up to 27 Oct are exactly `online`/`offline`."""
    # A district-specific shape so the table does not look cloned: faster or slower early uptake.
    pace = 10 + int(kato[2:4]) % 9
    online_days = _dates(CAMPAIGN_START, CHECKPOINT)
    online_weights = [(math.exp(-i / pace) + 0.12) * _weekend_factor(d) for i, d in enumerate(online_days)]
    offline_days = _dates(DOOR_TO_DOOR_START, CHECKPOINT)
    # Door to door ramps up over the first week as interviewers reach their areas, then eases off.
    offline_weights = [min(i + 1, 6) * (1 - i / 60) * _weekend_factor(d) for i, d in enumerate(offline_days)]
    late_days = _dates(CHECKPOINT + datetime.timedelta(days=1), end)
    late_weights = [1 - i / (len(late_days) + 2) for i in range(len(late_days))]

    curves = {day: [0, 0] for day in _dates(CAMPAIGN_START, end)}
    for day, value in zip(online_days, allocate(online, online_weights), strict=True):
        curves[day][0] = value
    for day, value in zip(offline_days, allocate(offline, offline_weights), strict=True):
        curves[day][1] = value
    for day, value in zip(late_days, allocate(late_online, late_weights), strict=True):
        curves[day][0] = value
    for day, value in zip(late_days, allocate(late_offline, late_weights), strict=True):
        curves[day][1] = value
    return {day: tuple(values) for day, values in curves.items()}


@dataclass
class DemoSummary:
    """What load_demo() did, for the command to print."""

    counts_written: int = 0
    users_created: list[str] = field(default_factory=list)


def _load_geography(data) -> tuple[Region, dict[str, District]]:
    region_data = data["region"]
    region, _created = Region.objects.update_or_create(
        kato=region_data["kato"],
        defaults={f"name_{lang}": region_data["name"][lang] for lang in ("kk", "ru", "en")},
    )
    districts = {}
    for item in data["districts"]:
        districts[item["kato"]], _created = District.objects.update_or_create(
            kato=item["kato"],
            defaults={
                "region": region,
                "kind": item["kind"],
                **{f"name_{lang}": item["name"][lang] for lang in ("kk", "ru", "en")},
            },
        )
    return region, districts


def _load_campaign(data, region) -> Campaign:
    plan = data["campaign"]
    campaign, _created = Campaign.objects.update_or_create(
        slug="census-2021",
        defaults={
            "starts_on": datetime.date.fromisoformat(plan["online"]["start"]),
            "notes": plan["notes"],
            **{f"name_{lang}": plan["name"][lang] for lang in ("kk", "ru", "en")},
        },
    )
    for key, kind in (("online", Phase.Kind.ONLINE), ("door_to_door", Phase.Kind.DOOR_TO_DOOR)):
        phase, _created = Phase.objects.update_or_create(
            campaign=campaign,
            kind=kind,
            defaults={
                "starts_on": datetime.date.fromisoformat(plan[key]["start"]),
                "ends_on": datetime.date.fromisoformat(plan[key]["end"]),
            },
        )
        extended_to = datetime.date.fromisoformat(plan[key]["extended_to"])
        if not PhaseExtension.objects.filter(phase=phase, region=region, ends_on=extended_to).exists():
            extend_phase(
                phase=phase, ends_on=extended_to, decided_on=EXTENSION_DECIDED_ON, reason=EXTENSION_REASON,
                region=region, source=SOURCE,
            )  # fmt: skip
    return campaign


def _load_users() -> list[str]:
    """Demo accounts, created once: an account that exists keeps whatever password it has now."""
    created = []
    user_model = get_user_model()
    for username, role, kato, description in DEMO_USERS:
        if user_model.objects.filter(username=username).exists():
            continue
        user = provision_user(username=username, role=role, kato=kato, password=DEMO_PASSWORD)
        user.first_name = description
        user.save(update_fields=["first_name"])
        created.append(username)
    return created


def load_demo(path) -> DemoSummary:
    """Load (or top up) the demo region; running it again changes nothing."""
    with open(path, encoding="utf-8") as file:
        data = json.load(file)
    summary = DemoSummary()
    # One transaction: the coverage work is published once, after everything is in.
    with transaction.atomic():
        region, districts = _load_geography(data)
        assign_tile_positions(region=region)  # the schematic map's default positions (regions/tile_maps/)
        campaign = _load_campaign(data, region)
        end = max(datetime.date.fromisoformat(data["campaign"][key]["extended_to"]) for key in ("online", "door_to_door"))
        for item in data["districts"]:
            district = districts[item["kato"]]
            set_baseline(
                district=district, campaign=campaign, population=item["baseline"], as_of=CAMPAIGN_START,
                note=data["sources"]["baselines"], source=SOURCE,
            )  # fmt: skip
            checkpoint = item["as_of_2021_10_27"]
            counted = checkpoint["online"] + checkpoint["offline"]
            late = max(round(item["baseline"] * FINAL_SHARE.get(item["status"], 0)) - counted, 0)
            late_online = round(late * LATE_ONLINE_SHARE)
            curves = daily_curves(
                online=checkpoint["online"], offline=checkpoint["offline"], late_online=late_online,
                late_offline=late - late_online, end=end, kato=item["kato"],
            )  # fmt: skip
            existing = set(DailyCount.objects.filter(campaign=campaign, district=district).values_list("date", flat=True))
            for day, (online, offline) in curves.items():
                if day in existing:
                    # Never overwrite: a demo someone has been editing keeps their changes.
                    continue
                record_count(
                    campaign=campaign, district=district, date=day, online=online, offline=offline,
                    mode=EntryMode.DAILY, source=SOURCE,
                )  # fmt: skip
                summary.counts_written += 1
            set_status(campaign=campaign, district=district, status="in_progress", date=CAMPAIGN_START, source=SOURCE)
            if item["status"] != "in_progress":
                set_status(campaign=campaign, district=district, status=item["status"], date=CHECKPOINT, source=SOURCE)
        summary.users_created = _load_users()
    return summary
