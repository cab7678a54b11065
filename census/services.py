"""The one write path for census data: counts, statuses and phase extensions.

Every function here validates, writes the record and its audit entry in one
transaction, and asks for coverage work that is published only after commit.
Views, the API, imports and commands call these; nothing else writes counts.
"""

import datetime
from collections import defaultdict
from contextvars import ContextVar
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from census import plausibility
from census.contention import retry_on_contention
from census.errors import CountConflict, Implausible, Rejected
from census.formatting import format_date, format_number
from census.models import (
    REASON_MAX_LENGTH,
    AuditEntry,
    Campaign,
    DailyCount,
    DeviceSync,
    DistrictStatus,
    Phase,
    PhaseExtension,
)
from regions.models import District, PopulationBaseline, Region
from reports.outbox import request_recompute

CHANNELS = ("online", "offline")
CHANNEL_PHASE = {"online": Phase.Kind.ONLINE, "offline": Phase.Kind.DOOR_TO_DOOR}
# No district counts more people in a day than the whole country has; anything
# above this is a typo (an extra digit or a pasted total), not a count.
MAX_DAILY_VALUE = 30_000_000
# Digits of a typed figure worth reading as a number; anything longer is far above the maximum anyway.
LONGEST_FIGURE = 30
# Decisions after which a district counts as closed: figures added to it then are unusual.
CLOSING_STATUSES = (DistrictStatus.Status.COMPLETED, DistrictStatus.Status.COMPLETED_EARLY)


class EntryMode:
    DAILY = "daily"
    CUMULATIVE = "cumulative"
    choices = (DAILY, CUMULATIVE)


@dataclass(frozen=True)
class CountResult:
    """What record_count() did: the row as it now stands and whether anything changed."""

    count: DailyCount
    created: bool
    changed: bool
    # The plausibility checks the saved entry failed: unusual ones, and implausible ones it was confirmed past.
    warnings: tuple[plausibility.Check, ...] = ()


def _clean_value(field: str, value) -> int:
    """An entered figure as a whole non-negative number, or a message saying what is wrong with it."""
    if value is None or value == "":
        raise Rejected({field: [_("Enter a number (0 if nobody was counted).")]})
    if isinstance(value, bool):
        raise Rejected({field: [_("Enter a whole number.")]})
    if isinstance(value, str):
        text = value.strip().replace("\xa0", "").replace(" ", "")
        # Only ASCII digits: int() would also accept other scripts' digits and "٣".
        if not (text.isascii() and text.removeprefix("-").isdigit()):
            raise Rejected({field: [_("Enter a whole number.")]})
        digits = text.removeprefix("-").lstrip("0")
        if len(digits) > LONGEST_FIGURE:
            # A paste, not a count, and maybe longer than int() will read (4,300 digits): shown by its start.
            if text.startswith("-"):
                raise Rejected({field: [_("A count cannot be negative.")]})
            raise Rejected({field: [_too_large(f"{format_number(int(digits[:LONGEST_FIGURE]))}…")]})
        value = int(text)
    if isinstance(value, float):
        if not value.is_integer():
            raise Rejected({field: [_("Enter a whole number.")]})
        value = int(value)
    if not isinstance(value, int):
        raise Rejected({field: [_("Enter a whole number.")]})
    if value < 0:
        raise Rejected({field: [_("A count cannot be negative.")]})
    if value > MAX_DAILY_VALUE:
        raise Rejected({field: [_too_large(format_number(value))]})
    return value


def _too_large(shown: str) -> str:
    return _("%(value)s is more than any district can count; check the figure.") % {"value": shown}


# Set by record_count() and import_counts() for their transaction: the campaign's phases are read once per
# write instead of once per check and row (a third of an import's time; the date check and the plausibility
# checks of one save both need them), and nothing can change them while the write runs.
_phases_for_write: ContextVar[dict | None] = ContextVar("phases_for_write", default=None)


