"""A token revoked in one process (the admin's) is refused by another (a server's) within the generation check,
though that process had the token's row in its memory and in Redis. Needs PostgreSQL and Redis."""

import subprocess
import sys
import textwrap

import pytest
from django.conf import settings
from django.utils import timezone

from census import access
from census.access import issue_token
from tests import factories
from tests.processes import child_env

# The other process: a token's requests (so its row is cached in that process and in Redis), then, told the token
# was revoked, requests until refused (10 s at most); prints the seconds that took.
OTHER_PROCESS = textwrap.dedent(
    """
    import sys, time
    import django
    django.setup()
    from rest_framework.test import APIClient
    client = APIClient(HTTP_AUTHORIZATION="Token " + sys.argv[1])
    first = client.get("/api/v1/regions/")
    print(first.status_code, client.get("/api/v1/regions/").status_code, flush=True)
    sys.stdin.readline()
    started = time.monotonic()
    while client.get("/api/v1/regions/").status_code == 200 and time.monotonic() - started < 10:
        time.sleep(0.02)
    print(round(time.monotonic() - started, 3), flush=True)
    """
)


@pytest.mark.postgres
@pytest.mark.redis
def test_a_token_revoked_in_one_process_is_refused_in_another_within_the_generation_check(transactional_db):
    # given: another process that used the token (its row cached there)
    region = factories.RegionFactory(kato="270000000")
    token, key = issue_token(name="reader", region=region, can_write=False)
    other = subprocess.Popen(
        [sys.executable, "-c", OTHER_PROCESS, key],
        env=child_env(settings.REDIS_URL),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert other.stdout is not None and other.stdin is not None
        assert other.stdout.readline().split() == ["200", "200"]

        # when: the token is revoked here
        token.revoked_at = timezone.now()
        token.save()
        other.stdin.write("revoked\n")
        other.stdin.flush()
        took = float(other.stdout.readline())
    finally:
        other.kill()
        other.communicate(timeout=10)

    # then: the other process refused it within the generation check
    assert took <= access.TOKEN_GENERATION_RECHECK_SECONDS + 0.5
