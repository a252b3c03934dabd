"""A real PostgreSQL for the store's tests, started from the machine's server binaries (initdb, pg_ctl) once
per session and stopped at its end (the benchmark starts its own the same way: `bench/replicas.py`); tests
skip (saying why) only when no server binary exists."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest

from bench.replicas import server_bin_dir, throwaway_postgres
from tests.conftest import free_port


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """postgresql:// URL of a throwaway server (the `postgres` database of a fresh cluster)."""
    if server_bin_dir() is None:
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl): `make postgres` installs Debian's package")
    with throwaway_postgres(free_port()) as url:
        yield url


@pytest.fixture
def postgres_url(postgres_server) -> str:
    """A fresh, empty database on the session's server (one per test)."""
    import psycopg

    name = "t_" + secrets.token_hex(6)
    with psycopg.connect(postgres_server, autocommit=True) as con:
        con.execute(f"CREATE DATABASE {name}")
    return postgres_server.rsplit("/", 1)[0] + "/" + name