def _phases_by_channel(campaign: Campaign) -> dict[str, Phase | None]:
    cache = _phases_for_write.get()
    if cache is not None and campaign.pk in cache:
        return cache[campaign.pk]
    phases = {phase.kind: phase for phase in campaign.phases.prefetch_related("extensions")}
    by_channel = {channel: phases.get(kind) for channel, kind in CHANNEL_PHASE.items()}
    if cache is not None:
        cache[campaign.pk] = by_channel
    return by_channel


def _check_date(
    *, campaign: Campaign, district: District, date: datetime.date, increments: dict[str, int], new_row: bool
) -> None:
    """A count's date must not be in the future and must fall inside the phase of every channel it adds to.

    `increments` is what the entry adds to the stored figures (negative when it lowers them). Lowering a
    stored day outside its phase stays possible: when a later decision brings a phase's end forward, the
    days counted after the new end must still be correctable, down to zero.
    """
    if date > timezone.localdate():
        raise Rejected({"date": [_("%(date)s is in the future.") % {"date": format_date(date)}]})
    phases = _phases_by_channel(campaign)
    open_channels = [c for c, phase in phases.items() if phase and phase.covers(date, district.region)]
    if not open_channels and (new_row or any(value > 0 for value in increments.values())):
        raise Rejected(
            {
                "date": [
                    _("%(date)s is outside every phase of %(campaign)s.") % {"date": format_date(date), "campaign": campaign.name}
                ]
            }
        )
    errors = {}
    for channel, value in increments.items():
        if value > 0 and channel not in open_channels:
            phase = phases[channel]
            errors[channel] = [
                _("%(phase)s was not open on %(date)s in %(district)s (it ran %(start)s–%(end)s).")
                % {
                    "phase": phase.get_kind_display() if phase else channel,
                    "date": format_date(date),
                    "district": district.name,
                    "start": format_date(phase.starts_on),
                    "end": format_date(phase.effective_end(district.region)),
                }
                if phase
                else _("This campaign has no phase for this channel.")
            ]
    if errors:
        raise Rejected(errors)


def record_audit(**entry) -> None:
    """Append one entry to the audit trail (the fields of audit_entry()); call inside the transaction that made the change."""
    audit_entry(**entry).save()


def audit_entry(*, subject, record, campaign, user, source, changes, reason, district=None, region=None, date=None) -> AuditEntry:
    """One audit entry, not yet saved: record_audit() saves one, a batch of counts saves many in bulk."""
    return AuditEntry(
        subject=subject,
        object_id=record.pk,
        campaign=campaign,
        district=district,
        region_id=region.pk if region else (district.region_id if district else None),
        date=date,
        user=user,
        source=source,
        changes=changes,
        reason=reason,
    )


