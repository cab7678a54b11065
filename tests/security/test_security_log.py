"""The security log: one line per event with time (UTC), user and address; never a password, never a token key."""

import datetime
import json
import logging
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from census.access import issue_token
from census.accounts import provision_user
from tests import factories

PASSWORD = "a-long-test-password"
WRONG_PASSWORD = "Wr0ng-but-still-S3cret"
START = datetime.datetime(2021, 11, 20, 9, 0, tzinfo=datetime.UTC)
FIELD = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|\S+)')
BASE_DIR = Path(__file__).resolve().parents[2]


def parse(line: str) -> dict:
    """A key=value line as a dict (quoted values are JSON strings)."""
    return {key: json.loads(value) if value.startswith('"') else value for key, value in FIELD.findall(line)}


@pytest.fixture
def events(caplog):
    """The security log's events so far, parsed: events() -> [dict, ...]."""
    caplog.set_level(logging.INFO, logger="census.security")
    return lambda: [parse(record.getMessage()) for record in caplog.records if record.name == "census.security"]


@pytest.fixture
def region(campaign):
    return factories.RegionFactory(kato="310000000")


@pytest.fixture
def person(region):
    return provision_user(username="stat.region", role="staff", kato=region.kato, password=PASSWORD)


def sign_in(client, username, password, **extra):
    return client.post("/en/login/", {"username": username, "password": password}, **extra)


def api_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def only(found: list[dict], event: str) -> dict:
    matching = [line for line in found if line["event"] == event]
    assert len(matching) == 1, found
    return matching[0]


# --- Each event ----------------------------------------------------------------------------------------------


def test_every_line_starts_with_utc_time_event_user_and_address_whatever_the_time_zone(person, caplog, events):
    # given: the site's own time zone is not UTC
    assert django_settings.TIME_ZONE == "Asia/Almaty"

    # when
    with time_machine.travel(START, tick=False):
        sign_in(Client(), person.username, PASSWORD, REMOTE_ADDR="192.0.2.10")

    # then
    [record] = [record for record in caplog.records if record.name == "census.security"]
    assert record.getMessage() == "time=2021-11-20T09:00:00.000Z event=login user=stat.region ip=192.0.2.10"
    assert events()[0] == {"time": "2021-11-20T09:00:00.000Z", "event": "login", "user": "stat.region", "ip": "192.0.2.10"}


def test_a_failed_sign_in_names_the_username_tried_and_not_the_password(person, caplog, events):
    sign_in(Client(), person.username, WRONG_PASSWORD, REMOTE_ADDR="192.0.2.11")

    line = only(events(), "login_failed")
    assert (line["user"], line["username"], line["ip"]) == ("-", "stat.region", "192.0.2.11")
    assert line["time"].endswith("Z")
    assert WRONG_PASSWORD not in caplog.text


def test_a_lockout_is_logged_with_the_username_and_address(person, settings, events):
    # given
    settings.AXES_FAILURE_LIMIT = 2
    client = Client()

    # when: two failures reach the limit, then a third attempt while locked
    for _ in range(3):
        sign_in(client, person.username, WRONG_PASSWORD, REMOTE_ADDR="192.0.2.12")

    # then
    lockouts = [line for line in events() if line["event"] == "lockout"]
    assert len(lockouts) == 2
    assert {(line["user"], line["username"], line["ip"]) for line in lockouts} == {("-", "stat.region", "192.0.2.12")}


def test_each_sign_in_limit_is_logged_as_a_lockout_with_its_tier(person, region, settings, events):
    # given: low limits for the address and account tiers
    settings.AXES_FAILURE_LIMIT = 2
    settings.CENSUS_SIGNIN_ADDRESS_FAILURE_LIMIT = 3
    settings.CENSUS_SIGNIN_ACCOUNT_FAILURE_LIMIT = 2

    # when: two failures at one account from one address, three at three accounts from another, two at
    # a third account from two other addresses
    for _ in range(2):
        sign_in(Client(), person.username, WRONG_PASSWORD, REMOTE_ADDR="192.0.2.30")
    for name in ("a.1", "a.2", "a.3"):
        sign_in(Client(), name, WRONG_PASSWORD, REMOTE_ADDR="192.0.2.31")
    for address in ("192.0.2.32", "192.0.2.33"):
        sign_in(Client(), "b.1", WRONG_PASSWORD, REMOTE_ADDR=address)

    # then
    lockouts = [(line["tier"], line["username"], line["ip"]) for line in events() if line["event"] == "lockout"]
    assert lockouts == [
        ("account_address", "stat.region", "192.0.2.30"),
        ("address", "a.3", "192.0.2.31"),
        ("account", "b.1", "192.0.2.33"),
    ]


