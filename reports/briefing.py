"""The day's highlights of a region (or the country) and the press briefing written from them.

Everything here reads CoverageSnapshot rows as the coverage jobs stored them:
figures, statuses and flags are picked and put into words, never recomputed.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max, Q
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from census.formatting import format_number
from census.models import Campaign
from regions.models import COUNTRY_KATO, country_name
from reports.coverage import OVER_100
from reports.models import CoverageSnapshot

COMPLETED = ("completed_early", "completed")
NEARLY_COMPLETE = "nearly_complete"
# How many districts after the online leader the briefing names.
ONLINE_RUNNERS_UP = 2
# Django's Kazakh long date reads "27 Қазан 2021 ж." (a capitalised nominative month), which is wrong inside a
# sentence; the numeric date is how Kazakh official releases write it.
DATE_FORMAT_BY_LANGUAGE = {"kk": "SHORT_DATE_FORMAT"}


def area_name(snapshot: CoverageSnapshot) -> str:
    """The name of a snapshot's area in the active language (the country has no row of its own to name it)."""
    if snapshot.district_id is not None:
        return snapshot.district.name
    if snapshot.region_id is not None:
        return snapshot.region.name
    return country_name()


def latest_as_of(queryset, as_of: datetime.date):
    """Each area's snapshot at the end of `as_of`: its last one on or before that day.

    An area whose counting ended earlier (its phase was not extended) keeps its
    final figures; its `date` says which day they are from.

    Two queries rather than one correlated subquery: the last day of every area
    comes from one grouped index scan, and areas almost always share one or two
    last days, so the rows are then fetched per day. (The subquery ran once per
    snapshot row: 0.8 s for 220 districts x 90 days.)
    """
    last_days = queryset.filter(date__lte=as_of).values("kato").annotate(last=Max("date")).order_by()
    katos_by_day: dict[datetime.date, list[str]] = {}
    for row in last_days:
        katos_by_day.setdefault(row["last"], []).append(row["kato"])
    if not katos_by_day:
        return queryset.none()
    wanted = Q()
    for day, katos in katos_by_day.items():
        wanted |= Q(date=day, kato__in=katos)
    return queryset.filter(wanted)


@dataclass
class Highlights:
    """Who leads, who finished, who lags: picked from one area's district snapshots as of a day."""

    as_of: datetime.date | None
    area: CoverageSnapshot | None = None
    coverage_leader: CoverageSnapshot | None = None
    online_leader: CoverageSnapshot | None = None
    online_runners_up: list = field(default_factory=list)
    completed: list = field(default_factory=list)
    completed_early: list = field(default_factory=list)
    nearly_complete: list = field(default_factory=list)
    lagging: list = field(default_factory=list)
    over_100: list = field(default_factory=list)
    # Districts the briefing sums up as a range: all but the completed, the nearly complete and the coverage leader.
    rest: list = field(default_factory=list)


def _leader(rows, figure: str):
    ranked = [row for row in rows if getattr(row, figure) is not None]
    # Highest figure first; a tie goes to the larger count, then the lower KATO code, so the pick is stable.
    ranked.sort(key=lambda row: (-getattr(row, figure), -row.total, row.kato))
    return ranked


def highlights(*, campaign, region, as_of: datetime.date) -> Highlights:
    """The highlights of `region` (None: the whole country) as of the end of `as_of`."""
    snapshots = CoverageSnapshot.objects.filter(campaign=campaign).select_related("region", "district__region")
    area_kato = region.kato if region is not None else COUNTRY_KATO
    area = latest_as_of(snapshots.filter(kato=area_kato), as_of).first()
    if area is None:
        return Highlights(as_of=None)
    districts = snapshots.filter(level=CoverageSnapshot.Level.DISTRICT)
    if region is not None:
        districts = districts.filter(region=region)
    rows = list(latest_as_of(districts, area.date).order_by("kato"))

    by_coverage = _leader(rows, "coverage_pct")
    by_online = _leader(rows, "online_pct")
    found = Highlights(as_of=area.date, area=area)
    found.coverage_leader = by_coverage[0] if by_coverage else None
    found.online_leader = by_online[0] if by_online else None
    found.online_runners_up = by_online[1 : 1 + ONLINE_RUNNERS_UP]
    found.completed = [row for row in rows if row.status in COMPLETED]
    found.completed_early = [row for row in rows if row.status == "completed_early"]
    found.nearly_complete = [row for row in rows if row.status == NEARLY_COMPLETE]
    found.over_100 = [row for row in by_coverage if OVER_100 in row.flags]
    if area.coverage_pct is not None:
        found.lagging = [
            row
            for row in reversed(by_coverage)
            if row.status not in COMPLETED and row.coverage_pct is not None and row.coverage_pct < area.coverage_pct
        ]
    named = {row.pk for row in found.completed + found.nearly_complete}
    if found.coverage_leader is not None:
        named.add(found.coverage_leader.pk)
    found.rest = [row for row in rows if row.pk not in named and row.coverage_pct is not None]
    return found


# --- Words ------------------------------------------------------------------------------------------


def _percent(value: Decimal) -> str:
    # Translators: a percentage; Russian and Kazakh put a no-break space before the sign ("72,4 %").
    return _("%(number)s%%") % {"number": formats.number_format(value, decimal_pos=1)}


