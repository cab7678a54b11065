"""The census itself: campaigns, their phases, the daily counts and who changed what."""

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from regions.models import District, Region, TranslatedName

# The longest reason for a correction that is kept, however it comes (form, grid, file): the audit trail
# keeps every reason for good, once per changed record.
REASON_MAX_LENGTH = 1000


class CampaignQuerySet(models.QuerySet):
    def current(self):
        """The campaign that work goes to when none is named: the one that started last."""
        return self.order_by("-starts_on", "-id").first()


class Campaign(TranslatedName, models.Model):
    """One census operation (e.g. the National Census 2021) that counts are entered for."""

    slug = models.SlugField(_("code"), max_length=50, unique=True)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    notes = models.TextField(_("notes"), blank=True)
    # Proper names (a site's address, apps' names), the same in every language: the briefing's call to action
    # lists them, so that each campaign says where its own residents answer.
    online_channels = models.CharField(
        _("where to take part online"),
        max_length=200,
        blank=True,
        help_text=_(
            "The sites and apps where residents answer online, as the press names them, separated by commas "
            "(for example: sanaq.gov.kz, eGov, Aitu). The briefing invites readers to take part through them."
        ),
    )

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on"]

    def __str__(self):
        return self.name

    @property
    def online_channel_names(self) -> list[str]:
        return [name.strip() for name in self.online_channels.split(",") if name.strip()]


class Phase(models.Model):
    """One collection channel's window in a campaign, as first decided (extensions are separate rows)."""

    class Kind(models.TextChoices):
        ONLINE = "online", _("online self-response")
        DOOR_TO_DOOR = "door_to_door", _("door-to-door enumeration")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="phases", verbose_name=_("campaign"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["campaign", "starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "kind"], name="phase_unique_kind_per_campaign"),
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="phase_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.starts_on:%d.%m.%Y}–{self.ends_on:%d.%m.%Y}"

    def effective_end(self, region: Region | None, known_on: datetime.date | None = None) -> datetime.date:
        """The phase's last day for a region: the latest decided extension covering it, else the planned end.

        An extension covers a region if it names that region or names none (the
        whole campaign). "Latest" is the most recent decision, so a later decision
        may also bring the end forward again. With `known_on`, only decisions taken
        by the end of that day count: the end as it was known then, without hindsight.
        """
        region_id = region.pk if region else None
        # Filtered in Python so that a prefetched `extensions` serves every region without a query.
        covering = [
            e
            for e in self.extensions.all()
            if (e.region_id is None or e.region_id == region_id) and (known_on is None or e.decided_on <= known_on)
        ]
        latest = max(covering, key=lambda e: (e.decided_on, e.pk), default=None)
        return latest.ends_on if latest else self.ends_on

    def covers(self, day: datetime.date, region: Region | None) -> bool:
        return self.starts_on <= day <= self.effective_end(region)


class PhaseExtension(models.Model):
    """A recorded decision that moves a phase's end date, for the whole campaign or for one region."""

    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="extensions", verbose_name=_("phase"))
    region = models.ForeignKey(
        Region,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="phase_extensions",
        verbose_name=_("region"),
        help_text=_("Leave empty when the decision applies to the whole campaign."),
    )
    ends_on = models.DateField(_("new end date"))
    decided_on = models.DateField(_("decided on"))
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("entered by")
    )

    class Meta:
        verbose_name = _("phase extension")
        verbose_name_plural = _("phase extensions")
        ordering = ["phase", "decided_on", "id"]

    def __str__(self):
        where = self.region or _("whole campaign")
        return f"{self.phase.get_kind_display()} → {self.ends_on:%d.%m.%Y} ({where})"


class DailyCountQuerySet(models.QuerySet):
    def totals_before(self, day: datetime.date) -> models.QuerySet:
        """Each district's totals over its days before `day`: rows of {"district_id", "online", "offline"}.

        A district with no earlier day has no row. Filter first (campaign, districts), then read the rows,
        or use them as a subquery per district (the API's running totals of a list that starts mid-campaign).
        """
        return self.filter(date__lt=day).order_by().values("district_id").annotate(online=Sum("online"), offline=Sum("offline"))


