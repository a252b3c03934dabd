"""Replicas on PostgreSQL beside the embedded SQLite store, measured side by side in one run: events/s
ingested and personalized search p50/p99 (and searches/s) for SQLite 1 process, PostgreSQL 1 replica and
PostgreSQL 2 replicas behind a round-robin client.

Every configuration runs as real `python -m assistant` processes on the same index; PostgreSQL is a
throwaway cluster started from the machine's server binaries (initdb/pg_ctl), or the server named by
SHOPMATE_BENCH_DATABASE_URL (a database per configuration is created in it). The configurations are measured
in interleaved rounds (SQLite, PG 1, PG 2, then again), so a change of load on a shared machine hits all
three alike; each figure is over all rounds.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx

from bench.speed import Server, summary

SECRET = {"SHOPMATE_SECRET": "bench-replicas-one-secret", "SHOPMATE_SEGMENTS_REFRESH_S": "0"}


# --- a throwaway PostgreSQL (also the test suite's) -----------------------------------------------------
def _as_postgres(cmd: str) -> subprocess.CompletedProcess:
    """Run cmd as the postgres user when we are root (the server refuses to run as root)."""
    if os.geteuid() == 0:
        return subprocess.run(["su", "postgres", "-s", "/bin/bash", "-c", cmd], capture_output=True, text=True)
    return subprocess.run(["/bin/bash", "-c", cmd], capture_output=True, text=True)


def server_bin_dir() -> str | None:
    """Where initdb and pg_ctl are: on PATH, or Debian's versioned folder (not on PATH by default)."""
    if shutil.which("initdb") and shutil.which("pg_ctl"):
        return str(Path(shutil.which("initdb") or "").parent)
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return str(found[-1].parent) if found else None


@contextlib.contextmanager
def throwaway_postgres(port: int) -> Iterator[str]:
    """postgresql:// URL of a fresh cluster (its `postgres` database), stopped and deleted afterwards.
    RuntimeError when no server binaries exist or the server does not start."""
    bin_dir = server_bin_dir()
    if bin_dir is None:
        raise RuntimeError("no PostgreSQL server binaries (initdb, pg_ctl): `make postgres` installs them")
    data = Path(tempfile.mkdtemp(prefix="shopmate-pg-"))
    if os.geteuid() == 0:
        shutil.chown(data, "postgres", "postgres")
    opts = f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=on"
    r = _as_postgres(
        f"{bin_dir}/initdb -D {data}/db -A trust -U postgres >{data}/initdb.log 2>&1 && "
        f"{bin_dir}/pg_ctl -D {data}/db -l {data}/server.log -w -o '{opts}' start"
    )
    if r.returncode != 0:
        log = (data / "server.log").read_text() if (data / "server.log").exists() else ""
        shutil.rmtree(data, ignore_errors=True)
        raise RuntimeError(f"could not start PostgreSQL: {r.stderr[-1500:]} {log[-1500:]}")
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        _as_postgres(f"{bin_dir}/pg_ctl -D {data}/db -m fast -w stop")
        shutil.rmtree(data, ignore_errors=True)


def new_database(server_url: str) -> str:
    import psycopg

    name = "bench_" + secrets.token_hex(4)
    with psycopg.connect(server_url, autocommit=True) as con:
        con.execute(f"CREATE DATABASE {name}")
    return server_url.rsplit("/", 1)[0] + "/" + name


# --- load ------------------------------------------------------------------------------------------------
def _fan_out(
    bases: list[str], clients: int, n_per_client: int, request: Callable[[httpx.Client, int], None]
) -> tuple[list[float], float]:
    """(latencies ms, wall s) of clients x n_per_client requests; request i goes to bases[i % len(bases)]."""
    lat: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)

    def worker(w: int) -> None:
        mine = []
        conns = [httpx.Client(base_url=b, timeout=60) for b in bases]
        try:
            for c in conns:
                request(c, -1 - w)  # warm every connection outside the measurement
            start.wait()
            for i in range(n_per_client):
                c = conns[(w + i) % len(conns)]  # round robin: every client spreads over every replica
                t = time.perf_counter()
                request(c, w * n_per_client + i)
                mine.append((time.perf_counter() - t) * 1000)
        finally:
            for c in conns:
                c.close()
        with lock:
            lat.extend(mine)

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(clients)]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    return lat, time.perf_counter() - t0


