"""A campaign's calendar: its phases (with extensions) loaded once, read by count entry and by coverage alike.

Every end date can be asked "as known on" a day: only extensions decided by the end of
that day count, so a figure shown as of a day never uses a decision taken later.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone


@dataclass
class CampaignCalendar:
    """A campaign's phases loaded once: when counting starts, ends and is due, per region."""

    campaign: object
    phases: list
    today: datetime.date

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

    def deadline(self, region, known_on: datetime.date | None = None) -> datetime.date | None:
        """The effective end of door-to-door enumeration: the date 100% is due by.

        `known_on`: the deadline as known at the end of that day (extensions decided by then);
        None: with every decision recorded so far.
        """
        door_to_door = [p for p in self.phases if p.kind == "door_to_door"]
        return door_to_door[0].effective_end(region, known_on) if door_to_door else None

    def deadlines(self, region, start: datetime.date, end: datetime.date) -> dict[datetime.date, datetime.date | None]:
        """{day: the deadline as known on that day} for each day from start to end (the engine's per-day forecasts)."""
        days = (start + datetime.timedelta(days=n) for n in range((end - start).days + 1))
        return {day: self.deadline(region, known_on=day) for day in days}

    def active_days(self, region, start, end) -> set[datetime.date]:
        """Days a district was due to report: inside a phase as it was known on that day, up to today."""
        last = min(end, self.today)
        days = (start + datetime.timedelta(days=n) for n in range((last - start).days + 1))
        return {day for day in days if any(p.starts_on <= day <= p.effective_end(region, day) for p in self.phases)}