def _date(value: datetime.date) -> str:
    language = (translation.get_language() or "ru")[:2]
    return formats.date_format(value, DATE_FORMAT_BY_LANGUAGE.get(language, "DATE_FORMAT"))


def _names(items: list[str]) -> str:
    """ "A, B and C" in the active language."""
    if len(items) <= 1:
        return "".join(items)
    return _("%(items)s and %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def _name_with_percent(row: CoverageSnapshot, figure: str) -> str:
    return _("%(name)s (%(percent)s)") % {"name": area_name(row), "percent": _percent(getattr(row, figure))}


def _is_city(row: CoverageSnapshot) -> bool:
    return row.district is not None and row.district.kind == "city"


def _sentences(found: Highlights) -> list[str]:
    area = found.area
    date = _date(found.as_of)
    sentences = [f"{area_name(area)}."]
    if area.online_pct is not None:
        sentences.append(
            ngettext(
                "As of %(date)s, %(count)s person (%(percent)s of the population) had answered the census online.",
                "As of %(date)s, %(count)s people (%(percent)s of the population) had answered the census online.",
                area.online,
            )
            % {"date": date, "count": format_number(area.online), "percent": _percent(area.online_pct)}
        )
        sentences.append(
            ngettext(
                "Another %(count)s person (%(percent)s) was counted offline, door to door.",
                "Another %(count)s people (%(percent)s) were counted offline, door to door.",
                area.offline,
            )
            % {"count": format_number(area.offline), "percent": _percent(area.offline_pct)}
        )
        sentences.append(
            ngettext(
                "In all, %(count)s person has taken part in the census, %(percent)s of the registered population.",
                "In all, %(count)s people have taken part in the census, %(percent)s of the registered population.",
                area.total,
            )
            % {"count": format_number(area.total), "percent": _percent(area.coverage_pct)}
        )
    if found.online_leader is not None:
        leader = found.online_leader
        sentences.append(
            _("The highest online participation is in %(name)s: %(percent)s of residents.")
            % {"name": area_name(leader), "percent": _percent(leader.online_pct)}
        )
        if found.online_runners_up:
            sentences.append(
                ngettext("Next comes %(list)s.", "Next come %(list)s.", len(found.online_runners_up))
                % {"list": _names([_name_with_percent(row, "online_pct") for row in found.online_runners_up])}
            )
    leader = found.coverage_leader
    if leader is not None:
        sentences.append(
            _("%(name)s leads in coverage with %(percent)s.")
            % {"name": area_name(leader), "percent": _percent(leader.coverage_pct)}
        )
        if OVER_100 in leader.flags:
            sentences.append(
                _(
                    "The number of people counted there (%(total)s) exceeds the registered population (%(baseline)s); "
                    "such figures are checked."
                )
                % {"total": format_number(leader.total), "baseline": format_number(leader.baseline)}
            )
    also_over = [row for row in found.over_100 if row is not leader]
    if also_over:
        sentences.append(
            _("Coverage is also above 100%% in %(list)s.")
            % {"list": _names([_name_with_percent(row, "coverage_pct") for row in also_over])}
        )
    early = found.completed_early
    on_time = [row for row in found.completed if row not in early]
    if early:
        sentences.append(_("Completed early: %(list)s.") % {"list": _names([area_name(row) for row in early])})
    if on_time:
        sentences.append(_("Completed: %(list)s.") % {"list": _names([area_name(row) for row in on_time])})
    if found.nearly_complete:
        sentences.append(_("Nearly complete: %(list)s.") % {"list": _names([area_name(row) for row in found.nearly_complete])})
    sentences.extend(_rest_sentences(found.rest))
    return sentences


def _rest_sentences(rest: list) -> list[str]:
    """The districts not named so far, as a range; cities apart, since a city's pace is rarely a district's."""
    districts = [row for row in rest if not _is_city(row)]
    cities = [row for row in rest if _is_city(row)]
    sentences = []
    if len(districts) == 1:
        row = districts[0]
        sentences.append(
            _("Coverage in %(name)s is %(percent)s.") % {"name": area_name(row), "percent": _percent(row.coverage_pct)}
        )
    elif districts:
        low = min(row.coverage_pct for row in districts)
        high = max(row.coverage_pct for row in districts)
        sentences.append(
            _("In the other districts coverage ranges from %(low)s to %(high)s.") % {"low": _percent(low), "high": _percent(high)}
        )
    if cities:
        sentences.append(
            ngettext("Coverage in the city: %(list)s.", "Coverage in the cities: %(list)s.", len(cities))
            % {
                "list": _names(
                    [
                        _("%(name)s, %(percent)s") % {"name": area_name(row), "percent": _percent(row.coverage_pct)}
                        for row in cities
                    ]
                )
            }
        )
    return sentences


def briefing_text(*, region, as_of: datetime.date, language: str, campaign=None) -> str:
    """A press-ready paragraph on `region` (None: the country) as of the end of `as_of`, in `language`.

    Says how many took part online and offline with their rates, who leads in
    online participation and in coverage (noting a count above the registered
    population), which districts have completed or nearly completed, and the
    range of the rest, with numbers written the way the language writes them.
    """
    campaign = campaign or Campaign.objects.current()
    with translation.override(language):
        found = highlights(campaign=campaign, region=region, as_of=as_of) if campaign else Highlights(as_of=None)
        if found.area is None:
            return _("No census figures are available as of %(date)s yet.") % {"date": _date(as_of)}
        return " ".join(_sentences(found))
