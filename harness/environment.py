"""What a child process is started with: this checkout, this virtualenv's programs, and a server's environment."""

import os
import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# Children run with DEBUG=False, as servers do, so they need a key of their own (settings refuse a public one).
CHILD_SECRET_KEY = secrets.token_urlsafe(50)


def child_env(
    database_url: str | None = None, redis_url: str | None = None, *, secret_key: str | None = None, drop=(), **extra
) -> dict:
    """This process's environment as a server's: DEBUG off and a key of its own, plus the given settings.

    `database_url` and `redis_url` replace this process's when given; names in `drop` are left out;
    `extra` are more variables (their values as text).
    """
    env = {**os.environ, "DEBUG": "False", "SECRET_KEY": secret_key or CHILD_SECRET_KEY}
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    if redis_url is not None:
        env["REDIS_URL"] = redis_url
    for name in drop:
        env.pop(name, None)
    env.update({k: str(v) for k, v in extra.items()})
    return env
