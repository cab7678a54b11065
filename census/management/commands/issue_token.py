import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from census.access import issue_token
from census.accounts import area_for_kato
from regions.models import Region


class Command(BaseCommand):
    help = "Issue an API token; prints the key once, and nothing else, on standard output."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--scope", required=True, metavar="KATO", help="region KATO code, 000000000 for the country")
        parser.add_argument("--write", action="store_true", help="allow writing counts (default: read-only)")
        parser.add_argument("--expires-days", type=int, metavar="N", help="expire after N days (default: never)")

    def handle(self, *args, name, scope, write, expires_days, **options):
        try:
            area = area_for_kato(scope)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if area is not None and not isinstance(area, Region):
            raise CommandError("A token is scoped to a region or to the country (000000000), not to a district.")
        if expires_days is not None and expires_days <= 0:
            raise CommandError("--expires-days must be a positive number of days.")
        expires_at = timezone.now() + datetime.timedelta(days=expires_days) if expires_days else None
        _token, key = issue_token(name=name, region=area, can_write=write, expires_at=expires_at)
        # Only the key on stdout, so that scripts can capture it: KEY=$(manage.py issue_token ...).
        self.stdout.write(key)
