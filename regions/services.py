"""Writes to the geography: population baselines and the import of regions and districts from CSV."""

import csv
import datetime
import io
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from census.errors import CountRejected, ImportRejected
from census.models import AuditEntry
from census.services import record_audit
from regions.models import COUNTRY_KATO, District, PopulationBaseline, Region
from reports.services import request_recompute

UNIT_COLUMNS = ["kato", "parent_kato", "kind", "name_kk", "name_ru", "name_en", "baseline", "baseline_as_of"]
REGION_KINDS = {"region": Region.Kind.REGION, "oblast": Region.Kind.REGION, "city": Region.Kind.CITY}
DISTRICT_KINDS = {
    "district": District.Kind.DISTRICT,
    "audan": District.Kind.DISTRICT,
    "raion": District.Kind.DISTRICT,
    "city": District.Kind.CITY,
}


def set_baseline(*, district, campaign, population: int, as_of: datetime.date, note: str = "", user=None, source: str):
    """Add a baseline version for a district; returns it, or the version in force if nothing changed.

    Old versions stay: a baseline is "registered population as of a date", and
    coverage published earlier must remain explainable.
    """
    if not isinstance(population, int) or isinstance(population, bool) or population <= 0:
        raise CountRejected({"population": [_("A baseline is a whole number above zero.")]})
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
        # Every day's coverage is measured against the baseline in force, so all of them change.
        request_recompute(campaign=campaign, district=district, from_date=campaign.starts_on)
    return baseline


def decode_text(raw: bytes) -> str:
    """Text of an uploaded file: UTF-8 (with or without Excel's BOM), else cp1251 (Russian Excel's default)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1251")


def sniff_delimiter(first_line: str) -> str:
    """The delimiter of a header line: whichever of ; , tab it has most of (Russian Excel writes ;)."""
    return max([";", ",", "\t"], key=first_line.count)


def _parse_date(text: str) -> datetime.date:
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


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
    lines = text.splitlines()
    if not lines:
        raise ImportRejected([(1, "", _("The file is empty."))])
    reader = csv.DictReader(io.StringIO(text), delimiter=sniff_delimiter(lines[0]))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in UNIT_COLUMNS if c not in header]
    if missing:
        raise ImportRejected(
            [(1, ", ".join(missing), _("The header lacks the columns: %(columns)s.") % {"columns": ", ".join(missing)})]
        )
    reader.fieldnames = header

    errors = []
    regions, districts = {}, {}
    for row in reader:
        # The reader skips empty lines, so count the file's own lines: people look errors up by them.
        line = reader.line_num
        row = {k: (v or "").strip() for k, v in row.items() if k}
        if not any(row.values()):
            continue
        kato, parent = row["kato"], row["parent_kato"]
        if not (len(kato) == 9 and kato.isascii() and kato.isdigit()):
            errors.append((line, "kato", _("“%(value)s” is not a nine-digit KATO code.") % {"value": kato}))
            continue
        if kato in regions or kato in districts:
            errors.append((line, "kato", _("KATO %(kato)s appears twice in the file.") % {"kato": kato}))
            continue
        names = {f: row[f] for f in ("name_kk", "name_ru", "name_en")}
        for name_field, value in names.items():
            if not value:
                errors.append((line, name_field, _("The name is empty.")))
        kind = row["kind"].lower()
        if parent in ("", COUNTRY_KATO):
            if kind not in REGION_KINDS:
                errors.append((line, "kind", _("A region's kind is region or city, not “%(value)s”.") % {"value": row["kind"]}))
            if row["baseline"]:
                errors.append((line, "baseline", _("Baselines are kept per district; leave a region's empty.")))
            regions[kato] = {"kind": REGION_KINDS.get(kind), **names}
            continue
        if kind not in DISTRICT_KINDS:
            errors.append((line, "kind", _("A district's kind is district or city, not “%(value)s”.") % {"value": row["kind"]}))
        baseline = as_of = None
        if row["baseline"]:
            digits = row["baseline"].replace(" ", "").replace("\xa0", "")
            if not (digits.isascii() and digits.isdigit() and int(digits) > 0):
                errors.append((line, "baseline", _("“%(value)s” is not a whole number above zero.") % {"value": row["baseline"]}))
            else:
                baseline = int(digits)
            try:
                as_of = _parse_date(row["baseline_as_of"])
            except ValueError:
                errors.append(
                    (
                        line,
                        "baseline_as_of",
                        _("“%(value)s” is not a date (use 2021-10-27 or 27.10.2021).") % {"value": row["baseline_as_of"]},
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
                    note=_("imported from file"), user=user, source=source,
                )  # fmt: skip
                summary.baselines_added += before is None or after.pk != before.pk
    return summary