def test_the_sign_in_rate_limit_is_logged_once_per_address_and_window(person, settings, events):
    # given
    settings.CENSUS_SIGNIN_RATE = "2/minute"
    address = f"198.18.{secrets.randbelow(256)}.{1 + secrets.randbelow(254)}"

    # when: five sign-ins in a burst, three of them over the rate
    with time_machine.travel(START, tick=False):
        statuses = [sign_in(Client(), person.username, WRONG_PASSWORD, REMOTE_ADDR=address).status_code for _ in range(5)]

    # then
    throttled = [line for line in events() if line["event"] == "sign_in_throttled"]
    assert statuses == [200, 200, 429, 429, 429]
    assert [(line["ip"], line["tier"], line["limit"]) for line in throttled] == [(address, "rate", "2/minute")]


def test_signing_out_is_logged_as_a_logout(person, events):
    client = Client()
    sign_in(client, person.username, PASSWORD)

    client.post("/en/logout/", REMOTE_ADDR="192.0.2.13")

    line = only(events(), "logout")
    assert (line["user"], line["ip"]) == ("stat.region", "192.0.2.13")


@pytest.mark.parametrize(
    ("idle", "absolute", "wait", "reason"),
    [
        (30 * 60, 12 * 3600, datetime.timedelta(minutes=31), "idle"),
        (0, 2 * 3600, datetime.timedelta(hours=2, minutes=1), "absolute"),
    ],
)
def test_a_timeout_is_logged_as_the_session_expiring_with_its_reason(person, settings, events, idle, absolute, wait, reason):
    # given
    settings.CENSUS_IDLE_TIMEOUT, settings.CENSUS_ABSOLUTE_TIMEOUT = idle, absolute
    client = Client()
    with time_machine.travel(START, tick=False) as traveller:
        sign_in(client, person.username, PASSWORD)

        # when
        traveller.shift(wait)
        client.get("/en/entry/", REMOTE_ADDR="192.0.2.14")

    # then: an expiry, which is not mistaken for the person signing out
    line = only(events(), "session_expired")
    assert (line["user"], line["ip"], line["reason"]) == ("stat.region", "192.0.2.14", reason)
    assert line["time"] == (START + wait).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    assert not [line for line in events() if line["event"] == "logout"]


def test_deactivating_an_account_logs_how_many_sessions_it_ended(person, events):
    sign_in(Client(), person.username, PASSWORD)

    person.is_active = False
    person.save()

    line = only(events(), "sessions_ended")
    assert (line["user"], line["reason"], line["sessions"]) == ("stat.region", "deactivated", "1")


def test_a_403_page_is_logged_with_path_and_person(region, events):
    # given: an official, who may read but not enter counts
    official = provision_user(username="official.region", role="official", kato=region.kato, password=PASSWORD)
    client = Client()
    sign_in(client, official.username, PASSWORD)

    # when
    response = client.get("/en/entry/", REMOTE_ADDR="192.0.2.15")

    # then
    assert response.status_code == 403
    line = only(events(), "forbidden")
    assert (line["user"], line["ip"], line["method"], line["path"]) == ("official.region", "192.0.2.15", "GET", "/en/entry/")


def test_a_form_sent_without_its_csrf_token_is_logged_as_forbidden(person, events):
    client = Client(enforce_csrf_checks=True)

    response = sign_in(client, person.username, PASSWORD, REMOTE_ADDR="192.0.2.19")

    assert response.status_code == 403
    line = only(events(), "forbidden")
    assert (line["user"], line["ip"], line["method"], line["path"]) == ("-", "192.0.2.19", "POST", "/en/login/")
    assert not [line for line in events() if line["event"] in ("login", "login_failed")]


def test_a_403_from_the_api_is_logged_with_the_token_that_asked(region, events):
    # given: a read-only token
    token, key = issue_token(name="press office", region=region, can_write=False)

    # when: it tries to write
    response = api_client(key).post("/api/v1/daily-counts/", {}, format="json", REMOTE_ADDR="192.0.2.16")

    # then
    assert response.status_code == 403
    line = only(events(), "forbidden")
    assert (line["user"], line["ip"], line["method"], line["path"]) == ("-", "192.0.2.16", "POST", "/api/v1/daily-counts/")
    assert (line["token_id"], line["token_name"]) == (str(token.pk), "press office")


