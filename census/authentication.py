"""API authentication: `Authorization: Token <key>` for clients, the web session (with CSRF) for people."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions, throttling
from rest_framework.settings import api_settings

from census.access import token_for_key
from census.models import ApiToken

# last_used_at is written at most this often per token: a busy client must not turn every read into a write.
LAST_USED_RESOLUTION_SECONDS = 60


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
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send the header as: Authorization: Token <key>."))
        try:
            key = header[1].decode()
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(_("The token key is not valid.")) from exc
        token = token_for_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("The token is unknown, expired or revoked."))
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > LAST_USED_RESOLUTION_SECONDS:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return TokenClient(token), token

    def authenticate_header(self, request):
        # Makes an unauthenticated request a 401 (with this challenge) rather than a 403.
        return self.keyword


class ApiTokenAuthenticationScheme(OpenApiAuthenticationExtension):
    """Describes the token header in the OpenAPI schema."""

    target_class = "census.authentication.ApiTokenAuthentication"
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
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            # The key hash, not the id: ids are reused by test databases sharing one Redis.
            ident = f"token-{request.auth.key_hash[:24]}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"ip-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
