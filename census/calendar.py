"""A campaign's calendar: its phases (with extensions) loaded once, read by count entry and by coverage alike."""

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

    def phase_end(self, region) -> datetime.date:
        return max((p.effective_end(region) for p in self.phases), default=self.start)

    def end(self, region, last_count: datetime.date | None) -> datetime.date:
        """Last day with a snapshot: the end of the last phase (or a later count), never after today."""
        end = max(self.phase_end(region), last_count or self.start)
        return max(min(end, self.today), self.start)

    def deadline(self, region) -> datetime.date | None:
        """The effective end of door-to-door enumeration: the date 100% is due by."""
        door_to_door = [p for p in self.phases if p.kind == "door_to_door"]
        return door_to_door[0].effective_end(region) if door_to_door else None

    def active_days(self, region, start, end) -> set[datetime.date]:
        """Days a district was due to report: inside any open phase, up to today."""
        windows = [(p.starts_on, p.effective_end(region)) for p in self.phases]
        last = min(end, self.today)
        days = (start + datetime.timedelta(days=n) for n in range((last - start).days + 1))
        return {day for day in days if any(first <= day <= final for first, final in windows)}
