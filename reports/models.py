"""Figures derived from the counts: coverage snapshots, and the outbox of work owed to them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RecomputeRequest(models.Model):
    """Coverage work owed after a committed change: recompute a district (or, if empty, the whole campaign) from a date on.

    Written in the same transaction as the change (a transactional outbox), so the
    work survives a broker that is down at commit time; a drain job removes the
    rows it has done, and reruns are harmless because recomputing is idempotent.
    """

    campaign = models.ForeignKey("census.Campaign", on_delete=models.CASCADE, related_name="+")
    district = models.ForeignKey("regions.District", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    from_date = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("recompute request")
        verbose_name_plural = _("recompute requests")
        ordering = ["id"]

    def __str__(self):
        return f"{self.district or self.campaign} from {self.from_date}"


class CoverageSnapshot(models.Model):
    """The cumulative figures of one area (district, region or the country) at the end of one day of a campaign.

    Rebuilt by the coverage jobs from the counts; unique on (campaign, kato, date),
    so a rerun overwrites rather than adds. Percentages are stored rounded to one
    decimal half up, as published.
    """

    class Level(models.TextChoices):
        COUNTRY = "country", _("country")
        REGION = "region", _("region")
        DISTRICT = "district", _("district")

    class Outlook(models.TextChoices):
        DONE = "done", _("reached 100%")
        ON_TRACK = "on_track", _("on track")
        AT_RISK = "at_risk", _("at risk")
        OFF_TRACK = "off_track", _("off track")
        # Neutral states: no verdict on pace (a district closed by decision; the deadline has passed).
        COMPLETED = "completed", _("completed")
        ENDED = "ended", _("counting ended")

    campaign = models.ForeignKey("census.Campaign", on_delete=models.CASCADE, related_name="snapshots")
    level = models.CharField(max_length=10, choices=Level.choices)
    kato = models.CharField(max_length=9)
    region = models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    district = models.ForeignKey("regions.District", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    baseline = models.BigIntegerField()
    online_day = models.BigIntegerField()
    offline_day = models.BigIntegerField()
    online = models.BigIntegerField()
    offline = models.BigIntegerField()
    total = models.BigIntegerField()
    coverage_pct = models.DecimalField(max_digits=8, decimal_places=1, null=True)
    online_pct = models.DecimalField(max_digits=8, decimal_places=1, null=True)
    offline_pct = models.DecimalField(max_digits=8, decimal_places=1, null=True)
    online_share_pct = models.DecimalField(max_digits=5, decimal_places=1, null=True)
    status = models.CharField(max_length=20, blank=True)
    flags = models.JSONField(default=list)
    daily_rate = models.DecimalField(max_digits=12, decimal_places=1, null=True)
    needed_daily_rate = models.DecimalField(max_digits=12, decimal_places=1, null=True)
    projected_on = models.DateField(null=True)
    outlook = models.CharField(max_length=10, choices=Outlook.choices, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("coverage snapshot")
        verbose_name_plural = _("coverage snapshots")
        ordering = ["campaign", "kato", "date"]
        constraints = [models.UniqueConstraint(fields=["campaign", "kato", "date"], name="snapshot_one_per_area_day")]
        indexes = [
            models.Index(fields=["campaign", "level", "date"]),
            models.Index(fields=["campaign", "region", "date"]),
            # The few flagged days of a region's districts, which its roll-up carries up: without this index a
            # changed count reads every district-day of the region from that day on to find them.
            models.Index(fields=["campaign", "region", "date"], condition=~models.Q(flags=[]), name="snapshot_flagged"),
        ]

    def __str__(self):
        return f"{self.kato} {self.date}: {self.coverage_pct}%"


class RenderedDashboard(models.Model):
    """One dashboard page of a campaign as rendered for one area, one "as of" day and one language.

    The web serves `html` (the page's content, without the per-visitor header)
    instead of building it per request; `pdf` is the printable report (regions
    only, made on its first download, once per snapshot: not by the job after every save).
    `source_computed_at` is the computed_at of the area's snapshot for `as_of`
    that the page was built from: a newer snapshot (or another `design`) means
    the page is stale.
    Unique on (campaign, kind, kato, as_of, language), so a re-render overwrites.
    """

    class Kind(models.TextChoices):
        REGION = "region", _("region dashboard")
        DISTRICT = "district", _("district page")
        NATIONAL = "national", _("national page")
        PUBLIC = "public", _("public page")
        WIDGET = "widget", _("widget")

    campaign = models.ForeignKey("census.Campaign", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    kato = models.CharField(max_length=9)
    as_of = models.DateField()
    language = models.CharField(max_length=5)
    html = models.TextField()
    pdf = models.BinaryField(null=True, blank=True)
    rendered_at = models.DateTimeField()
    source_computed_at = models.DateTimeField()
    # A fingerprint of the templates, code and translations the page was made with: a page made by
    # an older release is stale too, so a deploy never keeps serving the previous design.
    design = models.CharField(max_length=16, blank=True)

    class Meta:
        verbose_name = _("rendered dashboard")
        verbose_name_plural = _("rendered dashboards")
        ordering = ["campaign", "kind", "kato", "as_of", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "kind", "kato", "as_of", "language"], name="rendered_dashboard_one_per_page"
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.kato} {self.as_of} [{self.language}]"
