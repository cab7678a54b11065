"""A campaign's calendar: its phases (with extensions) loaded once, read by count entry and by coverage alike.

Every end date can be asked "as known on" a day: only extensions decided by the end of
that day count, so a figure shown as of a day never uses a decision taken later.
"""

import bisect
import datetime
from dataclasses import dataclass, field

from django.utils import timezone

# Days from a channel's phase start that are its ramp-up, not anomalies (reports.coverage reads it).
RAMP_UP_DAYS = 7


@dataclass
class CampaignCalendar:
    """A campaign's phases loaded once: when counting starts, ends and is due, per region."""

    campaign: object
    phases: list
    today: datetime.date
    # The days decisions were taken on, in order: between two of them every end date as known is the same.
    decided: list = field(default_factory=list)

    def __post_init__(self):
        self.decided = sorted({e.decided_on for p in self.phases for e in p.extensions.all()})

    @classmethod
    def load(cls, campaign):
        phases = list(campaign.phases.prefetch_related("extensions"))
        return cls(campaign=campaign, phases=phases, today=timezone.localdate())

    @property
    def start(self) -> datetime.date:
        return min((p.starts_on for p in self.phases), default=self.campaign.starts_on)

    def phase_end(self, region, known_on: datetime.date | None = None) -> datetime.date:
        return max((p.effective_end(region, known_on) for p in self.phases), default=self.start)

    def end(self, region, last_count: datetime.date | None) -> datetime.date:
        """Last day with a snapshot: the end of the last phase (or a later count), never after today."""
        end = max(self.phase_end(region), last_count or self.start)
        return max(min(end, self.today), self.start)

    def deadline(self, region, known_on: datetime.date | None = None, regions=()) -> datetime.date | None:
        """The effective end of door-to-door enumeration: the date 100% is due by.

        `known_on`: the deadline as known at the end of that day (extensions decided by then);
        None: with every decision recorded so far.
        `regions`: for the country (region None), the latest end in any of these regions: the end
        the country's phases card shows, so that its verdicts and its days left agree.
        """
        door_to_door = [p for p in self.phases if p.kind == "door_to_door"]
        if not door_to_door:
            return None
        if region is None and regions:
            return max(door_to_door[0].effective_end(one, known_on) for one in regions)
        return door_to_door[0].effective_end(region, known_on)

    def deadlines(
        self, region, start: datetime.date, end: datetime.date, regions=()
    ) -> dict[datetime.date, datetime.date | None]:
        """{day: the deadline as known on that day} for each day from start to end (the engine's per-day forecasts)."""
        days = (start + datetime.timedelta(days=n) for n in range((end - start).days + 1))
        # Asked once per run of days with the same decisions known (the recompute asks for every day of a region).
        known: dict[int, datetime.date | None] = {}
        result = {}
        for day in days:
            decisions = bisect.bisect_right(self.decided, day)
            if decisions not in known:
                known[decisions] = self.deadline(region, known_on=day, regions=regions)
            result[day] = known[decisions]
        return result

    def ramp_up_until(self) -> dict[str, datetime.date]:
        """{"online" | "offline": first day after that channel's ramp-up} (see RAMP_UP_DAYS)."""
        channels = {"online": "online", "door_to_door": "offline"}
        return {channels[p.kind]: p.starts_on + datetime.timedelta(days=RAMP_UP_DAYS) for p in self.phases if p.kind in channels}

    def active_days(self, region, start, end) -> set[datetime.date]:
        """Days a district was due to report: inside a phase as it was known on that day, up to today."""
        last = min(end, self.today)
        days = (start + datetime.timedelta(days=n) for n in range((last - start).days + 1))
        ends: dict[int, list[tuple[datetime.date, datetime.date]]] = {}
        active = set()
        for day in days:
            # As in deadlines(): the phases' ends as known change only on the days decisions were taken.
            decisions = bisect.bisect_right(self.decided, day)
            if decisions not in ends:
                ends[decisions] = [(p.starts_on, p.effective_end(region, day)) for p in self.phases]
            if any(starts_on <= day <= ends_on for starts_on, ends_on in ends[decisions]):
                active.add(day)
        return active
