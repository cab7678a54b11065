"""Sign-in limits against guessing and spraying, in tiers, on django-axes' own records of failed attempts.

- account_address: one username from one address, AXES_FAILURE_LIMIT failures
  within AXES_COOLOFF_HOURS (django-axes' own rule). Locks that pair only.
- address: one address, any usernames, CENSUS_SIGNIN_ADDRESS_FAILURE_LIMIT
  failures within AXES_COOLOFF_HOURS. Catches one machine spraying many
  accounts with a few passwords each.
- account: one username, any addresses, CENSUS_SIGNIN_ACCOUNT_FAILURE_LIMIT
  failures among the attempts of the last CENSUS_SIGNIN_ACCOUNT_COOLOFF_MINUTES.
  Catches many machines guessing at one account. This one is soft, because
  anyone can trip it for any username: it pauses the account for minutes,
  not hours, and never from an address the account signed in from within the
  last CENSUS_SIGNIN_KNOWN_ADDRESS_DAYS, so an official at their usual desk
  keeps signing in while strangers guess at their name.
- rate: sign-in POSTs per address (CENSUS_SIGNIN_RATE), the site's and the
  admin's, counted in the cache by a middleware before the view runs, so that a flood costs neither a password
  hash nor a database write. A cache that fails lets the request through: the
  tiers above still hold, in the database.

A limit of 0 turns its tier off. Attempts refused while locked still count
(django-axes' default): whoever keeps trying stays locked out. Every tier is
logged as a "lockout" event with its tier; the rate limit as "sign_in_throttled",
once per address and window.
"""

import datetime
import logging
import math
import time

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.core.cache import cache
from django.db.models import Sum
from django.shortcuts import render
from django.utils import timezone

from census import security

log = logging.getLogger(__name__)

ACCOUNT_ADDRESS = "account_address"
ADDRESS = "address"
ACCOUNT = "account"
RATE = "rate"
RATE_PERIODS = {"s": 1, "m": 60, "h": 3600}


def _failures(attempts) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class TieredLockoutHandler(AxesDatabaseHandler):
    """django-axes' database handler with the address and account tiers on top of its username+address one."""

    def get_failures(self, request, credentials=None) -> int:
        # django-axes asks this both before authenticating (is it locked?) and after recording a failure (did this
        # one reach the limit?), comparing the answer with AXES_FAILURE_LIMIT. A wider tier that is over its own
        # limit answers "at the limit", so that django-axes refuses, flags and signals exactly as for its own tier.
        failures = super().get_failures(request, credentials)
        limit = get_failure_limit(request, credentials)
        tier = ACCOUNT_ADDRESS if failures >= limit else self.wider_tier(request, credentials)
        setattr(request, security.LOCKOUT_TIER, tier)
        return max(failures, limit) if tier else failures

    def wider_tier(self, request, credentials=None) -> str | None:
        """ADDRESS or ACCOUNT when one of those limits is reached for this request, else None."""
        address = request.axes_ip_address
        address_limit = settings.CENSUS_SIGNIN_ADDRESS_FAILURE_LIMIT
        if address and address_limit > 0:
            recent = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=get_cool_off_threshold(request))
            if _failures(recent) >= address_limit:
                return ADDRESS
        username = get_client_username(request, credentials)
        account_limit = settings.CENSUS_SIGNIN_ACCOUNT_FAILURE_LIMIT
        if username and account_limit > 0:
            since = self._now(request) - datetime.timedelta(minutes=settings.CENSUS_SIGNIN_ACCOUNT_COOLOFF_MINUTES)
            recent = AccessAttempt.objects.filter(username=username, attempt_time__gte=since)
            if _failures(recent) >= account_limit and not self.is_known_address(request, username):
                return ACCOUNT
        return None

    def is_known_address(self, request, username: str) -> bool:
        """Whether `username` signed in from this request's address lately (django-axes logs each sign-in)."""
        days = settings.CENSUS_SIGNIN_KNOWN_ADDRESS_DAYS
        if days <= 0 or not request.axes_ip_address:
            return False
        since = self._now(request) - datetime.timedelta(days=days)
        return AccessLog.objects.filter(username=username, ip_address=request.axes_ip_address, attempt_time__gte=since).exists()

    @staticmethod
    def _now(request) -> datetime.datetime:
        return getattr(request, "axes_attempt_time", None) or timezone.now()


