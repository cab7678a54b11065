"""Real processes for tests about failures: a Redis server of the test's own, Celery workers and beat."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

CELERY = str(Path(sys.executable).with_name("celery"))


def database_url() -> str:
    """The URL of the test database this process uses, so that child processes use the same one."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


class RedisServer:
    """A redis-server on a port of its own (loopback only, nothing on disk), that a test may stop and start."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        assert wait_for(self.answers, 10), "redis-server did not start"

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False


def child_env(redis_url: str, **extra) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url(), "REDIS_URL": redis_url, "DEBUG": "False"}
    env.update({k: str(v) for k, v in extra.items()})
    return env


@contextlib.contextmanager
def celery_process(kind: str, env: dict, *args: str):
    """`celery -A census <kind>` (worker or beat) as a child process; its log is yielded for assertions."""
    log = tempfile.NamedTemporaryFile(prefix=f"celery-{kind}-", suffix=".log", delete=False)  # noqa: SIM115 -- read by the test
    command = [CELERY, "-A", "census", kind, "--loglevel=INFO", *args]
    if kind == "worker":
        command += ["--pool=solo", "--without-gossip", "--without-mingle", "--without-heartbeat"]
    process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield process, Path(log.name)
    finally:
        # Ended before the test database is flushed: no connection may outlive the test.
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()
        Path(log.name).unlink(missing_ok=True)


def run_python(code: str, env: dict, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run Django code in a fresh process (its settings come from `env`, as a web process's would)."""
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        cwd=settings.BASE_DIR,
        env={**env, "DJANGO_SETTINGS_MODULE": "census.settings"},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