class Setup:
    """One configuration: its server processes and the shoppers (tokens) it measures with."""

    def __init__(self, name: str, servers: list[Server]):
        self.name, self.servers = name, servers
        self.bases = [s.base_url for s in servers]
        self.tokens: list[str] = []
        self.products: list[str] = []
        self.ingest: list[float] = []
        self.ingest_wall = 0.0
        self.events = 0
        self.search: list[float] = []
        self.search_wall = 0.0

    def prepare(self, queries: list[str], shoppers: int) -> None:
        with httpx.Client(base_url=self.bases[0], timeout=60) as c:
            for q in queries[:10]:
                self.products += [h["id"] for h in c.get("/api/search", params={"q": q, "k": 10}).json()["results"]]
            self.tokens = [c.post("/api/sessions").json()["token"] for _ in range(shoppers)]

    def run_ingest(self, clients: int, requests: int, batch: int) -> None:
        def post(c: httpx.Client, i: int) -> None:
            token = self.tokens[abs(i) % len(self.tokens)]
            events = [
                {"type": "view", "product_id": self.products[(i * batch + j) % len(self.products)]}
                for j in range(batch)
            ]
            r = c.post("/api/events", json=events, headers={"Authorization": f"Bearer {token}"})
            r.raise_for_status()

        lat, wall = _fan_out(self.bases, clients, requests, post)
        self.ingest += lat
        self.ingest_wall += wall
        self.events += clients * requests * batch

    def run_search(self, queries: list[str], clients: int, requests: int) -> None:
        def get(c: httpx.Client, i: int) -> None:
            token = self.tokens[abs(i) % len(self.tokens)]
            params: dict[str, str | int] = {"q": queries[abs(i) % len(queries)], "k": 10}
            r = c.get("/api/search", params=params, headers={"Authorization": f"Bearer {token}"})
            r.raise_for_status()

        lat, wall = _fan_out(self.bases, clients, requests, get)
        self.search += lat
        self.search_wall += wall

    def result(self) -> dict:
        ingest = summary(self.ingest)
        return {
            "replicas": len(self.servers),
            "events_per_s": round(self.events / self.ingest_wall, 1) if self.ingest_wall else None,
            "ingest_request_ms": {"p50": ingest["p50_ms"], "p99": ingest["p99_ms"], "n": ingest["n"]},
            "personalized_search_ms": summary(self.search),
            "searches_per_s": round(len(self.search) / self.search_wall, 1) if self.search_wall else None,
        }


def cores() -> dict:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {"cpu_count": os.cpu_count(), "usable_by_this_process": usable, "load_average": os.getloadavg()}


