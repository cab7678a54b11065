"""Settings come from the environment: the embedded defaults, and a production that refuses to start half-configured."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps({'engine': settings.DATABASES['default']['ENGINE'], 'eager': settings.CELERY_TASK_ALWAYS_EAGER, "
    "'cache': settings.CACHES['default']['BACKEND'], 'broker': settings.CELERY_BROKER_URL, "
    "'conn_max_age': settings.DATABASES['default'].get('CONN_MAX_AGE'), 'hsts': getattr(settings, 'SECURE_HSTS_SECONDS', 0), "
    "'secure_cookie': getattr(settings, 'SESSION_COOKIE_SECURE', False)}))"
)
CLEAN = {
    k: v
    for k, v in os.environ.items()
    if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ENV", "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG"}
}


def settings_with(**env):
    """The settings a fresh process reads from this environment (settings are read once per process)."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={**CLEAN, "DJANGO_SETTINGS_MODULE": "census.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result


def test_without_database_and_redis_urls_the_app_runs_embedded_on_sqlite_with_eager_jobs():
    result = settings_with()

    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["engine"] == "django.db.backends.sqlite3"
    assert seen["eager"] is True
    assert seen["cache"].endswith("LocMemCache")


def test_with_database_and_redis_urls_the_app_uses_postgresql_redis_and_persistent_connections():
    result = settings_with(DATABASE_URL="postgres://census:pw@db.internal:5432/census", REDIS_URL="redis://cache.internal:6379/2")

    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["engine"] == "django.db.backends.postgresql"
    assert seen["conn_max_age"] == 600
    assert seen["eager"] is False
    assert seen["broker"] == "redis://cache.internal:6379/2"
    assert seen["cache"] == "census.redis_outage.FailOpenRedisCache"


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_its_secret_key_or_host_list(missing):
    env = {"DJANGO_ENV": "production", "SECRET_KEY": "k" * 60, "ALLOWED_HOSTS": "census.example.kz"}
    del env[missing]

    result = settings_with(**env)

    assert result.returncode != 0
    assert f"{missing} must be set when DJANGO_ENV=production" in result.stderr


def test_production_with_its_settings_turns_on_https_only_cookies_and_hsts():
    result = settings_with(DJANGO_ENV="production", SECRET_KEY="k" * 60, ALLOWED_HOSTS="census.example.kz")

    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["hsts"] >= 31536000
    assert seen["secure_cookie"] is True


@pytest.mark.parametrize("key", [None, "", "dev-only-insecure-key-do-not-use-in-production", "change-me-to-a-long-random-string"])
def test_debug_off_outside_production_refuses_to_start_with_a_public_or_missing_secret_key(key):
    env = {"DEBUG": "False"}
    if key is not None:
        env["SECRET_KEY"] = key

    result = settings_with(**env)

    assert result.returncode != 0
    assert "SECRET_KEY must be set to a secret value of your own when DEBUG is False" in result.stderr


def test_debug_off_outside_production_starts_with_a_key_of_its_own():
    result = settings_with(DEBUG="False", SECRET_KEY="k" * 60)

    assert result.returncode == 0, result.stderr


def test_debug_on_in_development_still_starts_with_the_development_key():
    result = settings_with(DEBUG="True")

    assert result.returncode == 0, result.stderr
