"""The day's highlights of a region (or the country) and the press briefing written from them.

The figures come from CoverageSnapshot rows as the coverage jobs stored them: figures, statuses and flags are
picked and put into words, never recomputed. The day's news (an extension decided that day, the days left) and
the call to action come from the campaign's phases and extensions as known at the end of the briefing's day.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Max, Q
from django.utils import formats, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from census.calendar import CampaignCalendar
from census.formatting import format_number
from census.models import Campaign, DailyNonResponse, Phase
from census.nonresponse import totals
from regions.models import COUNTRY_KATO, Region, country_name
from reports.coverage import OVER_100
from reports.models import CoverageSnapshot
from reports.press import in_places, press_name
from reports.services import reporting_regions

COMPLETED = ("completed_early", "completed")
NEARLY_COMPLETE = "nearly_complete"
# How many districts after the online leader the briefing names.
ONLINE_RUNNERS_UP = 2
# A Kazakh release dates its figures "2021 жылғы 27 қазандағы жағдай бойынша": the month in the locative, which
# no date format gives (and a case ending may not be hung on a date placeholder in the catalog).
KAZAKH_MONTHS_LOCATIVE = (
    "қаңтардағы", "ақпандағы", "наурыздағы", "сәуірдегі", "мамырдағы", "маусымдағы",
    "шілдедегі", "тамыздағы", "қыркүйектегі", "қазандағы", "қарашадағы", "желтоқсандағы",
)  # fmt: skip
# The same release says when something happens ("2021 жылғы 28 қазанда", the locative) and until when
# ("2021 жылғы 8 қарашаға дейін", the dative before "дейін"): the ending again goes on the month.
KAZAKH_MONTHS_ON = (
    "қаңтарда", "ақпанда", "наурызда", "сәуірде", "мамырда", "маусымда",
    "шілдеде", "тамызда", "қыркүйекте", "қазанда", "қарашада", "желтоқсанда",
)  # fmt: skip
KAZAKH_MONTHS_UNTIL = (
    "қаңтарға", "ақпанға", "наурызға", "сәуірге", "мамырға", "маусымға",
    "шілдеге", "тамызға", "қыркүйекке", "қазанға", "қарашаға", "желтоқсанға",
)  # fmt: skip
KAZAKH_MONTHS = {"as_of": KAZAKH_MONTHS_LOCATIVE, "on": KAZAKH_MONTHS_ON, "until": KAZAKH_MONTHS_UNTIL}


def area_name(snapshot: CoverageSnapshot) -> str:
    """The name of a snapshot's area in the active language, as the press writes it ("Орал қаласы", not "Орал қ.ә.")."""
    if snapshot.district_id is not None:
        return press_name(snapshot.district.name)
    if snapshot.region_id is not None:
        return press_name(snapshot.region.name)
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
    # The country: how many regions its figures cover, of how many (None for a region).
    regions_reporting: int | None = None
    regions_of: int | None = None

    @property
    def partial(self) -> bool:
        """The country while some regions do not report: its percentages are over the reporting regions only."""
        return self.regions_of is not None and self.regions_reporting != self.regions_of

    @property
    def withheld(self) -> bool:
        """The country's own percentages are not given until every region reports (a setting, as on its pages)."""
        return self.partial and settings.CENSUS_WITHHOLD_PARTIAL_NATIONAL_FIGURE


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
    if region is not None:
        districts = snapshots.filter(level=CoverageSnapshot.Level.DISTRICT, region=region)
    else:
        # The country ranks its regions, not the districts of whichever regions report.
        districts = snapshots.filter(level=CoverageSnapshot.Level.REGION)
    rows = list(latest_as_of(districts, area.date).order_by("kato"))

    by_coverage = _leader(rows, "coverage_pct")
    by_online = _leader(rows, "online_pct")
    found = Highlights(as_of=area.date, area=area)
    if region is None:
        found.regions_reporting, found.regions_of = len(rows), Region.objects.count()
    # One reporting region leads nothing: the country names it with its figure instead.
    ranks = region is not None or len(rows) > 1
    found.coverage_leader = by_coverage[0] if by_coverage and ranks else None
    found.online_leader = by_online[0] if by_online and ranks else None
    found.online_runners_up = by_online[1 : 1 + ONLINE_RUNNERS_UP] if ranks else []
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


