"""Shopper events: the validated shape (pure) and the durable SQLite store (one writer thread).

Durability: every write goes through one writer thread that commits with `BEGIN IMMEDIATE` on a WAL
database with `synchronous=FULL`, and the caller is answered only after the commit returned, so an
acknowledged event survives `kill -9` (and a power cut, which NORMAL would not promise in WAL mode).
Writes queued while a commit runs are committed together (group commit), each in its own savepoint so
one failing job does not undo the others. Reads use a separate read-only connection per thread.
"""

from __future__ import annotations

import contextlib
import json
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from assistant.errors import BadInput

log = logging.getLogger("shopmate.events")

EVENT_TYPES = ("view", "click", "add_to_cart", "remove_from_cart", "purchase", "dismiss", "search", "wishlist")
NEEDS_PRODUCT = frozenset(EVENT_TYPES) - {"search"}
CONTEXT_KEYS = {"device": 40, "referrer": 500, "page": 40, "size": 20}  # key -> max length
# Kept even without personalization consent: the shopper asked for them to be kept (cart, wishlist, orders).
EXPLICIT_KEEPS = frozenset({"add_to_cart", "remove_from_cart", "wishlist", "purchase"})
MAX_QUERY_CHARS = 500


@dataclass(frozen=True)
class Event:
    type: str
    ts: float
    product_id: str | None = None
    query: str | None = None
    context: dict[str, str] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


def _parse_ts(raw: Any, where: str) -> float:
    if isinstance(raw, bool):
        raise BadInput(f"{where}.ts must be unix seconds or an ISO-8601 time, got {raw!r}")
    if isinstance(raw, (int, float)):
        return float(raw)
    if isinstance(raw, str):
        try:
            dt = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            raise BadInput(f"{where}.ts {raw!r} is not an ISO-8601 time (e.g. 2026-01-31T12:00:00Z)") from None
        if dt.tzinfo is None:
            raise BadInput(f"{where}.ts {raw!r} has no timezone: add 'Z' or an offset")
        return dt.timestamp()
    raise BadInput(f"{where}.ts must be unix seconds or an ISO-8601 time, got {type(raw).__name__}")


def validate_events(
    body: Any, known_product: Callable[[str], bool], now: float, max_batch: int, max_future_s: float, max_age_s: float
) -> list[Event]:
    """Every event of a request, validated; BadInput naming the first bad one (so nothing is half-written)."""
    raw = body.get("events") if isinstance(body, dict) and "events" in body else body
    items = raw if isinstance(raw, list) else [raw]
    if not items:
        raise BadInput('no events: send one event object, a list of them or {"events": [...]}')
    if len(items) > max_batch:
        raise BadInput(f"batch of {len(items)} events is over the limit of {max_batch}: split it")
    out = []
    for i, e in enumerate(items):
        where = f"events[{i}]"
        if not isinstance(e, dict):
            raise BadInput(f'{where} must be an object like {{"type": "view", "product_id": "..."}}')
        extra = set(e) - {"type", "product_id", "query", "ts", "context"}
        if extra:
            raise BadInput(f"{where} has unknown fields {sorted(extra)}; allowed: type, product_id, query, ts, context")
        etype = e.get("type")
        if etype not in EVENT_TYPES:
            raise BadInput(f"{where}.type {etype!r} is unknown; use one of {list(EVENT_TYPES)}")
        pid = e.get("product_id")
        if etype in NEEDS_PRODUCT:
            if not isinstance(pid, str) or not pid:
                raise BadInput(f"{where}: a {etype} event needs a product_id")
            if not known_product(pid):
                raise BadInput(f"{where}.product_id {pid!r} is not in the catalog; ids come from search results")
        elif pid is not None:
            raise BadInput(f"{where}: a search event takes a query, not a product_id")
        query = e.get("query")
        if etype == "search":
            if not isinstance(query, str) or not query.strip():
                raise BadInput(f"{where}: a search event needs a non-empty query")
            if len(query) > MAX_QUERY_CHARS:
                raise BadInput(f"{where}.query is over {MAX_QUERY_CHARS} characters")
            query = " ".join(query.split())
        elif query is not None:
            raise BadInput(f"{where}: only search events carry a query")
        ts = now if e.get("ts") is None else _parse_ts(e["ts"], where)
        if ts > now + max_future_s:
            raise BadInput(f"{where}.ts is {ts - now:.0f}s in the future; send the time the event happened")
        if ts < now - max_age_s:
            raise BadInput(f"{where}.ts is older than the retention period; such events are not stored")
        ctx = e.get("context")
        if ctx is not None:
            if not isinstance(ctx, dict):
                raise BadInput(f"{where}.context must be an object with device/referrer/page/size")
            bad = set(ctx) - set(CONTEXT_KEYS)
            if bad:
                raise BadInput(f"{where}.context has unknown keys {sorted(bad)}; allowed: {sorted(CONTEXT_KEYS)}")
            for k, v in ctx.items():
                if not isinstance(v, str) or len(v) > CONTEXT_KEYS[k]:
                    raise BadInput(f"{where}.context.{k} must be a string of at most {CONTEXT_KEYS[k]} chars")
            ctx = dict(ctx) or None
        out.append(Event(etype, ts, pid, query, ctx))
    return out


