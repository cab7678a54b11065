"""Redis stopped or hung: the cache answers as an empty one and the broker is left alone for a while, so requests go on.

Redis holds nothing here that a request needs: throttle histories, render locks
and sign-in counters may be forgotten, and coverage work waits in the outbox
(reports.models.RecomputeRequest) until a publish or the beat's sweep gets through.
"""

import logging
import socket
import time
from urllib.parse import urlsplit

from django.conf import settings
from django_redis.cache import RedisCache
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

# What "Redis cannot be reached" looks like from django-redis and redis-py: refused, reset, timed out.
UNREACHABLE = (ConnectionInterrupted, RedisConnectionError, RedisTimeoutError, socket.timeout, ConnectionError)


class Outage:
    """One process's view of whether a Redis server answers: after a failure it is left alone for REDIS_RETRY_SECONDS.

    Each try at a hung Redis costs a whole socket timeout; without this every
    request would pay it (twice for a throttle, a read and a write, and once
    more for the publish after a save). Shared by the cache and the broker
    when they are the same server, so a save pays at most one timeout. It also
    keeps the log to one warning when Redis fails and one line when it is back.
    """

    def __init__(self, server: str):
        self.server = server
        self.retry_at = 0.0
        self.down = False

    def suspended(self) -> bool:
        """True while the server failed recently: do not try it now."""
        return time.monotonic() < self.retry_at

    def failed(self, exc: BaseException) -> None:
        self.retry_at = time.monotonic() + settings.REDIS_RETRY_SECONDS
        if not self.down:
            self.down = True
            log.warning(
                "Redis at %s does not answer (%s): the cache keeps nothing (throttles allow, pages render unlocked) "
                "and coverage work waits in the outbox for the sweep; trying again every %s s",
                self.server,
                exc,
                settings.REDIS_RETRY_SECONDS,
            )

    def answered(self) -> None:
        if self.down:
            self.down = False
            log.warning("Redis at %s answers again", self.server)


_outages: dict[str, Outage] = {}


def outage_of(location: str | list[str]) -> Outage:
    """The Outage of the Redis server at this URL (the first of several); databases of one server share it."""
    first = location.split(",")[0] if isinstance(location, str) else location[0]
    parts = urlsplit(first)
    server = f"{parts.hostname}:{parts.port or 6379}"
    return _outages.setdefault(server, Outage(server))


class FailOpenRedisCache(RedisCache):
    """django-redis that answers as an empty cache which keeps nothing while Redis is stopped or hung.

    Every caller of a cache already copes with a key that is gone (expired,
    evicted), so none needs to learn a new answer: `get` gives the default, a
    throttle finds no history and allows; `add` says the key was absent, so a
    render lock is "taken" and the page is rendered without it; `incr` finds no
    key. django-redis's own IGNORE_EXCEPTIONS answers None to everything instead
    (a failed `add` would read as "someone else holds the lock", an `incr` as no
    number at all), pays the timeout on every call and logs a traceback each time.
    """

    def __init__(self, server, params):
        super().__init__(server, params)
        self.outage = outage_of(server)

    def _fail_open(self, call, *args, fallback=None, **kwargs):
        if self.outage.suspended():
            return fallback() if callable(fallback) else fallback
        try:
            result = call(*args, **kwargs)
        except UNREACHABLE as exc:
            self.outage.failed(exc)
            return fallback() if callable(fallback) else fallback
        self.outage.answered()
        return result

    def get(self, key, default=None, version=None, client=None):
        return self._fail_open(super().get, key, default, version, client, fallback=default)

    def get_many(self, *args, **kwargs):
        return self._fail_open(super().get_many, *args, fallback=dict, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._fail_open(super().has_key, *args, fallback=False, **kwargs)

    def add(self, *args, **kwargs):
        # Absent, as in an empty cache: whoever asks proceeds (fail open), nothing is kept.
        return self._fail_open(super().add, *args, fallback=True, **kwargs)

    def set(self, *args, **kwargs):
        return self._fail_open(super().set, *args, fallback=False, **kwargs)

    def set_many(self, data, *args, **kwargs):
        return self._fail_open(super().set_many, data, *args, fallback=lambda: list(data), **kwargs)

    def touch(self, *args, **kwargs):
        return self._fail_open(super().touch, *args, fallback=False, **kwargs)

    def delete(self, *args, **kwargs):
        return self._fail_open(super().delete, *args, fallback=False, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._fail_open(super().delete_many, *args, fallback=None, **kwargs)

    def incr(self, key, delta=1, *args, **kwargs):
        return self._fail_open(super().incr, key, delta, *args, fallback=_missing(key), **kwargs)

    def decr(self, key, delta=1, *args, **kwargs):
        return self._fail_open(super().decr, key, delta, *args, fallback=_missing(key), **kwargs)

    def clear(self):
        return self._fail_open(super().clear, fallback=None)

    def count_in_window(self, key: str, seconds: int) -> tuple[int, float] | None:
        """Count one more event under `key` in a window of `seconds` that starts at its first event, in one round trip.

        Returns the events counted in the window so far (this one included) and
        the seconds left in it; None while Redis cannot be reached (the caller
        allows, as a throttle finding no history does).
        """

        def count():
            full_key = self.make_key(key)
            pipeline = self.client.get_client(write=True).pipeline(transaction=True)
            # The window starts with its first event (SET NX with the expiry); INCR keeps the key's expiry.
            pipeline.set(full_key, 0, ex=seconds, nx=True)
            pipeline.incr(full_key)
            pipeline.pttl(full_key)
            _created, counted, left_ms = pipeline.execute()
            return counted, max(left_ms, 0) / 1000

        return self._fail_open(count, fallback=None)


def _missing(key):
    """incr/decr of a key an empty cache does not hold: Django's ValueError."""

    def answer():
        raise ValueError(f"Key '{key}' not found")

    return answer
