"""The embedded backend: one SQLite file, one writer thread, a bounded pool of read connections.

Durability: every write goes through one writer thread that commits with `BEGIN IMMEDIATE` on a WAL
database with `synchronous=FULL`, and the caller is answered only after the commit returned, so an
acknowledged event survives `kill -9` (and a power cut, which NORMAL would not promise in WAL mode).
Writes queued while a commit runs are committed together (group commit), each in its own savepoint so
one failing job does not undo the others. `close()` drains the queue before it stops.

Reads borrow a connection from a bounded pool; connections idle for `reader_idle_s` are closed (so
file descriptors do not grow with the number of worker threads that ever read).

Erasure reaches the disk: `secure_delete` overwrites deleted content, and after an erase the WAL is
checkpointed and truncated so no copy of the erased rows stays in `-wal` either.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

from assistant.shoppers.sqlstore import SqlShopperStore, Tx, migrate

log = logging.getLogger("shopmate.events")
T = TypeVar("T")
_STOP = object()


class _SqliteTx:
    def __init__(self, con: sqlite3.Connection):
        self.con = con

    def run(self, sql: str, args: tuple = ()) -> sqlite3.Cursor:
        return self.con.execute(sql, args)

    def many(self, sql: str, rows: list[tuple]) -> None:
        self.con.executemany(sql, rows)


class ReaderPool:
    """At most `size` read-only connections; borrowed per query, closed after `idle_s` unused."""

    def __init__(self, path: Path, size: int = 4, idle_s: float = 10.0):
        self.path, self.size, self.idle_s = path, size, idle_s
        self._idle: list[tuple[sqlite3.Connection, float]] = []
        self._open = 0
        self._cond = threading.Condition()
        self._closed = False
        self._stop = threading.Event()
        self._reaper = threading.Thread(target=self._reap_loop, name="shopmate-reader-reaper", daemon=True)
        self._reaper.start()

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(
            f"file:{self.path}?mode=ro", uri=True, isolation_level=None, check_same_thread=False, timeout=30
        )
        return con

    @contextlib.contextmanager
    def borrow(self) -> Iterator[sqlite3.Connection]:
        with self._cond:
            while not self._idle and self._open >= self.size:
                if self._closed:
                    raise RuntimeError("store is closed")
                self._cond.wait()
            if self._closed:
                raise RuntimeError("store is closed")
            if self._idle:
                con = self._idle.pop()[0]
            else:
                self._open += 1
                con = None
        if con is None:
            try:
                con = self._connect()
            except BaseException:
                with self._cond:
                    self._open -= 1
                    self._cond.notify()
                raise
        try:
            yield con
        finally:
            with self._cond:
                if self._closed:
                    self._open -= 1
                    con.close()
                else:
                    self._idle.append((con, time.monotonic()))
                self._cond.notify()

    def reap(self) -> int:
        """Close connections unused for idle_s; returns how many were closed."""
        cutoff = time.monotonic() - self.idle_s
        with self._cond:
            old = [c for c, t in self._idle if t < cutoff]
            self._idle = [(c, t) for c, t in self._idle if t >= cutoff]
            self._open -= len(old)
        for c in old:
            with contextlib.suppress(sqlite3.Error):
                c.close()
        return len(old)

    def _reap_loop(self) -> None:
        while not self._stop.wait(max(self.idle_s / 2, 0.05)):
            self.reap()

    def close(self) -> None:
        self._stop.set()
        with self._cond:
            self._closed = True
            idle, self._idle = self._idle, []
            self._open -= len(idle)
            self._cond.notify_all()
        for c, _ in idle:
            with contextlib.suppress(sqlite3.Error):
                c.close()


class SqliteStore(SqlShopperStore):
    """The SQLite file. Hooks for a slow disk (tests inject real sleeps or waits with them):
    `before_commit()` runs on the writer thread just before each COMMIT, `on_read(sql)` before each read."""

    def __init__(
        self,
        path: Path,
        synchronous: str = "FULL",
        readers: int = 4,
        reader_idle_s: float = 10.0,
        before_commit: Callable[[], None] | None = None,
        on_read: Callable[[str], None] | None = None,
    ):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.synchronous = synchronous
        self.before_commit = before_commit
        self.on_read = on_read
        self._q: queue.Queue = queue.Queue()
        self._writer = self._connect()
        self._writer.execute("BEGIN IMMEDIATE")
        try:
            applied = migrate(_SqliteTx(self._writer), "sqlite")
            self._writer.execute("COMMIT")
        except BaseException:
            self._writer.execute("ROLLBACK")
            raise
        if applied:
            log.info("shopper store %s: applied migrations %s", self.path.name, applied)
        self.readers = ReaderPool(self.path, readers, reader_idle_s)
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="shopmate-writer", daemon=True)
        self._thread.start()

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute(f"PRAGMA synchronous={self.synchronous}")
        con.execute("PRAGMA foreign_keys=ON")
        con.execute("PRAGMA secure_delete=ON")  # deleted rows are overwritten, not left in free pages
        return con

    # --- mechanics for SqlShopperStore --------------------------------------------------------------
    def _write(self, job: Callable[[Tx], T], erase: bool = False) -> T:
        """Run job in a committed transaction on the writer thread; returns after the commit."""
        if self._closed:
            raise RuntimeError("store is closed")
        fut: Future = Future()
        self._q.put((job, fut, erase))
        return fut.result()

    def _rows(self, sql: str, args: tuple = ()) -> list[Any]:
        if self.on_read is not None:
            self.on_read(sql)
        with self.readers.borrow() as con:
            return con.execute(sql, args).fetchall()

    # --- the writer thread ----------------------------------------------------------------------------
    def _run(self) -> None:
        con = self._writer
        tx = _SqliteTx(con)
        while True:
            first = self._q.get()
            if first is _STOP:
                break
            batch = [first]
            while len(batch) < 256:  # group commit: whatever queued up while we were busy
                try:
                    nxt = self._q.get_nowait()
                except queue.Empty:
                    break
                if nxt is _STOP:
                    self._q.put(_STOP)
                    break
                batch.append(nxt)
            results: list[tuple[Future, Any, BaseException | None]] = []
            try:
                con.execute("BEGIN IMMEDIATE")
                for job, fut, _ in batch:
                    con.execute("SAVEPOINT job")
                    try:
                        res = job(tx)
                        con.execute("RELEASE job")
                        results.append((fut, res, None))
                    except BaseException as e:
                        con.execute("ROLLBACK TO job")
                        con.execute("RELEASE job")
                        results.append((fut, None, e))
                if self.before_commit is not None:
                    self.before_commit()
                con.execute("COMMIT")
            except BaseException as e:
                log.error("commit failed: %s", type(e).__name__)
                with contextlib.suppress(sqlite3.Error):
                    con.execute("ROLLBACK")
                results = [(fut, None, e) for _, fut, _ in batch]
            if any(erase for _, _, erase in batch):
                self._checkpoint()
            for fut, res, err in results:
                if err is None:
                    fut.set_result(res)
                else:
                    fut.set_exception(err)

    def _checkpoint(self) -> None:
        """Copy the WAL into the main file and truncate it (the erased rows' old pages live in the WAL)."""
        for _ in range(50):
            busy = self._writer.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            if not busy:
                return
            time.sleep(0.01)  # a reader holds an older snapshot: it finishes within a query
        log.warning("WAL checkpoint after an erase stayed busy; it completes at the next one")

    def close(self) -> None:
        """Drain queued writes, then stop the writer and close every connection (readers first, so the
        last connection to close checkpoints and removes the WAL)."""
        if self._closed:
            return
        self._closed = True
        self._q.put(_STOP)
        self._thread.join(timeout=60)
        self.readers.close()
        with contextlib.suppress(sqlite3.Error):
            self._writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self._writer.close()
