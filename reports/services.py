"""Coverage work: the drain of owed recomputes, and the recompute that turns counts into snapshots."""

import datetime
import io
import json
import logging
from collections import defaultdict
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import F, Max, Sum
from django.utils import timezone

from census.calendar import CampaignCalendar
from census.models import AuditEntry, Campaign, DailyCount, DistrictStatus
from regions.models import COUNTRY_KATO, District, PopulationBaseline, Region
from reports import coverage, outbox
from reports.models import CoverageSnapshot, RecomputeRequest

log = logging.getLogger(__name__)

BATCH_SIZE = 2000
# Any fixed 64-bit number: the advisory lock that lets one drain run at a time on PostgreSQL.
DRAIN_LOCK_KEY = 7_027_000_001


def _serialize_recomputes() -> None:
    """Hold, until the transaction ends, the lock every recompute takes (PostgreSQL; SQLite has one writer anyway).

    This is also why a second beat process is harmless: its nightly job waits
    for the first and then rewrites the same snapshots with the same values.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [DRAIN_LOCK_KEY])


def drain_recompute_outbox() -> int:
    """Do all owed coverage work, coalesced per district, and remove what was done; returns the requests drained."""
    with transaction.atomic():
        # Two drains at once would recompute the same region rows and could deadlock;
        # the second waits, then finds the outbox (nearly) empty.
        _serialize_recomputes()
        pending = list(RecomputeRequest.objects.order_by("id")[:50_000])
        if not pending:
            return 0
        owed: dict[int, dict[int | None, datetime.date]] = defaultdict(dict)
        for request in pending:
            per_district = owed[request.campaign_id]
            key = request.district_id
            per_district[key] = min(request.from_date, per_district.get(key, request.from_date))
        for campaign in Campaign.objects.filter(pk__in=owed):
            per_district = owed[campaign.pk]
            if None in per_district:
                recompute_coverage(campaign=campaign, from_date=min(per_district.values()))
            else:
                recompute_districts(campaign=campaign, from_dates=per_district)
        # Only the rows read: requests that arrived meanwhile stay for the next drain.
        RecomputeRequest.objects.filter(id__in=[r.id for r in pending]).delete()
        # Dashboards are rendered from these snapshots: once they are committed, render the affected ones again.
        outbox.render_after_commit(owed)
    return len(pending)


# --- Recompute ----------------------------------------------------------------------------------


# Column order of the rows _snapshot() builds and _save_snapshots() writes.
SNAPSHOT_COLUMNS = [
    "campaign_id", "level", "kato", "region_id", "district_id", "date", "baseline", "online_day", "offline_day",
    "online", "offline", "total", "coverage_pct", "online_pct", "offline_pct", "online_share_pct", "status", "flags",
    "daily_rate", "needed_daily_rate", "projected_on", "outlook", "computed_at",
]  # fmt: skip


def _snapshot(campaign, level, kato, figures: coverage.Figures, *, region_id, district_id, status, computed_at) -> tuple:
    """One snapshot as a row of SNAPSHOT_COLUMNS (plain tuples: model instances cost more than the arithmetic)."""
    day = figures.day
    forecast = figures.forecast
    return (
        campaign.pk, level, kato, region_id, district_id, day.date, figures.baseline, day.online_day, day.offline_day,
        day.online, day.offline, day.total, figures.coverage_pct, figures.online_pct, figures.offline_pct,
        figures.online_share_pct, status, json.dumps(figures.flags), forecast.daily_rate, forecast.needed_daily_rate,
        forecast.projected_on, forecast.outlook, computed_at,
    )  # fmt: skip


_UPSERT_SET = ", ".join(f"{c} = excluded.{c}" for c in SNAPSHOT_COLUMNS if c not in ("campaign_id", "kato", "date"))
_TABLE = CoverageSnapshot._meta.db_table


# COPY's text format: backslash, tab and newlines inside a value must be escaped.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_line(row: tuple) -> str:
    """One row in COPY's text format. str() of dates, datetimes and Decimals is already what PostgreSQL reads."""
    return "\t".join("\\N" if v is None else v.translate(_COPY_ESCAPES) if type(v) is str else str(v) for v in row)


def _sqlite_value(value):
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, datetime.date | Decimal):
        return str(value)
    return value


