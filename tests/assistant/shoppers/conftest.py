"""A real PostgreSQL 15 for the store's tests, started from the machine's server binaries (initdb, pg_ctl)
once per session and stopped at its end; tests skip (saying why) only when no server binary exists."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import free_port


def _as_postgres(cmd: str) -> subprocess.CompletedProcess:
    """Run cmd as the postgres user when we are root (the server refuses to run as root)."""
    if os.geteuid() == 0:
        return subprocess.run(["su", "postgres", "-s", "/bin/bash", "-c", cmd], capture_output=True, text=True)
    return subprocess.run(["/bin/bash", "-c", cmd], capture_output=True, text=True)


def _server_bin_dir() -> str | None:
    """Where initdb and pg_ctl are: on PATH, or Debian's versioned folder (not on PATH by default)."""
    if shutil.which("initdb") and shutil.which("pg_ctl"):
        return str(Path(shutil.which("initdb") or "").parent)
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return str(found[-1].parent) if found else None


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """postgresql:// URL of a throwaway server (the `postgres` database of a fresh cluster)."""
    bin_dir = _server_bin_dir()
    if bin_dir is None:
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl): `make postgres` installs Debian's package")
    data = Path(tempfile.mkdtemp(prefix="shopmate-pg-"))
    if os.geteuid() == 0:
        shutil.chown(data, "postgres", "postgres")
    port = free_port()
    opts = f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=on"
    r = _as_postgres(
        f"{bin_dir}/initdb -D {data}/db -A trust -U postgres >{data}/initdb.log 2>&1 && "
        f"{bin_dir}/pg_ctl -D {data}/db -l {data}/server.log -w -o '{opts}' start"
    )
    if r.returncode != 0:
        log = (data / "server.log").read_text() if (data / "server.log").exists() else ""
        raise RuntimeError(f"could not start PostgreSQL: {r.stderr[-1500:]} {log[-1500:]}")
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        _as_postgres(f"{bin_dir}/pg_ctl -D {data}/db -m fast -w stop")
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server) -> str:
    """A fresh, empty database on the session's server (one per test)."""
    import psycopg

    name = "t_" + secrets.token_hex(6)
    with psycopg.connect(postgres_server, autocommit=True) as con:
        con.execute(f"CREATE DATABASE {name}")
    return postgres_server.rsplit("/", 1)[0] + "/" + name