class DailyCount(models.Model):
    """The people counted in one district on one day of a campaign, per channel.

    Values are the day's increments; cumulative totals are derived. `version`
    grows by one on every change, so a stale form or API client is detected.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="daily_counts", verbose_name=_("campaign"))
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="daily_counts", verbose_name=_("district"))
    date = models.DateField(_("date"))
    online = models.BigIntegerField(_("online"), default=0)
    offline = models.BigIntegerField(_("door-to-door"), default=0)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("updated by")
    )

    objects = DailyCountQuerySet.as_manager()

    class Meta:
        verbose_name = _("daily count")
        verbose_name_plural = _("daily counts")
        ordering = ["campaign", "district", "date"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "district", "date"], name="daily_count_one_per_district_day"),
            models.CheckConstraint(condition=models.Q(online__gte=0), name="daily_count_online_not_negative"),
            models.CheckConstraint(condition=models.Q(offline__gte=0), name="daily_count_offline_not_negative"),
        ]

    def __str__(self):
        return f"{self.district} {self.date:%d.%m.%Y}: {self.online} + {self.offline}"


class DistrictStatusQuerySet(models.QuerySet):
    def in_force(self, *, on: datetime.date) -> models.QuerySet:
        """The decision in force for each district on `on`: its latest dated on or before that day.

        Of two decisions on one day the later one counts. At most one row per campaign and district.
        """
        latest = (
            DistrictStatus.objects.filter(campaign=OuterRef("campaign"), district=OuterRef("district"), date__lte=on)
            .order_by("-date", "-id")
            .values("pk")[:1]
        )
        return self.filter(date__lte=on, pk=Subquery(latest))


class DistrictStatus(models.Model):
    """One decision about where a district stands (e.g. "completed early"), effective from a date.

    Rows are only added: the district's current status is its latest decision,
    and the older rows are its status history.
    """

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("in progress")
        NEARLY_COMPLETE = "nearly_complete", _("nearly complete")
        COMPLETED_EARLY = "completed_early", _("completed early")
        COMPLETED = "completed", _("completed")

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="statuses", verbose_name=_("campaign"))
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="statuses", verbose_name=_("district"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    date = models.DateField(_("effective from"))
    note = models.TextField(_("note"), blank=True)
    set_at = models.DateTimeField(_("set at"), auto_now_add=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("set by")
    )

    objects = DistrictStatusQuerySet.as_manager()

    class Meta:
        verbose_name = _("district status")
        verbose_name_plural = _("district statuses")
        ordering = ["campaign", "district", "-date", "-id"]
        indexes = [models.Index(fields=["campaign", "district", "-date", "-id"])]

    def __str__(self):
        return f"{self.district}: {self.get_status_display()} ({self.date:%d.%m.%Y})"


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Audit entries are append-only.")

    def delete(self):
        raise TypeError("Audit entries are append-only.")


class AuditEntry(models.Model):
    """One change to census data: who made it, when, from where, what it was before and after, and why.

    Append-only: rows are never updated or deleted (the queryset and the model
    refuse, and the admin shows them read-only).
    """

    class Source(models.TextChoices):
        FORM = "form", _("web form")
        IMPORT = "import", _("file import")
        API = "api", _("API")
        ADMIN = "admin", _("admin")
        COMMAND = "command", _("management command")

    class Subject(models.TextChoices):
        COUNT = "count", _("daily count")
        BASELINE = "baseline", _("population baseline")
        STATUS = "status", _("district status")
        EXTENSION = "extension", _("phase extension")
        STAFFING_PLAN = "staff_plan", _("staffing plan")
        STAFFING = "staffing", _("daily staffing")
        SERVICE_POINT = "point", _("self-service point")
        SERVICE_POINT_USE = "point_use", _("use of a self-service point")
        NON_RESPONSE = "nonresp", _("door-to-door visits and non-response")

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("who")
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    subject = models.CharField(_("what"), max_length=10, choices=Subject.choices)
    object_id = models.PositiveBigIntegerField(_("record"))
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="+", verbose_name=_("campaign"))
    district = models.ForeignKey(
        District, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_entries", verbose_name=_("district")
    )
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    date = models.DateField(_("day concerned"), null=True, blank=True)
    # {"field": [old, new], ...}; old is null for a new record.
    changes = models.JSONField(_("changes"))
    reason = models.TextField(_("reason"), blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["district", "date"])]

    def __str__(self):
        return f"{self.get_subject_display()} #{self.object_id} {self.at:%d.%m.%Y %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Audit entries are append-only.")

    @property
    def reason_text(self) -> str:
        """The reason in the reader's language, as PopulationBaseline.source_text shows the baseline's note.

        A baseline's reason is its source note: the notes the application writes (an import's, the demo's) are
        stored as their English text, a message of the catalogs, and translated here; one typed is shown as typed.
        """
        if self.subject == self.Subject.BASELINE and self.reason:
            return gettext(self.reason)
        return self.reason


class Role(models.TextChoices):
    ADMIN = "admin", _("administrator")
    STAFF = "staff", _("statistics staff")
    OFFICIAL = "official", _("official")


class Assignment(models.Model):
    """A person's role in the census and the area it covers: one district, one region, or (both empty) the country.

    Staff enter and correct counts in their area; officials only read; an
    administrator may do everything. census/access.py turns this into a Scope.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignment")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    district = models.ForeignKey(
        District, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("district")
    )

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(region__isnull=True) | models.Q(district__isnull=True), name="assignment_one_area"
            ),
            # Staff always work in a region or a district, never "the country".
            models.CheckConstraint(
                condition=~models.Q(role="staff") | models.Q(region__isnull=False) | models.Q(district__isnull=False),
                name="assignment_staff_has_area",
            ),
        ]

    def __str__(self):
        return f"{self.user}: {self.get_role_display()} ({self.district or self.region or _('country')})"


