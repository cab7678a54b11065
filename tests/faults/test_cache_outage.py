"""The cache on a Redis that stopped: it answers as an empty cache that keeps nothing, warns once, and comes back by itself."""

import logging
import time

import pytest

from census.redis_outage import FailOpenRedisCache
from harness.servers import RedisServer

pytestmark = pytest.mark.redis


@pytest.fixture
def stopped_redis():
    redis = RedisServer()
    redis.start()
    redis.stop()
    yield redis
    redis.stop()


def test_a_cache_whose_redis_stopped_answers_as_an_empty_cache_and_warns_once(stopped_redis, settings, caplog):
    # given
    settings.REDIS_RETRY_SECONDS = 60
    cache = FailOpenRedisCache(stopped_redis.url, {"OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1}})

    # when / then: what every caller of a cache already copes with (a key that is gone), never an error
    with caplog.at_level(logging.WARNING, logger="census.redis_outage"):
        assert cache.get("history", []) == []
        assert cache.get_many(["a", "b"]) == {}
        assert cache.has_key("history") is False
        assert cache.add("render-lock", 1, 120) is True, "a lock nobody can hold must not keep anyone waiting"
        assert cache.set("history", [1]) is False
        assert cache.delete("render-lock") is False
        with pytest.raises(ValueError):
            cache.incr("attempts")
        assert cache.get_or_set("page", "rendered") == "rendered"

    # and the log says so once, not once per call
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert f"127.0.0.1:{stopped_redis.port} does not answer" in warnings[0].getMessage()


def test_the_cache_is_used_again_once_redis_is_back(stopped_redis, settings, caplog):
    # given: Redis failed once, so the cache leaves it alone for a while
    settings.REDIS_RETRY_SECONDS = 0.5
    cache = FailOpenRedisCache(stopped_redis.url, {"OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1}})
    assert cache.set("k", "v") is False

    # when: Redis is back and that while has passed
    stopped_redis.start()
    time.sleep(0.6)

    # then
    with caplog.at_level(logging.WARNING, logger="census.redis_outage"):
        assert cache.set("k", "v") is True
        assert cache.get("k") == "v"
        assert cache.add("k", "other") is False, "a lock someone holds is held again"
    assert any("answers again" in r.getMessage() for r in caplog.records)