class _Ledger:
    """The counts of some districts as a write sees them while it goes: the stored rows, then each entry's effect.

    record_count() and import_counts() apply every rule to a ledger in memory,
    entry after entry (so an entry sees what the entries before it did), and
    write what changed at the end in a few bulk statements: a 10,000-row import
    is a handful of queries, not tens of thousands. The caller holds the
    districts' locks (lock_districts), so nothing else changes these rows
    between the read and the write.
    """

    def __init__(self, campaign: Campaign, rows, districts: dict[int, District], *, user: User | None, source: str):
        self.campaign = campaign
        self.districts = districts
        self.days: dict[int, dict[datetime.date, DailyCount]] = defaultdict(dict)
        for row in rows:
            self.days[row.district_id][row.date] = row
        self.created: list[DailyCount] = []
        self.updated: dict[int, DailyCount] = {}
        self.audit: list[tuple[DailyCount, dict, str]] = []
        self.owed: dict[int, datetime.date] = {}
        self.user, self.source = user, source
        # Read on the first plausibility check, for every district of the write at once.
        self._baselines: dict[int, list[tuple[datetime.date, int]]] | None = None
        self._closures: dict[int, list[tuple[datetime.date, int, str]]] = {}

    def _load_context(self) -> None:
        self._baselines = defaultdict(list)
        ids = list(self.districts)
        versions = PopulationBaseline.objects.filter(campaign=self.campaign, district_id__in=ids).order_by("as_of", "id")
        for district_id, as_of, population in versions.values_list("district_id", "as_of", "population"):
            self._baselines[district_id].append((as_of, population))
        decisions = DistrictStatus.objects.filter(campaign=self.campaign, district_id__in=ids).order_by("date", "id")
        self._closures = defaultdict(list)
        for district_id, day, pk, status in decisions.values_list("district_id", "date", "id", "status"):
            self._closures[district_id].append((day, pk, status))

    def baseline(self, district: District, date: datetime.date) -> int | None:
        """The baseline in force on `date`: the latest version dated on or before it, else the first (as reports/ do)."""
        if self._baselines is None:
            self._load_context()
        assert self._baselines is not None
        versions = self._baselines.get(district.pk) or []
        found = versions[0][1] if versions else None
        for as_of, population in versions:
            if as_of > date:
                break
            found = population
        return found

    def closed(self, district: District, date: datetime.date) -> tuple[str, datetime.date] | None:
        """The closing decision in force on `date` (its label and date), or None when the district is open then."""
        if self._baselines is None:
            self._load_context()
        in_force = None
        for day, _pk, status in self._closures.get(district.pk, []):
            if day > date:
                break
            in_force = (day, status)
        if in_force is None or in_force[1] not in CLOSING_STATUSES:
            return None
        return str(DistrictStatus.Status(in_force[1]).label), in_force[0]

    def total(self, district: District) -> int:
        return sum(row.online + row.offline for row in self.days[district.pk].values())

    def week_before(self, district: District, date: datetime.date, channel: str) -> list[int]:
        """The channel's figures on the seven days before `date`, oldest first (0 for a day with no row)."""
        days = self.days[district.pk]
        found = []
        for back in range(7, 0, -1):
            row = days.get(date - datetime.timedelta(days=back))
            found.append(getattr(row, channel) if row else 0)
        return found

    def row(self, district: District, date: datetime.date) -> DailyCount | None:
        return self.days[district.pk].get(date)

    def totals_before(self, district: District, date: datetime.date) -> dict[str, int]:
        earlier = [row for day, row in self.days[district.pk].items() if day < date]
        return {channel: sum(getattr(row, channel) for row in earlier) for channel in CHANNELS}

    def set_values(self, row: DailyCount, values: dict[str, int], *, reason: str, created: bool) -> bool:
        """New values for a row, with its audit entry to come; False when nothing changed."""
        changes = {c: [None if created else getattr(row, c), v] for c, v in values.items() if created or getattr(row, c) != v}
        if not changes:
            return False
        for channel, value in values.items():
            setattr(row, channel, value)
        if created:
            self.days[row.district_id][row.date] = row
            self.created.append(row)
        else:
            row.version += 1
            if row.pk is not None:
                self.updated[row.pk] = row
        row.updated_by = self.user
        self.audit.append((row, changes, reason))
        return True

    def lower_earlier_days(self, *, district, date, channel, excess, reason) -> datetime.date | None:
        """Take `excess` off the channel's most recent days before `date`, latest first; return the earliest day touched.

        A cumulative total entered below what is already recorded means earlier days
        were over-reported; the correction lands where the surplus most recently
        arrived, so every stored daily figure stays non-negative.
        """
        earliest = None
        earlier = sorted((row for day, row in self.days[district.pk].items() if day < date), key=lambda row: row.date)
        for row in reversed(earlier):
            if excess == 0:
                break
            if getattr(row, channel) <= 0:
                continue
            taken = min(excess, getattr(row, channel))
            excess -= taken
            self.set_values(row, {channel: getattr(row, channel) - taken}, reason=reason, created=False)
            earliest = row.date
        return earliest

    def owe(self, district: District, from_date: datetime.date) -> None:
        self.owed[district.pk] = min(from_date, self.owed.get(district.pk, from_date))

    def write(self) -> None:
        """Write every changed row and its audit entries, and ask for coverage work once per district."""
        now = timezone.now()
        DailyCount.objects.bulk_create(self.created, batch_size=1000)
        for row in self.updated.values():
            row.updated_at = now  # auto_now is not applied by bulk_update
        DailyCount.objects.bulk_update(
            list(self.updated.values()), ["online", "offline", "version", "updated_by", "updated_at"], batch_size=1000
        )
        AuditEntry.objects.bulk_create(
            [
                audit_entry(
                    subject=AuditEntry.Subject.COUNT,
                    record=row,
                    campaign=self.campaign,
                    district=self.districts[row.district_id],
                    date=row.date,
                    user=self.user,
                    source=self.source,
                    changes=changes,
                    reason=reason,
                )
                for row, changes, reason in self.audit
            ],
            batch_size=1000,
        )
        for district_id, from_date in sorted(self.owed.items()):
            request_recompute(campaign=self.campaign, district=self.districts[district_id], from_date=from_date)


