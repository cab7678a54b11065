"""Starting and ending child processes: gunicorn, Celery worker and beat, Django code in a fresh process.

Every child is ended by its own PID: SIGTERM first (gunicorn and Celery shut down warm, finishing what
they hold), SIGKILL only if it does not end in time.
"""

import contextlib
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from harness.environment import BIN, ROOT

# Workers of different runs may share one Redis: they need not know of each other, and the chatter only slows start-up.
QUIET_WORKER = ["--without-gossip", "--without-mingle", "--without-heartbeat"]


def stop(process: subprocess.Popen, timeout: float = 15, kill_timeout: float | None = None) -> None:
    """End a child: SIGTERM, then SIGKILL if it has not ended after `timeout` seconds."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=kill_timeout)


def gunicorn_command(app: str, port: int, *options: str) -> list[str]:
    """gunicorn serving the WSGI `app` on 127.0.0.1:port (loopback only), with more options."""
    return [str(BIN / "gunicorn"), app, "--bind", f"127.0.0.1:{port}", *options]


def celery_command(kind: str, *options: str) -> list[str]:
    """`celery -A census <kind>` (worker or beat) with more options."""
    return [str(BIN / "celery"), "-A", "census", kind, *options]


@contextlib.contextmanager
def started(command: list[str], log: Path, timeout: float = 15, **kwargs):
    """A child whose output goes to `log`, ended on leaving the block."""
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, **kwargs)
    try:
        yield process
    finally:
        stop(process, timeout)


@contextlib.contextmanager
def celery_process(kind: str, env: dict, *args: str):
    """`celery -A census <kind>` (worker or beat) as a child process; its log is yielded for assertions."""
    log = tempfile.NamedTemporaryFile(prefix=f"celery-{kind}-", suffix=".log", delete=False)  # noqa: SIM115 -- read by the test
    command = celery_command(kind, "--loglevel=INFO", *args)
    if kind == "worker":
        command += ["--pool=solo", *QUIET_WORKER]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield process, Path(log.name)
    finally:
        # Ended before the test database is flushed: no connection may outlive the test.
        stop(process, 15)
        log.close()
        Path(log.name).unlink(missing_ok=True)


def run_python(code: str, env: dict, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run Django code in a fresh process (its settings come from `env`, as a web process's would)."""
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "census.settings"},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


class Children:
    """Named children sharing one environment, each logging to <workdir>/<name>.log and ended by its own PID."""

    def __init__(self, env: dict, workdir: Path):
        self.env, self.workdir, self.children = env, workdir, []

    def start(self, name: str, command: list[str]) -> subprocess.Popen:
        log = open(self.workdir / f"{name}.log", "wb")  # noqa: SIM115 -- kept open for the child's lifetime
        # The commands are built from this virtualenv's own executables.
        process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        self.children.append((name, process, log))
        return process

    def stop(self, name: str, timeout: float = 60) -> None:
        for child_name, process, log in self.children:
            if child_name == name and process.poll() is None:
                stop(process, timeout, kill_timeout=10)
                log.close()

    def stop_all(self) -> None:
        for name, _process, _log in reversed(self.children):
            self.stop(name)

    def cpu_seconds(self) -> dict:
        """CPU time (user + system) each child and its descendants have used so far: where the machine's time went."""
        # Imported here: psutil comes with locust, which only the load test installs and uses.
        import psutil

        used = {}
        for name, process, _log in self.children:
            try:
                tree = psutil.Process(process.pid)
                members = [tree, *tree.children(recursive=True)]
            except psutil.NoSuchProcess:
                continue
            total = 0.0
            for member in members:
                try:
                    times = member.cpu_times()
                    total += times.user + times.system
                except psutil.NoSuchProcess:
                    pass
            used[name] = round(total, 1)
        return used

    def log(self, name: str) -> str:
        return (self.workdir / f"{name}.log").read_text(errors="replace")