def test_a_403_from_the_api_to_a_person_without_a_role_is_logged_with_the_person(db, events):
    person = factories.UserFactory(username="no.role")
    client = APIClient()
    client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")

    assert client.get("/api/v1/regions/").status_code == 403

    line = only(events(), "forbidden")
    assert (line["user"], line["path"]) == ("no.role", "/api/v1/regions/")


def test_token_use_names_the_token_and_never_its_key(region, caplog, events):
    # given
    token, key = issue_token(name="press office", region=region, can_write=False)

    # when
    response = api_client(key).get("/api/v1/regions/", REMOTE_ADDR="192.0.2.17")

    # then
    assert response.status_code == 200
    line = only(events(), "token_used")
    assert (line["user"], line["ip"], line["token_id"], line["token_name"]) == ("-", "192.0.2.17", str(token.pk), "press office")
    assert (line["method"], line["path"]) == ("GET", "/api/v1/regions/")
    assert key not in caplog.text and key[:8] not in caplog.text


def test_a_tokens_repeated_reads_are_logged_once_a_minute_per_path_and_address_and_its_writes_each_time(region, events):
    # given
    _token, key = issue_token(name="press office", region=region, can_write=True)
    client = api_client(key)

    with time_machine.travel(timezone.now(), tick=False) as clock:
        # when: the same read five times, another path, the first read from another address, two refused writes
        for _ in range(5):
            assert client.get("/api/v1/regions/", REMOTE_ADDR="192.0.2.17").status_code == 200
        assert client.get("/api/v1/districts/", REMOTE_ADDR="192.0.2.17").status_code == 200
        assert client.get("/api/v1/regions/", REMOTE_ADDR="192.0.2.18").status_code == 200
        for _ in range(2):
            assert client.post("/api/v1/daily-counts/", {"bad": "data"}, format="json").status_code == 400
        # and the first read again a minute later
        clock.shift(61)
        assert client.get("/api/v1/regions/", REMOTE_ADDR="192.0.2.17").status_code == 200

    # then
    used = [(line["method"], line["path"], line["ip"]) for line in events() if line["event"] == "token_used"]
    assert used == [
        ("GET", "/api/v1/regions/", "192.0.2.17"),
        ("GET", "/api/v1/districts/", "192.0.2.17"),
        ("GET", "/api/v1/regions/", "192.0.2.18"),
        ("POST", "/api/v1/daily-counts/", "127.0.0.1"),
        ("POST", "/api/v1/daily-counts/", "127.0.0.1"),
        ("GET", "/api/v1/regions/", "192.0.2.17"),
    ]


@pytest.mark.usefixtures("after_campaign")
def test_rejected_tokens_are_logged_with_the_reason_and_never_the_key(region, caplog, events):
    # given: an unknown key, a revoked token, an expired one, and a header that is not a token
    revoked, revoked_key = issue_token(name="old loader", region=region, can_write=True)
    revoked.revoked_at = timezone.now()
    revoked.save()
    expired, expired_key = issue_token(name="last year", region=None, can_write=False, expires_at=timezone.now())
    unknown_key = "n0t-a-real-key-" + "x" * 30

    # when
    statuses = [api_client(key).get("/api/v1/regions/").status_code for key in (unknown_key, revoked_key, expired_key)]
    malformed = APIClient()
    malformed.credentials(HTTP_AUTHORIZATION="Token two parts")
    statuses.append(malformed.get("/api/v1/regions/").status_code)

    # then
    assert statuses == [401, 401, 401, 401]
    rejected = [line for line in events() if line["event"] == "token_rejected"]
    assert [(line["reason"], line.get("token_id")) for line in rejected] == [
        ("unknown", None),
        ("revoked", str(revoked.pk)),
        ("expired", str(expired.pk)),
        ("malformed", None),
    ]
    assert all(line["ip"] == "127.0.0.1" and line["path"] == "/api/v1/regions/" for line in rejected)
    for key in (unknown_key, revoked_key, expired_key):
        assert key not in caplog.text and key[:8] not in caplog.text


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_an_export_names_who_took_which_area_in_which_format(person, events, file_format):
    client = Client()
    sign_in(client, person.username, PASSWORD)

    response = client.get(f"/en/entry/export.{file_format}", REMOTE_ADDR="192.0.2.18")

    assert response.status_code == 200
    line = only(events(), "export")
    assert (line["user"], line["ip"], line["format"], line["area"], line["rows"]) == (
        "stat.region",
        "192.0.2.18",
        file_format,
        "310000000",
        "0",
    )