SCHEMA = """
CREATE TABLE IF NOT EXISTS shoppers(
  id TEXT PRIMARY KEY, created REAL NOT NULL, consent_personalization INTEGER NOT NULL,
  consent_nudges INTEGER NOT NULL, prefs TEXT NOT NULL DEFAULT '{}', merged_into TEXT, account_id TEXT);
CREATE TABLE IF NOT EXISTS events(
  seq INTEGER PRIMARY KEY AUTOINCREMENT, shopper_id TEXT NOT NULL, type TEXT NOT NULL, product_id TEXT,
  query TEXT, ts REAL NOT NULL, context TEXT, profiled INTEGER NOT NULL DEFAULT 1);
CREATE INDEX IF NOT EXISTS events_by_shopper ON events(shopper_id, seq);
CREATE INDEX IF NOT EXISTS events_by_ts ON events(ts);
CREATE TABLE IF NOT EXISTS accounts(account_id TEXT PRIMARY KEY, shopper_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS nudges_sent(shopper_id TEXT NOT NULL, rule TEXT NOT NULL, product_id TEXT,
  ts REAL NOT NULL);
CREATE INDEX IF NOT EXISTS nudges_by_shopper ON nudges_sent(shopper_id, rule);
CREATE TABLE IF NOT EXISTS segments(id INTEGER PRIMARY KEY, name TEXT NOT NULL, size INTEGER NOT NULL,
  centroid BLOB NOT NULL, summary TEXT NOT NULL, refreshed REAL NOT NULL);
CREATE TABLE IF NOT EXISTS shopper_segment(shopper_id TEXT PRIMARY KEY, segment_id INTEGER NOT NULL);
"""

_STOP = object()


class Store:
    """The SQLite file: one writer thread for every write, per-thread read connections."""

    def __init__(self, path: Path, synchronous: str = "FULL"):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.synchronous = synchronous
        self._q: queue.Queue = queue.Queue()
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        self._writer = self._connect()
        self._writer.executescript(SCHEMA)
        self._thread = threading.Thread(target=self._run, name="shopmate-writer", daemon=True)
        self._closed = False
        self._thread.start()

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute(f"PRAGMA synchronous={self.synchronous}")
        con.execute("PRAGMA foreign_keys=ON")
        return con

    # --- writes -----------------------------------------------------------------------------------
    def write(self, job: Callable[[sqlite3.Connection], Any]) -> Any:
        """Run job(conn) in a committed transaction on the writer thread; returns after the commit."""
        if self._closed:
            raise RuntimeError("store is closed")
        fut: Future = Future()
        self._q.put((job, fut))
        return fut.result()

    def _run(self) -> None:
        con = self._writer
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
                for job, fut in batch:
                    con.execute("SAVEPOINT job")
                    try:
                        res = job(con)
                        con.execute("RELEASE job")
                        results.append((fut, res, None))
                    except BaseException as e:
                        con.execute("ROLLBACK TO job")
                        con.execute("RELEASE job")
                        results.append((fut, None, e))
                con.execute("COMMIT")
            except BaseException as e:
                log.error("commit failed: %s", type(e).__name__)
                with contextlib.suppress(sqlite3.Error):
                    con.execute("ROLLBACK")
                results = [(fut, None, e) for _, fut in batch]
            for fut, res, err in results:
                if err is None:
                    fut.set_result(res)
                else:
                    fut.set_exception(err)

    def close(self) -> None:
        """Drain queued writes, then stop the writer and close connections."""
        if self._closed:
            return
        self._closed = True
        self._q.put(_STOP)
        self._thread.join(timeout=60)
        self._writer.close()
        with self._readers_lock:
            for c in self._readers:
                with contextlib.suppress(sqlite3.Error):
                    c.close()
            self._readers.clear()

    # --- reads ------------------------------------------------------------------------------------
    def reader(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(
                f"file:{self.path}?mode=ro", uri=True, isolation_level=None, check_same_thread=False, timeout=30
            )
            con.row_factory = sqlite3.Row
            self._local.con = con
            with self._readers_lock:
                self._readers.append(con)
        return con

    def query(self, sql: str, args: Iterable[Any] = ()) -> list[sqlite3.Row]:
        return self.reader().execute(sql, tuple(args)).fetchall()


# --- write jobs (run on the writer thread) -----------------------------------------------------------
def insert_events(shopper_id: str, events: list[Event], profiled: bool) -> Callable[[sqlite3.Connection], int]:
    def job(con: sqlite3.Connection) -> int:
        con.executemany(
            "INSERT INTO events(shopper_id, type, product_id, query, ts, context, profiled) VALUES(?,?,?,?,?,?,?)",
            [
                (
                    shopper_id,
                    e.type,
                    e.product_id,
                    e.query,
                    e.ts,
                    json.dumps(e.context) if e.context else None,
                    int(profiled),
                )
                for e in events
            ],
        )
        return len(events)

    return job


def row_to_event(r: sqlite3.Row) -> Event:
    return Event(r["type"], r["ts"], r["product_id"], r["query"], json.loads(r["context"]) if r["context"] else None)


def now() -> float:
    return time.time()
