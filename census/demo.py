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
from django.db.models import F, Sum
from django.utils.translation import gettext_noop

from census.accounts import provision_user
from census.models import (
    AuditEntry,
    Campaign,
    DailyCount,
    DailyNonResponse,
    DailyStaffing,
    Phase,
    PhaseExtension,
    ServicePoint,
)
from census.nonresponse import record_non_response
from census.service_points import save_service_point
from census.services import CountRow, EntryMode, extend_phase, import_counts, set_status
from census.staffing import record_staffing, set_staffing_plan
from census.units import set_baseline
from regions.boundaries import assign_tile_positions
from regions.models import District, PopulationBaseline, Region

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
# The baselines' source note, stored in English and shown in the reader's language (PopulationBaseline.source_text);
# the data file's own note ("sources" -> "baselines") says the same at length.
DEMO_BASELINE_NOTE = gettext_noop(
    "Demo: Taskala's baseline is from the regional briefing and the region's total is derived from it; "
    "the other districts' baselines are illustrative estimates, not official figures."
)
# The staffing plans' note, stored in English and shown as typed (plans' notes are free text).
DEMO_STAFFING_NOTE = (
    "Demo: illustrative; the 28 Oct 2021 briefing says only that more than 700 interviewers worked in the region."
)
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


# Kazakh and Russian names of the country's regions (2021), which the data file gives in English only.
REGION_NAMES = {
    "110000000": ("Ақмола облысы", "Акмолинская область"),
    "150000000": ("Ақтөбе облысы", "Актюбинская область"),
    "190000000": ("Алматы облысы", "Алматинская область"),
    "230000000": ("Атырау облысы", "Атырауская область"),
    "310000000": ("Жамбыл облысы", "Жамбылская область"),
    "350000000": ("Қарағанды облысы", "Карагандинская область"),
    "390000000": ("Қостанай облысы", "Костанайская область"),
    "430000000": ("Қызылорда облысы", "Кызылординская область"),
    "470000000": ("Маңғыстау облысы", "Мангистауская область"),
    "550000000": ("Павлодар облысы", "Павлодарская область"),
    "590000000": ("Солтүстік Қазақстан облысы", "Северо-Казахстанская область"),
    "610000000": ("Түркістан облысы", "Туркестанская область"),
    "630000000": ("Шығыс Қазақстан облысы", "Восточно-Казахстанская область"),
    "710000000": ("Нұр-Сұлтан қаласы", "город Нур-Султан"),
    "750000000": ("Алматы қаласы", "город Алматы"),
    "790000000": ("Шымкент қаласы", "город Шымкент"),
}


def _load_other_regions(data) -> None:
    """The country's other regions, without districts: the national pages count them as not reporting.

    Created once; a region that exists keeps its names (an administrator may have corrected them).
    """
    for item in data.get("regions_of_kazakhstan_2021", []):
        if item["kato"] not in REGION_NAMES:
            continue
        kk, ru = REGION_NAMES[item["kato"]]
        Region.objects.get_or_create(kato=item["kato"], defaults={"name_kk": kk, "name_ru": ru, "name_en": item["en"]})


def _load_geography(data) -> tuple[Region, dict[str, District]]:
    _load_other_regions(data)
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
            "online_channels": ", ".join(plan.get("online_channels", [])),
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
        rows: list[CountRow] = []
        for item in data["districts"]:
            district = districts[item["kato"]]
            set_baseline(
                district=district, campaign=campaign, population=item["baseline"], as_of=CAMPAIGN_START,
                note=DEMO_BASELINE_NOTE, source=SOURCE,
            )  # fmt: skip
            # A demo loaded before the note was translatable kept the data file's English text: the same note.
            district.baselines.filter(campaign=campaign, source=data["sources"]["baselines"]).update(source=DEMO_BASELINE_NOTE)
            checkpoint = item["as_of_2021_10_27"]
            counted = checkpoint["online"] + checkpoint["offline"]
            late = max(round(item["baseline"] * FINAL_SHARE.get(item["status"], 0)) - counted, 0)
            late_online = round(late * LATE_ONLINE_SHARE)
            curves = daily_curves(
                online=checkpoint["online"], offline=checkpoint["offline"], late_online=late_online,
                late_offline=late - late_online, end=end, kato=item["kato"],
            )  # fmt: skip
            existing = set(DailyCount.objects.filter(campaign=campaign, district=district).values_list("date", flat=True))
            # Never overwrite: a demo someone has been editing keeps their changes.
            rows += [
                CountRow(line=len(rows) + number + 1, district=district, date=day, online=online, offline=offline)
                for number, (day, (online, offline)) in enumerate(
                    (day, figures) for day, figures in curves.items() if day not in existing
                )
            ]
        # Through the spreadsheet import's write path: the same rules as a single entry, written in bulk.
        imported = import_counts(campaign=campaign, rows=rows, mode=EntryMode.DAILY, source=SOURCE)
        if not imported.applied:
            problems = "; ".join(f"{o.row.district.kato} {o.row.date}: {o.action} {o.errors}" for o in imported.failed)
            raise ValueError(f"the demo's counts were refused: {problems}")
        summary.counts_written += imported.created
        for item in data["districts"]:
            district = districts[item["kato"]]
            set_status(campaign=campaign, district=district, status="in_progress", date=CAMPAIGN_START, source=SOURCE)
            if item["status"] != "in_progress":
                set_status(campaign=campaign, district=district, status=item["status"], date=CHECKPOINT, source=SOURCE)
        if "staffing" in data:
            _load_staffing(data["staffing"], campaign, districts)
        if "service_points" in data:
            _load_service_points(data["service_points"], campaign, districts)
        if "visits" in data:
            _load_visits(data["visits"], campaign, districts)
        summary.users_created = _load_users()
    return summary


