"""Data generator and measurements for `make bench` (PostgreSQL only)."""

import datetime
import io
import random
import statistics
import time

from django.db import connection, transaction

from census.models import AuditEntry, Campaign, Phase
from census.services import record_count
from regions.models import District
from reports.services import recompute_coverage, recompute_districts

START = datetime.date(2021, 9, 1)
TABLES = [
    "reports_coveragesnapshot",
    "reports_recomputerequest",
    "census_auditentry",
    "census_dailycount",
    "census_districtstatus",
    "census_phaseextension",
    "census_phase",
    "regions_populationbaseline",
    "regions_district",
    "regions_region",
    "census_campaign",
]


def _copy(table: str, columns: list[str], rows) -> None:
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(str(v) for v in row) + "\n")
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)


def generate(*, slug: str, regions: int, districts: int, days: int, seed: int = 2021) -> Campaign:
    """A synthetic campaign: `regions` regions sharing `districts` districts, daily counts for `days` days."""
    rng = random.Random(seed)
    end = START + datetime.timedelta(days=days - 1)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
    with transaction.atomic():
        campaign = Campaign.objects.create(slug=slug, name_kk=slug, name_ru=slug, name_en=slug, starts_on=START)
        Phase.objects.create(campaign=campaign, kind=Phase.Kind.ONLINE, starts_on=START, ends_on=datetime.date(2021, 10, 15))
        Phase.objects.create(campaign=campaign, kind=Phase.Kind.DOOR_TO_DOOR, starts_on=datetime.date(2021, 10, 1), ends_on=end)
        _copy(
            "regions_region",
            ["id", "kato", "name_kk", "name_ru", "name_en", "kind"],
            ((r + 1, f"{10 + r * 5:02d}0000000", f"R{r}", f"R{r}", f"R{r}", "region") for r in range(regions)),
        )
        _copy(
            "regions_district",
            ["id", "kato", "name_kk", "name_ru", "name_en", "kind", "region_id"],
            (
                (
                    d + 1,
                    f"{10 + (d % regions) * 5:02d}{d // regions + 1:04d}000",
                    f"D{d}",
                    f"D{d}",
                    f"D{d}",
                    "district",
                    d % regions + 1,
                )
                for d in range(districts)
            ),
        )
        baselines = [rng.randint(5_000, 120_000) for _ in range(districts)]
        _copy(
            "regions_populationbaseline",
            ["district_id", "campaign_id", "population", "as_of", "source", "created_at"],
            ((d + 1, campaign.pk, baselines[d], START, "bench", "2021-09-01 00:00:00+00") for d in range(districts)),
        )

        def counts():
            door_to_door = (datetime.date(2021, 10, 1) - START).days
            online_days = (datetime.date(2021, 10, 15) - START).days + 1
            for d in range(districts):
                online_target = baselines[d] * rng.uniform(0.35, 0.7)
                offline_target = baselines[d] * 0.97 - online_target
                for i in range(days):
                    online = int(online_target * 0.08 * 0.93**i) if i < online_days else 0
                    offline = int(offline_target / (days - door_to_door) * rng.uniform(0.6, 1.4)) if i >= door_to_door else 0
                    yield (campaign.pk, d + 1, START + datetime.timedelta(days=i), online, offline, 1, "2021-09-01 00:00:00+00")

        _copy("census_dailycount", ["campaign_id", "district_id", "date", "online", "offline", "version", "updated_at"], counts())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return campaign


FLOOR_SQL = """
INSERT INTO reports_coveragesnapshot (
    campaign_id, level, kato, region_id, district_id, date, baseline, online_day, offline_day, online, offline, total,
    coverage_pct, online_pct, offline_pct, online_share_pct, status, flags, outlook, computed_at)
SELECT %(campaign)s, 'district', kato, region_id, district_id, day, population, online_day, offline_day, online, offline,
       online + offline,
       round(100.0 * (online + offline) / population, 1), round(100.0 * online / population, 1),
       round(100.0 * offline / population, 1),
       CASE WHEN online + offline > 0 THEN round(100.0 * online / (online + offline), 1) END,
       '', '[]'::jsonb, '', now()
FROM (
    SELECT d.kato, d.region_id, d.id AS district_id, g.day::date AS day, b.population,
           coalesce(c.online, 0) AS online_day, coalesce(c.offline, 0) AS offline_day,
           sum(coalesce(c.online, 0)) OVER w AS online, sum(coalesce(c.offline, 0)) OVER w AS offline
    FROM regions_district d
    JOIN regions_populationbaseline b ON b.district_id = d.id AND b.campaign_id = %(campaign)s
    CROSS JOIN generate_series(%(start)s::date, %(end)s::date, interval '1 day') AS g(day)
    LEFT JOIN census_dailycount c ON c.campaign_id = %(campaign)s AND c.district_id = d.id AND c.date = g.day::date
    WINDOW w AS (PARTITION BY d.id ORDER BY g.day)
) AS cumulative
ON CONFLICT (campaign_id, kato, date) DO UPDATE SET
    online_day = excluded.online_day, offline_day = excluded.offline_day, online = excluded.online,
    offline = excluded.offline, total = excluded.total, baseline = excluded.baseline,
    coverage_pct = excluded.coverage_pct, online_pct = excluded.online_pct, offline_pct = excluded.offline_pct,
    online_share_pct = excluded.online_share_pct, computed_at = excluded.computed_at
"""


