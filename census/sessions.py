"""Signing people out after a stretch without activity (settings.CENSUS_IDLE_TIMEOUT, in seconds).

Offices share computers: a session left open at the end of the evening must
not let the next person enter counts under someone else's name.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.utils.translation import gettext as _

LAST_SEEN_KEY = "census_last_seen"
# Writing the session on every request costs a write per page; a minute's precision is plenty.
TOUCH_EVERY = 60


class IdleTimeoutMiddleware:
    """Logs out a signed-in person whose previous request is older than the idle timeout.

    The request then goes on as anonymous, so a protected page sends them to the
    sign-in page, which says why. Goes after the authentication and message middleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timeout = settings.CENSUS_IDLE_TIMEOUT
        if timeout and request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY)
            if last_seen is not None and now - last_seen > timeout:
                logout(request)
                messages.info(
                    request,
                    _("You were signed out after %(minutes)s minutes without activity. Sign in again to go on.")
                    % {"minutes": timeout // 60},
                )
            elif last_seen is None or now - last_seen >= TOUCH_EVERY:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)
