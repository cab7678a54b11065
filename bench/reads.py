"""`python -m bench --reads`: the read path under load, side by side with bare Django and DRF views in one run.

In a database of its own (BENCH_READS_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/census_bench_reads) with the demo loaded and
every page stored, two gunicorn servers (2 sync workers each, as production)
answer wrk on loopback with 16 connections, one target at a time:

- a bare Django project (bench/bare.py: startproject's settings and middleware,
  one constant view) and a bare DRF view in it: the baselines;
- a constant view and a constant DRF view inside the project (all its
  middleware, its API settings): what the project's frame costs;
- the region, district and national dashboards signed in as officials, the
  public page and the widget anonymously; the coverage API (regions; districts,
  a page of 100), highlights and briefing with read tokens;
- the same pages and API answers revalidated with If-None-Match (a 304).

Prints requests/s, the ratio to the bare view and to the in-project view
(Django for pages, DRF for the API), p50 and p99, and the goal of each row.
Needs PostgreSQL, Redis (REDIS_URL, default redis://127.0.0.1:6379/0), wrk and gunicorn.
"""

import io
import os
import tempfile
import time
import urllib.request
from dataclasses import dataclass

from bench import server

DB = os.environ.get("BENCH_READS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/census_bench_reads")
REDIS = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
CONNECTIONS = 16
BARE_PORT = server.PORT + 1
WKO = "270000000"
TASKALA = "276000000"
DISTRICT_OFFICIAL = "bench.taskala"
# The servers' output (the security log writes a line per token request): kept out of the table, there if a run fails.
LOG = os.environ.get("BENCH_READS_LOG", os.path.join(tempfile.gettempdir(), "bench-reads.log"))


def _environment() -> dict:
    # The bench measures serving, not the per-token limit that protects it.
    return server.environment(DB, REDIS, API_THROTTLE_READ="100000000/minute")


def _bare_environment() -> dict:
    env = server.environment(DB, REDIS)
    env.pop("DJANGO_SETTINGS_MODULE", None)  # bench/bare.py configures its own settings
    return env


@dataclass
class Target:
    label: str
    path: str
    headers: tuple[str, ...] = ()
    kind: str = "page"  # page: compared with the Django views; api: with the DRF views
    goal: float | None = None  # the least ratio to the bare view
    p99: float | None = None  # the most p99, ms
    server: str = "project"