def _entered(mode: str, date, online, offline) -> dict[str, int]:
    """The entered figures as whole numbers, or Rejected saying what is wrong with each."""
    if mode not in EntryMode.choices:
        raise Rejected({"mode": [_("Choose daily or cumulative entry.")]})
    if not isinstance(date, datetime.date) or isinstance(date, datetime.datetime):
        raise Rejected({"date": [_("Enter a valid date.")]})
    entered = {}
    errors = {}
    for channel, value in (("online", online), ("offline", offline)):
        try:
            entered[channel] = _clean_value(channel, value)
        except Rejected as exc:
            errors.update(exc.message_dict)
    if errors:
        raise Rejected(errors)
    return entered


def _enter_count(
    ledger: _Ledger,
    *,
    district: District,
    date: datetime.date,
    entered: dict[str, int],
    mode: str,
    reason: str,
    expected_version: int | None,
    confirm_implausible: bool = False,
    entered_on: datetime.date | None = None,
) -> CountResult:
    """Apply one district-day's entry to the ledger with every rule of the write path; raises before changing anything.

    `entered_on` is the day the figures were typed, when that is earlier than today (a device kept them while the
    connection was down): a change to a day is a correction, needing a reason, only when the day was already past then.
    """
    if len(reason) > REASON_MAX_LENGTH:
        # The forms, the API and files refuse it first; this holds for every caller (a command's --reason too),
        # because a reason goes into the append-only audit trail for good.
        raise Rejected(
            {
                "reason": [
                    _("The reason has %(length)s characters; at most %(limit)s are kept. Shorten it.")
                    % {"length": format_number(len(reason)), "limit": format_number(REASON_MAX_LENGTH)}
                ]
            }
        )
    campaign = ledger.campaign
    row = ledger.row(district, date)
    if expected_version is not None and (row.version if row else 0) != expected_version:
        raise CountConflict(current=row)

    if mode == EntryMode.CUMULATIVE:
        earlier = ledger.totals_before(district, date)
        falling = {channel: earlier[channel] - entered[channel] for channel in CHANNELS if entered[channel] < earlier[channel]}
        if falling and not reason:
            raise Rejected(
                {
                    channel: [
                        _(
                            "The total as of %(date)s (%(total)s) is below the %(earlier)s already recorded before that day. "
                            "A lower total is a correction: give a reason."
                        )
                        % {
                            "date": format_date(date),
                            "total": format_number(entered[channel]),
                            "earlier": format_number(earlier[channel]),
                        }
                    ]
                    for channel in falling
                }
            )
        values = {channel: max(entered[channel] - earlier[channel], 0) for channel in CHANNELS}
    else:
        falling = {}
        values = entered

    stored = {channel: getattr(row, channel) if row else 0 for channel in CHANNELS}
    _check_date(
        campaign=campaign,
        district=district,
        date=date,
        increments={channel: values[channel] - stored[channel] for channel in CHANNELS},
        new_row=row is None,
    )

    if row is not None and not reason:
        lowered = [c for c in CHANNELS if values[c] < getattr(row, c)]
        changed = any(values[c] != getattr(row, c) for c in CHANNELS)
        if lowered:
            raise Rejected({c: [_("Lowering a recorded figure is a correction: give a reason.")] for c in lowered})
        if changed and date < min(entered_on or timezone.localdate(), timezone.localdate()):
            raise Rejected({"reason": [_("Changing a past day's figures is a correction: give a reason.")]})

    warnings = _plausibility(ledger, district=district, date=date, values=values, stored=stored, lowered=sum(falling.values()))
    if any(check.implausible for check in warnings):
        if not confirm_implausible:
            raise Implausible(plausibility.refusal(warnings), [check for check in warnings if check.implausible])
        if not reason:
            raise Rejected({"reason": [_("Figures confirmed past a plausibility check need a reason.")]})

    created = row is None
    if row is None:
        row = DailyCount(campaign=campaign, district=district, date=date)
    changed = ledger.set_values(row, values, reason=reason, created=created)

    recompute_from = date if changed else None
    for channel, excess in falling.items():
        touched = ledger.lower_earlier_days(district=district, date=date, channel=channel, excess=excess, reason=reason)
        if touched:
            recompute_from = min(touched, recompute_from or touched)
            changed = True

    if recompute_from is not None:
        ledger.owe(district, recompute_from)
    return CountResult(count=row, created=created, changed=changed, warnings=tuple(warnings) if changed else ())


