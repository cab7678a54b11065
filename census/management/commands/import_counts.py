"""`manage.py import_counts FILE`: the staff import page's all-or-nothing import, from the command line."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext as _

from census.errors import WriteContended
from census.importing import FileRejected, Limits, check_size, outcome_errors, read_counts
from census.models import AuditEntry, Campaign
from census.services import EntryMode, import_counts
from regions.models import District


class Command(BaseCommand):
    help = (
        "Import daily counts (or, with --cumulative, totals as of each day) from a CSV or XLSX file into the current "
        "campaign, all or nothing, and print what was created, changed and left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--cumulative", action="store_true", help="the figures are totals as of each day")
        parser.add_argument("--dry-run", action="store_true", help="check the file and report, but write nothing")
        parser.add_argument("--reason", default="", help="reason for rows that correct a past day")
        parser.add_argument("--campaign", help="campaign code (slug); the current campaign if omitted")
        parser.add_argument(
            "--confirm-implausible",
            action="store_true",
            help="save rows that fail a plausibility check (above 110%% of the baseline in total, 50%% in a day); needs --reason",
        )

    def handle(self, *args, file: Path, **options):
        try:
            self.import_file(file, **options)
        except WriteContended as exc:
            # Retried already: other saves of the same districts kept winning. Nothing was written.
            raise CommandError(f"{file}: {exc.message}") from exc
        except (OperationalError, InterfaceError) as exc:
            # The server went away (restarted, crashed, cut the connection) or ended the transaction
            # (deadlock, timeout): the import's one transaction was rolled back. Rows already stored
            # are left alone on the next run, so running it again gives the state of one clean run.
            cause = next((line.strip() for line in str(exc).splitlines() if line.strip()), type(exc).__name__)
            raise CommandError(
                _(
                    "The import of %(file)s failed: the database ended it (%(cause)s). Nothing from the file was saved; run the import again."
                )
                % {"file": file, "cause": cause}
            ) from exc

    def import_file(
        self, file: Path, *, cumulative: bool, dry_run: bool, reason: str, campaign=None, confirm_implausible=False, **options
    ):
        campaign_obj = Campaign.objects.filter(slug=campaign).first() if campaign else Campaign.objects.current()
        if campaign_obj is None:
            raise CommandError(f"No campaign {campaign!r}." if campaign else "No campaign exists yet.")
        if not file.is_file():
            raise CommandError(f"{file}: no such file.")
        limits = Limits.from_settings()
        try:
            check_size(file.stat().st_size, limits)
            read = read_counts(
                file.read_bytes(),
                filename=file.name,
                scope_districts=District.objects.all(),
                limits=limits,
            )
        except FileRejected as exc:
            raise CommandError(f"{file}: {exc.message}") from exc
        summary = import_counts(
            campaign=campaign_obj,
            rows=read.rows,
            mode=EntryMode.CUMULATIVE if cumulative else EntryMode.DAILY,
            source=AuditEntry.Source.IMPORT,
            reason=reason,
            dry_run=dry_run,
            rejected_elsewhere=bool(read.errors),
            confirm_implausible=confirm_implausible,
        )
        errors = outcome_errors(read, summary)
        for error in errors:
            column = f", {error.column}" if error.column else ""
            self.stderr.write(f"{file}:{error.line}{column}: {error.message}")
        how = f"{read.file_format}" + (f", {read.encoding}" if read.encoding else "")
        counts = f"{summary.created} created, {summary.changed} changed, {summary.unchanged} unchanged, {len(errors)} errors"
        if errors:
            raise CommandError(f"{file} ({how}): {counts}. Nothing was written.")
        verdict = "dry run, nothing written" if dry_run else "written"
        self.stdout.write(f"{file} ({how}): {counts} ({verdict}).")
