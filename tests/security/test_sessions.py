"""How long a sign-in lasts and how it ends: absolute timeout, sign-out and deactivation that end the session on the
server, and lockouts that a forged X-Forwarded-For does not get round."""

import datetime

import pytest
import time_machine
from django.conf import settings as django_settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client, RequestFactory
from django.utils import timezone

from census.authentication import ApiRateThrottle
from census.services import provision_user
from regions.models import COUNTRY_KATO
from tests import factories

PASSWORD = "a-long-test-password"
START = datetime.datetime(2021, 11, 20, 9, 0, tzinfo=datetime.UTC)
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture
def region(campaign):
    return factories.RegionFactory(kato="310000000")


@pytest.fixture
def person(region):
    """Statistics staff of the region, provisioned the way `manage.py add_user` does it."""
    return provision_user(username="stat.region", role="staff", kato=region.kato, password=PASSWORD)


def sign_in(client, username=None, password=PASSWORD, **extra):
    return client.post("/en/login/", {"username": username, "password": password}, **extra)


def signed_in_client(username) -> Client:
    client = Client()
    assert sign_in(client, username).status_code == 302
    return client


def session_rows_of(user) -> list[str]:
    """Keys of the stored sessions signed in as `user`."""
    return [
        row.session_key
        for row in Session.objects.filter(expire_date__gt=timezone.now())
        if row.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]


def is_anonymous(client) -> bool:
    response = client.get("/en/entry/")
    assert response.status_code in (200, 302)
    return response.status_code == 302 and response["Location"].startswith("/en/login/")


# --- Absolute timeout -----------------------------------------------------------------------------------------


def test_a_busy_session_still_ends_twelve_hours_after_signing_in_and_says_why(person, settings):
    # given: someone working all day, never idle for as long as the idle timeout
    settings.CENSUS_IDLE_TIMEOUT = 30 * 60
    settings.CENSUS_ABSOLUTE_TIMEOUT = 12 * 3600
    client = Client()
    with time_machine.travel(START, tick=False) as traveller:
        sign_in(client, person.username)
        pages = []
        for _ in range(28):  # every 25 minutes up to 11 h 40 min after signing in
            traveller.shift(datetime.timedelta(minutes=25))
            pages.append(client.get("/en/entry/").status_code)

        # when: 12 h 05 min after signing in, 25 minutes after the last page
        traveller.shift(datetime.timedelta(minutes=25))
        response = client.get("/en/entry/")

    # then
    assert set(pages) == {200}
    assert response.status_code == 302 and response["Location"].startswith("/en/login/?next=/en/entry/")
    page = client.get(response["Location"]).content.decode()
    assert "signed out 12 hours after signing in" in page
    assert "without activity" not in page
    assert is_anonymous(client)


def test_the_absolute_clock_starts_at_sign_in_not_at_the_first_page(person, settings):
    # given: no idle timeout, an absolute one of 2 hours
    settings.CENSUS_IDLE_TIMEOUT = 0
    settings.CENSUS_ABSOLUTE_TIMEOUT = 2 * 3600
    client = Client()
    with time_machine.travel(START, tick=False) as traveller:
        sign_in(client, person.username)

        # when: the first page after signing in comes 2 h 01 min later
        traveller.shift(datetime.timedelta(hours=2, minutes=1))
        response = client.get("/en/entry/")

    # then
    assert response.status_code == 302
    assert "signed out 2 hours after signing in" in client.get(response["Location"]).content.decode()


def test_the_absolute_timeout_comes_from_the_environment_in_hours_with_12_by_default():
    assert django_settings.CENSUS_ABSOLUTE_TIMEOUT == 12 * 3600


# --- Signing out and deactivation end the session on the server ---------------------------------------------


def test_a_copy_of_the_session_cookie_is_anonymous_after_signing_out(person):
    # given: someone signed in, and a copy of their cookie taken before they sign out
    client = signed_in_client(person.username)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert session_rows_of(person) == [cookie]

    # when
    client.post("/en/logout/")
    replay = Client()
    replay.cookies[django_settings.SESSION_COOKIE_NAME] = cookie

    # then: the page, and the API through the session, treat the copy as nobody
    assert is_anonymous(replay)
    assert replay.get("/api/v1/regions/").status_code in (401, 403)
    assert session_rows_of(person) == []


