"""How long a sign-in lasts, and ending it for good.

Offices share computers: a session left open at the end of the evening must
not let the next person enter counts under someone else's name. So a session
ends after settings.CENSUS_IDLE_TIMEOUT seconds without a request, and in any
case settings.CENSUS_ABSOLUTE_TIMEOUT seconds after signing in, however busy it
was (a stolen session cookie stops working the same day). 0 turns either off.

Signing out deletes the session from the store (django.contrib.auth.logout
flushes it), so a copy of the cookie is worth nothing afterwards. Deactivating
an account (is_active=False, saved from the admin, a service or a shell) deletes
its sessions too; see end_sessions_on_deactivation.
"""

import time
from importlib import import_module

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, logout
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.signals import user_logged_in
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from census import security
from census.models import Assignment

LAST_SEEN_KEY = "census_last_seen"
SIGNED_IN_KEY = "census_signed_in_at"
# Writing the session on every request costs a write per page; a minute's precision is plenty.
TOUCH_EVERY = 60


def _end(request, reason: str, message: str) -> None:
    # The security log's logout receiver reads the reason to tell a timeout from a person signing out.
    setattr(request, security.SESSION_END_REASON, reason)
    logout(request)
    messages.info(request, message)


class IdleTimeoutMiddleware:
    """Logs out a signed-in person idle for longer than the idle timeout, or signed in for longer than the absolute one.

    The request then goes on as anonymous, so a protected page sends them to the
    sign-in page, which says why. Goes after the authentication and message middleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request):
        idle = settings.CENSUS_IDLE_TIMEOUT
        absolute = settings.CENSUS_ABSOLUTE_TIMEOUT
        now = int(time.time())
        session = request.session
        signed_in = session.get(SIGNED_IN_KEY)
        if signed_in is None:
            # A session from before sign-in times were recorded: its clock starts now.
            session[SIGNED_IN_KEY] = signed_in = now
        if absolute and now - signed_in > absolute:
            hours = max(1, round(absolute / 3600))
            _end(
                request,
                "absolute",
                ngettext(
                    "You were signed out %(hours)s hour after signing in. Sign in again to go on.",
                    "You were signed out %(hours)s hours after signing in. Sign in again to go on.",
                    hours,
                )
                % {"hours": hours},
            )
            return
        last_seen = session.get(LAST_SEEN_KEY)
        if idle and last_seen is not None and now - last_seen > idle:
            _end(
                request,
                "idle",
                _("You were signed out after %(minutes)s minutes without activity. Sign in again to go on.")
                % {"minutes": idle // 60},
            )
        elif last_seen is None or now - last_seen >= TOUCH_EVERY:
            session[LAST_SEEN_KEY] = now


@receiver(user_logged_in, dispatch_uid="census.sessions.signed_in_at")
def record_sign_in(sender, request, user, **kwargs):
    """Starts both clocks at sign-in (the absolute one must not start at the first page after it)."""
    if request is None or not hasattr(request, "session"):
        return
    now = int(time.time())
    request.session[SIGNED_IN_KEY] = now
    request.session[LAST_SEEN_KEY] = now


def end_sessions_of(user) -> int:
    """Deletes the stored sessions signed in as `user`; returns how many.

    Possible only with a session store that can be listed (the database, with or
    without the cache in front). With any other store the sessions stay, but
    they are anonymous all the same: the authentication backend refuses an
    inactive account on every request.
    """
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store_class, "get_model_class"):
        return 0
    ended = 0
    # Sessions do not record their user in a column: each live one is decoded. Deactivations are rare.
    live = store_class.get_model_class().objects.filter(expire_date__gt=timezone.now())
    for row in live.iterator():
        data = row.get_decoded()
        if data.get(SESSION_KEY) == str(user.pk):
            # Through the store, so that a cached copy (cached_db) goes too.
            store_class(row.session_key).delete()
            ended += 1
    return ended


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="census.sessions.deactivation")
def end_sessions_on_deactivation(sender, instance, created, update_fields=None, **kwargs):
    """Every save of an inactive account ends its sessions, whichever path saved it.

    In one receiver rather than in each place that can deactivate (the admin's
    user page, census.services, `manage.py shell`). A QuerySet.update() sends no
    signal and so is not covered: deactivate by saving the user.
    """
    if created or instance.is_active:
        return
    if update_fields is not None and "is_active" not in update_fields:
        return
    ended = end_sessions_of(instance)
    if ended:
        security.log_event("sessions_ended", user=instance, reason="deactivated", sessions=ended)


# --- Who is signed in, without a query per request ------------------------------------------------

USER_CACHE_SECONDS = 300


def _user_key(user_id) -> str:
    return f"census:signed-in-user:{user_id}"


def _from_cache(call, *args):
    """A call to the cache that never fails a request: the cache is a helper here (Django's lookup is the truth)."""
    try:
        return call(*args)
    except Exception:  # noqa: BLE001 - any cache failure: the account is read from the database instead
        return None


def _cached_user(request):
    """The signed-in account, with its assignment (what it may see), from the cache; else Django's own lookup.

    A cached account counts only under the same checks as Django's: its
    backend is still configured and the session's password hash still matches
    (a changed password ends other sessions, cache or not). Any save of the
    account or of its assignment drops the cached copy (forget_cached_user), so
    a deactivation or a new role applies from the next request.
    """
    user_id = request.session.get(SESSION_KEY)
    backend = request.session.get(BACKEND_SESSION_KEY)
    if user_id is None or backend not in settings.AUTHENTICATION_BACKENDS:
        return auth.get_user(request)
    user = _from_cache(cache.get, _user_key(user_id))
    if user is not None:
        session_hash = request.session.get(HASH_SESSION_KEY)
        if session_hash and constant_time_compare(session_hash, user.get_session_auth_hash()) and user.is_active:
            user.backend = backend
            return user
    user = auth.get_user(request)
    if user.is_authenticated:
        # Loaded now so the copy carries it: census.access.scope_of reads it on every page.
        getattr(user, "assignment", None)
        _from_cache(cache.set, _user_key(user.pk), user, USER_CACHE_SECONDS)
    return user


class CachedAuthenticationMiddleware(AuthenticationMiddleware):
    """Django's authentication middleware, the signed-in account read from the cache (see _cached_user)."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _cached_user(request))


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="census.sessions.forget_user")
@receiver(post_delete, sender=settings.AUTH_USER_MODEL, dispatch_uid="census.sessions.forget_deleted_user")
def forget_cached_user(sender, instance, **kwargs):
    """A saved account (deactivated, password changed, renamed) is read afresh on its next request."""
    _from_cache(cache.delete, _user_key(instance.pk))


@receiver(post_save, sender=Assignment, dispatch_uid="census.sessions.forget_assignment")
@receiver(post_delete, sender=Assignment, dispatch_uid="census.sessions.forget_deleted_assignment")
def forget_cached_assignment(sender, instance, **kwargs):
    """A changed role or area applies from the person's next request."""
    _from_cache(cache.delete, _user_key(instance.user_id))
