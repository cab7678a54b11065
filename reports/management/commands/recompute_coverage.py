import time

from django.core.management.base import BaseCommand, CommandError

from census.models import Campaign
from regions.models import Region
from reports.services import recompute_coverage


class Command(BaseCommand):
    help = "Recompute coverage snapshots from the counts (all campaigns, or one; all regions, or one)."

    def add_arguments(self, parser):
        parser.add_argument("--campaign", help="campaign code (default: every campaign)")
        parser.add_argument("--region", help="KATO code of one region (default: every region)")

    def handle(self, *args, campaign, region, **options):
        campaigns = Campaign.objects.filter(slug=campaign) if campaign else Campaign.objects.all()
        if campaign and not campaigns.exists():
            raise CommandError(f"No campaign {campaign!r}.")
        region_obj = None
        if region:
            region_obj = Region.objects.filter(kato=region).first()
            if region_obj is None:
                raise CommandError(f"No region with KATO {region}.")
        for one in campaigns:
            started = time.monotonic()
            districts = recompute_coverage(campaign=one, region=region_obj)
            self.stdout.write(f"{one.slug}: {districts} districts recomputed in {time.monotonic() - started:.1f} s.")