class ApiToken(models.Model):
    """A key an API client (e.g. the communications service) authenticates with.

    Only a SHA-256 hash of the key is stored; the key is shown once when issued.
    Scoped to a region (or, empty, the country); read-only unless `can_write`;
    refused once expired or revoked.
    """

    name = models.CharField(_("name"), max_length=100)
    key_prefix = models.CharField(_("key prefix"), max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    can_write = models.BooleanField(_("may write"), default=False)
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.key_prefix}…)"


class IdempotentRequest(models.Model):
    """One API write made with an `Idempotency-Key`, kept so that a retry with the same key replays its response.

    The key is the client's and is unique per token (or per person for a web
    session); the request's hash tells a true retry from a different request
    that reuses a key. Rows are only added; stale ones are removed when looked up.
    """

    key = models.CharField(_("idempotency key"), max_length=255)
    token = models.ForeignKey(ApiToken, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    response_headers = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("idempotent request")
        verbose_name_plural = _("idempotent requests")
        constraints = [
            models.UniqueConstraint(
                fields=["token", "key"], condition=models.Q(token__isnull=False), name="idempotency_key_per_token"
            ),
            models.UniqueConstraint(
                fields=["user", "key"], condition=models.Q(user__isnull=False), name="idempotency_key_per_user"
            ),
            models.CheckConstraint(
                condition=models.Q(token__isnull=True) ^ models.Q(user__isnull=True), name="idempotency_one_owner"
            ),
        ]

    def __str__(self):
        return f"{self.key} ({self.status_code})"


class DeviceSync(models.Model):
    """One batch of entries sent from a device (POST /api/v1/daily-counts/batch/): who sent it, when, how its items ended,
    and how long the one that waited longest had been kept on the device. Rows are only added; the device sync health
    page reads them."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    token = models.ForeignKey(ApiToken, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    received_at = models.DateTimeField(_("received at"), auto_now_add=True, db_index=True)
    items = models.PositiveIntegerField(_("items"))
    written = models.PositiveIntegerField(_("written"), default=0, help_text=_("Created, updated or already recorded."))
    conflicts = models.PositiveIntegerField(_("conflicts"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    longest_wait = models.DurationField(_("longest wait on the device"), null=True, blank=True)

    class Meta:
        verbose_name = _("device sync")
        verbose_name_plural = _("device syncs")

    def __str__(self):
        return f"{self.received_at:%Y-%m-%d %H:%M} ({self.items})"


class PendingImportQuerySet(models.QuerySet):
    def expired(self):
        return self.filter(expires_at__lte=timezone.now())

    def live(self):
        return self.filter(expires_at__gt=timezone.now())

    def keep(self, *, user, content: bytes, filename: str, mode: str, reason: str) -> "PendingImport":
        """Keep a previewed upload for "Apply" under a new token; uploads whose time ran out go at the same time."""
        self.expired().delete()
        return self.create(
            token=secrets.token_urlsafe(18),
            user=user,
            content=content,
            filename=filename,
            mode=mode,
            reason=reason,
            expires_at=timezone.now() + datetime.timedelta(seconds=settings.CENSUS_IMPORT_KEEP_SECONDS),
        )


class PendingImport(models.Model):
    """An uploaded spreadsheet between its preview and "Apply": the file as sent, by whom, and the choices made with it.

    Not census data: nothing in it counts until it is applied (then the row is
    removed). Kept in the database rather than the cache so that "Apply" works
    on any web process and whether or not Redis answers. Only the person who
    uploaded it may apply it; CENSUS_IMPORT_KEEP_SECONDS after the preview it
    expires, and expired rows are removed when a new upload is kept and when one is applied.
    """

    token = models.CharField(max_length=32, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(max_length=255)
    mode = models.CharField(max_length=16)
    reason = models.TextField(blank=True)
    content = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    objects = PendingImportQuerySet.as_manager()

    class Meta:
        verbose_name = _("pending import")
        verbose_name_plural = _("pending imports")

    def __str__(self):
        return f"{self.filename} ({self.user_id})"


# --- Field staffing: aggregates per district and day, never a list of people --------------------------------


class StaffRole(models.TextChoices):
    """The census personnel roles a staffing plan is set for (volunteers have no plan: they are counted only)."""

    INTERVIEWER = "interviewer", _("interviewer")
    INSTRUCTOR = "instructor", _("instructor-controller")


class StaffingPlanQuerySet(models.QuerySet):
    def in_force(self, *, on: datetime.date) -> models.QuerySet:
        """The plan in force on `on` for each campaign, district and role: the latest valid on or before that day."""
        latest = (
            StaffingPlan.objects.filter(
                campaign=OuterRef("campaign"), district=OuterRef("district"), role=OuterRef("role"), valid_from__lte=on
            )
            .order_by("-valid_from", "-id")
            .values("pk")[:1]
        )
        return self.filter(valid_from__lte=on, pk=Subquery(latest))

    def latest_for(self, *, campaign, district, role):
        return self.filter(campaign=campaign, district=district, role=role).order_by("-valid_from", "-id").first()


class StaffingPlan(models.Model):
    """One version of how many people of one role a district plans to have on duty, valid from a date.

    Like population baselines, plans are never edited in place: a change adds a
    row, the one in force on a day is the latest valid on or before it (then the
    latest entered), and earlier rows stay as the history.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="staffing_plans", verbose_name=_("campaign"))
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="staffing_plans", verbose_name=_("district"))
    role = models.CharField(_("role"), max_length=20, choices=StaffRole.choices)
    planned = models.PositiveIntegerField(_("planned"))
    valid_from = models.DateField(_("valid from"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("entered by")
    )

    objects = StaffingPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("staffing plan")
        verbose_name_plural = _("staffing plans")
        ordering = ["campaign", "district", "role", "-valid_from", "-id"]
        indexes = [models.Index(fields=["campaign", "district", "role", "-valid_from", "-id"])]

    def __str__(self):
        return f"{self.district} {self.get_role_display()} {self.planned} ({self.valid_from:%d.%m.%Y})"


class DailyStaffing(models.Model):
    """How many census personnel were on duty in one district on one day, by role, and how many of them are vaccinated.

    Counts only, never people. Volunteers on duty are counted beside the
    personnel but are never interviewer capacity. `vaccinated` counts everyone
    on duty, volunteers included. `version` grows by one on every change.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="daily_staffing", verbose_name=_("campaign"))
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="daily_staffing", verbose_name=_("district"))
    date = models.DateField(_("date"))
    interviewers = models.PositiveIntegerField(_("interviewers on duty"), default=0)
    instructors = models.PositiveIntegerField(_("instructor-controllers on duty"), default=0)
    volunteers = models.PositiveIntegerField(_("volunteers on duty"), default=0)
    vaccinated = models.PositiveIntegerField(_("vaccinated on duty"), default=0)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("updated by")
    )

    class Meta:
        verbose_name = _("daily staffing")
        verbose_name_plural = _("daily staffing")
        ordering = ["campaign", "district", "date"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "district", "date"], name="daily_staffing_one_per_district_day"),
            models.CheckConstraint(
                condition=models.Q(vaccinated__lte=models.F("interviewers") + models.F("instructors") + models.F("volunteers")),
                name="daily_staffing_vaccinated_within_on_duty",
            ),
        ]

    def __str__(self):
        return f"{self.district} {self.date:%d.%m.%Y}: {self.interviewers} + {self.instructors} + {self.volunteers}"

    @property
    def on_duty(self) -> int:
        """Everyone on duty: personnel and volunteers."""
        return self.interviewers + self.instructors + self.volunteers


class ServicePointQuerySet(models.QuerySet):
    def active(self, *, on: datetime.date) -> models.QuerySet:
        """The points open for the census on `on`: active from that day or earlier, and not yet closed."""
        return self.filter(active_from__lte=on).filter(models.Q(active_to__isnull=True) | models.Q(active_to__gte=on))


class ServicePoint(TranslatedName, models.Model):
    """A self-service point where residents take part in the census online: a public service centre, an akimat's
    corner, a mobile team.

    A registry of places, never of people. People helped at a point answer
    online, so the point's use is a part of the online channel, never added to
    coverage. A point is never deleted: it closes (`active_to`), so that pages
    and reports as of an earlier day still show it. `public` says whether the
    public page lists it ("Where to take part"); the API and dashboards list
    every point in the reader's area.
    """

    class Kind(models.TextChoices):
        PUBLIC_SERVICE_CENTRE = "psc", _("public service centre")
        CAR_SERVICE_CENTRE = "car_psc", _("car service centre")
        AKIMAT = "akimat", _("akimat")
        SCHOOL = "school", _("school")
        POST_OFFICE = "post", _("post office")
        SHOPPING_CENTRE = "shopping", _("shopping centre")
        CLINIC = "clinic", _("clinic")
        MARKET = "market", _("market")
        SOCIAL_CENTRE = "social", _("social centre")
        MOBILE_TEAM = "mobile", _("mobile team")

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="service_points", verbose_name=_("campaign"))
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="service_points", verbose_name=_("district"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    # As written on the building and in the press: one text, usually Kazakh or Russian, not translated.
    address = models.CharField(_("address"), max_length=300, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5, null=True, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    active_from = models.DateField(_("active from"))
    active_to = models.DateField(_("active to"), null=True, blank=True)
    public = models.BooleanField(
        _("shown on the public page"),
        default=True,
        help_text=_("Untick for a point that only serves staff or a closed institution."),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("updated by")
    )

    objects = ServicePointQuerySet.as_manager()

    class Meta:
        verbose_name = _("self-service point")
        verbose_name_plural = _("self-service points")
        ordering = ["campaign", "district", "name_ru", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(active_to__isnull=True) | models.Q(active_to__gte=models.F("active_from")),
                name="service_point_closes_after_it_opens",
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(latitude__isnull=False, longitude__isnull=False),
                name="service_point_both_coordinates_or_neither",
            ),
        ]

    def __str__(self):
        return self.name


class ServicePointUse(models.Model):
    """How many residents took part in the census online with help at one self-service point on one day.

    Numbers, never people. They are part of the online channel (people answer
    online at the point), so they are never added to coverage: the dashboards
    show them as a share of the day's online answers. `district` is the point's,
    kept here so that the row is scoped like every other district record.
    `version` grows by one on every change.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="+", verbose_name=_("campaign"))
    point = models.ForeignKey(ServicePoint, on_delete=models.PROTECT, related_name="uses", verbose_name=_("self-service point"))
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+", verbose_name=_("district"))
    date = models.DateField(_("date"))
    assisted = models.PositiveIntegerField(_("people helped"))
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("updated by")
    )

    class Meta:
        verbose_name = _("use of a self-service point")
        verbose_name_plural = _("use of self-service points")
        ordering = ["campaign", "district", "point", "date"]
        constraints = [models.UniqueConstraint(fields=["point", "date"], name="service_point_use_one_per_point_day")]

    def __str__(self):
        return f"{self.point} {self.date:%d.%m.%Y}: {self.assisted}"


