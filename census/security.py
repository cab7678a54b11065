"""The security log: one line per event that matters when someone asks "who got in, from where, and what did they take".

Events go to the "census.security" logger (settings.LOGGING sends it to the
console and, with SECURITY_LOG_FILE, to a file too) as key=value pairs, always
in this order: time (UTC, ISO 8601, whatever TIME_ZONE says, so that lines from
servers and log stores in other zones compare), event, user (the signed-in
username, or "-"), ip, then the event's details. A value with spaces, quotes or
control characters is written as a JSON string, so a username typed with a line
break cannot forge a second line.

Never logged: a password (not even a wrong one) and an API token key (not even
its prefix, nor an unknown key); a token is named by its id and name.

Events: login, login_failed, lockout (with the tier that refused: account_address,
address or account, see census/lockout.py), sign_in_throttled (the sign-in rate
limit, once per address and window), logout, session_expired (idle or absolute,
see census/sessions.py), sessions_ended (an account deactivated), forbidden (any
403 answer, page or API), token_used, token_rejected, export.

This module also decides the client's address for django-axes, the sign-in
rate limit, the API throttle and this log alike (client_ip), so that a forged
X-Forwarded-For header gets round none of them.
"""

import datetime
import functools
import ipaddress
import json
import logging
import re

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from regions.models import District, Region

logger = logging.getLogger("census.security")

# Written bare when the whole value matches; anything else is JSON-quoted.
_PLAIN_VALUE = re.compile(r"[\w.:/@+,\-]+")
# A username tried at the sign-in form is whatever someone typed: long enough to recognise, not to flood the log.
MAX_VALUE_LENGTH = 150
# The attribute census/sessions.py sets on a request before it signs the person out for a timeout.
SESSION_END_REASON = "census_session_end_reason"
# The attribute census/lockout.py sets on a sign-in request: which limit refused it (logged with the lockout).
LOCKOUT_TIER = "census_lockout_tier"
_FROM_REQUEST = object()


@functools.lru_cache(maxsize=16)
def _networks(entries: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def proxy_networks(addresses) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """CENSUS_PROXY_ADDRESSES as networks: each entry an address or a CIDR network (settings.py refuses bad ones)."""
    if isinstance(addresses, str):
        addresses = addresses.split(",")
    return _networks(tuple(str(entry).strip() for entry in addresses if str(entry).strip()))


def _address(text: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address((text or "").strip())
    except ValueError:
        return None
    # gunicorn bound to [::] sees IPv4 clients as ::ffff:a.b.c.d; a proxy listed as 127.0.0.1 is that one too.
    return getattr(address, "ipv4_mapped", None) or address


def _is_proxy(address, networks) -> bool:
    return address is not None and any(address.version == net.version and address in net for net in networks)


def client_ip(request) -> str | None:
    """The address of whoever sent the request: REMOTE_ADDR, unless it is one of our own reverse proxies.

    X-Forwarded-For is written by the client as much as by proxies, so it is
    believed only with CENSUS_TRUSTED_PROXIES = N > 0, only when the request
    reached us from an address in CENSUS_PROXY_ADDRESSES (gunicorn reachable
    directly must not let anyone name their own address), and then only its Nth
    entry from the right (the one the outermost trusted proxy added), the N-1
    entries after it being proxies as well. Otherwise, or with fewer entries or
    one that is not an address, REMOTE_ADDR stands. django-axes calls this
    (AXES_CLIENT_IP_CALLABLE) to key lockouts.
    """
    meta = getattr(request, "META", {})
    remote = meta.get("REMOTE_ADDR") or None
    proxies = getattr(settings, "CENSUS_TRUSTED_PROXIES", 0)
    if proxies <= 0:
        return remote
    networks = proxy_networks(getattr(settings, "CENSUS_PROXY_ADDRESSES", ()))
    if not _is_proxy(_address(remote), networks):
        return remote
    forwarded = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < proxies:
        return remote
    inner_hops = forwarded[len(forwarded) - proxies + 1 :]
    if not all(_is_proxy(_address(hop), networks) for hop in inner_hops):
        return remote
    candidate = _address(forwarded[-proxies])
    return str(candidate) if candidate is not None else remote


def _value(value) -> str:
    text = "-" if value is None or value == "" else str(value)
    if len(text) > MAX_VALUE_LENGTH:
        text = text[:MAX_VALUE_LENGTH] + "…"
    if _PLAIN_VALUE.fullmatch(text):
        return text
    return json.dumps(text, ensure_ascii=False)


def _username(user) -> str | None:
    """A person's username; None for nobody and for API tokens (they are named in the details)."""
    if user is None or not getattr(user, "is_authenticated", False) or getattr(user, "token", None) is not None:
        return None
    return user.get_username()


def utc_now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def log_event(event: str, request=None, *, user=_FROM_REQUEST, **details) -> str:
    """Write one line for `event`; the user is the request's unless given (None: nobody). Returns the line."""
    if user is _FROM_REQUEST:
        user = getattr(request, "user", None) if request is not None else None
    fields = {
        "time": utc_now(),
        "event": event,
        "user": _username(user),
        "ip": client_ip(request) if request is not None else None,
        **details,
    }
    line = " ".join(f"{key}={_value(value)}" for key, value in fields.items())
    logger.info(line)
    return line


def token_details(token) -> dict:
    """How a token is named in the log: its id and name, never any part of its key."""
    return {"token_id": token.pk, "token_name": token.name}


def area_of(scope) -> str:
    """The KATO code of a scope's district or region, or "country"."""
    if scope.district_id is not None:
        return District.objects.filter(pk=scope.district_id).values_list("kato", flat=True).first() or "-"
    if scope.region_id is not None:
        return Region.objects.filter(pk=scope.region_id).values_list("kato", flat=True).first() or "-"
    return "country"


# --- Signing in and out ------------------------------------------------------------------------------


@receiver(user_logged_in, dispatch_uid="census.security.login")
def _logged_in(sender, request, user, **kwargs):
    log_event("login", request, user=user)


@receiver(user_login_failed, dispatch_uid="census.security.login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    # Only the username of what was tried: the credentials hold the (masked) password too.
    log_event("login_failed", request, user=None, username=credentials.get("username"))


@receiver(user_locked_out, dispatch_uid="census.security.lockout")
def _locked_out(sender, request, username, ip_address, **kwargs):
    # Sent on the failure that reaches a limit and again on every attempt while locked.
    log_event("lockout", request, user=None, username=username, tier=getattr(request, LOCKOUT_TIER, None))


@receiver(user_logged_out, dispatch_uid="census.security.logout")
def _logged_out(sender, request, user, **kwargs):
    if user is None:
        return  # signing out someone who was not signed in ends nothing
    reason = getattr(request, SESSION_END_REASON, None)
    if reason:
        log_event("session_expired", request, user=user, reason=reason)
    else:
        log_event("logout", request, user=user)


# --- Refused requests --------------------------------------------------------------------------------


class ForbiddenLogMiddleware:
    """Logs every 403 answer, from a page, the API or the CSRF check, with the path and who asked.

    A run of 403s from one account or address is how probing for other areas'
    data shows up. Goes after the authentication middleware so that the user is
    known; API token requests are named by their token.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403:
            user = getattr(request, "user", None)
            token = getattr(user, "token", None)
            details = token_details(token) if token is not None else {}
            log_event("forbidden", request, user=user, method=request.method, path=request.path, **details)
        return response
