"""A campaign's population baselines, and the import of regions and districts with their baselines from CSV.

Here rather than in regions/: a baseline belongs to a campaign, is audited and changes coverage, so writing
one needs the census (audit) and asks reports for a recompute; the geography below knows none of that.
"""

import csv
import datetime
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from census.errors import ImportRejected, Rejected
from census.importing import decode_utf8_or_cp1251, parse_typed_date, sniff_delimiter
from census.models import AuditEntry
from census.services import record_audit
from regions.models import COUNTRY_KATO, District, PopulationBaseline, Region
from reports.outbox import request_recompute  # the one call up: a recompute after commit

UNIT_COLUMNS = ["kato", "parent_kato", "kind", "name_kk", "name_ru", "name_en", "baseline", "baseline_as_of"]
# A region's line may stop after its names (Excel keeps the empty baseline columns, hand-made files may not).
REQUIRED_COLUMNS = UNIT_COLUMNS[:6]
REGION_KINDS = {"region": Region.Kind.REGION, "oblast": Region.Kind.REGION, "city": Region.Kind.CITY}
DISTRICT_KINDS = {
    "district": District.Kind.DISTRICT,
    "audan": District.Kind.DISTRICT,
    "raion": District.Kind.DISTRICT,
    "city": District.Kind.CITY,
}


# Stored untranslated, translated when shown (PopulationBaseline.source_text): one import serves every reader.
IMPORTED_NOTE = gettext_noop("imported from file")


def set_baseline(*, district, campaign, population: int, as_of: datetime.date, note: str = "", user=None, source: str):
    """Add a baseline version for a district; returns it, or the version in force if nothing changed.

    Old versions stay: a baseline is "registered population as of a date", and
    coverage published earlier must remain explainable.
    """
    if not isinstance(population, int) or isinstance(population, bool) or population <= 0:
        raise Rejected({"population": [_("A baseline is a whole number above zero.")]})
    with transaction.atomic():
        current = PopulationBaseline.objects.latest_for(district=district, campaign=campaign)
        # Nothing changes if this is already the figure for that date, also for a date before the one in force
        # (a file re-imported with an older figure must not add a version each time).
        same_date = PopulationBaseline.objects.filter(district=district, campaign=campaign, as_of=as_of).order_by("-id").first()
        if same_date and same_date.population == population:
            return current
        baseline = PopulationBaseline.objects.create(
            district=district, campaign=campaign, population=population, as_of=as_of, source=note, created_by=user
        )
        record_audit(
            subject=AuditEntry.Subject.BASELINE,
            record=baseline,
            campaign=campaign,
            district=district,
            date=as_of,
            user=user,
            source=source,
            changes={"population": [current.population if current else None, population]},
            reason=note,
        )
        # Each day is measured against the version in force that day: the days from `as_of` on change.
        # Recomputing from the start also covers a version dated before the campaign, at no risk.
        request_recompute(campaign=campaign, district=district, from_date=campaign.starts_on)
    return baseline


def decode_text(raw: bytes) -> str:
    """Text of an uploaded file: UTF-8 (with or without Excel's BOM), else cp1251 (Russian Excel's default).

    Raises ImportRejected for bytes that are neither.
    """
    try:
        return decode_utf8_or_cp1251(raw)[0]
    except UnicodeDecodeError:
        raise ImportRejected(
            [(1, "", _("The file is not text in UTF-8 or Windows-1251; save it from Excel as CSV (UTF-8)."))]
        ) from None


def _shown(value: str, length: int = 40) -> str:
    """A value as an error message quotes it: its start only, so that a pasted page does not fill the screen."""
    return value if len(value) <= length else value[:length] + "…"


def _field_errors(model, field_name: str, value) -> list[str]:
    """The messages of the model field's own validators (length, the name rule): the admin's forms run the same ones."""
    try:
        model._meta.get_field(field_name).run_validators(value)
    except ValidationError as exc:
        return exc.messages
    return []


def _is_kato(text: str) -> bool:
    return len(text) == 9 and text.isascii() and text.isdigit()


def _records(text: str, delimiter: str):
    """The header, then (line, row, last column) for each line with a value, its values stripped and named by the header.

    The line is where the row starts in the file, blank lines counted: people look errors up by the number
    their editor shows. A file the csv module cannot read is refused at the line it stopped on.
    """
    # newline="": the csv module sees the file's own line ends, so CR-only files read as lines and a
    # line break inside a quoted value stays in the value (where the name rule finds it).
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = None
    try:
        ended = 0
        for record in reader:
            line, ended = ended + 1, reader.line_num
            if header is None:
                if not any(cell.strip() for cell in record):
                    continue
                header = [h.strip().lower() for h in record]
                yield header
                continue
            row = dict(zip(header, (value.strip() for value in record), strict=False))
            if any(row.values()):
                yield line, {column: row.get(column, "") for column in UNIT_COLUMNS}, header[len(record) - 1]
    except csv.Error as exc:
        raise ImportRejected(
            [(reader.line_num, "", _("The line cannot be read as CSV (%(problem)s).") % {"problem": exc})]
        ) from None


@dataclass
class UnitImportSummary:
    """What import_units() did, for the command to print."""

    regions_created: int = 0
    regions_updated: int = 0
    districts_created: int = 0
    districts_updated: int = 0
    baselines_added: int = 0


