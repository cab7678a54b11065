"""`python -m bench --api`: the coverage endpoint under 64 connections vs a minimal DRF view, at national scale.

In a database of its own (BENCH_API_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/census_bench_api): the synthetic national
campaign of `make bench` (17 regions, 220 districts, 90 days) with its
snapshots computed, a country-wide read token, then on one gunicorn server in
one run (wrk on loopback, 64 connections) requests/s and p99 of
`/api/v1/coverage/` (regions, and a page of 100 districts) and of a minimal DRF
view with the same authentication, throttles and renderer.
Goal: the coverage endpoint at least 0.5x the minimal view, p99 under 100 ms.

Needs PostgreSQL, Redis (REDIS_URL, default redis://127.0.0.1:6379/0: the throttles count there), wrk and gunicorn.
"""

import os

from bench import server

DB = os.environ.get("BENCH_API_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/census_bench_api")
REDIS = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
CONNECTIONS = 64


def _environment() -> dict:
    # The bench measures serving, not the per-token limit that protects it.
    return server.environment(DB, REDIS, API_THROTTLE_READ="100000000/minute")


def main() -> None:
    server.ensure_database(DB)
    os.environ.update(_environment())
    import django

    django.setup()
    from django.core.management import call_command

    from bench import measure
    from census.access import issue_token
    from reports.services import recompute_coverage

    call_command("migrate", verbosity=0)
    campaign = measure.generate(slug="bench-api", regions=17, districts=220, days=90)
    recompute_coverage(campaign=campaign)
    _token, key = issue_token(name="bench", region=None, can_write=False)
    auth = f"Authorization: Token {key}"

    with server.gunicorn(_environment()) as base:
        targets = [
            ("minimal DRF view", f"{base}/bench/minimal-api/"),
            ("coverage, 17 regions", f"{base}/api/v1/coverage/?level=region"),
            ("coverage, 100 districts (page 1 of 3)", f"{base}/api/v1/coverage/?level=district"),
        ]
        server.wrk(targets[1][1], auth, connections=1, seconds=2)  # warm every worker's connection
        results = [(label, server.wrk(url, auth, connections=CONNECTIONS)) for label, url in targets]

    minimal = results[0][1]["rps"]
    print(f"{'measure (64 connections)':44} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'x minimal':>10}  goal")
    for label, result in results:
        ratio = result["rps"] / minimal
        goal = ""
        if label != "minimal DRF view":
            met = ratio >= 0.5 and result["p99"] < 100
            goal = f">= 0.50x, p99 < 100 ms {'ok' if met else 'MISSED'}"
        print(f"{label:44} {result['rps']:8.0f} {result['p50']:8.1f} {result['p99']:8.1f} {ratio:10.2f}  {goal}")
