"""The reverse proxy (ops/nginx/default.conf.template) in front of a real gunicorn, on loopback.

Debian's nginx runs the very file docker compose mounts, rendered for the test's ports as the nginx
image renders it (envsubst of its two variables), in front of gunicorn shaped like a small production
server (2 sync workers: each handles one connection at a time). Slow clients that trickle their
headers byte by byte hold nginx connections, not workers, so a normal request is still answered; a
body over the limit is refused by nginx and never reaches gunicorn.
"""

import contextlib
import json
import os
import pwd
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
from django.db import connection

from harness.environment import child_env
from harness.ports import answers_http, free_port, wait_for
from harness.processes import gunicorn_command, started
from tests.processes import database_url

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "ops" / "nginx" / "default.conf.template"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
SLOW_CLIENTS = 8
# Generous: a normal request through the proxy takes milliseconds; without it, behind 2 sync workers held by
# slow clients, it waits for gunicorn's 30 s worker timeout.
ANSWERED_WITHIN = 10.0

pytestmark = [
    pytest.mark.skipif(NGINX is None, reason="nginx is not installed (Debian: apt-get install nginx)"),
    # So that pytest-django creates the test database, which gunicorn answers /healthz from on PostgreSQL.
    pytest.mark.django_db,
]


def render(template: str, **values: str) -> str:
    """What the nginx image's envsubst makes of the template: only the named variables are replaced."""
    for name, value in values.items():
        template = template.replace("${" + name + "}", value)
    assert "${" not in template, "a variable of the template was left unrendered"
    return template


def main_config(workdir: Path, server_config: Path) -> str:
    """The frame the nginx image's own nginx.conf gives the template (http {} around conf.d/*), in a test's folder."""
    user = f"user {pwd.getpwuid(os.getuid()).pw_name};" if os.getuid() == 0 else ""
    return f"""
{user}
worker_processes 1;
daemon off;
pid {workdir}/nginx.pid;
error_log {workdir}/error.log info;
events {{ worker_connections 512; }}
http {{
    access_log {workdir}/access.log;
    client_body_temp_path {workdir}/client_body;
    proxy_temp_path {workdir}/proxy;
    fastcgi_temp_path {workdir}/fastcgi;
    uwsgi_temp_path {workdir}/uwsgi;
    scgi_temp_path {workdir}/scgi;
    include {server_config};
}}
"""


@pytest.fixture(scope="module")
def stack(tmp_path_factory, django_db_setup):
    """gunicorn (2 sync workers) and nginx in front of it: (nginx port, gunicorn's access log)."""
    workdir = tmp_path_factory.mktemp("proxy")
    workdir.chmod(0o755)  # nginx's workers (another user when run as root) write their temporary files here
    web_port, proxy_port = free_port(), free_port()
    # Nothing here needs Redis; the database only answers /healthz: the test database on PostgreSQL, else
    # the embedded SQLite file (the test's own SQLite database lives in this process's memory).
    env = child_env(
        database_url() if connection.vendor == "postgresql" else None,
        drop=["REDIS_URL"],
        DJANGO_SETTINGS_MODULE="census.settings",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        CENSUS_TRUSTED_PROXIES="1",
        LOG_LEVEL="WARNING",
    )
    access_log = workdir / "gunicorn-access.log"
    gunicorn = gunicorn_command(
        "census.wsgi", web_port, "--workers", "2", "--worker-class", "sync",
        "--timeout", "30", "--access-logfile", str(access_log),
        "--access-logformat", '%(h)s "%(r)s" %(s)s xff=%({x-forwarded-for}i)s proto=%({x-forwarded-proto}i)s',
    )  # fmt: skip
    server_config = workdir / "census.conf"
    server_config.write_text(
        render(
            TEMPLATE.read_text(),
            CENSUS_UPSTREAM=f"127.0.0.1:{web_port}",
            NGINX_PORT=str(proxy_port),
            NGINX_CACHE_DIR=str(workdir / "cache"),
        )
    )
    config = workdir / "nginx.conf"
    config.write_text(main_config(workdir, server_config))
    checked = subprocess.run([NGINX, "-t", "-c", str(config)], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr

    with (
        started(gunicorn, workdir / "gunicorn.log", cwd=ROOT, env=env),
        started([NGINX, "-c", str(config)], workdir / "nginx.log") as nginx,
    ):
        assert wait_for(lambda: answers_http(web_port), 60), (workdir / "gunicorn.log").read_text()
        assert wait_for(lambda: answers_http(proxy_port), 30), (workdir / "error.log").read_text()
        yield proxy_port, access_log
        assert nginx.poll() is None, (workdir / "error.log").read_text()


def request(port: int, raw: bytes, timeout: float = ANSWERED_WITHIN) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
        conn.sendall(raw)
        answer = b""
        try:
            while chunk := conn.recv(65536):
                answer += chunk
        except ConnectionResetError:
            # After a 413 nginx waits a few seconds for the announced body, then resets the connection.
            if not answer:
                raise
        return answer


def post_headers(path: str, length: int, content_type: str = "application/x-www-form-urlencoded") -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {length}\r\nConnection: close\r\n\r\n"
    ).encode()