def import_units(*, raw: bytes, campaign, user=None, source: str = AuditEntry.Source.IMPORT) -> UnitImportSummary:
    """Create or update regions and districts, and add baselines, from a CSV file; all or nothing.

    Columns: kato,parent_kato,kind,name_kk,name_ru,name_en,baseline,baseline_as_of
    (header required). A region row has an empty parent (or the country's code)
    and no baseline: a region's population is the sum of its districts'.
    Raises ImportRejected listing every bad row (line, column, reason).
    """
    text = decode_text(raw)
    first_line = next((line for line in text[:65536].splitlines() if line.strip()), "")
    records = _records(text, sniff_delimiter(first_line))
    header = next(records, None)
    if header is None:
        raise ImportRejected([(1, "", _("The file is empty."))])
    missing = [c for c in UNIT_COLUMNS if c not in header]
    if missing:
        raise ImportRejected(
            [(1, ", ".join(missing), _("The header lacks the columns: %(columns)s.") % {"columns": ", ".join(missing)})]
        )

    errors = []
    regions, districts = {}, {}
    for line, row, last_column in records:
        kato, parent = row["kato"], row["parent_kato"]
        cut_off = [column for column in REQUIRED_COLUMNS if column not in header[: header.index(last_column) + 1]]
        if cut_off:
            # Most often a line break typed inside a value without quotes: the rest of the line went to the next.
            errors.append(
                (
                    line,
                    last_column,
                    _("The line ends after this column, without %(columns)s; a line break inside a value must be in quotes.")
                    % {"columns": ", ".join(cut_off)},
                )
            )
            continue
        if not _is_kato(kato):
            errors.append((line, "kato", _("“%(value)s” is not a nine-digit KATO code.") % {"value": _shown(kato)}))
            continue
        if parent and not _is_kato(parent):
            errors.append((line, "parent_kato", _("“%(value)s” is not a nine-digit KATO code.") % {"value": _shown(parent)}))
            continue
        if kato in regions or kato in districts:
            errors.append((line, "kato", _("KATO %(kato)s appears twice in the file.") % {"kato": kato}))
            continue
        names = {f: row[f] for f in ("name_kk", "name_ru", "name_en")}
        model = Region if parent in ("", COUNTRY_KATO) else District
        for name_field, value in names.items():
            if not value:
                errors.append((line, name_field, _("The name is empty.")))
            errors.extend((line, name_field, message) for message in _field_errors(model, name_field, value))
        kind = row["kind"].lower()
        if parent in ("", COUNTRY_KATO):
            if kind not in REGION_KINDS:
                errors.append(
                    (line, "kind", _("A region's kind is region or city, not “%(value)s”.") % {"value": _shown(row["kind"])})
                )
            if row["baseline"]:
                errors.append((line, "baseline", _("Baselines are kept per district; leave a region's empty.")))
            regions[kato] = {"kind": REGION_KINDS.get(kind), **names}
            continue
        if kind not in DISTRICT_KINDS:
            errors.append(
                (line, "kind", _("A district's kind is district or city, not “%(value)s”.") % {"value": _shown(row["kind"])})
            )
        baseline = as_of = None
        if row["baseline"]:
            digits = row["baseline"].replace(" ", "").replace("\xa0", "")
            if not (digits.isascii() and digits.isdigit() and digits.strip("0")):
                errors.append(
                    (line, "baseline", _("“%(value)s” is not a whole number above zero.") % {"value": _shown(row["baseline"])})
                )
            else:
                # int() refuses more than 4,300 digits; anything past 20 is over any database's range anyway.
                baseline = int(digits) if len(digits) <= 20 else 10**20
                too_large = _field_errors(PopulationBaseline, "population", baseline)
                errors.extend((line, "baseline", message) for message in too_large)
            as_of = parse_typed_date(row["baseline_as_of"])
            if as_of is None:
                errors.append(
                    (
                        line,
                        "baseline_as_of",
                        _("“%(value)s” is not a date (use 2021-10-27 or 27.10.2021).") % {"value": _shown(row["baseline_as_of"])},
                    )
                )
        districts[kato] = {
            "line": line,
            "parent": parent,
            "kind": DISTRICT_KINDS.get(kind),
            "baseline": baseline,
            "as_of": as_of,
            **names,
        }

    known_regions = set(Region.objects.filter(kato__in={d["parent"] for d in districts.values()}).values_list("kato", flat=True))
    for district in districts.values():
        if district["parent"] not in regions and district["parent"] not in known_regions:
            errors.append(
                (
                    district["line"],
                    "parent_kato",
                    _("No region with KATO %(kato)s in the file or the database.") % {"kato": district["parent"]},
                )
            )
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: e[0]))

    summary = UnitImportSummary()
    with transaction.atomic():
        for kato, fields in regions.items():
            _region, created = Region.objects.update_or_create(kato=kato, defaults=fields)
            summary.regions_created += created
            summary.regions_updated += not created
        region_by_kato = {r.kato: r for r in Region.objects.filter(kato__in={d["parent"] for d in districts.values()})}
        for kato, fields in districts.items():
            district, created = District.objects.update_or_create(
                kato=kato,
                defaults={
                    "region": region_by_kato[fields["parent"]],
                    "kind": fields["kind"],
                    **{f: fields[f] for f in ("name_kk", "name_ru", "name_en")},
                },
            )
            summary.districts_created += created
            summary.districts_updated += not created
            if fields["baseline"] is not None:
                before = PopulationBaseline.objects.latest_for(district=district, campaign=campaign)
                after = set_baseline(
                    district=district, campaign=campaign, population=fields["baseline"], as_of=fields["as_of"],
                    note=IMPORTED_NOTE, user=user, source=source,
                )  # fmt: skip
                summary.baselines_added += before is None or after.pk != before.pk
    return summary
