"""Phases as of a day, the days a chart spans, and the chart payloads (SVG plus the data a script redraws it from)."""

import datetime
import json
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from census.calendar import CampaignCalendar
from census.formatting import day_label, format_date, format_number, format_percent, format_whole_percent
from reports import charts, coverage


@dataclass
class PhaseState:
    """A phase as of a day: its dates (with extensions) and how many days it has left."""

    phase: object
    end: datetime.date
    as_of: datetime.date

    @property
    def name(self) -> str:
        return self.phase.get_kind_display()

    @property
    def extended(self) -> bool:
        return self.end != self.phase.ends_on

    @property
    def dates_text(self) -> str:
        return f"{format_date(self.phase.starts_on)} – {format_date(self.end)}"

    @property
    def planned_end_text(self) -> str:
        return format_date(self.phase.ends_on)

    @property
    def state(self) -> str:
        if self.as_of < self.phase.starts_on:
            return "upcoming"
        return "open" if self.as_of <= self.end else "closed"

    @property
    def days_left(self) -> int:
        return max((self.end - self.as_of).days, 0)

    @property
    def days_text(self) -> str:
        if self.state == "upcoming":
            days = (self.phase.starts_on - self.as_of).days
            return ngettext("starts in %(days)s day", "starts in %(days)s days", days) % {"days": format_number(days)}
        if self.state == "closed":
            return _("closed")
        if self.days_left == 0:
            return _("last day")
        return ngettext("%(days)s day left", "%(days)s days left", self.days_left) % {"days": format_number(self.days_left)}


def phase_states(campaign, region, as_of, regions=None) -> list[PhaseState]:
    """Each phase's state as of the day; for the country (region None), the latest end in any region.

    Ends are as known on that day: an extension decided later is not yet shown.
    """
    states = []
    for phase in campaign.phases.prefetch_related("extensions").order_by("starts_on"):
        if region is None and regions:
            end = max(phase.effective_end(r, known_on=as_of) for r in regions)
        else:
            end = phase.effective_end(region, known_on=as_of)
        states.append(PhaseState(phase=phase, end=end, as_of=as_of))
    return states


@dataclass
class Timeline:
    """The days a chart spans: from the campaign's first day to the later of "as of" and the last phase end."""

    days: list[datetime.date]
    as_of: datetime.date
    phases: list[PhaseState] = field(default_factory=list)

    @classmethod
    def build(cls, calendar: CampaignCalendar, as_of, phases):
        last = max([as_of, *(p.end for p in phases)])
        days = list(coverage.days_between(calendar.start, last))
        return cls(days=days, as_of=as_of, phases=phases)

    def index(self, day) -> int:
        return (day - self.days[0]).days

    def align(self, rows: list, attribute: str) -> list[float | None]:
        """Values of `attribute` placed on the timeline; None for days without a row (after "as of")."""
        by_day = {r.date: getattr(r, attribute) for r in rows}
        return [None if by_day.get(d) is None else float(by_day[d]) for d in self.days]

    def markers(self) -> list[charts.Marker]:
        """Phase openings and closings and the "as of" day; events of the same day share one marker and one label."""
        events: dict[int, list[str]] = {}
        for state in self.phases:
            channel = _("online") if state.phase.kind == "online" else _("door-to-door")
            events.setdefault(self.index(state.phase.starts_on), []).append(_("%(channel)s opens") % {"channel": channel})
            events.setdefault(self.index(state.end), []).append(_("%(channel)s closes") % {"channel": channel})
        as_of = self.index(self.as_of)
        events.setdefault(as_of, []).append(_("as of"))
        return [
            charts.Marker(index, ", ".join(labels), color=charts.INK if index == as_of else charts.MUTED)
            for index, labels in sorted(events.items())
        ]

    def phase_events(self) -> list[str]:
        """Each phase's dates as a sentence of the day: it opens on a day to come, closed on a day before, or closes on."""
        # One whole sentence per channel and state: a translator gets each one entire, with its grammar.
        sentences = {
            ("online", "upcoming"): _("Online counting opens on %(day)s."),
            ("online", "open"): _("Online counting closes on %(day)s."),
            ("online", "closed"): _("Online counting closed on %(day)s."),
            ("door_to_door", "upcoming"): _("Door-to-door counting opens on %(day)s."),
            ("door_to_door", "open"): _("Door-to-door counting closes on %(day)s."),
            ("door_to_door", "closed"): _("Door-to-door counting closed on %(day)s."),
        }
        events = []
        for state in self.phases:
            kind = "online" if state.phase.kind == "online" else "door_to_door"
            day = state.phase.starts_on if state.state == "upcoming" else state.end
            events.append(sentences[kind, state.state] % {"day": format_date(day)})
        return events

    @property
    def labels(self) -> list[str]:
        return [day_label(d) for d in self.days]