def _date(value: datetime.date, form: str = "as_of") -> str:
    """A day as the language's press writes it: before "as of" ("жағдай бойынша", the default), as the day
    something happens ("on", "28 қазанда") or the day something lasts until ("until", "8 қарашаға" before "дейін").
    Russian and English write the day the same way in each ("8 ноября 2021 г.", "8 November 2021")."""
    if (translation.get_language() or "ru")[:2] == "kk":
        return f"{value.year} жылғы {value.day} {KAZAKH_MONTHS[form][value.month - 1]}"
    return formats.date_format(value, "DATE_FORMAT")


def _names(items: list[str]) -> str:
    """ "A, B and C" in the active language."""
    if len(items) <= 1:
        return "".join(items)
    return _("%(items)s and %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def _name_with_percent(row: CoverageSnapshot, figure: str) -> str:
    return _("%(name)s (%(percent)s)") % {"name": area_name(row), "percent": _percent(getattr(row, figure))}


def _is_city(row: CoverageSnapshot) -> bool:
    return row.district is not None and row.district.kind == "city"


def _headline(found: Highlights) -> str:
    """The release's title: the area and its coverage, so the paragraph need not open on the area's bare name."""
    area = found.area
    if area.coverage_pct is None or found.withheld:
        return area_name(area)
    if found.partial:
        # While some regions do not report, the percentage is theirs only: a headline that gave it as the
        # country's would be the one sentence a reader quotes.
        return _("%(area)s: %(percent)s of the population counted in the regions that report") % {
            "area": area_name(area),
            "percent": _percent(area.coverage_pct),
        }
    return _("%(area)s: the census has reached %(percent)s of the population") % {
        "area": area_name(area),
        "percent": _percent(area.coverage_pct),
    }


def _in_places(rows: list, sentence: str, listed: str) -> str:
    """ "The census was completed early in A, B and C districts."; with the names listed after a colon
    (`listed`) when their shape does not allow that ("Район 1", a name in another script)."""
    places = in_places([area_name(row) for row in rows])
    if places is None:
        return listed % {"list": _names([area_name(row) for row in rows])}
    return sentence % {"places": places}


def _sentences(found: Highlights) -> list[str]:
    area = found.area
    date = _date(found.as_of)
    sentences = []
    if found.partial:
        sentences.append(
            ngettext(
                "%(reporting)s of %(of)s region reports so far; the figures below are over the reporting regions only.",
                "%(reporting)s of %(of)s regions report so far; the figures below are over the reporting regions only.",
                found.regions_of,
            )
            % {"reporting": format_number(found.regions_reporting), "of": format_number(found.regions_of)}
        )
    if found.withheld:
        sentences.append(_("The national figure is shown once every region reports."))
    elif area.online_pct is not None:
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
        places = in_places([area_name(leader)])
        sentences.append(
            _("The highest online participation is in %(name)s: %(percent)s of residents.")
            % {"name": area_name(leader), "percent": _percent(leader.online_pct)}
            if places is None
            else _("The highest online participation was recorded %(places)s: %(percent)s of residents.")
            % {"places": places, "percent": _percent(leader.online_pct)}
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
        sentences.append(_in_places(early, _("The census was completed early %(places)s."), _("Completed early: %(list)s.")))
    if on_time:
        sentences.append(_in_places(on_time, _("The census is complete %(places)s."), _("Completed: %(list)s.")))
    if found.nearly_complete:
        sentences.append(
            _in_places(found.nearly_complete, _("The census is nearly complete %(places)s."), _("Nearly complete: %(list)s."))
        )
    sentences.extend(_rest_sentences(found.rest, regions=found.regions_of is not None))
    # A sentence may open on a place phrase ("в Жангалинском районе…"), written in lower case mid-sentence.
    return [capfirst(sentence) for sentence in sentences]


def _coverage_in(row: CoverageSnapshot) -> str:
    """ "Coverage in Oral city is 77.3%." ("Орал қаласында қамту — 77,3 %.", "В городе Уральск охват составляет 77,3 %.")."""
    places = in_places([area_name(row)])
    if places is None:
        return _("Coverage in %(name)s is %(percent)s.") % {"name": area_name(row), "percent": _percent(row.coverage_pct)}
    return _("Coverage %(places)s is %(percent)s.") % {"places": places, "percent": _percent(row.coverage_pct)}


def _rest_sentences(rest: list, *, regions: bool = False) -> list[str]:
    """The areas not named so far, as a range; cities apart, since a city's pace is rarely a district's."""
    districts = [row for row in rest if not _is_city(row)]
    cities = [row for row in rest if _is_city(row)]
    sentences = []
    if len(districts) == 1:
        sentences.append(_coverage_in(districts[0]))
    elif districts:
        low = min(row.coverage_pct for row in districts)
        high = max(row.coverage_pct for row in districts)
        if _percent(low) == _percent(high):
            # Not "from 98.5% to 98.5%": as read, they are all the same.
            same = (
                _("In the other regions coverage is %(percent)s in each.")
                if regions
                else _("In the other districts coverage is %(percent)s in each.")
            )
            sentences.append(same % {"percent": _percent(low)})
        else:
            other = (
                _("In the other regions coverage ranges from %(low)s to %(high)s.")
                if regions
                else _("In the other districts coverage ranges from %(low)s to %(high)s.")
            )
            sentences.append(other % {"low": _percent(low), "high": _percent(high)})
    # One sentence per city: each has its own figure, and "в городе Уральск" reads better than a list after a colon.
    sentences.extend(_coverage_in(row) for row in cities)
    return sentences


@dataclass
class CalendarNews:
    """What the campaign's calendar says on the briefing's day, as known at its end (no later decision)."""

    as_of: datetime.date
    # {phase kind: new end} of the extensions decided on that very day.
    extended_today: dict[str, datetime.date] = field(default_factory=dict)
    # The end of door-to-door counting, the deadline the dashboards' phases card and forecasts use.
    deadline: datetime.date | None = None
    # The end of online participation, if it is still open on that day.
    online_until: datetime.date | None = None
    online_channels: list[str] = field(default_factory=list)


def calendar_news(*, campaign, region, as_of: datetime.date) -> CalendarNews:
    """The day's news of `region` (None: the country) on `as_of`: extensions decided that day, the deadline and
    whether online participation is still open, each as known by the end of that day.

    The country's ends are the latest of its regions' that have districts to report (as its phases card shows),
    and an extension is its news when it moves that latest end.
    """
    calendar = CampaignCalendar.load(campaign)
    regions = reporting_regions() if region is None else [region]
    news = CalendarNews(as_of=as_of, online_channels=campaign.online_channel_names)
    news.deadline = calendar.deadline(region, known_on=as_of, regions=regions)
    day_before = as_of - datetime.timedelta(days=1)

    def end_known_on(phase, day):
        return max((phase.effective_end(one, known_on=day) for one in regions), default=phase.ends_on)

    for phase in calendar.phases:
        end = end_known_on(phase, as_of)
        # Only a decision taken that day moves the end between the day before and the day: that is the news.
        # A decision that brings the end forward is no extension, and is left to the dates below.
        if end > end_known_on(phase, day_before):
            news.extended_today[phase.kind] = end
        if phase.kind == Phase.Kind.ONLINE and phase.starts_on <= as_of <= end:
            news.online_until = end
    return news


def _full_stop(sentence: str) -> str:
    """One full stop where a sentence ends on a date that ends on its own ("8 ноября 2021 г.")."""
    return sentence[:-1] if sentence.endswith("..") else sentence


def _news_sentences(news: CalendarNews) -> list[str]:
    """An extension decided that day, then how many days door-to-door counting has left."""
    sentences = []
    online = news.extended_today.get(Phase.Kind.ONLINE)
    door_to_door = news.extended_today.get(Phase.Kind.DOOR_TO_DOOR)
    # One whole sentence per case, so that a translator has each with its grammar.
    if online and online == door_to_door:
        sentences.append(
            _("On %(day)s it was decided to extend both online participation and door-to-door counting until %(end)s.")
            % {"day": _date(news.as_of, "on"), "end": _date(online, "until")}
        )
    else:
        if online:
            sentences.append(
                _("On %(day)s it was decided to extend online participation until %(end)s.")
                % {"day": _date(news.as_of, "on"), "end": _date(online, "until")}
            )
        if door_to_door:
            sentences.append(
                _("On %(day)s it was decided to extend door-to-door counting until %(end)s.")
                % {"day": _date(news.as_of, "on"), "end": _date(door_to_door, "until")}
            )
    if news.deadline is not None:
        days_left = (news.deadline - news.as_of).days
        if days_left > 0:
            sentences.append(
                ngettext(
                    "Door-to-door counting ends on %(end)s: %(count)s day is left.",
                    "Door-to-door counting ends on %(end)s: %(count)s days are left.",
                    days_left,
                )
                % {"end": _date(news.deadline, "on"), "count": format_number(days_left)}
            )
        elif days_left == 0:
            sentences.append(_("Door-to-door counting ends today, %(end)s.") % {"end": _date(news.deadline, "on")})
        else:
            sentences.append(_("Door-to-door counting ended on %(end)s.") % {"end": _date(news.deadline, "on")})
    return [_full_stop(sentence) for sentence in sentences]


def _call_to_action(news: CalendarNews) -> str | None:
    """Where and until when a reader who has not taken part can still do so online; None if it is closed or the
    campaign names no channels."""
    if news.online_until is None or not news.online_channels:
        return None
    return _full_stop(
        _("Residents who have not yet taken part can still answer the census online until %(end)s via %(channels)s.")
        % {"end": _date(news.online_until, "until"), "channels": _names(news.online_channels)}
    )


def _visits_sentences(campaign, region, day: datetime.date) -> list[str]:
    """The door-to-door day in households, as the press service says it: doors not opened, revisits scheduled."""
    rows = DailyNonResponse.objects.filter(campaign=campaign, date=day)
    summed = totals(rows if region is None else rows.filter(district__region=region))
    if summed is None:
        return []
    return [
        ngettext(
            "%(count)s household did not open the door to the interviewers.",
            "%(count)s households did not open the door to the interviewers.",
            summed["door_closed"],
        )
        % {"count": format_number(summed["door_closed"])},
        ngettext("%(count)s revisit is scheduled.", "%(count)s revisits are scheduled.", summed["revisits_scheduled"])
        % {"count": format_number(summed["revisits_scheduled"])},
    ]


def briefing_text(*, region, as_of: datetime.date, language: str, campaign=None) -> str:
    """A press release on `region` (None: the country) as of the end of `as_of`, in `language`.

    Parts separated by blank lines: a headline (the area and its coverage); the day's news, if the calendar has
    any (an extension decided that day, the days left); the paragraph; the call to action, while online
    participation is open and the campaign names its channels; and where the figures come from. The paragraph says how many took part online and offline with their rates, who leads in
    online participation and in coverage (noting a count above the registered
    population), which districts have completed or nearly completed, and the
    range of the rest, with numbers written the way the language writes them.
    """
    campaign = campaign or Campaign.objects.current()
    with translation.override(language):
        found = highlights(campaign=campaign, region=region, as_of=as_of) if campaign else Highlights(as_of=None)
        if found.area is None:
            return _("No census figures are available as of %(date)s yet.") % {"date": _date(as_of)}
        # A headline, the news, the paragraph, the call to action and where the figures come from: the parts of a
        # release, as paragraphs. The news and the call are as of the briefing's day, the figures' day or later.
        news = calendar_news(campaign=campaign, region=region, as_of=as_of)
        attribution = _("Source: the statistics bodies' daily figures on the census.")
        parts = [
            _headline(found),
            " ".join(_news_sentences(news)),
            " ".join([*_sentences(found), *_visits_sentences(campaign, region, found.as_of)]),
            _call_to_action(news),
            attribution,
        ]
        return "\n\n".join(part for part in parts if part)
