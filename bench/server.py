"""The server the HTTP benches measure: the project under gunicorn, plus two minimal views to compare with.

`bench/minimal/` is a constant Django response and `bench/minimal-api/` a
constant DRF response with the project's API settings (token authentication,
throttles, JSON renderer); both go through the same middleware as every page.
Load comes from wrk on loopback.
"""

import contextlib
import os
import re
import subprocess
import urllib.request

from harness.environment import ROOT, child_env
from harness.ports import wait_for
from harness.processes import gunicorn_command, stop

PORT = int(os.environ.get("BENCH_PORT", "8791"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))

_django_app = None


def minimal(request):
    from django.http import HttpResponse

    return HttpResponse("ok", content_type="text/plain")


def _minimal_api():
    from rest_framework.response import Response
    from rest_framework.views import APIView

    class MinimalApiView(APIView):
        def get(self, request):
            return Response({"ok": True})

    return MinimalApiView.as_view()


def _urlpatterns():
    from django.urls import path

    from census import urls

    # Appended at the top level: the project's i18n_patterns must stay in the root URL map.
    return [path("bench/minimal/", minimal), path("bench/minimal-api/", _minimal_api()), *urls.urlpatterns]


def application(environ, start_response):
    """The WSGI app gunicorn serves: the project with this module as its URL map."""
    global _django_app
    if _django_app is None:
        from django.conf import settings
        from django.core.wsgi import get_wsgi_application

        _django_app = get_wsgi_application()
        settings.ROOT_URLCONF = __name__
    return _django_app(environ, start_response)


def __getattr__(name):
    # Django reads `urlpatterns` from the ROOT_URLCONF module; built lazily, once Django is set up.
    if name == "urlpatterns":
        return _urlpatterns()
    raise AttributeError(name)


def environment(database_url: str, redis_url: str, **extra: str) -> dict:
    """The environment of the bench's children (server, worker): production-like (DEBUG off, quiet logs).

    A SECRET_KEY set for the bench is kept; else the children share one made for this run.
    """
    return child_env(
        database_url,
        redis_url,
        secret_key=os.environ.get("SECRET_KEY"),
        DJANGO_SETTINGS_MODULE="census.settings",
        LOG_LEVEL="WARNING",
        **extra,
    )


def ensure_database(url: str) -> None:
    """Create the bench's own database if it is missing (a bench never writes to another one)."""
    import psycopg2

    name = url.rsplit("/", 1)[1]
    conn = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cur.fetchone():
            cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):  # noqa: S310 -- loopback URL built here
            return True
    except Exception:
        return False


def wait_until_answered(url: str, seconds: float = 30) -> None:
    if not wait_for(lambda: _answers(url), seconds):
        raise RuntimeError(f"{url} did not answer")


def end(process: subprocess.Popen) -> None:
    # After 30 s, killed: a worker finishing a long PDF job would keep the run waiting, and its result no longer matters.
    stop(process, 30, kill_timeout=30)


@contextlib.contextmanager
def gunicorn(
    env: dict, workers: int = 2, *, app: str = "bench.server:application", port: int = PORT, ready: str = "/bench/minimal/",
    output=None,
):  # fmt: skip
    """A bench server (by default the project's) on 127.0.0.1:port; yields its base URL once `ready` answers.

    `output`: a file for the server's output (its security log writes a line per token request), else this terminal.
    """
    server = subprocess.Popen(
        gunicorn_command(app, port, "--workers", str(workers), "--log-level", "warning"), cwd=ROOT, env=env,
        stdout=output, stderr=output,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_answered(f"{base}{ready}")
        yield base
    finally:
        end(server)


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url: str, *headers: str, connections: int = 8, seconds: int = SECONDS) -> dict:
    """Requests/s and latency percentiles (ms) of `url` under `connections` connections; fails on any non-2xx answer."""
    command = ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    for header in headers:
        command[1:1] = ["-H", header]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non_2xx:
        raise RuntimeError(f"{url}: {non_2xx.group(1)} failed responses\n{out}")
    latency = {
        int(p): float(v) * _UNITS[unit] for p, v, unit in re.findall(r"^\s+(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s)\b", out, re.M)
    }
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "p50": latency.get(50), "p99": latency.get(99)}
