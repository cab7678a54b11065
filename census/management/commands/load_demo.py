from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from census.demo import DEMO_PASSWORD, DEMO_USERS, load_demo


class Command(BaseCommand):
    help = "Load the West Kazakhstan 2021 demo region, campaign, counts and users (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(settings.CENSUS_DEMO_DATA), help="demo data JSON")
        parser.add_argument("--allow-production", action="store_true", help="load even with DJANGO_ENV=production")

    def handle(self, *args, file, allow_production, **options):
        if settings.PRODUCTION and not allow_production:
            raise CommandError("The demo creates users with a published password; pass --allow-production to load it anyway.")
        summary = load_demo(file)
        self.stdout.write(f"Demo loaded: {summary.counts_written} daily counts written.")
        self.stdout.write(f"Demo accounts (password {DEMO_PASSWORD} unless changed since):")
        for username, _role, _kato, description in DEMO_USERS:
            created = " (created now)" if username in summary.users_created else ""
            self.stdout.write(f"  {username:12} {description}{created}")
