"""Redis for tests that start real workers: is it there, and leave no queue behind."""

from __future__ import annotations

import json
import socket


def redis_running() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


def forget_queue(broker: str, queue: str) -> None:
    """Delete a test's queue, kombu's bindings of it, and the deliveries to it that a killed
    worker left unacknowledged (kombu would put them back in an hour)."""
    import redis

    client = redis.Redis.from_url(broker)
    client.delete(queue, *client.scan_iter(f"_kombu.binding*.{queue}"))
    for tag, raw in client.hgetall("unacked").items():
        if json.loads(raw)[-1] == queue:  # [message, exchange, routing key]
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)
    client.close()