def test_saving_an_account_as_inactive_ends_its_sessions_and_no_one_else_s(person, region):
    # given: the account signed in on two computers, and a colleague signed in too
    office, home = signed_in_client(person.username), signed_in_client(person.username)
    colleague = provision_user(username="stat.colleague", role="staff", kato=region.kato, password=PASSWORD)
    colleague_client = signed_in_client(colleague.username)
    assert len(session_rows_of(person)) == 2

    # when
    person.is_active = False
    person.save()

    # then
    assert is_anonymous(office) and is_anonymous(home)
    assert session_rows_of(person) == []
    assert not is_anonymous(colleague_client)
    assert len(session_rows_of(colleague)) == 1


def test_deactivating_in_the_admin_ends_the_account_s_sessions(person):
    # given
    staff_client = signed_in_client(person.username)
    admin = provision_user(username="the.admin", role="admin", kato=COUNTRY_KATO, password=PASSWORD)
    admin_client = Client()
    admin_client.force_login(admin, backend=MODEL_BACKEND)
    url = f"/en/admin/auth/user/{person.pk}/change/"
    form = admin_client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and not isinstance(value, list)}
    data.update({"username": person.username, "date_joined_0": "2021-11-20", "date_joined_1": "09:00:00"})
    data.pop("is_active", None)  # an unticked box is not sent
    data.pop("password", None)
    data.pop("last_login", None)
    data.pop("date_joined", None)

    # when
    response = admin_client.post(url, data)

    # then
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    person.refresh_from_db()
    assert person.is_active is False
    assert is_anonymous(staff_client)
    assert session_rows_of(person) == []


def test_other_saves_of_an_active_account_leave_its_sessions(person):
    # given
    client = signed_in_client(person.username)

    # when
    person.first_name = "Aigerim"
    person.save()

    # then
    assert not is_anonymous(client)


# --- The client's address for lockouts ----------------------------------------------------------------------


def test_a_forged_x_forwarded_for_does_not_get_round_the_lockout(person):
    # given: the configured limit, 5 wrong passwords, each claiming to come from a different address
    assert django_settings.AXES_FAILURE_LIMIT == 5
    client = Client()
    failures = [
        sign_in(client, person.username, "wrong", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code for n in range(1, 6)
    ]

    # when: the right password, with yet another forged address
    locked = sign_in(Client(), person.username, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.99")
    from_another_computer = sign_in(Client(), person.username, PASSWORD, REMOTE_ADDR="10.1.2.3")

    # then
    assert failures == [200, 200, 200, 200, 429]
    assert locked.status_code == 429
    assert from_another_computer.status_code == 302


def test_behind_a_trusted_proxy_the_address_it_saw_is_locked_and_other_clients_are_not(person, settings):
    # given: one reverse proxy (10.0.0.1) in front; it appends the address it saw to what the client sent
    settings.CENSUS_TRUSTED_PROXIES = 1

    def through_proxy(client_address, forged, password):
        forwarded = f"{forged}, {client_address}"
        return sign_in(Client(), person.username, password, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)

    failures = [through_proxy("203.0.113.7", f"198.51.100.{n}", "wrong").status_code for n in range(1, 6)]

    # when
    same_client = through_proxy("203.0.113.7", "198.51.100.200", PASSWORD)
    other_client = through_proxy("203.0.113.8", "198.51.100.1", PASSWORD)

    # then
    assert failures[-1] == 429
    assert same_client.status_code == 429
    assert other_client.status_code == 302


def test_the_api_throttle_counts_anonymous_requests_by_their_real_address(settings):
    # given: two requests from one address claiming different forwarded addresses
    factory = RequestFactory()
    first = factory.get("/api/v1/regions/", REMOTE_ADDR="192.0.2.5", HTTP_X_FORWARDED_FOR="198.51.100.1")
    second = factory.get("/api/v1/regions/", REMOTE_ADDR="192.0.2.5", HTTP_X_FORWARDED_FOR="198.51.100.2")

    # when
    idents = {ApiRateThrottle().get_ident(first), ApiRateThrottle().get_ident(second)}

    # then: one counter, the real address's
    assert idents == {"192.0.2.5"}
