"""How long a sign-in lasts and how it ends: absolute timeout, sign-out and deactivation that end the session on the
server, and lockouts that a forged X-Forwarded-For does not get round."""

import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client, RequestFactory
from django.utils import timezone

from census.accounts import provision_user
from census.api.authentication import ApiRateThrottle
from census.security import client_ip
from regions.models import COUNTRY_KATO
from tests import factories

PASSWORD = "a-long-test-password"
START = datetime.datetime(2021, 11, 20, 9, 0, tzinfo=datetime.UTC)
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
BASE_DIR = Path(__file__).resolve().parents[2]


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
    settings.CENSUS_PROXY_ADDRESSES = ["10.0.0.0/24"]

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


def client_ip_of(**meta) -> str | None:
    return client_ip(RequestFactory().get("/en/login/", **meta))


def test_x_forwarded_for_from_an_address_that_is_not_a_proxy_is_ignored(person, settings):
    # given: one proxy, 10.0.0.1, in front; but gunicorn is reachable directly and a client sends its own header
    settings.CENSUS_TRUSTED_PROXIES = 1
    settings.CENSUS_PROXY_ADDRESSES = ["10.0.0.1"]

    def direct(forged, password):
        return sign_in(Client(), person.username, password, REMOTE_ADDR="192.0.2.50", HTTP_X_FORWARDED_FOR=forged)

    # when: five wrong passwords, each claiming another address, then the right one
    failures = [direct(f"198.51.100.{n}", "wrong").status_code for n in range(1, 6)]
    locked = direct("203.0.113.99", PASSWORD)

    # then: one address, the real one, was counted and is locked
    assert failures == [200, 200, 200, 200, 429]
    assert locked.status_code == 429
    assert client_ip_of(REMOTE_ADDR="192.0.2.50", HTTP_X_FORWARDED_FOR="198.51.100.1") == "192.0.2.50"


