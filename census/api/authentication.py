"""API authentication: `Authorization: Token <key>` for clients, the web session (with CSRF) for people."""

import time

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions, throttling
from rest_framework.settings import api_settings

from census import security
from census.access import hash_key, remember_token, token_for_key
from census.models import ApiToken

# last_used_at is written at most this often per token: a busy client must not turn every read into a write.
LAST_USED_RESOLUTION_SECONDS = 60

# What the security log keeps of a token's use. A write is logged every time; a read once per this many seconds
# per token, client address and path in each server process. What a security officer asks of the log ("which
# token read what, from where, since when") is answered by that; a line per read of a client polling the same
# answer many times a second would only bury the writes and rejections. Rejections are logged every time.
TOKEN_READ_LOG_SECONDS = 60
_READ_LOG_ENTRIES = 4096
_read_logged: dict[tuple, float] = {}


def _worth_logging(token: ApiToken, request, method: str, path: str) -> bool:
    if method not in permissions.SAFE_METHODS:
        return True
    now = time.time()  # the wall clock: a line per minute of it
    seen = (token.key_hash, security.client_ip(request), path)
    if _read_logged.get(seen, 0.0) > now:
        return False
    if len(_read_logged) >= _READ_LOG_ENTRIES:
        _read_logged.clear()  # rare: at worst a read is logged again before its minute is up
    _read_logged[seen] = now + TOKEN_READ_LOG_SECONDS
    return True


class TokenClient:
    """The "user" of a request made with an API token: authenticated, but not a person."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_superuser = False
    is_staff = False
    pk = None

    def __init__(self, token: ApiToken):
        self.token = token

    def __str__(self):
        return str(self.token)


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token <key>`; an unknown, expired or revoked key is a 401, never a silent anonymous request."""

    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        # The security log gets the Django request: the DRF one would try to authenticate again to name its user.
        django_request = getattr(request, "_request", request)
        if len(header) != 2:
            security.log_event("token_rejected", django_request, user=None, reason="malformed", path=request.path)
            raise exceptions.AuthenticationFailed(_("Send the header as: Authorization: Token <key>."))
        try:
            key = header[1].decode()
        except UnicodeDecodeError as exc:
            security.log_event("token_rejected", django_request, user=None, reason="malformed", path=request.path)
            raise exceptions.AuthenticationFailed(_("The token key is not valid.")) from exc
        token = token_for_key(key)
        if token is None:
            self._log_rejection(django_request, key)
            raise exceptions.AuthenticationFailed(_("The token is unknown, expired or revoked."))
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > LAST_USED_RESOLUTION_SECONDS:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            # The cached row too (update() sends no signal): else every request after a minute would write again.
            token.last_used_at = now
            remember_token(token)
        if _worth_logging(token, django_request, request.method, request.path):
            security.log_event(
                "token_used", django_request, user=None, method=request.method, path=request.path, **security.token_details(token)
            )
        return TokenClient(token), token

    @staticmethod
    def _log_rejection(request, key: str) -> None:
        """Says why a key was refused (the client was told only that it was); a known token is named, a key never."""
        token = ApiToken.objects.filter(key_hash=hash_key(key)).first()
        if token is None:
            security.log_event("token_rejected", request, user=None, reason="unknown", path=request.path)
            return
        reason = "revoked" if token.revoked_at is not None else "expired"
        security.log_event(
            "token_rejected", request, user=None, reason=reason, path=request.path, **security.token_details(token)
        )

    def authenticate_header(self, request):
        # Makes an unauthenticated request a 401 (with this challenge) rather than a 403.
        return self.keyword


class ApiTokenAuthenticationScheme(OpenApiAuthenticationExtension):
    """Describes the token header in the OpenAPI schema."""

    target_class = "census.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Token-based authentication: "Token <key>", the key printed by `manage.py issue_token`.',
        }


class ApiRateThrottle(throttling.SimpleRateThrottle):
    """Requests per token (or person, or address for the anonymous), reads and writes counted apart.

    Rates come from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] at request time, so
    the environment and settings overrides apply without a restart of the class.
    """

    scope = "api_read"

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        if not (request.user and request.user.is_authenticated):
            self.scope = "api_anon"
        elif request.method in permissions.SAFE_METHODS:
            self.scope = "api_read"
        else:
            self.scope = "api_write"
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        counter = getattr(self.cache, "count_in_window", None)
        if counter is None or self.rate is None:
            # A cache without one-round-trip counting (the local-memory one of tests on SQLite): DRF's history.
            return super().allow_request(request, view)
        # With Redis: a window starting at the client's first request, counted in one round trip (DRF's sliding
        # history costs a read and a write of the whole list per request).
        # A key of its own: DRF's history list under the plain key is of another type.
        counted = counter(self.get_cache_key(request, view) + ":window", self.duration)
        if counted is None:
            return True  # Redis unreachable: allowed, as DRF allows with no history
        number, self._seconds_left = counted
        return number <= self.num_requests

    def wait(self):
        if hasattr(self, "_seconds_left"):
            return max(self._seconds_left, 1.0)
        return super().wait()

    def get_ident(self, request):
        # DRF's own would believe any X-Forwarded-For a client sends: the anonymous limit would be one header away.
        return security.client_ip(request) or ""

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            # The key hash, not the id: ids are reused by test databases sharing one Redis.
            ident = f"token-{request.auth.key_hash[:24]}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"ip-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class ThrottleBeforeRefusal:
    """For API views: a request refused for its credentials counts against the anonymous rate of its address.

    DRF's initial() authenticates, checks permissions and only then throttles,
    so a missing or wrong key (a 401) was refused before any throttle ran, and
    anonymous and key-guessing requests were unlimited. Here such a request is
    counted by ApiRateThrottle as anonymous (DRF has made it so when
    authentication failed) and answered 429 once its address is over
    API_THROTTLE_ANON, a 401 as before while within it.
    """

    def initial(self, request, *args, **kwargs):
        try:
            super().initial(request, *args, **kwargs)
        except (exceptions.NotAuthenticated, exceptions.AuthenticationFailed):
            throttle = ApiRateThrottle()
            if not throttle.allow_request(request, self):
                self.throttled(request, throttle.wait())
            raise