def test_a_username_with_a_line_break_cannot_forge_a_second_line(person, caplog, events):
    typed = 'x\ntime=2021-01-01T00:00:00Z event=login user=admin "'

    sign_in(Client(), typed, WRONG_PASSWORD)

    [record] = [record for record in caplog.records if record.name == "census.security"]
    assert "\n" not in record.getMessage()
    assert only(events(), "login_failed")["username"] == typed


# --- Nothing secret anywhere ---------------------------------------------------------------------------------


@pytest.fixture
def every_record(caplog):
    """Every record of every logger at every level, SQL included: -> [text of each record]."""
    for name, logger in logging.root.manager.loggerDict.items():
        if isinstance(logger, logging.Logger):
            caplog.set_level(logging.DEBUG, logger=name)
    caplog.set_level(logging.DEBUG)
    saved, connection.force_debug_cursor = connection.force_debug_cursor, True
    formatter = logging.Formatter()

    def texts():
        for record in caplog.records:
            exception = formatter.formatException(record.exc_info) if record.exc_info else ""
            yield f"{record.name} {record.getMessage()} {record.__dict__!r} {exception}"

    yield lambda: list(texts())
    connection.force_debug_cursor = saved


@pytest.mark.usefixtures("after_campaign")
def test_a_whole_day_of_events_leaves_no_password_and_no_token_key_in_any_log(person, region, every_record, events):
    # given
    token, key = issue_token(name="press office", region=region, can_write=True)
    revoked, revoked_key = issue_token(name="old loader", region=region, can_write=False)
    revoked.revoked_at = timezone.now()
    revoked.save()
    client = Client()

    # when: two wrong passwords, the right one, API calls with keys, both exports, a refused write, signing out
    assert sign_in(client, person.username, WRONG_PASSWORD).status_code == 200
    assert sign_in(client, person.username, WRONG_PASSWORD + "2").status_code == 200
    assert sign_in(client, person.username, PASSWORD).status_code == 302
    assert api_client(key).get("/api/v1/regions/").status_code == 200
    assert api_client(key).get("/api/v1/daily-counts/?format=csv").status_code == 200
    assert api_client(revoked_key).get("/api/v1/regions/").status_code == 401
    assert client.get("/en/entry/export.csv").status_code == 200
    assert client.get("/en/entry/export.xlsx").status_code == 200
    assert api_client(key).post("/api/v1/daily-counts/", {"bad": "data"}, format="json").status_code == 400
    assert client.post("/en/logout/").status_code == 302

    # then
    records = every_record()
    assert len(records) > 20  # SQL and library chatter included, not only the security log
    for secret in (PASSWORD, WRONG_PASSWORD, key, revoked_key):
        leaks = [text for text in records if secret in text]
        assert leaks == [], f"{secret!r} found in the logs"
    assert [line["event"] for line in events()] == [
        "login_failed",
        "login_failed",
        "login",
        "token_used",
        "token_used",
        "token_rejected",
        "export",
        "export",
        "token_used",
        "logout",
    ]


# --- Configuration -------------------------------------------------------------------------------------------


def test_with_security_log_file_set_the_lines_go_to_that_file_as_well_as_the_console(tmp_path):
    # given
    log_file = tmp_path / "security.log"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "census.settings", "SECURITY_LOG_FILE": str(log_file), "LOG_LEVEL": "ERROR"}
    script = "import django; django.setup(); from census import security; security.log_event('probe', reason='file test')"

    # when
    done = subprocess.run([sys.executable, "-c", script], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60)

    # then: whole lines in the file, marked with the logger's name on the console; INFO even with LOG_LEVEL=ERROR
    assert done.returncode == 0, done.stderr
    [line] = log_file.read_text().splitlines()
    assert re.fullmatch(r'time=\S+Z event=probe user=- ip=- reason="file test"', line)
    assert f"census.security {line}" in done.stderr.splitlines()