def _save_snapshots(rows: list[tuple]) -> None:
    """Upsert snapshot rows on their natural key: a rerun overwrites instead of adding rows."""
    if not rows:
        return
    columns = ", ".join(SNAPSHOT_COLUMNS)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY into a scratch table, then one INSERT .. ON CONFLICT: several times faster than
            # a multi-row INSERT for the nightly recompute's millions of rows.
            cursor.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS snapshot_load ON COMMIT DELETE ROWS AS SELECT {columns} FROM {_TABLE} WITH NO DATA"
            )
            buffer = io.StringIO("".join(_copy_line(row) + "\n" for row in rows))
            cursor.cursor.copy_expert(f"COPY snapshot_load ({columns}) FROM STDIN", buffer)
            cursor.execute(
                f"INSERT INTO {_TABLE} ({columns}) SELECT {columns} FROM snapshot_load "
                f"ON CONFLICT (campaign_id, kato, date) DO UPDATE SET {_UPSERT_SET}"
            )
            cursor.execute("TRUNCATE snapshot_load")
        else:
            placeholders = ", ".join(["%s"] * len(SNAPSHOT_COLUMNS))
            cursor.executemany(
                f"INSERT INTO {_TABLE} ({columns}) VALUES ({placeholders}) "
                f"ON CONFLICT (campaign_id, kato, date) DO UPDATE SET {_UPSERT_SET}",
                [tuple(_sqlite_value(v) for v in row) for row in rows],
            )


def _lowered_days(campaign, district_ids, since) -> dict[int, set[datetime.date]]:
    """Per district, the days whose counts a correction lowered (from the audit trail)."""
    lowered = defaultdict(set)
    entries = AuditEntry.objects.filter(
        campaign=campaign, subject=AuditEntry.Subject.COUNT, district_id__in=district_ids, date__gte=since
    ).values_list("district_id", "date", "changes")
    for district_id, date, changes in entries.iterator():
        if any(old is not None and new < old for old, new in changes.values()):
            lowered[district_id].add(date)
    return lowered


def _statuses(campaign, district_ids) -> dict[int, list[tuple[datetime.date, int, str]]]:
    """Per district, its status decisions in order, to look up the status in force on a day."""
    decisions = defaultdict(list)
    rows = DistrictStatus.objects.filter(campaign=campaign, district_id__in=district_ids).order_by("date", "id")
    for district_id, date, pk, status in rows.values_list("district_id", "date", "id", "status"):
        decisions[district_id].append((date, pk, status))
    return decisions


def _status_on(decisions, day) -> str:
    current = ""
    for date, _pk, status in decisions:
        if date > day:
            break
        current = status
    return current


def _baselines(campaign, district_ids) -> dict[int, list[tuple[datetime.date, int]]]:
    """Per district, its baseline versions in order (by as_of, then entry), to look up the one in force on a day."""
    versions = defaultdict(list)
    rows = PopulationBaseline.objects.filter(campaign=campaign, district_id__in=district_ids).order_by("as_of", "id")
    for district_id, as_of, population in rows.values_list("district_id", "as_of", "population"):
        versions[district_id].append((as_of, population))
    return versions


def _baselines_by_day(versions, series) -> dict[datetime.date, int]:
    """{day: the baseline in force that day}: the latest version dated on or before it.

    A day is measured against what was known on it, so a revision dated later never rewrites it.
    Days before the first version's date use the first version: it is the campaign's denominator
    from its start (a registry extract is often dated a little after counting began).
    """
    by_day = {}
    first = versions[0][1] if versions else 0
    for d in series:
        by_day[d.date] = first
        for as_of, population in versions:
            if as_of > d.date:
                break
            by_day[d.date] = population
    return by_day


def _reached_on(campaign, calendar, kato, series, baseline) -> datetime.date | None:
    """The day an area reached its baseline, when that was before `series` starts: its stored snapshots say when."""
    if not series or baseline <= 0 or series[0].total < baseline or series[0].date <= calendar.start:
        return None
    earlier = CoverageSnapshot.objects.filter(
        campaign=campaign, kato=kato, date__lt=series[0].date, baseline__gt=0, total__gte=F("baseline")
    )
    return earlier.order_by("date").values_list("date", flat=True).first()


