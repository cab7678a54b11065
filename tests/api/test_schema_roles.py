"""The whole API under generated requests as everyone who may call it: never a server error, every answer as the
schema documents it (401 and 403 included), and nothing changed by anyone who may not write.

The roles are the demo's people, signed in with a web session (cookie and CSRF token, as a page's script sends
them), and API tokens: read-only, writing, expired, and one of another region. Each runs fewer examples per
operation than test_schema.py does, so that ten roles together stay near a minute and a half.
"""

import datetime

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils.crypto import get_random_string

from census.access import issue_token
from census.models import AuditEntry, DailyCount, IdempotentRequest
from reports.models import RecomputeRequest
from tests import factories
from tests.api.conftest import run_schemathesis

# Counts and areas (10), the batch of counts; daily staffing, staffing plans, a point's use and door-to-door visits (a
# list and a write each); service points (a list).
OPERATIONS = 20
EXAMPLES_PER_ROLE = 8
URL = "/api/v1/daily-counts/"
TASKALA = "276000000"  # stat.taskala's district; the other districts of the region are outside that person's area

# Who each role is, and whether it may change a West Kazakhstan district other than Taskala.
ROLES = {
    "anonymous": False,
    "session:stat.taskala": False,
    "session:stat.wko": True,
    "session:akimat.wko": False,
    "session:official.kz": False,
    "session:admin": True,
    "token:read": False,
    "token:write": True,
    "token:expired": False,
    "token:other-region": False,
}


@pytest.fixture(autouse=True)
def unthrottled(settings):
    # Time stands still in these tests: every request of a role would fall into one throttling minute.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": dict.fromkeys(("api_read", "api_write", "api_anon"), "100000/minute"),
    }


def credentials(role: str, region) -> dict:
    """What a request of `role` carries: {"headers": ..., "cookies": ...}."""
    kind, _sep, who = role.partition(":")
    if kind == "session":
        person = Client()
        person.force_login(get_user_model().objects.get(username=who))
        csrf = get_random_string(32)
        session = person.cookies[settings.SESSION_COOKIE_NAME].value
        return {"headers": {"X-CSRFToken": csrf}, "cookies": {settings.SESSION_COOKIE_NAME: session, "csrftoken": csrf}}
    if kind == "token":
        token_region = factories.RegionFactory(kato="110000000") if who == "other-region" else region
        expires_at = datetime.datetime(2021, 11, 1, tzinfo=datetime.UTC) if who == "expired" else None
        _token, key = issue_token(name=f"schemathesis {who}", region=token_region, can_write=who != "read", expires_at=expires_at)
        return {"headers": {"Authorization": f"Token {key}"}, "cookies": {}}
    return {"headers": {}, "cookies": {}}


def everything_written():
    return (
        list(DailyCount.objects.order_by("pk").values_list("pk", "online", "offline", "version")),
        AuditEntry.objects.count(),
        RecomputeRequest.objects.count(),
        IdempotentRequest.objects.count(),
    )


def a_correction(sent: dict, district_kato: str) -> tuple[int, DailyCount]:
    """POST one more person online for a day the district already has, with a reason: a write anyone allowed may make."""
    row = DailyCount.objects.filter(district__kato=district_kato).order_by("-date").first()
    body = {
        "district": district_kato,
        "date": row.date.isoformat(),
        "online": row.online + 1,
        "offline": row.offline,
        "reason": "a late form",
    }
    client = Client(enforce_csrf_checks=True)
    for name, value in sent["cookies"].items():
        client.cookies[name] = value
    extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in sent["headers"].items()}
    response = client.post(URL, body, content_type="application/json", **extra)
    return response.status_code, row


@pytest.mark.parametrize("role", list(ROLES))
def test_every_operation_answers_as_the_schema_says_for_each_role(api_schema, demo, role):
    sent = credentials(role, demo)
    before = everything_written()

    assert run_schemathesis(api_schema, **sent, examples=EXAMPLES_PER_ROLE) == OPERATIONS

    if not ROLES[role]:
        # Nothing written at all: no count, audit entry, coverage job or stored idempotent answer.
        assert everything_written() == before


@pytest.mark.parametrize("role", list(ROLES))
def test_a_write_to_a_region_district_is_made_only_by_those_who_may_make_it(demo, role):
    # The generated requests seldom name a real district; this one does, for every role.
    sent = credentials(role, demo)
    district = demo.districts.exclude(kato=TASKALA).order_by("kato").first()
    before = everything_written()

    status, row = a_correction(sent, district.kato)

    if ROLES[role]:
        assert status == 200
        stored = DailyCount.objects.get(pk=row.pk)
        assert (stored.online, stored.version) == (row.online + 1, row.version + 1)
    else:
        expected = 401 if role in ("anonymous", "token:expired") else 403
        assert status == expected
        assert everything_written() == before