def test_by_default_only_a_proxy_on_the_same_host_is_believed(settings):
    # given: a proxy count, and no proxy addresses configured
    settings.CENSUS_TRUSTED_PROXIES = 1
    assert django_settings.CENSUS_PROXY_ADDRESSES == ["127.0.0.0/8", "::1"]

    # then: from loopback (also as gunicorn on [::] sees it) the header is believed, from elsewhere it is not
    assert client_ip_of(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7") == "203.0.113.7"
    assert client_ip_of(REMOTE_ADDR="::ffff:127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7") == "203.0.113.7"
    assert client_ip_of(REMOTE_ADDR="::1", HTTP_X_FORWARDED_FOR="2001:db8::7") == "2001:db8::7"
    assert client_ip_of(REMOTE_ADDR="192.0.2.9", HTTP_X_FORWARDED_FOR="203.0.113.7") == "192.0.2.9"


def test_behind_two_proxies_the_hop_between_them_must_be_a_proxy_too(settings):
    # given: two proxies in the 10.0.0.0/24 network
    settings.CENSUS_TRUSTED_PROXIES = 2
    settings.CENSUS_PROXY_ADDRESSES = ["10.0.0.0/24"]

    # then: through both, the address the outer one saw; a client that reached the inner one itself is not believed
    through_both = client_ip_of(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7, 10.0.0.2")
    inner_only = client_ip_of(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7")
    assert through_both == "203.0.113.7"
    assert inner_only == "10.0.0.1"


def test_a_proxy_address_that_is_not_an_address_stops_the_start():
    environment = {**os.environ, "CENSUS_PROXY_ADDRESSES": "127.0.0.1,nginx", "DJANGO_SETTINGS_MODULE": "census.settings"}

    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode != 0
    assert "CENSUS_PROXY_ADDRESSES: 'nginx' is not an address or network" in result.stderr


# --- Sign-in limits across usernames and addresses -------------------------------------------------------------


def test_guesses_spread_over_many_accounts_from_one_address_lock_the_address(person, region):
    # given: eight accounts; four wrong passwords each stay under the per-account limit of five
    accounts = [provision_user(username=f"sprayed.{n}", role="staff", kato=region.kato, password=PASSWORD) for n in range(8)]
    assert django_settings.CENSUS_SIGNIN_ADDRESS_FAILURE_LIMIT == 20

    # when: 32 guesses from one address
    statuses = [
        sign_in(Client(), account.username, f"guess-{n}", REMOTE_ADDR="192.0.2.60").status_code
        for n in range(4)
        for account in accounts
    ]
    right_password_here = sign_in(Client(), person.username, PASSWORD, REMOTE_ADDR="192.0.2.60")
    right_password_elsewhere = sign_in(Client(), person.username, PASSWORD, REMOTE_ADDR="192.0.2.61")

    # then: the 20th failure locks the address for every account; other addresses are not affected
    assert statuses == [200] * 19 + [429] * 13
    assert right_password_here.status_code == 429
    assert "from this computer's network address" in right_password_here.content.decode()
    assert right_password_elsewhere.status_code == 302


def test_guesses_at_one_account_from_several_addresses_pause_it_even_from_a_new_address(person):
    # given: four wrong passwords from each of three addresses (each under the per-address limit of five)
    with time_machine.travel(START, tick=False) as traveller:
        statuses = [
            sign_in(Client(), person.username, f"guess-{n}", REMOTE_ADDR=f"203.0.113.{address}").status_code
            for address in (1, 2, 3)
            for n in range(4)
        ]

        # when: the right password from a fourth address, at once and after the cool-off
        paused = sign_in(Client(), person.username, PASSWORD, REMOTE_ADDR="203.0.113.4")
        traveller.shift(datetime.timedelta(minutes=django_settings.CENSUS_SIGNIN_ACCOUNT_COOLOFF_MINUTES, seconds=1))
        after_cool_off = sign_in(Client(), person.username, PASSWORD, REMOTE_ADDR="203.0.113.4")

    # then: the 10th failure paused the account everywhere new, for minutes, not hours
    assert statuses == [200] * 9 + [429] * 3
    assert paused.status_code == 429
    assert "paused for now" in paused.content.decode()
    assert "15 minutes" in paused.content.decode()
    assert after_cool_off.status_code == 302


def test_strangers_guessing_at_an_account_do_not_keep_its_owner_out_of_their_usual_computer(person):
    with time_machine.travel(START, tick=False) as traveller:
        # given: the owner signed in from their office yesterday
        assert sign_in(Client(), person.username, PASSWORD, REMOTE_ADDR="192.0.2.70").status_code == 302
        traveller.shift(datetime.timedelta(days=1))
        # ...and today strangers guess at the account from three addresses
        for address in (1, 2, 3):
            for n in range(4):
                sign_in(Client(), person.username, f"guess-{n}", REMOTE_ADDR=f"203.0.113.{address}")

        # when
        from_the_office = sign_in(Client(), person.username, PASSWORD, REMOTE_ADDR="192.0.2.70")
        from_a_new_place = sign_in(Client(), person.username, PASSWORD, REMOTE_ADDR="192.0.2.71")

    # then
    assert from_the_office.status_code == 302
    assert from_a_new_place.status_code == 429


def test_the_sign_in_limits_come_from_settings(person, region, settings):
    # given
    settings.CENSUS_SIGNIN_ADDRESS_FAILURE_LIMIT = 3
    settings.CENSUS_SIGNIN_ACCOUNT_FAILURE_LIMIT = 0  # off
    other = provision_user(username="other.person", role="staff", kato=region.kato, password=PASSWORD)

    # when
    statuses = [sign_in(Client(), f"nobody.{n}", "guess", REMOTE_ADDR="192.0.2.80").status_code for n in range(3)]
    for address in range(1, 21):
        sign_in(Client(), other.username, "guess", REMOTE_ADDR=f"198.51.100.{address}")

    # then: three failures locked the address; twenty at one account from twenty addresses paused nothing
    assert statuses == [200, 200, 429]
    assert sign_in(Client(), other.username, PASSWORD, REMOTE_ADDR="198.51.100.200").status_code == 302