def _recompute_region_districts(campaign, calendar, region, districts, from_dates, computed_at) -> datetime.date:
    """Recompute the given districts of one region, each from its own date; returns the earliest date touched."""
    district_ids = [d.pk for d in districts]
    earliest = min(from_dates[d.pk] for d in districts)
    history_from = max(calendar.start, earliest - datetime.timedelta(days=coverage.RATE_WINDOW_DAYS))
    counts = DailyCount.objects.filter(campaign=campaign, district_id__in=district_ids)
    last_count = counts.aggregate(last=Max("date"))["last"]
    end = calendar.end(region, last_count)
    # Each day's forecast against the deadline known that day: a later extension must not rewrite it.
    deadlines = calendar.deadlines(region, history_from, end)
    before = {
        row["district_id"]: (row["online"] or 0, row["offline"] or 0)
        for row in counts.filter(date__lt=history_from)
        .values("district_id")
        .annotate(online=Sum("online"), offline=Sum("offline"))
    }
    increments: dict[int, dict[datetime.date, tuple[int, int]]] = defaultdict(dict)
    for district_id, date, online, offline in (
        counts.filter(date__gte=history_from).order_by().values_list("district_id", "date", "online", "offline").iterator()
    ):
        increments[district_id][date] = (online, offline)
    baselines = _baselines(campaign, district_ids)
    lowered = _lowered_days(campaign, district_ids, history_from)
    statuses = _statuses(campaign, district_ids)
    active = calendar.active_days(region, history_from, end)

    rows = []
    for district in districts:
        start = max(calendar.start, from_dates[district.pk])
        own_history_from = max(calendar.start, start - datetime.timedelta(days=coverage.RATE_WINDOW_DAYS))
        online_before, offline_before = before.get(district.pk, (0, 0))
        days = increments.get(district.pk, {})
        # Days between the shared history start and this district's own are folded into "before".
        for day in [d for d in days if d < own_history_from]:
            online_before += days[day][0]
            offline_before += days[day][1]
        series = coverage.cumulative_series(
            {d: v for d, v in days.items() if d >= own_history_from},
            start=own_history_from,
            end=end,
            online_before=online_before,
            offline_before=offline_before,
        )
        first = (start - own_history_from).days
        baseline = _baselines_by_day(baselines.get(district.pk, []), series)
        figures = coverage.area_figures(
            series,
            baseline=baseline,
            deadline=deadlines,
            active_days=active,
            lowered_days=lowered.get(district.pk, ()),
            first=first,
            reached_on=_reached_on(campaign, calendar, district.kato, series, baseline.get(series[0].date, 0) if series else 0),
        )
        decisions = statuses.get(district.pk, [])
        rows.extend(
            _snapshot(
                campaign,
                CoverageSnapshot.Level.DISTRICT,
                district.kato,
                f,
                region_id=region.pk,
                district_id=district.pk,
                status=_status_on(decisions, f.day.date),
                computed_at=computed_at,
            )
            for f in figures
        )
        if len(rows) >= BATCH_SIZE:
            # Written as we go, so memory holds one batch, not a whole region's days.
            _save_snapshots(rows)
            rows = []
    _save_snapshots(rows)
    return earliest


def _roll_up(campaign, calendar, *, level, kato, region, children, from_date, computed_at) -> None:
    """Recompute an area's snapshots from `from_date` as the sum of its children's snapshots (never averaged)."""
    history_from = max(calendar.start, from_date - datetime.timedelta(days=coverage.RATE_WINDOW_DAYS))
    sums = (
        children.filter(date__gte=history_from)
        .order_by()
        .values("date")
        .annotate(
            online_day=Sum("online_day"),
            offline_day=Sum("offline_day"),
            online=Sum("online"),
            offline=Sum("offline"),
            baseline=Sum("baseline"),
        )
        .order_by("date")
    )
    sums = list(sums)
    if sums:
        # An area below whose snapshots stop earlier (its region's phase was not extended) still
        # counts, at its final figures: without it the country would shrink after that region's end.
        finished = children.order_by().values("kato").annotate(last=Max("date")).filter(last__lt=sums[-1]["date"])
        for child_kato, last in finished.values_list("kato", "last"):
            final = children.filter(kato=child_kato, date=last).values("online", "offline", "baseline").get()
            for s in sums:
                if s["date"] > last:
                    for name in ("online", "offline", "baseline"):
                        s[name] += final[name]
    if not sums:
        CoverageSnapshot.objects.filter(campaign=campaign, kato=kato, date__gte=from_date).delete()
        return
    series = [coverage.Day(s["date"], s["online_day"], s["offline_day"], s["online"], s["offline"]) for s in sums]
    child_flags = defaultdict(set)
    for date, flags in children.filter(date__gte=from_date).exclude(flags=[]).values_list("date", "flags").iterator():
        # A roll-up is "over 100%" only by its own figures; other flags say "some area below needs a look".
        child_flags[date].update(f for f in flags if f != coverage.OVER_100)
    first = next((i for i, d in enumerate(series) if d.date >= from_date), len(series))
    # Each day against the sum of its children's baselines in force that day, as they were measured.
    baseline = {s["date"]: s["baseline"] for s in sums}
    figures = coverage.area_figures(
        series,
        baseline=baseline,
        # As for districts, each day against the deadline known that day (the country's: no region's extension).
        deadline=calendar.deadlines(region, series[0].date, series[-1].date),
        first=first,
        child_flags=child_flags,
        reached_on=_reached_on(campaign, calendar, kato, series, sums[0]["baseline"]),
    )
    _save_snapshots(
        [
            _snapshot(
                campaign,
                level,
                kato,
                f,
                region_id=region.pk if region else None,
                district_id=None,
                status="",
                computed_at=computed_at,
            )  # fmt: skip
            for f in figures
        ]
    )


