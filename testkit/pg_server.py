"""A PostgreSQL server for the store tests: $JIXIAO_TEST_PG (set by .ci/run), else a throw-away cluster
started here with Debian's postgresql package (.ci/postgres), else a reason to skip."""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

SCRIPT = Path(__file__).resolve().parents[1] / ".ci" / "postgres"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def server() -> Iterator[tuple[str, str]]:
    """Yields ("dsn", DSN) of a reachable server, or ("skip", why)."""
    if os.environ.get("JIXIAO_TEST_PG"):
        yield "dsn", os.environ["JIXIAO_TEST_PG"]  # CI: must work, so no skipping from here on
        return
    if not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")):
        yield "skip", "JIXIAO_TEST_PG is unset and no PostgreSQL server is installed (apt-get install postgresql)"
        return
    folder = Path(tempfile.mkdtemp(prefix="jixiao-pg-"))
    folder.chmod(0o755)  # the server runs as the postgres user when the tests run as root
    run = subprocess.run(["bash", str(SCRIPT), "start", str(folder / "cluster"), str(_free_port())],
                         capture_output=True, text=True, timeout=120)
    try:
        if run.returncode != 0:
            yield "skip", f"JIXIAO_TEST_PG is unset and a local PostgreSQL could not start: {run.stderr.strip()[-300:]}"
        else:
            yield "dsn", run.stdout.strip()
    finally:
        subprocess.run(["bash", str(SCRIPT), "stop", str(folder / "cluster")], capture_output=True, timeout=120)
        folder.rmdir() if folder.exists() and not any(folder.iterdir()) else None


@contextmanager
def fresh_database(dsn: str) -> Iterator[str]:
    """CREATE DATABASE for one test module, dropped afterwards; yields its DSN."""
    import psycopg

    name = f"jixiao_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(dsn, autocommit=True) as c:
        c.execute(f"CREATE DATABASE {name}")
    base, _, query = dsn.partition("?")
    try:
        yield base.rsplit("/", 1)[0] + "/" + name + (f"?{query}" if query else "")
    finally:
        with psycopg.connect(dsn, autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