def sql_floor(campaign: Campaign, days: int) -> float:
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(FLOOR_SQL, {"campaign": campaign.pk, "start": START, "end": START + datetime.timedelta(days=days - 1)})
    return time.perf_counter() - started


def full_recompute(campaign: Campaign) -> float:
    started = time.perf_counter()
    recompute_coverage(campaign=campaign)
    return time.perf_counter() - started


def incremental(campaign: Campaign, runs: int = 20) -> tuple[list[float], list[float]]:
    """One count changed, `runs` times: (the recompute job alone, the whole save in-process).

    The whole save is record_count + the drain job + re-rendering the affected
    dashboards (what the embedded mode does before the response returns); the
    recompute alone is what a worker spends on the snapshots.
    """
    district = District.objects.order_by("id")[District.objects.count() // 2]
    day = datetime.date(2021, 10, 20)
    recompute, whole = [], []
    for i in range(runs):
        started = time.perf_counter()
        record_count(
            campaign=campaign, district=district, date=day, online=0, offline=1000 + i, reason="bench correction",
            source=AuditEntry.Source.COMMAND, confirm_implausible=True,
        )  # fmt: skip
        whole.append(time.perf_counter() - started)
        started = time.perf_counter()
        recompute_districts(campaign=campaign, from_dates={district.pk: day})
        recompute.append(time.perf_counter() - started)
    return recompute, whole


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def run_scale(name: str, *, regions: int, districts: int, days: int, memory_child=None) -> list[tuple[str, str, str]]:
    print(f"[{name}] generating {regions} regions, {districts} districts x {days} days ...", flush=True)
    started = time.perf_counter()
    campaign = generate(slug=f"bench-{name}", regions=regions, districts=districts, days=days)
    print(f"[{name}] generated in {time.perf_counter() - started:.1f} s", flush=True)
    rows = []
    if memory_child is None:
        full_recompute(campaign)  # warm the table: both timed runs then update existing rows
        floor = statistics.median(sql_floor(campaign, days) for _ in range(3))
        full = statistics.median(full_recompute(campaign) for _ in range(3))
        rss = None
    else:
        full, rss = memory_child(campaign.slug)
        floor = sql_floor(campaign, days)
        full, rss2 = memory_child(campaign.slug)
        rss = max(rss, rss2)
    snapshots = districts * days
    rows.append((name, "full recompute, reports.services (s)", f"{full:.2f}"))
    rows.append((name, "same district-days, one SQL window query (s)", f"{floor:.2f}"))
    rows.append((name, "full recompute / SQL floor (goal <= 1.5x)", f"{full / floor:.2f}x"))
    rows.append((name, "district-day snapshots written", f"{snapshots:,}"))
    recompute, whole = incremental(campaign)
    rows.append(
        (
            name,
            "one count changed: recompute job, median (ms) (goal <= 10 national, 50 stress)",
            f"{statistics.median(recompute) * 1000:.1f}",
        )
    )
    rows.append((name, "one count changed: recompute job, p95 (ms)", f"{p95(recompute) * 1000:.1f}"))
    rows.append((name, "save + recompute + dashboards re-rendered, median (ms)", f"{statistics.median(whole) * 1000:.1f}"))
    if rss is not None:
        rows.append((name, "worker peak memory, max RSS (MB) (goal < 300)", f"{rss / 1024:.0f}"))
    return rows


def print_table(rows) -> None:
    width = max(len(r[1]) for r in rows)
    print()
    print(f"| scale    | {'measure':{width}} | value    |")
    print(f"|----------|{'-' * (width + 2)}|----------|")
    for scale, measure, value in rows:
        print(f"| {scale:8} | {measure:{width}} | {value:>8} |")