def _roll_up_regions(campaign, calendar, regions_from: dict, computed_at) -> None:
    regions = {r.pk: r for r in Region.objects.filter(pk__in=regions_from)}
    for region_id, from_date in regions_from.items():
        region = regions[region_id]
        _roll_up(
            campaign,
            calendar,
            level=CoverageSnapshot.Level.REGION,
            kato=region.kato,
            region=region,
            children=CoverageSnapshot.objects.filter(campaign=campaign, level=CoverageSnapshot.Level.DISTRICT, region=region),
            from_date=from_date,
            computed_at=computed_at,
        )
    _roll_up(
        campaign,
        calendar,
        level=CoverageSnapshot.Level.COUNTRY,
        kato=COUNTRY_KATO,
        region=None,
        children=CoverageSnapshot.objects.filter(campaign=campaign, level=CoverageSnapshot.Level.REGION),
        from_date=min(regions_from.values()),
        computed_at=computed_at,
    )


def recompute_districts(*, campaign, from_dates: dict[int, datetime.date]) -> None:
    """Recompute the given districts (id -> first day that changed), then their regions and the country."""
    calendar = CampaignCalendar.load(campaign)
    computed_at = timezone.now()
    by_region = defaultdict(list)
    for district in District.objects.filter(pk__in=from_dates).select_related("region"):
        by_region[district.region].append(district)
    regions_from = {}
    with transaction.atomic():
        for region, districts in by_region.items():
            regions_from[region.pk] = _recompute_region_districts(campaign, calendar, region, districts, from_dates, computed_at)
        if regions_from:
            _roll_up_regions(campaign, calendar, regions_from, computed_at)


def recompute_coverage(*, campaign, region=None, from_date: datetime.date | None = None) -> int:
    """Recompute every district of the campaign (or of one region) from `from_date` (default: the start).

    Works region by region so memory stays bounded by one region's counts.
    Returns the number of districts recomputed.
    """
    calendar = CampaignCalendar.load(campaign)
    start = max(calendar.start, from_date or calendar.start)
    computed_at = timezone.now()
    regions = Region.objects.filter(pk=region.pk) if region else Region.objects.all()
    done = 0
    regions_from = {}
    with transaction.atomic():
        _serialize_recomputes()
        for one in regions.order_by("kato"):
            districts = list(District.objects.filter(region=one).order_by("kato"))
            if not districts:
                continue
            _recompute_region_districts(campaign, calendar, one, districts, {d.pk: start for d in districts}, computed_at)
            regions_from[one.pk] = start
            done += len(districts)
        if regions_from:
            _roll_up_regions(campaign, calendar, regions_from, computed_at)
        # A phase brought forward leaves snapshots past the new end: they no longer describe the campaign.
        # (Phase changes always ask for this full recompute, so the incremental path need not check.)
        ends = []
        for one in regions:
            last_count = DailyCount.objects.filter(campaign=campaign, district__region=one).aggregate(last=Max("date"))["last"]
            ends.append(calendar.end(one, last_count))
            CoverageSnapshot.objects.filter(campaign=campaign, region=one, date__gt=ends[-1]).delete()
        if region is None:
            country_end = max(ends, default=calendar.start)
            CoverageSnapshot.objects.filter(campaign=campaign, kato=COUNTRY_KATO, date__gt=country_end).delete()
    return done
