"""Servers of a test's own: a redis-server and a PostgreSQL cluster on free loopback ports, that a test may stop,
restart or break without touching the shared ones."""

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from harness.ports import answers_redis, free_port, wait_for


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
        return answers_redis(self.port)


class PostgresServer:
    """A PostgreSQL cluster of the test's own (temporary data directory, loopback port, trust auth, no fsync).

    A test may restart or stop it without touching the shared server. initdb and the
    server refuse to run as root, so as root they run as the `postgres` system user.
    `unavailable()` says why a cluster cannot be made here, for a skip with a reason.
    """

    def __init__(self):
        self.bindir = self._bindir()
        self.port = free_port()
        self.base = None
        self.running = False

    @staticmethod
    def _bindir() -> Path | None:
        found = [Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin") if Path(p, "initdb").is_file()]
        return max(found, key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0) if found else None

    def unavailable(self) -> str | None:
        if self.bindir is None:
            return "no PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb) on this machine"
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                return "running as root and there is no `postgres` system user to run initdb as"
            if not shutil.which("runuser"):
                return "running as root and there is no runuser to run initdb as the `postgres` user"
        return None

    def _run(self, tool: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        command = [str(self.bindir / tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout, cwd="/")

    @property
    def datadir(self) -> str:
        return str(Path(self.base, "data"))

    @property
    def _logfile(self) -> str:
        # The server's output goes here: a pipe would be held open by the server pg_ctl leaves running.
        return str(Path(self.base, "server.log"))

    def start(self):
        """Create the cluster and start it; raises RuntimeError with initdb's or pg_ctl's output if either fails."""
        self.base = tempfile.mkdtemp(prefix="census-pg-")
        if os.geteuid() == 0:
            shutil.chown(self.base, user="postgres")
        made = self._run("initdb", "-D", self.datadir, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync")
        if made.returncode != 0:
            raise RuntimeError(f"initdb failed: {made.stderr or made.stdout}")
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories='' "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=30"
        )
        started = self._run("pg_ctl", "start", "-w", "-t", "30", "-D", self.datadir, "-l", self._logfile, "-o", options)
        if started.returncode != 0:
            raise RuntimeError(f"pg_ctl start failed: {started.stderr or started.stdout}\n{self.log()}")
        self.running = True

    def restart(self, mode: str = "fast"):
        """Stop the server (fast: sessions are ended and their transactions rolled back; immediate: as on a crash) and start it."""
        assert mode in ("fast", "immediate"), mode
        restarted = self._run("pg_ctl", "restart", "-w", "-t", "30", "-m", mode, "-D", self.datadir, "-l", self._logfile)
        if restarted.returncode != 0:
            raise RuntimeError(f"pg_ctl restart failed: {restarted.stderr or restarted.stdout}\n{self.log()}")

    def stop(self):
        """Stop the server and delete the cluster."""
        if self.running:
            self._run("pg_ctl", "stop", "-w", "-t", "30", "-m", "immediate", "-D", self.datadir)
            self.running = False
        if self.base:
            shutil.rmtree(self.base, ignore_errors=True)
            self.base = None

    def url(self, dbname: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}"

    def connect(self, dbname: str = "postgres"):
        """A psycopg2 connection in autocommit mode, for statements a test runs on the cluster itself."""
        # Imported here: only a PostgreSQL test reaches this, and SQLite runs need not have the driver.
        import psycopg2

        conn = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=dbname, connect_timeout=5)
        conn.autocommit = True
        return conn

    def log(self) -> str:
        path = Path(self.base or "/nonexistent", "server.log")
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""
