"""Signing in and out: lockout by username and address, idle timeout, the language switcher, provisioning accounts."""

import datetime
import io
import secrets
import sys

import pytest
import time_machine
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core.management import CommandError, call_command
from django.test import Client

from census.access import scope_of
from census.models import Role
from harness.ports import free_port
from tests.entry.conftest import PASSWORD

START = datetime.datetime(2021, 11, 20, 9, 0, tzinfo=datetime.UTC)


def sign_in(client, username, password, **extra):
    return client.post("/en/login/", {"username": username, "password": password}, **extra)


def test_staff_sign_in_and_land_on_the_entry_pages(staff):
    # given
    client = Client()

    # when
    response = sign_in(client, staff.username, PASSWORD)

    # then
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == "/en/entry/"


def test_a_wrong_password_says_so_on_the_sign_in_page(staff):
    response = sign_in(Client(), staff.username, "wrong")
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_after_the_failure_limit_the_username_is_locked_from_that_address_only(staff, settings):
    # given
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()

    # when
    failures = [sign_in(client, staff.username, "wrong").status_code for _ in range(3)]
    with_right_password = sign_in(client, staff.username, PASSWORD)
    from_elsewhere = sign_in(Client(), staff.username, PASSWORD, REMOTE_ADDR="10.1.2.3")

    # then
    assert failures == [200, 200, 429]
    assert with_right_password.status_code == 429
    assert "_auth_user_id" not in client.session
    assert from_elsewhere.status_code == 302


def test_a_lockout_is_explained_in_the_reader_s_language(staff, settings):
    # given
    settings.AXES_FAILURE_LIMIT = 2
    client = Client()
    for _ in range(2):
        client.post("/ru/login/", {"username": staff.username, "password": "wrong"})

    # when
    response = client.post("/ru/login/", {"username": staff.username, "password": PASSWORD})

    # then
    assert response.status_code == 429
    html = response.content.decode()
    assert '<html lang="ru">' in html and 'hreflang="kk"' in html
    assert "Sign-in locked" not in html


def test_another_username_from_the_same_address_is_not_locked(staff, settings):
    # given
    from tests.entry.conftest import make_person

    settings.AXES_FAILURE_LIMIT = 2
    other = make_person("other.person", "staff", staff.assignment.region.kato)
    client = Client()
    for _ in range(2):
        sign_in(client, staff.username, "wrong")

    # when
    response = sign_in(client, other.username, PASSWORD)

    # then
    assert response.status_code == 302


class CountingHasher(MD5PasswordHasher):
    """The tests' fast hasher, counting how often a password is hashed (what a flood costs the server)."""

    calls = 0

    def encode(self, password, salt):
        CountingHasher.calls += 1
        return super().encode(password, salt)


def an_address_of_its_own() -> str:
    """A client address no other test (nor an earlier run sharing Redis) counts against."""
    return f"198.18.{secrets.randbelow(256)}.{1 + secrets.randbelow(254)}"


def test_a_flood_of_random_usernames_from_one_address_is_refused_before_any_password_is_hashed(staff, settings):
    # given: 5 sign-ins a minute per address, and a hasher that counts
    settings.CENSUS_SIGNIN_RATE = "5/minute"
    settings.PASSWORD_HASHERS = ["tests.entry.test_sign_in.CountingHasher"]
    address = an_address_of_its_own()
    CountingHasher.calls = 0

    # when: 12 guesses at made-up usernames in a burst
    statuses, hashed = [], []
    for n in range(12):
        statuses.append(sign_in(Client(), f"nobody.{n}", "guess", REMOTE_ADDR=address).status_code)
        hashed.append(CountingHasher.calls)
    from_elsewhere = sign_in(Client(), staff.username, PASSWORD, REMOTE_ADDR=an_address_of_its_own())

    # then: past the rate the answer is a 429 that costs no hashing; another address signs in as usual
    assert statuses == [200] * 5 + [429] * 7
    assert hashed[5:] == [hashed[4]] * 7
    assert hashed[4] >= 5
    assert from_elsewhere.status_code == 302


def test_the_sign_in_rate_limit_says_to_wait_in_the_reader_s_language_and_lifts_after_its_window(staff, settings):
    # given
    settings.CENSUS_SIGNIN_RATE = "2/minute"
    address = an_address_of_its_own()
    with time_machine.travel(START, tick=False) as traveller:
        for _ in range(2):
            client_post = Client().post("/ru/login/", {"username": staff.username, "password": "wrong"}, REMOTE_ADDR=address)
            assert client_post.status_code == 200

        # when
        refused = Client().post("/ru/login/", {"username": staff.username, "password": PASSWORD}, REMOTE_ADDR=address)
        traveller.shift(datetime.timedelta(seconds=61))
        later = Client().post("/ru/login/", {"username": staff.username, "password": PASSWORD}, REMOTE_ADDR=address)

    # then
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert "Подождите 1 минуту и попробуйте снова." in refused.content.decode()
    assert later.status_code == 302


