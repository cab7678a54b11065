"""Loopback ports: a free one to bind a child to, and waiting until something answers there."""

import socket
import time


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now (the kernel's choice), for a child to bind."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, seconds: float, step: float = 0.2, sleep=None) -> bool:
    """Whether `condition()` came true within `seconds`, asked every `step` seconds.

    `sleep` is for a caller running gevent (the load test passes gevent.sleep, so that its users go on meanwhile).
    """
    sleep = sleep or time.sleep
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        sleep(step)
    return False


def answers_http(port: int, path: str = "/healthz") -> bool:
    """Whether a web server on the port answers a request at all (any status: it is up, whatever it says)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
            conn.sendall(f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".encode())
            return conn.recv(16).startswith(b"HTTP/1.")
    except OSError:
        return False


def answers_redis(port: int) -> bool:
    """Whether a Redis server on the port answers PING."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False
