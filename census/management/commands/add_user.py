import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from census.accounts import provision_user
from census.models import Role


class Command(BaseCommand):
    help = "Create or update an account with a role and the area it covers (a KATO code; 000000000 = the country)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument(
            "--scope", required=True, metavar="KATO", help="region or district KATO code, 000000000 for the country"
        )
        parser.add_argument("--password-stdin", action="store_true", help="read the password from standard input")

    def handle(self, *args, username, role, scope, password_stdin, **options):
        password = sys.stdin.readline().rstrip("\n") if password_stdin else None
        try:
            user = provision_user(username=username, role=role, kato=scope, password=password)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        note = "" if user.has_usable_password() else " (no password yet: set one with changepassword)"
        self.stdout.write(f"{user.username}: {role} for {scope}{note}")
