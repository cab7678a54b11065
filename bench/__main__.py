"""`make bench`: coverage recompute speed and memory, measured side by side in one run on PostgreSQL.

Generates a synthetic national campaign (17 regions, 220 districts, 90 days)
and a 100x stress set (22,000 districts x 90 days x 2 channels) in a database
of its own (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/census_bench),
then prints one table:

- full recompute through reports.services (what the nightly job runs) vs a
  single hand-written SQL window-function query writing the district-day
  cumulative figures and percentages (the floor: no flags, forecasts or roll-ups);
- incremental recompute after one count changes (record_count + the drain job);
- peak memory (max RSS) of a worker process doing the stress-scale full recompute.

`--scale national` skips the stress set.
"""

import argparse
import os
import secrets
import subprocess
import sys
import time

BENCH_DB = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/census_bench")


def setup_django():
    os.environ["DATABASE_URL"] = BENCH_DB
    os.environ.pop("REDIS_URL", None)  # the drain job runs in-process: we time the work, not the broker
    # As a production worker runs: with DEBUG on, Django keeps every query's text in memory.
    os.environ["DEBUG"] = "False"
    # ... and so, as a server, with a key of its own (settings refuse the public development key).
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "census.settings")
    import django

    django.setup()


def main():
    parser = argparse.ArgumentParser(prog="make bench")
    parser.add_argument("--scale", choices=["national", "all"], default="all")
    parser.add_argument("--memory-child", metavar="SLUG", help=argparse.SUPPRESS)
    parser.add_argument("--dashboards", action="store_true", help="dashboard serving and refresh instead (bench/dashboards.py)")
    parser.add_argument(
        "--reads", action="store_true", help="the read path (pages and API) vs bare views instead (bench/reads.py)"
    )
    parser.add_argument("--api", action="store_true", help="the coverage endpoint under load instead (bench/api.py)")
    parser.add_argument("--imports", action="store_true", help="a 10,000-row file's preview and apply instead (bench/imports.py)")
    args = parser.parse_args()

    if args.reads:
        from bench import reads

        reads.main()
        return

    if args.api:
        from bench import api

        api.main()
        return

    if args.imports:
        from bench import imports

        imports.main()
        return

    if args.dashboards:
        from bench import dashboards

        dashboards.main()
        return

    if args.memory_child:
        # A separate process, so its max RSS is the recompute's alone.
        setup_django()
        from census.models import Campaign
        from reports.services import recompute_coverage

        started = time.perf_counter()
        recompute_coverage(campaign=Campaign.objects.get(slug=args.memory_child))
        elapsed = time.perf_counter() - started
        print(f"{elapsed:.3f} {peak_rss_kb()}")
        return

    from bench.server import ensure_database

    ensure_database(BENCH_DB)
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from bench import measure

    rows = []
    rows += measure.run_scale("national", regions=17, districts=220, days=90)
    if args.scale == "all":
        rows += measure.run_scale("stress", regions=17, districts=22_000, days=90, memory_child=memory_child)
    measure.print_table(rows)


def peak_rss_kb() -> int:
    """This process's peak resident set (VmHWM). Not getrusage's ru_maxrss: on Linux that carries over
    the parent's peak through fork and exec, so a child of a big parent would report the parent's size."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))


def memory_child(slug: str) -> tuple[float, int]:
    out = subprocess.run(
        [sys.executable, "-m", "bench", "--memory-child", slug], check=True, capture_output=True, text=True
    ).stdout.split()
    return float(out[-2]), int(out[-1])


if __name__ == "__main__":
    main()