def _plausibility(
    ledger: _Ledger, *, district: District, date: datetime.date, values: dict[str, int], stored: dict[str, int], lowered: int
) -> list[plausibility.Check]:
    """The plausibility checks (census/plausibility.py) an entry fails, on the figures the ledger would hold after it."""
    raised = {channel: values[channel] > stored[channel] for channel in CHANNELS}
    added = sum(values[channel] - stored[channel] for channel in CHANNELS) - lowered
    if not any(raised.values()) and added <= 0:
        return []
    phases = _phases_by_channel(ledger.campaign)
    entry = plausibility.EnteredDay(
        district_name=district.name,
        date=date,
        baseline=ledger.baseline(district, date),
        total_after=ledger.total(district) + added,
        total_raised=added > 0,
        day=dict(values),
        raised=raised,
        week={channel: ledger.week_before(district, date, channel) for channel in CHANNELS},
        channel_starts={channel: phase.starts_on if phase else None for channel, phase in phases.items()},
        closed=ledger.closed(district, date),
    )
    return plausibility.checks(entry, plausibility.Thresholds.from_settings())


def lock_districts(district_ids) -> None:
    """Take the write lock of these districts, in one global order (by id), until the transaction ends.

    Every writer of counts holds its districts' locks before it reads or writes
    their rows, and a batch takes all of its locks up front in id order: two
    writers then wait for each other in one direction only and never deadlock.
    FOR NO KEY UPDATE of the district row alone (`of=self`, no ORDER BY over a
    joined model) keeps the lock on what is meant: it does not block rows that
    merely refer to the district (snapshots, audit entries), nor the campaign
    row that every other write in the country refers to.
    """
    ids = sorted(set(district_ids))
    if ids:
        list(
            District.objects.select_for_update(of=("self",), no_key=True)
            .filter(pk__in=ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )


@retry_on_contention
def record_count(
    *,
    campaign: Campaign,
    district: District,
    date: datetime.date,
    online,
    offline,
    mode: str = EntryMode.DAILY,
    reason: str = "",
    user=None,
    source: str,
    expected_version: int | None = None,
    confirm_implausible: bool = False,
    entered_on: datetime.date | None = None,
) -> CountResult:
    """Record one district's counts for one day, as the day's numbers or as cumulative totals "as of" that day.

    Raises Rejected (a ValidationError keyed by field, messages in the
    active language) for bad input and CountConflict when `expected_version`
    no longer matches the stored row. `expected_version=0` means "I saw no row".
    An implausible entry raises Implausible unless `confirm_implausible` (and a
    reason) is given; unusual ones are saved and listed in the result's warnings. `entered_on`: the day a device
    saved the entry, when it was sent later (a change is a correction only if its day had passed by then).
    """
    entered = _entered(mode, date, online, offline)
    reason = (reason or "").strip()
    phases_token = _phases_for_write.set({})
    try:
        with transaction.atomic():
            # One writer per district at a time: cumulative entry reads the days
            # before this one, and two first inserts of the same day must not race.
            lock_districts([district.pk])
            # The row alone: ordered by pk, not by Meta.ordering, whose joins would lock the campaign too.
            rows = list(
                DailyCount.objects.select_for_update(of=("self",))
                .filter(campaign=campaign, district=district, date=date)
                .order_by("pk")[:1]
            )
            # The other days too: cumulative entry reads (and may lower) the days before, and the plausibility
            # checks need the district's total and the week before. The district's lock keeps them still.
            rows += DailyCount.objects.filter(campaign=campaign, district=district).exclude(date=date).order_by("date")
            for row in rows:
                row.campaign, row.district = campaign, district  # already loaded: spare the audit two queries
            ledger = _Ledger(campaign, rows, {district.pk: district}, user=user, source=source)
            result = _enter_count(
                ledger,
                district=district,
                date=date,
                entered=entered,
                mode=mode,
                reason=reason,
                expected_version=expected_version,
                confirm_implausible=confirm_implausible,
                entered_on=entered_on,
            )
            ledger.write()
        return result
    finally:
        _phases_for_write.reset(phases_token)


def set_status(
    *,
    campaign: Campaign,
    district: District,
    status: str,
    date: datetime.date,
    user=None,
    source: str,
    note: str = "",
) -> DistrictStatus:
    """Record a decision about a district's status, effective from `date`; the latest decision is the current one."""
    if status not in DistrictStatus.Status.values:
        raise Rejected({"status": [_("Choose a status from the list.")]})
    if date > timezone.localdate():
        raise Rejected({"date": [_("%(date)s is in the future.") % {"date": format_date(date)}]})
    if date < campaign.starts_on:
        # A decision dated before the census began would govern days no count can have (a mistyped year, usually).
        raise Rejected(
            {
                "date": [
                    _("%(date)s is before the census began on %(start)s.")
                    % {"date": format_date(date), "start": format_date(campaign.starts_on)}
                ]
            }
        )
    with transaction.atomic():
        same_day = DistrictStatus.objects.filter(campaign=campaign, district=district, date=date).order_by("-id").first()
        if same_day and same_day.status == status:
            # Already the decision in force for that day: saying it again changes nothing.
            return same_day
        current = DistrictStatus.objects.filter(campaign=campaign, district=district).order_by("-date", "-id").first()
        decision = DistrictStatus.objects.create(
            campaign=campaign, district=district, status=status, date=date, set_by=user, note=note
        )
        record_audit(
            subject=AuditEntry.Subject.STATUS,
            record=decision,
            campaign=campaign,
            district=district,
            date=date,
            user=user,
            source=source,
            changes={"status": [current.status if current else None, status]},
            reason=note,
        )
        request_recompute(campaign=campaign, district=district, from_date=date)
    return decision


def extend_phase(
    *,
    phase: Phase,
    ends_on: datetime.date,
    decided_on: datetime.date,
    reason: str,
    region: Region | None = None,
    user=None,
    source: str,
) -> PhaseExtension:
    """Record a decision to move a phase's end, for one region or (region=None) the whole campaign."""
    reason = (reason or "").strip()
    if not reason:
        raise Rejected({"reason": [_("An extension is a decision: give its reason.")]})
    if ends_on < phase.starts_on:
        raise Rejected({"ends_on": [_("The new end date is before the phase starts.")]})
    with transaction.atomic():
        old_end = phase.effective_end(region)
        extension = PhaseExtension.objects.create(
            phase=phase, region=region, ends_on=ends_on, decided_on=decided_on, reason=reason, created_by=user
        )
        record_audit(
            subject=AuditEntry.Subject.EXTENSION,
            record=extension,
            campaign=phase.campaign,
            region=region,
            date=decided_on,
            user=user,
            source=source,
            changes={"ends_on": [old_end.isoformat(), ends_on.isoformat()], "phase": [None, phase.kind]},
            reason=reason,
        )
        # The deadline is in every day's forecast (rate needed, outlook) and the phase end decides which
        # days count as "silent", so the whole campaign is owed a recompute from its first day.
        request_recompute(campaign=phase.campaign, district=None, from_date=phase.campaign.starts_on)
    return extension


# --- Many district-days at once: a file import or the region grid ---------------------------------


@dataclass(frozen=True)
class CountRow:
    """One district-day in a batch, with where it came from (a file's line or a grid's row) and what was entered."""

    line: int
    district: District
    date: datetime.date
    online: object
    offline: object
    reason: str = ""
    # The version the person saw (0: no row yet); None when the source cannot know it (a file).
    expected_version: int | None = None
    # The person confirmed this row's figures past an implausibility check (the grid's box on its row).
    confirm_implausible: bool = False


@dataclass
class RowOutcome:
    """What a batch did, or would do, with one row: created, changed, unchanged, rejected or conflict."""

    row: CountRow
    action: str
    before: tuple[int, int] | None = None
    after: tuple[int, int] | None = None
    errors: dict[str, list[str]] | None = None
    current: DailyCount | None = None
    # Plausibility: the checks a saved row failed (warnings), and whether a rejected row only lacks a confirmation.
    warnings: tuple[plausibility.Check, ...] = ()
    implausible: bool = False

    @property
    def cells(self) -> list[tuple[int | None, int | None]]:
        """(before, after) per channel, online then door-to-door; before is None for a new row."""
        return [(self.before[i] if self.before else None, self.after[i] if self.after else None) for i in (0, 1)]


@dataclass
class ImportSummary:
    """The outcome of import_counts(): one entry per row, and whether the batch was committed."""

    outcomes: list[RowOutcome]
    applied: bool

    def _count(self, action: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.action == action)

    @property
    def created(self) -> int:
        return self._count("created")

    @property
    def changed(self) -> int:
        return self._count("changed")

    @property
    def unchanged(self) -> int:
        return self._count("unchanged")

    @property
    def failed(self) -> list[RowOutcome]:
        return [outcome for outcome in self.outcomes if outcome.action in ("rejected", "conflict")]

    @property
    def warned(self) -> list[RowOutcome]:
        return [outcome for outcome in self.outcomes if outcome.warnings]


class _RollBack(Exception):
    """Raised inside import_counts()'s transaction to undo every row of a batch that must not be written."""


@retry_on_contention
def import_counts(
    *,
    campaign: Campaign,
    rows: list[CountRow],
    mode: str = EntryMode.DAILY,
    user=None,
    source: str = AuditEntry.Source.IMPORT,
    reason: str = "",
    dry_run: bool = False,
    rejected_elsewhere: bool = False,
    confirm_implausible: bool = False,
) -> ImportSummary:
    """Record many district-days all or nothing, by the same rules as record_count(), in one transaction.

    Every row is tried, so the summary reports every problem at once; if any row
    is rejected or in conflict (or `rejected_elsewhere`: the caller found bad rows
    of its own, e.g. an unknown district), or on a dry run, nothing is written,
    not even audit entries or coverage work. Rows go in date order, so cumulative
    totals of consecutive days in one file are turned into daily figures against
    the days recorded just before them. A row whose values are already stored
    changes nothing and adds no history, so importing the same file twice is
    harmless. The stored rows are read once and the changes written in bulk at
    the end; coverage work is owed once per district and published once.
    Plausibility is checked per row as in record_count(): an implausible row is
    rejected unless `confirm_implausible` (the whole batch) or the row's own
    confirmation is given with a reason; unusual rows carry their warnings.
    """
    ordered = sorted(rows, key=lambda row: (row.date, row.line))
    outcomes: list[RowOutcome] = []
    districts = {row.district.pk: row.district for row in ordered}
    phases_token = _phases_for_write.set({})
    try:
        with transaction.atomic():
            if not dry_run:
                # Every district of the batch before any row is read: a single save of one of them waits
                # for the whole batch (or the batch for it), never each for the other. A dry run writes
                # nothing and holds no lock: a preview never delays anyone's save.
                lock_districts(districts)
            ledger = _Ledger(campaign, _stored_rows(campaign, mode, ordered), districts, user=user, source=source)
            stored = {(d, day): (row.online, row.offline) for d, days in ledger.days.items() for day, row in days.items()}
            for row in ordered:
                before = stored.get((row.district.pk, row.date))
                try:
                    result = _enter_count(
                        ledger,
                        district=row.district,
                        date=row.date,
                        entered=_entered(mode, row.date, row.online, row.offline),
                        mode=mode,
                        reason=(row.reason or reason or "").strip(),
                        expected_version=row.expected_version,
                        confirm_implausible=confirm_implausible or row.confirm_implausible,
                    )
                except Rejected as exc:
                    outcomes.append(
                        RowOutcome(
                            row=row,
                            action="rejected",
                            before=before,
                            errors=exc.message_dict,
                            implausible=isinstance(exc, Implausible),
                        )
                    )
                    continue
                except CountConflict as exc:
                    outcomes.append(RowOutcome(row=row, action="conflict", before=before, current=exc.current))
                    continue
                action = "created" if result.created else "changed" if result.changed else "unchanged"
                after = (result.count.online, result.count.offline)
                outcomes.append(RowOutcome(row=row, action=action, before=before, after=after, warnings=result.warnings))
            if dry_run or rejected_elsewhere or any(o.action in ("rejected", "conflict") for o in outcomes):
                raise _RollBack
            ledger.write()
    except _RollBack:
        applied = False
    else:
        applied = True
    finally:
        _phases_for_write.reset(phases_token)
    outcomes.sort(key=lambda outcome: outcome.row.line)
    return ImportSummary(outcomes=outcomes, applied=applied)


def _stored_rows(campaign: Campaign, mode: str, rows: list[CountRow]) -> list[DailyCount]:
    """The stored rows a batch reads, in one query: every day of its districts.

    Cumulative entry reads the days before each row; the plausibility checks read each district's total
    and the week before each row. A campaign has some tens of days, so this is a few rows per row entered.
    """
    if not any(isinstance(row.date, datetime.date) for row in rows):
        return []
    # No ORDER BY: Meta.ordering would join the campaign and district tables for nothing.
    return list(DailyCount.objects.filter(campaign=campaign, district__in={row.district.pk for row in rows}).order_by())


# What a batch item's result says happened to it, as the device sync log counts it.
WRITTEN_OUTCOMES = ("created", "updated", "unchanged")


def record_device_sync(*, user, token, outcomes: list[str], longest_wait: datetime.timedelta | None) -> DeviceSync:
    """Log one batch of entries sent from a device: its items, how they ended, the longest one of them waited there."""
    return DeviceSync.objects.create(
        user=user,
        token=token,
        items=len(outcomes),
        written=sum(outcome in WRITTEN_OUTCOMES for outcome in outcomes),
        conflicts=outcomes.count("conflict"),
        rejected=outcomes.count("rejected"),
        longest_wait=longest_wait,
    )