def test_the_admin_sign_in_shares_the_rate_limit(superuser, settings):
    # given
    settings.CENSUS_SIGNIN_RATE = "3/minute"
    address = an_address_of_its_own()

    # when: two at the site's form, then two at the admin's
    site = [sign_in(Client(), f"nobody.{n}", "guess", REMOTE_ADDR=address).status_code for n in range(2)]
    admin = [
        Client().post("/en/admin/login/", {"username": superuser.username, "password": "guess"}, REMOTE_ADDR=address).status_code
        for _ in range(2)
    ]

    # then
    assert site == [200, 200]
    assert admin == [200, 429]


def test_sign_in_goes_on_when_the_cache_is_down(staff, settings):
    # given: the cache is a Redis that is not there (a closed loopback port)
    settings.CENSUS_SIGNIN_RATE = "1/minute"
    # Sessions in the database: the site's own cache fails open for them, a bare RedisCache (as here) would not.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    port = free_port()
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    }
    address = an_address_of_its_own()

    # when: more sign-ins than the rate allows
    statuses = [sign_in(Client(), staff.username, PASSWORD, REMOTE_ADDR=address).status_code for _ in range(3)]

    # then: the rate limit stood aside; the lockout tiers (in the database) still apply
    assert statuses == [302, 302, 302]


def test_an_idle_session_is_signed_out_and_told_why(staff, settings):
    # given
    settings.CENSUS_IDLE_TIMEOUT = 30 * 60
    client = Client()
    with time_machine.travel(START, tick=False) as traveller:
        sign_in(client, staff.username, PASSWORD)
        assert client.get("/en/entry/").status_code == 200
        traveller.shift(datetime.timedelta(minutes=29))
        assert client.get("/en/entry/").status_code == 200

        # when: 31 minutes without a request
        traveller.shift(datetime.timedelta(minutes=31))
        response = client.get("/en/entry/")

    # then
    assert response.status_code == 302
    assert response["Location"].startswith("/en/login/?next=/en/entry/")
    page = client.get(response["Location"])
    assert "signed out after 30 minutes without activity" in page.content.decode()
    assert "_auth_user_id" not in client.session


def test_signing_out_takes_a_post_and_ends_the_session(staff):
    # given
    client = Client()
    sign_in(client, staff.username, PASSWORD)

    # when
    refused = client.get("/en/logout/")
    response = client.post("/en/logout/")

    # then
    assert refused.status_code == 405
    assert response.status_code == 302 and response["Location"] == "/en/login/"
    assert client.get("/en/entry/").status_code == 302


@pytest.mark.usefixtures("after_campaign")
@pytest.mark.parametrize(
    "path",
    [
        "/ru/login/",
        "/ru/entry/",
        "/ru/entry/not-reported/",
        "/ru/entry/region/310000000/?date=2021-10-05",
        "/ru/entry/district/313200000/?date=2021-10-05",
        "/ru/entry/district/313200000/history/",
        "/ru/entry/district/313200000/status/",
        "/ru/entry/import/",
    ],
)
def test_every_entry_page_has_the_language_switcher_and_a_sign_out_button(area, staff_client, path):
    # given
    client = Client() if path == "/ru/login/" else staff_client

    # when
    html = client.get(path).content.decode()

    # then
    for code in ("kk", "ru", "en"):
        assert f'href="/{code}/{path[4:]}"'.replace("&", "&amp;") in html
    if client is staff_client:
        assert 'action="/ru/logout/"' in html
    assert ' style="' not in html and "<script>" not in html


@pytest.mark.parametrize(
    ("role", "kato", "expected"),
    [
        ("staff", "310000000", ("staff", "region", True)),
        ("staff", "313200000", ("staff", "district", True)),
        ("official", "310000000", ("official", "region", False)),
        ("official", "000000000", ("official", "country", False)),
        ("admin", "000000000", ("admin", "country", True)),
    ],
)
def test_add_user_provisions_each_role_with_its_scope_and_a_password_from_stdin(area, monkeypatch, role, kato, expected):
    # given
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))

    # when
    out = io.StringIO()
    call_command("add_user", "new.person", "--role", role, "--scope", kato, "--password-stdin", stdout=out)

    # then
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="new.person")
    scope = scope_of(user)
    area_kind = "district" if scope.district_id else "region" if scope.region_id else "country"
    assert (scope.role, area_kind, scope.can_write) == expected
    assert user.check_password(PASSWORD)
    assert sign_in(Client(), "new.person", PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("role", "kato", "message"),
    [
        ("staff", "000000000", "not the whole country"),
        ("staff", "123456789", "No region or district"),
    ],
)
def test_add_user_refuses_what_cannot_be_a_scope(area, role, kato, message):
    from django.utils import translation

    with translation.override("en"), pytest.raises(CommandError, match=message):
        call_command("add_user", "someone", "--role", role, "--scope", kato, stdout=io.StringIO())


def test_add_user_without_a_password_makes_an_account_that_cannot_sign_in_yet(area):
    out = io.StringIO()
    call_command("add_user", "no.password", "--role", Role.STAFF, "--scope", "310000000", stdout=out)
    assert "no password yet" in out.getvalue()
    assert sign_in(Client(), "no.password", "").status_code == 200
