"""Coverage work: the drain of owed recomputes, and the recompute that turns counts into snapshots."""

import datetime
import io
import json
import logging
from collections import defaultdict
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Max, Sum
from django.utils import timezone

from census.calendar import CampaignCalendar
from census.models import AuditEntry, Campaign, DailyCount, DistrictStatus
from regions.models import COUNTRY_KATO, District, PopulationBaseline, Region
from reports import coverage, outbox
from reports.models import CoverageSnapshot, RecomputeRequest

log = logging.getLogger(__name__)

BATCH_SIZE = 2000
# Up to this many districts their rows are read at once rather than streamed (see _recompute_region_districts).
FEW_DISTRICTS = 50
# Any fixed 32-bit number: the namespace of the advisory locks the recomputes take on PostgreSQL, one per region
# (its id) and one for the country (COUNTRY_LOCK), so that regions recompute in parallel in several workers.
RECOMPUTE_LOCK_CLASS = 70_270
COUNTRY_LOCK = 0


def _lock_areas(region_ids, *, country: bool) -> None:
    """Hold, until the transaction ends, the locks of these regions (and the country's): PostgreSQL; SQLite has one writer.

    A region's districts and its own snapshots are written only under its lock; the country's under the country
    lock. Every recompute takes the region locks in ascending order and the country lock after them, so two never
    wait for each other in a cycle. This is also why a second beat process is harmless: its nightly job waits
    for the first and then rewrites the same snapshots with the same values.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for region_id in sorted(region_ids):
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [RECOMPUTE_LOCK_CLASS, region_id])
        if country:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [RECOMPUTE_LOCK_CLASS, COUNTRY_LOCK])


def drain_recompute_outbox() -> int:
    """Do all owed coverage work, coalesced per district, one region at a time; returns the requests drained.

    Each region's work is claimed, done and committed on its own (with the country's share), so several
    workers draining at once take different regions and recompute them in parallel.
    """
    drained = 0
    while done := _drain_one_region():
        drained += done
    return drained


def _drain_one_region() -> int:
    """Claim the owed work of the oldest request's region (or, for a campaign-wide request, of its campaign) and do it."""
    with transaction.atomic():
        # Rows another drain has claimed are skipped (SKIP LOCKED): it is doing them.
        claimable = RecomputeRequest.objects.select_for_update(skip_locked=True, of=("self",)).order_by("id")
        head = claimable.first()
        if head is None:
            return 0
        mine = claimable.filter(campaign_id=head.campaign_id)
        if head.district_id is not None:
            region_id = District.objects.filter(pk=head.district_id).values_list("region_id", flat=True).first()
            mine = mine.filter(district__region_id=region_id)
        pending = list(mine[:50_000])
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
        # Only the rows read: requests that arrived meanwhile stay for the next round.
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


# Up to this many rows an upsert is one INSERT .. VALUES; above it COPY into a scratch table pays for itself.
SMALL_UPSERT = 400


def _save_snapshots(rows: list[tuple]) -> None:
    """Upsert snapshot rows on their natural key: a rerun overwrites instead of adding rows."""
    if not rows:
        return
    columns = ", ".join(SNAPSHOT_COLUMNS)
    # No savepoint of its own inside the recompute's transaction: two round trips more per write, and an error
    # fails the whole recompute anyway.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(rows) <= SMALL_UPSERT:
            # A few days of a region and the country (the incremental path): one statement, no scratch table.
            placeholders = "(" + ", ".join(["%s"] * len(SNAPSHOT_COLUMNS)) + ")"
            cursor.execute(
                f"INSERT INTO {_TABLE} ({columns}) VALUES {', '.join([placeholders] * len(rows))} "
                f"ON CONFLICT (campaign_id, kato, date) DO UPDATE SET {_UPSERT_SET}",
                [value for row in rows for value in row],
            )
        elif connection.vendor == "postgresql":
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
    for district_id, date, changes in entries.iterator() if len(district_ids) > FEW_DISTRICTS else entries:
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


