"""Reading an import file: how long census.importing.read_counts() takes for a legitimate 10,000-row CSV and XLSX.

Only the parsing side (bytes to checked rows: districts found, dates read,
duplicates caught), not the write that follows. Runs on an in-memory SQLite
database of its own with a national-sized geography (17 regions, 220
districts); half the rows name their district by KATO code, half by its
Russian name, as office files do.

    python -m bench.import_files [--profile]
"""

import argparse
import cProfile
import datetime
import io
import os
import pstats
import statistics
import time

ROWS = 10_000
REGIONS = 17
DISTRICTS = 220
START = datetime.date(2021, 9, 1)


def setup_django() -> None:
    os.environ["DATABASE_URL"] = "sqlite://:memory:"
    os.environ.pop("REDIS_URL", None)
    os.environ["DEBUG"] = "False"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "census.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def geography():
    from regions.models import District, Region

    Region.objects.bulk_create(
        Region(kato=f"{10 + r * 5:02d}0000000", name_kk=f"{r} облысы", name_ru=f"Область {r}", name_en=f"Region {r}")
        for r in range(REGIONS)
    )
    regions = list(Region.objects.order_by("kato"))
    District.objects.bulk_create(
        District(
            region=regions[d % REGIONS],
            kato=f"{regions[d % REGIONS].kato[:2]}{1000 + d:04d}000",
            name_kk=f"Аудан-{d} ауданы",
            name_ru=f"Район-{d} район",
            name_en=f"District-{d} District",
        )
        for d in range(DISTRICTS)
    )
    return list(District.objects.order_by("kato"))


def rows(districts):
    """(district cell, date, online, offline) for ROWS distinct district-days."""
    for n in range(ROWS):
        district = districts[n % DISTRICTS]
        date = START + datetime.timedelta(days=n // DISTRICTS)
        yield (district.kato if n % 2 else district.name_ru), date, n % 97, n % 89


def csv_file(districts) -> bytes:
    lines = ["Район;Дата;Онлайн;Офлайн;Причина"]
    lines += [f"{name};{date:%d.%m.%Y};{online};{offline};" for name, date, online, offline in rows(districts)]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def xlsx_file(districts) -> bytes:
    import openpyxl

    # Not write_only: like Excel, the normal mode writes the sheet's <dimension> at its top.
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Район", "Дата", "Онлайн", "Офлайн"])
    for name, date, online, offline in rows(districts):
        sheet.append([int(name) if name.isdigit() else name, datetime.datetime.combine(date, datetime.time()), online, offline])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.import_files")
    parser.add_argument("--profile", action="store_true", help="print the 15 costliest functions of one read of each file")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    setup_django()
    from census.importing import read_counts

    districts = geography()
    files = {"CSV": (csv_file(districts), "counts.csv"), "XLSX": (xlsx_file(districts), "counts.xlsx")}
    for label, (raw, filename) in files.items():

        def read(raw=raw, filename=filename):
            return read_counts(raw, filename=filename, scope_districts=districts, all_districts=districts)

        result = read()
        assert len(result.rows) == ROWS and not result.errors, result.errors[:3]
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            read()
            times.append(time.perf_counter() - started)
        print(f"{label:5} {len(raw) / 1000:7.0f} kB  median {statistics.median(times):.3f} s  best {min(times):.3f} s")
        if args.profile:
            profile = cProfile.Profile()
            profile.runcall(read)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(15)


if __name__ == "__main__":
    main()
