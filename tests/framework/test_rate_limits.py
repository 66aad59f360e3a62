"""Rate limits on Redis, shared by every server process."""

from __future__ import annotations

import socket

import pytest

from tests.conftest import client_for


def _redis_running() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_running(), reason="no Redis on 127.0.0.1:6379")
def test_rate_limits_are_shared_through_redis(make_app):
    """Two app instances (two processes in production) count against one limit."""
    import redis

    redis.Redis(host="127.0.0.1", port=6379, db=15).flushdb()
    settings = dict(RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/15", RATELIMIT_LOGIN="3 per minute")
    first, second = client_for(make_app(**settings)), client_for(make_app(**settings))
    login = {"email": "x@example.com", "password": "wrong password!"}
    codes = [first.submit("/login", login).status_code, second.submit("/login", login).status_code,
             first.submit("/login", login).status_code, second.submit("/login", login).status_code]
    assert codes == [400, 400, 400, 429]
    store = redis.Redis(host="127.0.0.1", port=6379, db=15)
    assert any(b"login" in key for key in store.keys("*"))  # the counters live in Redis
    store.flushdb()