def gunicorn_saw(access_log: Path, path: str) -> list[str]:
    time.sleep(0.5)  # gunicorn writes its access line after the answer
    return [line for line in access_log.read_text().splitlines() if f" {path} " in line]


def test_slow_clients_trickling_headers_do_not_stop_a_normal_request_from_being_answered(stack):
    port, access_log = stack
    stop = threading.Event()
    held = []

    def trickle():
        # A request line, then one byte of a header every half second, never the blank line that ends them.
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
            held.append(conn)
            conn.sendall(b"GET /en/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            for byte in b"X-Slow: " + b"a" * 1000:
                if stop.wait(0.5):
                    return
                conn.sendall(bytes([byte]))

    slow = [threading.Thread(target=trickle, daemon=True) for _ in range(SLOW_CLIENTS)]
    for thread in slow:
        thread.start()
    try:
        assert wait_for(lambda: len(held) == SLOW_CLIENTS, 10)
        time.sleep(1.5)  # the slow clients are mid-headers

        started_at = time.monotonic()
        answer = request(port, b"GET /en/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        took = time.monotonic() - started_at
    finally:
        stop.set()
        for thread in slow:
            thread.join(timeout=5)

    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    assert took < ANSWERED_WITHIN
    # the slow clients never reached gunicorn: only the normal request did
    assert len(gunicorn_saw(access_log, "/en/login/")) == 1


def test_a_body_over_the_limit_is_refused_by_the_proxy_and_never_reaches_gunicorn(stack):
    port, access_log = stack

    answer = request(port, post_headers("/en/login/?over-the-limit", 2 * 1024 * 1024))

    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert gunicorn_saw(access_log, "/en/login/?over-the-limit") == []


def test_the_api_hears_a_body_over_the_limit_in_its_json_error_shape(stack):
    port, access_log = stack

    answer = request(port, post_headers("/api/v1/daily-counts/?over-the-limit", 2 * 1024 * 1024, "application/json"))

    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413"), head
    assert b"application/json" in head
    assert json.loads(body)["status"] == 413
    assert gunicorn_saw(access_log, "/api/v1/daily-counts/?over-the-limit") == []


def test_the_import_page_takes_a_file_of_the_largest_size_the_app_accepts_but_no_more(stack, settings):
    port, access_log = stack
    boundary = "census-test"
    part = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="counts.csv"\r\nContent-Type: text/csv\r\n\r\n'
    ).encode()
    end = f"\r\n--{boundary}--\r\n".encode()
    content_type = f"multipart/form-data; boundary={boundary}"

    # a file as large as CENSUS_IMPORT_MAX_BYTES passes the proxy and reaches the app (which, as this
    # request is anonymous, does not take it: the point is that gunicorn saw it)
    body = part + b"a" * settings.CENSUS_IMPORT_MAX_BYTES + end
    answer = request(port, post_headers("/ru/entry/import/?largest", len(body), content_type) + body)
    assert not answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert len(gunicorn_saw(access_log, "/ru/entry/import/?largest")) == 1

    # 7 MB does not
    answer = request(port, post_headers("/ru/entry/import/?too-large", 7 * 1024 * 1024, content_type))
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert gunicorn_saw(access_log, "/ru/entry/import/?too-large") == []


def test_gunicorn_learns_the_client_address_and_scheme_from_the_proxy(stack):
    port, access_log = stack

    answer = request(
        port, b"GET /healthz?forwarded HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-For: 203.0.113.9\r\nConnection: close\r\n\r\n"
    )

    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    (line,) = gunicorn_saw(access_log, "/healthz?forwarded")
    # what the client claimed, then the address nginx saw: the app believes only the last (CENSUS_TRUSTED_PROXIES=1)
    assert "xff=203.0.113.9, 127.0.0.1" in line
    assert "proto=http" in line


def test_the_proxy_keeps_an_anonymous_public_page_and_never_a_signed_in_visitors(stack):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: the public page reads the database, and on SQLite gunicorn cannot reach the test's")
    port, access_log = stack
    anonymous = b"GET /kk/public/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    signed_in = b"GET /kk/public/ HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: sessionid=abc\r\nConnection: close\r\n\r\n"

    first, second = request(port, anonymous), request(port, anonymous)
    with_session = request(port, signed_in)

    assert first.startswith(b"HTTP/1.1 200") and second.startswith(b"HTTP/1.1 200"), first[:200]
    assert b"Cache-Control: public, max-age=" in first
    assert b"X-Cache-Status: HIT" in second
    assert b"X-Cache-Status: BYPASS" in with_session
    # the anonymous copy was fetched once; the visitor with a session reached gunicorn
    assert len(gunicorn_saw(access_log, "/kk/public/")) == 2
