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
        indexes = [models.Index(fields=["campaign", "level", "date"]), models.Index(fields=["campaign", "region", "date"])]

    def __str__(self):
        return f"{self.kato} {self.date}: {self.coverage_pct}%"