def cooloff_minutes(tier: str) -> int:
    """How long a tier's refusal lasts after the last failure, in whole minutes."""
    if tier == ACCOUNT:
        return settings.CENSUS_SIGNIN_ACCOUNT_COOLOFF_MINUTES
    if tier == RATE:
        return max(1, math.ceil(parse_rate(settings.CENSUS_SIGNIN_RATE)[1] / 60))
    cool_off = get_cool_off()
    return math.ceil(cool_off.total_seconds() / 60) if cool_off else 0


def failure_limit(tier: str) -> int:
    return {
        ADDRESS: settings.CENSUS_SIGNIN_ADDRESS_FAILURE_LIMIT,
        ACCOUNT: settings.CENSUS_SIGNIN_ACCOUNT_FAILURE_LIMIT,
        RATE: parse_rate(settings.CENSUS_SIGNIN_RATE)[0],
    }.get(tier, settings.AXES_FAILURE_LIMIT)


def refusal_page(request, tier: str):
    """The 429 page that says which limit was reached and how long to wait, in the reader's language."""
    minutes = cooloff_minutes(tier)
    context = {"tier": tier, "failure_limit": failure_limit(tier), "minutes": minutes}
    response = render(request, "registration/locked_out.html", context, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the page for a request django-axes refused or flagged."""
    return refusal_page(request, getattr(request, security.LOCKOUT_TIER, None) or ACCOUNT_ADDRESS)


# --- The rate limit before the password hasher -----------------------------------------------------------------


def parse_rate(rate: str) -> tuple[int, int]:
    """ "10/minute" -> (10, 60): requests and seconds, as the API throttle rates are written."""
    count, period = rate.split("/")
    return int(count), RATE_PERIODS[period.strip()[0]]


def sign_in_rate_exceeded(request) -> bool:
    """Counts one sign-in POST against its address; True once the address is over CENSUS_SIGNIN_RATE.

    A fixed window per address in the cache: one add and one increment, no
    database, no hasher. The first refusal of a window is logged.
    """
    limit, window = parse_rate(settings.CENSUS_SIGNIN_RATE)
    if limit <= 0:
        return False
    address = security.client_ip(request) or "-"
    key = f"census:sign-in-rate:{address}:{int(time.time() // window)}"
    try:
        cache.add(key, 0, timeout=window + 1)
        count = cache.incr(key)
    except ValueError:
        count = 1  # the window ended between add and incr: this is the first request of the next one
    except Exception:  # noqa: BLE001 - any cache failure: let the request through, the lockout tiers still hold
        log.warning("sign-in rate limit skipped: the cache failed", exc_info=True)
        return False
    if count == limit + 1:
        security.log_event("sign_in_throttled", request, user=None, tier=RATE, limit=settings.CENSUS_SIGNIN_RATE)
    return count > limit


class SignInRateLimitMiddleware:
    """Answers a sign-in POST (the site's or the admin's) from an address over CENSUS_SIGNIN_RATE with a 429.

    In process_view, after the CSRF check and before the view: the refusal
    costs a cache increment, not a form, a password hash or an attempt row.
    """

    SIGN_IN_VIEWS = frozenset({"entry:login", "admin:login"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = getattr(request, "resolver_match", None)
        if request.method != "POST" or match is None or match.view_name not in self.SIGN_IN_VIEWS:
            return None
        if sign_in_rate_exceeded(request):
            return refusal_page(request, RATE)
        return None
