"""The replicas' backend: PostgreSQL through psycopg 3 and a connection pool (`SHOPMATE_DATABASE_URL`).

Every replica runs the same versioned migrations at start-up (serialised by an advisory lock, so two
replicas starting at once do not race). Writes commit before they return (PostgreSQL's default
`synchronous_commit=on`), so an acknowledged event survives the death of the replica that took it.
Replicas tell each other about index reloads with LISTEN/NOTIFY on one channel; a shopper's own
changes are picked up through the per-shopper version (see `Shoppers.refresh`).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import psycopg
from psycopg_pool import ConnectionPool

from assistant.shoppers.sqlstore import SqlShopperStore, Tx, migrate

log = logging.getLogger("shopmate.events")
T = TypeVar("T")
CHANNEL = "shopmate"
MIGRATION_LOCK = 0x5A0B  # pg_advisory_xact_lock key: one replica migrates at a time


@functools.lru_cache(maxsize=512)
def pg_sql(sql: str) -> str:
    """The shared SQL with psycopg's placeholders (the shared SQL has no '?' or '%' in literals)."""
    return sql.replace("?", "%s")


class _PgTx:
    def __init__(self, con: psycopg.Connection):
        self.con = con

    def run(self, sql: str, args: tuple = ()) -> psycopg.Cursor:
        return self.con.execute(pg_sql(sql), args)

    def many(self, sql: str, rows: list[tuple]) -> None:
        if rows:
            with self.con.cursor() as cur:
                cur.executemany(pg_sql(sql), rows)


class PostgresStore(SqlShopperStore):
    shared = True

    def __init__(self, url: str, min_size: int = 1, max_size: int = 8):
        self.url = url
        self.pool = ConnectionPool(url, min_size=min_size, max_size=max_size, open=True, name="shopmate")
        self.pool.wait(timeout=30)
        with self.pool.connection() as con, con.transaction():
            con.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            applied = migrate(_PgTx(con), "postgres")
        if applied:
            log.info("shopper store: applied migrations %s", applied)
        self._listener: threading.Thread | None = None
        self._listen_con: psycopg.Connection | None = None
        self._stop = threading.Event()

    def _write(self, job: Callable[[Tx], T], erase: bool = False) -> T:
        with self.pool.connection() as con, con.transaction():
            return job(_PgTx(con))

    def _rows(self, sql: str, args: tuple = ()) -> list[Any]:
        with self.pool.connection() as con:
            return con.execute(pg_sql(sql), args).fetchall()

    # --- cross-replica messages -------------------------------------------------------------------
    def notify(self, payload: str) -> None:
        with self.pool.connection() as con:
            con.execute("SELECT pg_notify(%s, %s)", (CHANNEL, payload))

    def listen(self, callback: Callable[[str], None]) -> None:
        """Call callback(payload) for every NOTIFY on the channel, from a background thread."""
        con = psycopg.connect(self.url, autocommit=True)
        con.execute(f"LISTEN {CHANNEL}")
        self._listen_con = con

        def run() -> None:
            while not self._stop.is_set():
                try:
                    for n in con.notifies(timeout=1.0):
                        try:
                            callback(n.payload)
                        except Exception as e:  # a failed handler must not stop the listener
                            log.warning("notification handler failed: %s", type(e).__name__)
                except psycopg.Error:
                    if not self._stop.is_set():
                        log.warning("lost the notification connection")
                    return

        self._listener = threading.Thread(target=run, name="shopmate-listen", daemon=True)
        self._listener.start()

    def close(self) -> None:
        self._stop.set()
        if self._listener is not None:
            self._listener.join(timeout=5)
        if self._listen_con is not None:
            with contextlib.suppress(psycopg.Error):
                self._listen_con.close()
        self.pool.close()