# Statuses that close a district: nothing more is expected of it, so its forecast is "completed", not a verdict on pace.
CLOSED_STATUSES = frozenset({DistrictStatus.Status.COMPLETED_EARLY.value, DistrictStatus.Status.COMPLETED.value})


def _closed_days(decisions, series) -> set[datetime.date]:
    """The days of `series` on which the district's status in force closed it."""
    return {d.date for d in series if _status_on(decisions, d.date) in CLOSED_STATUSES}


def reporting_regions() -> list[Region]:
    """The regions that have districts to report: the country's deadline is the latest of theirs."""
    return list(Region.objects.filter(districts__isnull=False).distinct().order_by("kato"))


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


def _earlier_totals(campaign, calendar, kato, series, baselines) -> list[tuple[datetime.date, int]]:
    """An area's (day, total) before `series` starts, when some day of it may have reached its baseline there.

    A series that starts mid-campaign cannot see the day its area reached a baseline; its stored snapshots can.
    Read only when the first day's total already meets some day's baseline (totals never fall within a series).
    """
    lowest = min((b for b in baselines if b > 0), default=0)
    if not series or lowest <= 0 or series[0].total < lowest or series[0].date <= calendar.start:
        return []
    earlier = CoverageSnapshot.objects.filter(campaign=campaign, kato=kato, date__lt=series[0].date, total__gte=lowest)
    return list(earlier.order_by("date").values_list("date", "total"))


class _Gathered:
    """A roll-up's summed figures and its children's flags, gathered while the children are computed.

    The full recompute sums each region from its districts' figures (and the country from its regions')
    as they go by, instead of reading back from the table what it has just written.
    """

    def __init__(self) -> None:
        self.days: dict[datetime.date, list[int]] = {}
        self.flags: dict[datetime.date, set[str]] = defaultdict(set)
        self.finals: list[tuple[datetime.date, int, int, int]] = []

    def add(self, figures: list[coverage.Figures]) -> None:
        """One child's figures for every day from the start (a roll-up needs them all)."""
        for f in figures:
            d = f.day
            acc = self.days.get(d.date)
            if acc is None:
                acc = self.days[d.date] = [0, 0, 0, 0, 0]
            acc[0] += d.online_day
            acc[1] += d.offline_day
            acc[2] += d.online
            acc[3] += d.offline
            acc[4] += f.baseline
            if f.flags:
                # As _derive_roll_up: a roll-up is "over 100%" only by its own figures.
                self.flags[d.date].update(flag for flag in f.flags if flag != coverage.OVER_100)
        if figures:
            last = figures[-1]
            self.finals.append((last.day.date, last.day.online, last.day.offline, last.baseline))

    def sums(self) -> list[dict]:
        """The summed days in order, as _roll_up's query gives them (a child that stops earlier counts at its final figures)."""
        days = sorted(self.days)
        result = [dict(zip(("date", *SUMMED), (day, *self.days[day]), strict=True)) for day in days]
        for last, online, offline, baseline in self.finals:
            if days and last < days[-1]:
                for row in result:
                    if row["date"] > last:
                        row["online"] += online
                        row["offline"] += offline
                        row["baseline"] += baseline
        return result