class DailyNonResponse(models.Model):
    """How the door-to-door visits of one district went on one day, in households, never people or addresses.

    Each visit ends in one outcome (an interview, an online participation
    notice shown, nobody at home and a notice left, the door not opened, a
    refusal, "we answered online" with no notice to show, a vacant place or not
    a dwelling), so the outcomes add up to the visits made. Revisits scheduled
    and made, and the households of the district's workload still outstanding at
    the end of the day, are counted beside them. `version` grows by one on
    every change. Never mixed into coverage.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="+", verbose_name=_("campaign"))
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+", verbose_name=_("district"))
    date = models.DateField(_("date"))
    assigned = models.PositiveIntegerField(_("households assigned"))
    visits = models.PositiveIntegerField(_("visits made"))
    interviewed = models.PositiveIntegerField(_("interviews completed"))
    notice_shown = models.PositiveIntegerField(_("online participation notice shown"))
    not_at_home = models.PositiveIntegerField(_("nobody at home, notice left"))
    door_closed = models.PositiveIntegerField(_("door not opened"))
    refused = models.PositiveIntegerField(_("refused"))
    no_notice = models.PositiveIntegerField(_("said they answered online, no notice shown"))
    vacant = models.PositiveIntegerField(_("vacant or not a dwelling"))
    revisits_scheduled = models.PositiveIntegerField(_("revisits scheduled"))
    revisits_made = models.PositiveIntegerField(_("revisits made"))
    outstanding = models.PositiveIntegerField(_("households outstanding at the end of the day"))
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("updated by")
    )

    class Meta:
        verbose_name = _("door-to-door visits and non-response")
        verbose_name_plural = _("door-to-door visits and non-response")
        ordering = ["campaign", "district", "date"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "district", "date"], name="non_response_one_per_district_day"),
            models.CheckConstraint(
                condition=models.Q(
                    visits=models.F("interviewed")
                    + models.F("notice_shown")
                    + models.F("not_at_home")
                    + models.F("door_closed")
                    + models.F("refused")
                    + models.F("no_notice")
                    + models.F("vacant")
                ),
                name="non_response_outcomes_add_up_to_the_visits",
            ),  # fmt: skip
        ]

    def __str__(self):
        return f"{self.district} {self.date:%d.%m.%Y}: {self.visits}"
