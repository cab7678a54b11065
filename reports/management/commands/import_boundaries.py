import json

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from regions.boundaries import DEFAULT_TOLERANCE, BoundaryFileRejected, import_boundaries
from regions.models import District
from reports.models import RenderedDashboard

# A GeoJSON of every district of the country is a few MB; anything far larger is not a boundary file.
MAX_BYTES = 100 * 1024 * 1024


class Command(BaseCommand):
    help = (
        "Store district boundaries from a GeoJSON FeatureCollection whose features carry KATO codes; "
        "the region dashboards then draw them on a map (no tile server needed)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="GeoJSON FeatureCollection (longitude/latitude, WGS 84)")
        parser.add_argument(
            "--kato-property",
            help="the feature property holding the 9-digit KATO code (default: the first of kato, KATO, kato_code, code, te)",
        )
        parser.add_argument(
            "--tolerance",
            type=float,
            default=DEFAULT_TOLERANCE,
            help=f"simplify outlines to this many degrees (default {DEFAULT_TOLERANCE}; 0 keeps every point)",
        )

    def handle(self, *args, file, kato_property, tolerance, **options):
        if tolerance < 0:
            raise CommandError("--tolerance cannot be negative.")
        try:
            with open(file, "rb") as handle:
                raw = handle.read(MAX_BYTES + 1)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from exc
        if len(raw) > MAX_BYTES:
            raise CommandError(f"{file} is larger than {MAX_BYTES // (1024 * 1024)} MB; nothing was imported.")
        try:
            data = json.loads(raw.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(f"{file} is not a JSON file ({exc}); nothing was imported.") from exc
        try:
            # One transaction: the boundaries and the dropping of the pages that drew the old map stand or fall together.
            with transaction.atomic():
                result = import_boundaries(data=data, kato_property=kato_property, tolerance=tolerance)
                if result.regions:
                    # The regions' stored pages are dropped, so they are rendered again with the new map.
                    district_katos = District.objects.filter(region__in=result.regions).values_list("kato", flat=True)
                    katos = [region.kato for region in result.regions] + list(district_katos)
                    RenderedDashboard.objects.filter(kato__in=katos).delete()
        except BoundaryFileRejected as exc:
            self.stderr.write(str(exc.message))
            raise CommandError("Nothing was imported.") from exc
        for kato, reason in result.skipped:
            self.stderr.write(f"skipped {kato}: {reason}")
        self.stdout.write(f"Boundaries stored for {len(result.matched)} districts; {len(result.skipped)} features skipped.")