def _load_visits(visits, campaign, districts: dict[str, District]) -> None:
    """Illustrative door-to-door visits and non-response (the data file's "visits" says how they are derived), written
    through the same service as the staff page. Days already recorded are never overwritten."""
    first_day = datetime.date.fromisoformat(visits["from"])
    per_household = visits["persons_per_household"]
    for index, (_kato, district) in enumerate(sorted(districts.items())):
        # Some districts meet more closed doors and more "we answered online" without a notice: a fixed rule.
        harder = 1 + (index % 4) * 0.5
        baseline = PopulationBaseline.objects.filter(campaign=campaign, district=district).order_by("-as_of", "-id").first()
        assigned = math.ceil(baseline.population / per_household)
        existing = set(DailyNonResponse.objects.filter(campaign=campaign, district=district).values_list("date", flat=True))
        earlier = DailyCount.objects.filter(campaign=campaign, district=district, date__lt=first_day)
        counted = earlier.aggregate(total=Sum(F("online") + F("offline")))["total"] or 0
        scheduled_before = 0
        for count in DailyCount.objects.filter(campaign=campaign, district=district, date__gte=first_day).order_by("date"):
            counted += count.online + count.offline
            if count.offline <= 0:
                continue
            interviewed = math.ceil(count.offline / per_household)
            shares = visits["shares"]
            figures = {
                field: round(interviewed * share * (harder if field in ("door_closed", "no_notice") else 1))
                for field, share in shares.items()
            }
            figures |= {"interviewed": interviewed, "assigned": assigned}
            figures["visits"] = interviewed + sum(figures[field] for field in shares)
            figures["revisits_scheduled"] = figures["not_at_home"] + figures["door_closed"]
            figures["revisits_made"] = min(round(scheduled_before * visits["revisits_made_share"]), figures["visits"])
            figures["outstanding"] = max(assigned - math.ceil(counted / per_household), 0)
            scheduled_before = figures["revisits_scheduled"]
            if count.date not in existing:
                record_non_response(campaign=campaign, district=district, date=count.date, figures=figures, source=SOURCE)


def _load_service_points(service_points, campaign, districts: dict[str, District]) -> None:
    """The self-service points the regional briefing names (the data file's "service_points" says what is illustrative).

    Through the registry's write path; a point already there (same district and Russian name) is left as it is.
    """
    active_from = datetime.date.fromisoformat(service_points["active_from"])
    for item in service_points["points"]:
        district = districts[item["district"]]
        if ServicePoint.objects.filter(campaign=campaign, district=district, name_ru=item["name_ru"]).exists():
            continue
        values = {field: item.get(field, "") for field in ("kind", "name_kk", "name_ru", "name_en", "address", "opening_hours")}
        save_service_point(
            campaign=campaign, district=district, source=SOURCE,
            values={**values, "latitude": None, "longitude": None, "active_from": active_from, "active_to": None, "public": True},
        )  # fmt: skip


def _load_staffing(staffing, campaign, districts: dict[str, District]) -> None:
    """Illustrative staffing (the data file's "staffing" says what is published): plans, and each door-to-door day's duty.

    A district is staffed on the days it counted door to door. On every third day (by a fixed rule) it has
    6 points fewer of its plan on duty, below the 90% line, and on every fifth day a few of those on duty are not
    vaccinated, so that the dashboards' flags have something to show. Days already recorded are never overwritten.
    """
    valid_from = datetime.date.fromisoformat(staffing["plan_valid_from"])
    for index, (kato, plan) in enumerate(sorted(staffing["plan"].items())):
        district = districts[kato]
        for role, planned in (("interviewer", plan["interviewers"]), ("instructor", plan["instructors"])):
            set_staffing_plan(
                campaign=campaign, district=district, role=role, planned=planned, valid_from=valid_from, source=SOURCE,
                note=DEMO_STAFFING_NOTE,
            )  # fmt: skip
        existing = set(DailyStaffing.objects.filter(campaign=campaign, district=district).values_list("date", flat=True))
        worked = DailyCount.objects.filter(campaign=campaign, district=district, date__gte=valid_from, offline__gt=0)
        for day in worked.order_by("date").values_list("date", flat=True):
            if day in existing:
                continue
            share = staffing["on_duty_share"] - (0.06 if (day.toordinal() + index) % 3 == 0 else 0)
            interviewers = round(plan["interviewers"] * share)
            on_duty = interviewers + plan["instructors"] + staffing["volunteers_per_district"]
            unvaccinated = (
                math.ceil(on_duty * staffing["unvaccinated_per_100_on_duty"] / 100) if (day.toordinal() + index) % 5 == 0 else 0
            )
            record_staffing(
                campaign=campaign, district=district, date=day, interviewers=interviewers, instructors=plan["instructors"],
                volunteers=staffing["volunteers_per_district"], vaccinated=on_duty - unvaccinated, source=SOURCE,
            )  # fmt: skip