def _session_cookie(username: str) -> str:
    """A signed-in session of this account, made through the configured session store, as a browser would hold it."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model

    from census.sessions import LAST_SEEN_KEY, SIGNED_IN_KEY

    user = get_user_model().objects.get(username=username)
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[SIGNED_IN_KEY] = session[LAST_SEEN_KEY] = int(time.time())
    session.create()
    return f"Cookie: {settings.SESSION_COOKIE_NAME}={session.session_key}"


def _prepare() -> dict[str, str]:
    """The demo, its pages stored, an official per level and two read tokens; returns the request headers to use."""
    from django.core.management import call_command

    from census.access import issue_token
    from census.accounts import provision_user
    from census.models import Campaign
    from regions.models import Region
    from reports.dashboards.store import render_after_recompute
    from reports.services import drain_recompute_outbox

    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=io.StringIO())
    provision_user(username=DISTRICT_OFFICIAL, role="official", kato=TASKALA)
    # As the jobs after the demo's commit would: its coverage, then every page, stored before we measure.
    drain_recompute_outbox()
    render_after_recompute(campaign=Campaign.objects.current(), district_ids=None)
    _token, country_key = issue_token(name="bench reads, country", region=None, can_write=False)
    _token, region_key = issue_token(name="bench reads, region", region=Region.objects.get(kato=WKO), can_write=False)
    return {
        "region": _session_cookie("akimat.wko"),
        "district": _session_cookie(DISTRICT_OFFICIAL),
        "national": _session_cookie("official.kz"),
        "country_token": f"Authorization: Token {country_key}",
        "region_token": f"Authorization: Token {region_key}",
    }


def targets(h: dict[str, str]) -> list[Target]:
    api = {"kind": "api", "goal": 0.5, "p99": 50.0}
    return [
        Target("bare Django project, constant view", "/minimal/", server="bare"),
        Target("in-project constant view", "/bench/minimal/"),
        Target("region dashboard, signed-in official", f"/ru/dashboard/{WKO}/", (h["region"],), goal=0.5),
        Target("district dashboard, signed-in official", f"/ru/dashboard/district/{TASKALA}/", (h["district"],), goal=0.5),
        Target("national dashboard, signed-in official", "/ru/dashboard/", (h["national"],), goal=0.5),
        Target("public page, anonymous", "/ru/public/", goal=0.8),
        Target("widget, anonymous", f"/ru/widget/{WKO}/", goal=0.8),
        Target("bare DRF view", "/minimal-api/", kind="api", server="bare"),
        Target("in-project constant DRF view, token", "/bench/minimal-api/", (h["country_token"],), kind="api"),
        Target("/api/v1/coverage/ regions, region token", "/api/v1/coverage/?level=region", (h["region_token"],), **api),
        Target("/api/v1/coverage/ districts (page of 100)", "/api/v1/coverage/?level=district", (h["country_token"],), **api),
        Target("/api/v1/highlights/", f"/api/v1/highlights/?region={WKO}", (h["country_token"],), **api),
        Target("/api/v1/briefing/ (ru)", f"/api/v1/briefing/?region={WKO}&lang=ru", (h["country_token"],), **api),
    ]


def _etag(url: str, headers: tuple[str, ...]) -> str | None:
    request = urllib.request.Request(url, headers=dict(h.split(": ", 1) for h in headers))  # noqa: S310 -- loopback URL built here
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 -- loopback URL built here
        return response.headers.get("ETag")


def revalidations(found: list[Target], bases: dict[str, str]) -> list[Target]:
    """The pages and answers that send an ETag, asked again with If-None-Match (a phone polling: a 304 each time)."""
    again = []
    for target in found:
        if target.path.startswith(("/minimal", "/bench/")):
            continue
        etag = _etag(bases[target.server] + target.path, target.headers)
        if etag:
            again.append(
                Target(
                    f"  {target.label}, 304", target.path, (*target.headers, f"If-None-Match: {etag}"), target.kind, None, None
                )
            )
    return again


def run() -> list[tuple[Target, dict]]:
    os.environ.update(_environment())
    import django

    django.setup()
    headers = _prepare()
    found = targets(headers)
    results = []
    with (
        open(LOG, "wb") as log,
        server.gunicorn(_bare_environment(), app="bench.bare:application", port=BARE_PORT, ready="/minimal/", output=log) as bare,
        server.gunicorn(_environment(), output=log) as project,
    ):
        bases = {"bare": bare, "project": project}
        found += revalidations(found, bases)
        for target in found:
            # A few requests first: every worker opens its database connection and fills its caches.
            server.wrk(bases[target.server] + target.path, *target.headers, connections=2, seconds=1)
        for target in found:
            url = bases[target.server] + target.path
            results.append((target, server.wrk(url, *target.headers, connections=CONNECTIONS)))
            print(f"  {target.label}: {results[-1][1]['rps']:.0f} req/s", flush=True)
    return results


def print_table(results: list[tuple[Target, dict]]) -> None:
    by_label = {target.label: result for target, result in results}
    baselines = {
        "page": (by_label["bare Django project, constant view"]["rps"], by_label["in-project constant view"]["rps"]),
        "api": (by_label["bare DRF view"]["rps"], by_label["in-project constant DRF view, token"]["rps"]),
    }
    print()
    print(f"wrk, {CONNECTIONS} connections, {server.SECONDS} s each; gunicorn, 2 sync workers; PostgreSQL + Redis")
    print()
    print("| page | req/s | × bare | × in-project | p50 ms | p99 ms | goal |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for target, result in results:
        bare, inside = baselines[target.kind]
        ratio = result["rps"] / bare
        goal = ""
        if target.goal is not None:
            met = ratio >= target.goal and (target.p99 is None or result["p99"] <= target.p99)
            goal = (
                f"≥ {target.goal:.1f}×" + (f", p99 ≤ {target.p99:.0f} ms" if target.p99 else "") + (" met" if met else " missed")
            )
        print(
            f"| {target.label} | {result['rps']:,.0f} | {ratio:.2f} | {result['rps'] / inside:.2f} "
            f"| {result['p50']:.1f} | {result['p99']:.1f} | {goal} |"
        )


def main() -> None:
    server.ensure_database(DB)
    print_table(run())
