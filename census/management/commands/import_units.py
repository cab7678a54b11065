from django.core.management.base import BaseCommand, CommandError

from census.errors import ImportRejected
from census.models import AuditEntry, Campaign
from census.units import import_units


class Command(BaseCommand):
    help = "Create or update regions and districts with their baselines from a CSV file (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV: kato,parent_kato,kind,name_kk,name_ru,name_en,baseline,baseline_as_of")
        parser.add_argument("--campaign", help="campaign code the baselines belong to (default: the current campaign)")

    def handle(self, *args, file, campaign, **options):
        campaign_obj = Campaign.objects.filter(slug=campaign).first() if campaign else Campaign.objects.current()
        if campaign_obj is None:
            raise CommandError(f"No campaign {campaign!r}." if campaign else "There is no campaign yet; create one first.")
        with open(file, "rb") as handle:
            raw = handle.read()
        try:
            summary = import_units(raw=raw, campaign=campaign_obj, source=AuditEntry.Source.IMPORT)
        except ImportRejected as exc:
            for line, column, message in exc.errors:
                self.stderr.write(f"line {line}" + (f", column {column}" if column else "") + f": {message}")
            raise CommandError("Nothing was imported.") from exc
        self.stdout.write(
            f"Regions: {summary.regions_created} created, {summary.regions_updated} updated. "
            f"Districts: {summary.districts_created} created, {summary.districts_updated} updated. "
            f"Baselines added: {summary.baselines_added}."
        )
