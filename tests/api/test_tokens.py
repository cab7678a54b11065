"""`manage.py issue_token`: the key once on stdout and nothing else, stored hashed, read-only unless --write."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from census.access import hash_key, token_for_key
from census.models import ApiToken
from tests import factories


def issue(*args) -> str:
    out = io.StringIO()
    call_command("issue_token", *args, stdout=out)
    return out.getvalue()


def test_the_command_prints_only_the_key_which_is_stored_hashed(db):
    region = factories.RegionFactory(kato="270000000")

    printed = issue("press office", "--scope", "270000000")

    key = printed.strip()
    assert printed == key + "\n"
    assert " " not in key and len(key) >= 40
    token = ApiToken.objects.get()
    assert token.key_hash == hash_key(key)
    assert key not in (token.key_hash, token.key_prefix)
    assert token.region == region
    assert token.can_write is False
    assert token.expires_at is None
    assert token_for_key(key) == token


def test_write_country_scope_and_expiry(db, after_campaign):
    key = issue("loader", "--scope", "000000000", "--write", "--expires-days", "7").strip()

    token = token_for_key(key)
    assert token.region is None
    assert token.can_write is True
    assert token.expires_at == timezone.now() + datetime.timedelta(days=7)


@pytest.mark.parametrize(
    "args",
    [
        ["--scope", "999999999"],
        ["--scope", "271000000"],
        ["--scope", "270000000", "--expires-days", "0"],
    ],
)
def test_bad_arguments_are_refused_and_no_token_is_made(db, args):
    factories.DistrictFactory(kato="271000000", region=factories.RegionFactory(kato="270000000"))

    with pytest.raises(CommandError):
        issue("x", *args)

    assert not ApiToken.objects.exists()