def _recompute_region_districts(
    campaign, calendar, region, districts, from_dates, computed_at, gathered: _Gathered | None = None
) -> datetime.date:
    """Recompute the given districts of one region, each from its own date; returns the earliest date touched.

    `gathered`: where to add every district's figures for the region's roll-up (every date from the start).
    """
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
    rows = counts.filter(date__gte=history_from).order_by().values_list("district_id", "date", "online", "offline")
    # A server-side cursor keeps a big region's counts out of memory; for a few districts its round trips cost more.
    for district_id, date, online, offline in rows.iterator() if len(districts) > FEW_DISTRICTS else rows:
        increments[district_id][date] = (online, offline)
    baselines = _baselines(campaign, district_ids)
    lowered = _lowered_days(campaign, district_ids, history_from)
    statuses = _statuses(campaign, district_ids)
    active = calendar.active_days(region, history_from, end)
    ramp_up = calendar.ramp_up_until()

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
        decisions = statuses.get(district.pk, [])
        figures = coverage.area_figures(
            series,
            baseline=baseline,
            deadline=deadlines,
            active_days=active,
            lowered_days=lowered.get(district.pk, ()),
            first=first,
            earlier=_earlier_totals(campaign, calendar, district.kato, series, baseline.values()),
            closed_days=_closed_days(decisions, series),
            ramp_up_until=ramp_up,
        )
        if gathered is not None:
            gathered.add(figures)
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
    _derive_roll_up(
        campaign, calendar, level=level, kato=kato, region=region, children=children, sums=sums, from_date=from_date,
        computed_at=computed_at,
    )  # fmt: skip