def run(
    index_dir: Path,
    queries: list[str],
    catalog: Path | None = None,
    mapping: Path | None = None,
    rounds: int = 3,
    clients: int = 8,
    ingest_requests: int = 40,
    batch: int = 5,
    search_requests: int = 40,
    shoppers: int = 16,
) -> dict:
    """The three configurations, measured in interleaved rounds; a dict for results.json."""
    database = os.environ.get("SHOPMATE_BENCH_DATABASE_URL")
    started = time.perf_counter()
    with contextlib.ExitStack() as stack:
        if database:
            pg = database
        else:
            from bench.server import free_port as _free_port

            pg = stack.enter_context(throwaway_postgres(_free_port()))

        def start(extra: dict[str, str]) -> Server:
            srv = Server(index_dir, catalog, mapping, {**SECRET, **extra})
            stack.callback(srv.stop)
            return srv

        pg1, pg2 = new_database(pg), new_database(pg)
        servers = {
            "sqlite_1_process": [start({})],
            "postgres_1_replica": [start({"SHOPMATE_DATABASE_URL": pg1})],
            "postgres_2_replicas": [start({"SHOPMATE_DATABASE_URL": pg2}) for _ in range(2)],
        }
        for group in servers.values():
            for srv in group:
                srv.wait_ready()
        setups = [Setup(name, group) for name, group in servers.items()]
        for s in setups:
            s.prepare(queries, shoppers)
        for _ in range(rounds):  # interleaved: load changes on a shared machine hit every configuration
            for s in setups:
                s.run_ingest(clients, ingest_requests, batch)
            for s in setups:
                s.run_search(queries, clients, search_requests)
        out = {s.name: s.result() for s in setups}
    base, one, two = out["sqlite_1_process"], out["postgres_1_replica"], out["postgres_2_replicas"]
    return {
        "configurations": out,
        "ratios": {
            "pg1_search_p99_over_sqlite": _ratio(
                one["personalized_search_ms"]["p99_ms"], base["personalized_search_ms"]["p99_ms"]
            ),
            "pg2_over_pg1_events_per_s": _ratio(two["events_per_s"], one["events_per_s"]),
            "pg2_over_pg1_searches_per_s": _ratio(two["searches_per_s"], one["searches_per_s"]),
        },
        "goals": {"pg1_search_p99_over_sqlite_at_most": 1.5, "pg2_over_pg1_throughput_at_least": 1.6},
        "cores": cores(),
        "setup": {
            "index_dir": _shown(index_dir),
            "postgres": "SHOPMATE_BENCH_DATABASE_URL" if database else "throwaway cluster (initdb), fsync on",
            "rounds": rounds,
            "clients": clients,
            "events_per_request": batch,
            "ingest_requests_per_client_per_round": ingest_requests,
            "search_requests_per_client_per_round": search_requests,
            "shoppers": shoppers,
            "queries": len(queries),
        },
        "seconds": round(time.perf_counter() - started, 1),
    }


def _shown(path: Path) -> str:
    """The index directory as the report names it: relative to the repository, else only its name."""
    root = Path(__file__).resolve().parent.parent
    resolved = path.resolve()
    return str(resolved.relative_to(root)) if resolved.is_relative_to(root) else resolved.name


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a and b else None


def markdown(r: dict) -> str:
    """The report's section: the three configurations side by side."""
    c = r["cores"]
    lines = [
        f"{c['cpu_count']} CPUs ({c['usable_by_this_process']} usable), load average at the end "
        f"{', '.join(f'{x:.1f}' for x in c['load_average'])}; clients: {r['setup']['clients']} threads, "
        f"{r['setup']['events_per_request']} events per request, {r['setup']['rounds']} interleaved rounds.",
        "",
        "| configuration | events/s | ingest request p50 / p99 ms | personalized search p50 / p99 ms | searches/s |",
        "|---|---|---|---|---|",
    ]
    for name, v in r["configurations"].items():
        s, i = v["personalized_search_ms"], v["ingest_request_ms"]
        lines.append(
            f"| {name.replace('_', ' ')} | {v['events_per_s']} | {i['p50']} / {i['p99']} | "
            f"{s['p50_ms']} / {s['p99_ms']} | {v['searches_per_s']} |"
        )
    ra = r["ratios"]
    lines += [
        "",
        f"PostgreSQL 1 replica search p99 / SQLite: **{ra['pg1_search_p99_over_sqlite']}×** (goal ≤ 1.5×); "
        f"2 replicas / 1: events/s **{ra['pg2_over_pg1_events_per_s']}×**, searches/s "
        f"**{ra['pg2_over_pg1_searches_per_s']}×** (goal ≥ 1.6× on a machine with cores to spare).",
    ]
    return "\n".join(lines)