def coverage_summary(series_rows: list, timeline: Timeline) -> str:
    """What the coverage chart shows, in words: where coverage started and where it stands, and the phases' dates.

    The text alternative of the chart for a reader who cannot see it; the day-by-day figures are in its data table.
    """
    rows = [r for r in series_rows if r.coverage_pct is not None]
    if not rows:
        return " ".join([_("No figures yet."), *timeline.phase_events()])
    first, last = rows[0], rows[-1]
    if len(rows) == 1:
        finding = _("Coverage was %(percent)s on %(day)s.") % {
            "percent": format_percent(last.coverage_pct),
            "day": format_date(last.date),
        }
    else:
        finding = _("Coverage rose from %(first)s on %(first_day)s to %(last)s on %(last_day)s.") % {
            "first": format_percent(first.coverage_pct),
            "first_day": format_date(first.date),
            "last": format_percent(last.coverage_pct),
            "last_day": format_date(last.date),
        }
    split = _("Online %(online)s, door-to-door %(offline)s of the baseline.") % {
        "online": format_percent(last.online_pct),
        "offline": format_percent(last.offline_pct),
    }
    return " ".join([finding, split, *timeline.phase_events()])


def daily_summary(rows: list) -> str:
    """What the daily bars show, in words: the busiest day and the last day with its split."""
    counted = [r for r in rows if (r.online_day or 0) + (r.offline_day or 0) > 0]
    if not counted:
        return _("No figures yet.")
    busiest = max(counted, key=lambda r: r.online_day + r.offline_day)
    last = rows[-1]
    values = {
        "busiest": format_number(busiest.online_day + busiest.offline_day),
        "busiest_day": format_date(busiest.date),
        "last": format_number(last.online_day + last.offline_day),
        "last_day": format_date(last.date),
        "online": format_number(last.online_day),
        "offline": format_number(last.offline_day),
    }
    return (
        _(
            "Most counted in one day: %(busiest)s on %(busiest_day)s. On %(last_day)s: %(last)s "
            "(online %(online)s, door-to-door %(offline)s)."
        )
        % values
    )


def coverage_chart(series_rows: list, timeline: Timeline, *, title: str, label_id: str) -> dict:
    """The cumulative coverage chart (total, online, door-to-door) as SVG plus the data a script needs to redraw it."""
    lines = [
        charts.Series(_("coverage"), timeline.align(series_rows, "coverage_pct"), charts.TOTAL, width=2.5),
        charts.Series(_("online"), timeline.align(series_rows, "online_pct"), charts.ONLINE),
        # Dashed as well as another colour: the two channels are told apart without seeing colour.
        charts.Series(_("door-to-door"), timeline.align(series_rows, "offline_pct"), charts.OFFLINE, dashed=True),
    ]
    axis = charts.percent_axis([v for line in lines for v in line.values], format_whole_percent)
    markers = timeline.markers()
    target_label = _("baseline (%(percent)s)") % {"percent": format_whole_percent(100)}
    summary = coverage_summary(series_rows, timeline)
    svg = charts.line_chart(
        title=title,
        described_by=f"{label_id}-summary",
        labels=timeline.labels,
        series=lines,
        axis=axis,
        markers=markers,
        target=(100.0, target_label),
        label_id=label_id,
    )
    data = {
        "type": "line",
        "labels": timeline.labels,
        "series": [
            {
                "name": line.name,
                "values": line.values,
                "texts": [format_percent(v) if v is not None else None for v in line.values],
                "color": line.color,
                "width": line.width,
                "dashed": line.dashed,
            }
            for line in lines
        ],
        "target": {"value": 100, "label": target_label},
        "markers": [{"index": m.index, "label": m.label} for m in markers if 0 <= m.index < len(timeline.days)],
        "yMax": axis.high,
        "ticks": [[value, label] for value, label in axis.ticks],
        "title": title,
        "summaryId": f"{label_id}-summary",
    }
    return {
        "svg": svg,
        "data": json.dumps(data, ensure_ascii=False, separators=(",", ":")),
        "title": title,
        "id": label_id,
        "summary": summary,
    }


def daily_chart(rows: list, timeline: Timeline, *, title: str, label_id: str) -> dict:
    """The day's counts per channel as stacked bars (district page)."""
    bars = [
        charts.Series(_("online"), timeline.align(rows, "online_day"), charts.ONLINE),
        # Hatched as well as another colour: the two channels are told apart without seeing colour.
        charts.Series(_("door-to-door"), timeline.align(rows, "offline_day"), charts.OFFLINE, hatched=True),
    ]
    totals = [(a or 0) + (b or 0) for a, b in zip(bars[0].values, bars[1].values, strict=True)]
    axis = charts.count_axis(totals, lambda v: format_number(int(v)))
    svg = charts.bar_chart(
        title=title, labels=timeline.labels, series=bars, axis=axis, label_id=label_id, described_by=f"{label_id}-summary"
    )
    data = {
        "type": "bar",
        "labels": timeline.labels,
        "series": [
            {
                "name": bar.name,
                "values": bar.values,
                "texts": [format_number(int(v)) if v is not None else None for v in bar.values],
                "color": bar.color,
                "hatched": bar.hatched,
            }
            for bar in bars
        ],
        "yMax": axis.high,
        "ticks": [[value, label] for value, label in axis.ticks],
        "title": title,
        "summaryId": f"{label_id}-summary",
    }
    return {
        "svg": svg,
        "data": json.dumps(data, ensure_ascii=False, separators=(",", ":")),
        "title": title,
        "id": label_id,
        "summary": daily_summary(rows),
    }