def _derive_roll_up(
    campaign, calendar, *, level, kato, region, children, sums, from_date, computed_at, child_flags=None
) -> list[coverage.Figures]:
    """Write a roll-up's snapshots from `from_date` on, given its summed figures per day (from a week before it on).

    `child_flags`: {day: flags of the areas below}, when already known; otherwise read from `children`.
    """
    series = [coverage.Day(s["date"], s["online_day"], s["offline_day"], s["online"], s["offline"]) for s in sums]
    if child_flags is None:
        child_flags = defaultdict(set)
        # Read at once, not streamed: only the flagged days of the days recomputed, and a server-side cursor's
        # round trips are most of the cost of one changed count.
        for date, flags in children.filter(date__gte=from_date).exclude(flags=[]).values_list("date", "flags"):
            # A roll-up is "over 100%" only by its own figures; other flags say "some area below needs a look".
            child_flags[date].update(f for f in flags if f != coverage.OVER_100)
    first = next((i for i, d in enumerate(series) if d.date >= from_date), len(series))
    # Each day against the sum of its children's baselines in force that day, as they were measured.
    baseline = {s["date"]: s["baseline"] for s in sums}
    figures = coverage.area_figures(
        series,
        baseline=baseline,
        # As for districts, each day against the deadline known that day; the country's is the latest of its
        # regions' (the end its phases card shows), so its verdict, its days left and its regions' agree.
        deadline=calendar.deadlines(region, series[0].date, series[-1].date, regions=() if region else reporting_regions()),
        first=first,
        ramp_up_until=calendar.ramp_up_until(),
        child_flags=child_flags,
        earlier=_earlier_totals(campaign, calendar, kato, series, baseline.values()),
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
    return figures


# --- Incremental roll-up: a few districts changed, their region and the country move by the difference ------------

# The summed figures of a roll-up, in the order a Delta holds their differences.
SUMMED = ("online_day", "offline_day", "online", "offline", "baseline")
Delta = tuple[int, int, int, int, int]


def _district_figures(campaign, district_ids, since) -> dict[int, dict[datetime.date, Delta]]:
    """Per district, {day: its SUMMED figures} from `since` on, as stored."""
    figures: dict[int, dict[datetime.date, Delta]] = defaultdict(dict)
    rows = CoverageSnapshot.objects.filter(campaign=campaign, district_id__in=district_ids, date__gte=since)
    for district_id, date, *values in rows.order_by().values_list("district_id", "date", *SUMMED):
        figures[district_id][date] = tuple(values)
    return figures


def _deltas(before, after) -> list[tuple[datetime.date, Delta]] | None:
    """What the districts' change adds to the areas above, as (from this day on, delta) steps; None when it is not a sum.

    Each step holds until the next; the last one holds for every later day: past a district's last day its
    final cumulative figures carry on (as _roll_up counts a child that stops earlier), without a day's increment.
    A district whose days themselves changed (a new day, a shorter phase) is not a difference of figures:
    the caller then sums the children again.
    """
    if not after:
        return []
    for district_id in before.keys() | after.keys():
        old, new = before.get(district_id, {}), after.get(district_id, {})
        if old.keys() != new.keys() or not new:
            return None
    lasts = {district_id: max(days) for district_id, days in after.items()}
    every_day = sorted(set().union(*after.values()))

    def on(day) -> Delta:
        acc = [0, 0, 0, 0, 0]
        for district_id, new in after.items():
            old, last = before[district_id], lasts[district_id]
            if day <= last:
                if day in new:
                    for i in range(5):
                        acc[i] += new[day][i] - old[day][i]
            else:
                for i in range(2, 5):
                    acc[i] += new[last][i] - old[last][i]
        return (acc[0], acc[1], acc[2], acc[3], acc[4])

    steps: list[tuple[datetime.date, Delta]] = []
    for day in [*every_day, every_day[-1] + datetime.timedelta(days=1)]:
        delta = on(day)
        if not steps or steps[-1][1] != delta:
            steps.append((day, delta))
    return steps


def _apply_deltas(campaign, kato, steps) -> None:
    """Add the steps' differences to an area's stored figures: one UPDATE per step, atomic under concurrent writers."""
    with connection.cursor() as cursor:
        for i, (day, delta) in enumerate(steps):
            if not any(delta):
                continue
            until = steps[i + 1][0] if i + 1 < len(steps) else None
            sql = (
                f"UPDATE {_TABLE} SET online_day = online_day + %s, offline_day = offline_day + %s, "
                "online = online + %s, offline = offline + %s, baseline = baseline + %s, total = total + %s "
                "WHERE campaign_id = %s AND kato = %s AND date >= %s"
            )
            params = [*delta, delta[2] + delta[3], campaign.pk, kato, day]
            if until is not None:
                sql += " AND date < %s"
                params.append(until)
            cursor.execute(sql, params)


def _shift_roll_up(campaign, calendar, *, level, kato, region, children, steps, from_date, computed_at) -> bool:
    """Move a roll-up by the steps' differences, then re-derive its flags and forecasts from `from_date` on.

    Returns False (and changes nothing) when the area has no stored figures to move: the caller sums instead.
    """
    history_from = max(calendar.start, from_date - datetime.timedelta(days=coverage.RATE_WINDOW_DAYS))
    own = CoverageSnapshot.objects.filter(campaign=campaign, kato=kato, date__gte=history_from)
    # Locked as read: the UPDATE below and the figures derived from these rows must see the same values.
    sums = list(own.select_for_update(of=("self",)).order_by("date").values("date", *SUMMED))
    if not any(s["date"] == max(calendar.start, from_date) for s in sums):
        return False
    _apply_deltas(campaign, kato, steps)
    # The same differences on the rows read, instead of reading them again.
    for s in sums:
        delta = next((d for day, d in reversed(steps) if day <= s["date"]), None)
        if delta is not None:
            for name, value in zip(SUMMED, delta, strict=True):
                s[name] += value
    _derive_roll_up(
        campaign, calendar, level=level, kato=kato, region=region, children=children, sums=sums, from_date=from_date,
        computed_at=computed_at,
    )  # fmt: skip
    return True


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
    """Recompute the given districts (id -> first day that changed), then move their regions and the country.

    The districts are derived again from their counts; the areas above move by the difference (see _deltas)
    and re-derive only their flags and forecasts from the first changed day, instead of summing every
    district of the region again. The full recompute stays the reference that this must equal.
    """
    calendar = CampaignCalendar.load(campaign)
    computed_at = timezone.now()
    by_region = defaultdict(list)
    for district in District.objects.filter(pk__in=from_dates).select_related("region"):
        by_region[district.region].append(district)
    if not by_region:
        return
    regions_from = {}
    all_before: dict[int, dict[datetime.date, Delta]] = {}
    all_after: dict[int, dict[datetime.date, Delta]] = {}
    summed = False
    with transaction.atomic():
        _lock_areas([region.pk for region in by_region], country=False)
        for region, districts in sorted(by_region.items(), key=lambda item: item[0].kato):
            ids = [d.pk for d in districts]
            since = max(calendar.start, min(from_dates[pk] for pk in ids))
            before = _district_figures(campaign, ids, since)
            earliest = _recompute_region_districts(campaign, calendar, region, districts, from_dates, computed_at)
            after = _district_figures(campaign, ids, since)
            regions_from[region.pk] = earliest
            all_before.update(before)
            all_after.update(after)
            steps = _deltas(before, after)
            children = CoverageSnapshot.objects.filter(campaign=campaign, level=CoverageSnapshot.Level.DISTRICT, region=region)
            area = {"level": CoverageSnapshot.Level.REGION, "kato": region.kato, "region": region, "children": children}
            if steps is None or not _shift_roll_up(
                campaign, calendar, **area, steps=steps, from_date=earliest, computed_at=computed_at
            ):
                _roll_up(campaign, calendar, **area, from_date=earliest, computed_at=computed_at)
                summed = True
        # Taken after the regions' locks (see _lock_areas): another region's work may go on meanwhile.
        _lock_areas((), country=True)
        steps = None if summed else _deltas(all_before, all_after)
        area = {
            "level": CoverageSnapshot.Level.COUNTRY,
            "kato": COUNTRY_KATO,
            "region": None,
            "children": CoverageSnapshot.objects.filter(campaign=campaign, level=CoverageSnapshot.Level.REGION),
        }
        from_date = min(regions_from.values())
        if steps is None or not _shift_roll_up(
            campaign, calendar, **area, steps=steps, from_date=from_date, computed_at=computed_at
        ):
            _roll_up(campaign, calendar, **area, from_date=from_date, computed_at=computed_at)


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
    # From the start, each roll-up is summed from the figures as they are computed; from a later day (or for one
    # region, whose country also sums the others) it is summed from the stored snapshots, a week of history included.
    from_start = start == calendar.start
    country = _Gathered() if from_start and region is None else None
    with transaction.atomic():
        # The country too: its snapshots are summed again whichever regions are recomputed.
        _lock_areas(list(regions.values_list("pk", flat=True)), country=True)
        for one in regions.order_by("kato"):
            districts = list(District.objects.filter(region=one).order_by("kato"))
            if not districts:
                continue
            gathered = _Gathered() if from_start else None
            _recompute_region_districts(
                campaign, calendar, one, districts, {d.pk: start for d in districts}, computed_at, gathered
            )
            regions_from[one.pk] = start
            done += len(districts)
            if gathered is not None and gathered.days:
                figures = _derive_roll_up(
                    campaign, calendar, level=CoverageSnapshot.Level.REGION, kato=one.kato, region=one, children=None,
                    sums=gathered.sums(), from_date=start, computed_at=computed_at, child_flags=gathered.flags,
                )  # fmt: skip
                if country is not None:
                    country.add(figures)
        if country is not None and country.days:
            _derive_roll_up(
                campaign, calendar, level=CoverageSnapshot.Level.COUNTRY, kato=COUNTRY_KATO, region=None, children=None,
                sums=country.sums(), from_date=start, computed_at=computed_at, child_flags=country.flags,
            )  # fmt: skip
        elif regions_from and from_start:
            _roll_up(
                campaign, calendar, level=CoverageSnapshot.Level.COUNTRY, kato=COUNTRY_KATO, region=None,
                children=CoverageSnapshot.objects.filter(campaign=campaign, level=CoverageSnapshot.Level.REGION),
                from_date=start, computed_at=computed_at,
            )  # fmt: skip
        elif regions_from:
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
