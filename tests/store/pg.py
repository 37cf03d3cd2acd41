"""The PostgreSQL server the tests use: its URL, a fresh schema per test, restarting it.

``OPENREWARD_NB_TEST_PG_URL`` names a throw-away database; every test works in its own
schema there (named after this host and process, dropped afterwards), so parallel runs
of the suite never meet. ``OPENREWARD_NB_TEST_PG_CLUSTER`` (``15/main``) lets a test
restart the server with ``pg_ctlcluster``.
"""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from ..helpers import skip_unless_ci

PG_URL_ENV = "OPENREWARD_NB_TEST_PG_URL"
CLUSTER_ENV = "OPENREWARD_NB_TEST_PG_CLUSTER"
HOW_TO_ENABLE = (
    f"PostgreSQL tests are off: set {PG_URL_ENV}=postgresql://USER:PASSWORD@HOST:PORT/DATABASE "
    "(a throw-away database; each test gets its own schema in it; .ci/run shows a setup)"
)
_HOST_TAG = hashlib.sha1(socket.gethostname().encode()).hexdigest()[:6]
_PREFIX = f"ornbt_{_HOST_TAG}_"
_swept = False


def server_url() -> str:
    """The test server's URL; skips (fails in CI) when none is configured."""
    url = os.environ.get(PG_URL_ENV)
    if not url:
        skip_unless_ci(HOW_TO_ENABLE)
    return url


def in_schema(url: str, schema: str) -> str:
    """``url`` with ``schema`` first on the search path."""
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"


def admin():
    """An autocommit connection to the test database."""
    import psycopg

    return psycopg.connect(server_url(), autocommit=True)


def _sweep_stale_schemas() -> None:
    """Drop schemas left by earlier runs on this host whose process is gone (a killed run)."""
    global _swept
    if _swept:
        return
    _swept = True
    with admin() as conn:
        found = conn.execute("SELECT nspname FROM pg_namespace WHERE starts_with(nspname, %s)", (_PREFIX,))
        names = [r[0] for r in found]
        for name in names:
            pid = int(name[len(_PREFIX) :].split("_")[0])
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


@contextmanager
def fresh_schema() -> Iterator[str]:
    """A store URL in a new, empty schema of the test database, dropped afterwards."""
    _sweep_stale_schemas()
    name = f"{_PREFIX}{os.getpid()}_{uuid.uuid4().hex[:10]}"
    with admin() as conn:
        conn.execute(f'CREATE SCHEMA "{name}"')
    try:
        yield in_schema(server_url(), name)
    finally:
        with admin() as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


def wait_until_ready(timeout: float = 60.0) -> None:
    """Return once the server accepts connections again."""
    import psycopg

    deadline = time.monotonic() + timeout
    while True:
        try:
            psycopg.connect(server_url(), connect_timeout=2).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def restart_server() -> None:
    """Restart the test server (``pg_ctlcluster VERSION NAME restart``) and wait until it is back."""
    cluster = os.environ.get(CLUSTER_ENV, "")
    if "/" not in cluster:
        skip_unless_ci(f"restarting PostgreSQL needs {CLUSTER_ENV}=VERSION/NAME (e.g. 15/main) and pg_ctlcluster")
    version, name = cluster.split("/", 1)
    subprocess.run(["pg_ctlcluster", version, name, "restart"], check=True, capture_output=True, timeout=120)
    wait_until_ready()


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
