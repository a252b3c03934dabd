"""Search speed over HTTP against a real server process: modes side by side with /healthz, at 1 and N
concurrent clients, plus the personalized path, the server's RSS and the index size on disk."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import numpy as np

from bench.server import ServerProcess

ROOT = Path(__file__).resolve().parent.parent
# Settings every benchmark's server runs with: the chat benchmark's own message rate is not abuse, and a
# segment refresh in the middle of a timed run would be noise.
CHAT_BENCH_ENV = {"SHOPMATE_CHAT_RATE_PER_S": "1000"}
SHARED_SERVER_ENV = {**CHAT_BENCH_ENV, "SHOPMATE_SEGMENTS_REFRESH_S": "0"}
# RSS is read again this long after the last request: past the idle heap trim's rate limit (assistant/heap.py),
# so a trim held back by an earlier one has run; what an idle server holds, not what a burst left behind.
IDLE_READ_S = 11.0


def summary(xs: list[float]) -> dict:
    """p50/p99/mean in ms of a list of latencies in ms."""
    if not xs:
        return {"n": 0, "p50_ms": None, "p99_ms": None, "mean_ms": None}
    a = np.asarray(xs)
    return {
        "n": len(xs),
        "p50_ms": round(float(np.percentile(a, 50)), 3),
        "p99_ms": round(float(np.percentile(a, 99)), 3),
        "mean_ms": round(float(a.mean()), 3),
    }


class Server(ServerProcess):
    """A benchmark's server (bench.server.ServerProcess), its state in a temporary directory, per-client limits
    off: one load generator on one address plays many shoppers."""

    def __init__(
        self,
        index_dir: Path,
        catalog: Path | None = None,
        mapping: Path | None = None,
        extra_env: dict[str, str] | None = None,
    ):
        self.state = tempfile.mkdtemp(prefix="shopmate-bench-")
        env = {
            "SHOPMATE_INDEX_DIR": str(index_dir),
            "SHOPMATE_LOG_LEVEL": "warning",
            "SHOPMATE_DATA_DIR": self.state,
            # one load generator on one address plays many shoppers: per-client limits would measure themselves
            "SHOPMATE_RATE_SESSIONS": "",
            "SHOPMATE_RATE_EVENTS": "",
            "SHOPMATE_RATE_CHAT": "",
            "SHOPMATE_WS_MAX_CONNECTIONS_PER_CLIENT": "1000",
            # latency at up to 20 concurrent clients is measured here; shedding is measured by `make stress`
            "SHOPMATE_SHED_MAX_CONCURRENT": "64",
        }
        if catalog:
            env["SHOPMATE_CATALOG"] = str(catalog)
        if mapping:
            env["SHOPMATE_MAPPING"] = str(mapping)
        super().__init__({**env, **(extra_env or {})})
        self.products = 0

    def wait_ready(self, timeout: float = 1200, path: str = "/api/index") -> float:
        """Seconds until /api/index answers (the model and the index are loaded); notes its product count."""
        try:
            took = super().wait_ready(timeout, path)
        except RuntimeError as e:
            raise RuntimeError(f"the benchmark server did not start (run `make index` first?): {e}") from e
        self.products = int(httpx.get(self.base_url + path, timeout=10).json().get("count") or 0)
        return took

    def rss_mb_after_idle(self, seconds: float = IDLE_READ_S) -> float:
        """RSS after `seconds` without a request from this benchmark (the server's idle heap trim included)."""
        time.sleep(seconds)
        return self.rss_mb()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@contextmanager
def running_server(
    index_dir: Path, catalog: Path | None = None, mapping: Path | None = None, extra_env: dict[str, str] | None = None
) -> Iterator[Server]:
    """The one way the benchmarks start a server: own process, own temporary state, stopped afterwards."""
    srv = Server(index_dir, catalog, mapping, extra_env)
    try:
        srv.wait_ready()
        yield srv
    finally:
        srv.stop()


@contextmanager
def given_or_own(
    server: Server | None,
    index_dir: Path,
    catalog: Path | None = None,
    mapping: Path | None = None,
    extra_env: dict[str, str] | None = None,
) -> Iterator[Server]:
    """The server scripts/bench.py shares with every benchmark, or (a script run on its own) a new one."""
    if server is not None:
        yield server
        return
    with running_server(index_dir, catalog, mapping, extra_env) as srv:
        yield srv


@contextmanager
def quiet_gc() -> Iterator[None]:
    """No garbage collection in this (client) process while a timed block runs: a benchmark process holds a
    model and an index, and a full collection inside one request would be counted as the server's time."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def concurrent(
    base_url: str, clients: int, n_per_client: int, request: Callable[[httpx.Client, int], None]
) -> list[float]:
    """Latencies (ms) of clients x n_per_client requests made by `clients` threads at once."""
    out: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(clients)

    def worker(w: int) -> None:
        mine = []
        with httpx.Client(base_url=base_url, timeout=60) as c:
            request(c, w)  # warm the connection outside the measurement
            start.wait()
            for i in range(n_per_client):
                t = time.perf_counter()
                request(c, w * n_per_client + i)
                mine.append((time.perf_counter() - t) * 1000)
        with lock:
            out.extend(mine)

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def personal_token(base_url: str, queries: list[str]) -> tuple[str | None, str]:
    """A shopper with some history (views/carts of search results), or None if profiles are absent."""
    with httpx.Client(base_url=base_url, timeout=30) as c:
        r = c.post("/api/sessions")
        if r.status_code != 200:
            return None, f"POST /api/sessions answered {r.status_code}: profiles are not available"
        token = r.json()["token"]
        events = []
        for q in queries[:5]:
            hits = c.get("/api/search", params={"q": q, "k": 3}).json()["results"]
            events += [{"type": "view", "product_id": h["id"]} for h in hits]
            events += [{"type": "add_to_cart", "product_id": h["id"]} for h in hits[:1]]
        r = c.post("/api/events", json=events, headers={"Authorization": f"Bearer {token}"})
        if r.status_code != 200:
            return None, f"POST /api/events answered {r.status_code}: {r.text[:200]}"
        return token, f"anonymous shopper with {len(events)} view/add_to_cart events"


def bench_http(srv: Server, queries: list[str], n: int, clients: tuple[int, ...] = (1, 8)) -> tuple[dict, dict]:
    """Per mode and concurrency: p50/p99 of /api/search beside /healthz. Returns (summaries, raw samples)."""
    modes = {"bm25": {"mode": "lexical"}, "dense": {"mode": "dense"}, "hybrid": {"mode": "hybrid"}}
    token, note = personal_token(srv.base_url, queries)
    results: dict = {"personalized_shopper": note}
    raw: dict = {}
    for c in clients:
        per = max(1, n // c)
        key = f"concurrency_{c}"
        results[key], raw[key] = {}, {}

        def healthz(cl: httpx.Client, i: int) -> None:
            cl.get("/healthz")

        cases: dict[str, Callable[[httpx.Client, int], None]] = {"healthz": healthz}
        for name, params in modes.items():

            def search(cl: httpx.Client, i: int, params=params) -> None:
                r = cl.get("/api/search", params={"q": queries[i % len(queries)], "k": 10, **params})
                r.raise_for_status()

            cases[name] = search
        if token:

            def personal(cl: httpx.Client, i: int) -> None:
                r = cl.get(
                    "/api/search",
                    params={"q": queries[i % len(queries)], "k": 10},
                    headers={"Authorization": f"Bearer {token}"},
                )
                r.raise_for_status()

            cases["personalized"] = personal
        # Interleave the cases in rounds so that machine noise hits all of them alike.
        rounds = 3
        samples: dict[str, list[float]] = {name: [] for name in cases}
        gc.collect()
        gc.freeze()  # this client's garbage collector must not land in a timed request (see quiet_gc)
        for _ in range(rounds):
            for name, fn in cases.items():
                with quiet_gc():
                    samples[name] += concurrent(srv.base_url, c, max(1, per // rounds), fn)
        gc.unfreeze()
        for name, xs in samples.items():
            results[key][name] = summary(xs)
            raw[key][name] = xs
        if not token:
            results[key]["personalized"] = {"status": "not available", "reason": note}
    return results, raw


def index_size(index_dir: Path) -> dict:
    """Bytes on disk of the serving version, per file and per 1k products."""
    from index.store import current_version, read_manifest

    vdir = Path(index_dir) / str(current_version(index_dir))
    files = {f.name: f.stat().st_size for f in vdir.iterdir() if f.is_file()}
    count = read_manifest(Path(index_dir)).count
    total = sum(files.values())
    return {
        "products": count,
        "bytes": total,
        "mb_per_1k_products": round(total / count * 1000 / 2**20, 3),
        "files": files,
    }


_RSS_STEPS = r"""
import gc, json, sys
from pathlib import Path
def rss():
    return next(int(x.split()[1]) for x in open("/proc/self/status") if x.startswith("VmRSS:")) / 1024
steps = []
def mark(name):
    gc.collect()
    steps.append([name, round(rss(), 1)])
mark("python")
import numpy, faiss
mark("numpy + faiss imported")
from assistant.api.app import create_app
from assistant.settings import Settings
mark("the app's modules imported")
s = Settings.from_env()
from index.embedder import Embedder
e = Embedder(encoder=s.encoder, threads=s.compute_threads)
e.encode_query("warm up the encoder")
mark("encoder loaded, one query")
from index.store import load_index
idx = load_index(Path(sys.argv[1]), e.name, e.dim)
mark("index loaded (products, vectors, FAISS)")
from assistant.search.engine import SearchEngine
eng = SearchEngine(idx, e, candidates=s.search_candidates, rrf_k=s.rrf_k)
mark("search engine (BM25, filter columns)")
from assistant.suggest.service import load_autocomplete
eng.autocomplete = load_autocomplete(Path(sys.argv[1]), idx, e.encode, eng.vocab, eng.mask)
mark("autocomplete (phrases, vectors)")
for q in ("red dress", "running shoes for men", "gold necklace under 2000", "phone cover"):
    eng.search(q)
mark("after searches")
print(json.dumps({"steps": steps, "torch_imported": "torch" in sys.modules}))
"""


def rss_steps(index_dir: Path, encoder: str) -> dict:
    """RSS (MB) after each start-up step of a server on this index with this encoder, in a fresh process."""
    env = {**os.environ, "SHOPMATE_ENCODER": encoder, "HF_HUB_OFFLINE": "1"}
    r = subprocess.run(
        [sys.executable, "-c", _RSS_STEPS, str(index_dir)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if r.returncode != 0:
        return {"error": r.stderr[-500:]}
    got = json.loads(r.stdout.strip().splitlines()[-1])
    steps, prev = [], 0.0
    for name, mb in got["steps"]:
        steps.append({"step": name, "rss_mb": mb, "added_mb": round(mb - prev, 1)})
        prev = mb
    return {"encoder": encoder, "steps": steps, "torch_imported": got["torch_imported"]}


def served_rss_by_encoder(
    index_dir: Path, catalog: Path | None, mapping: Path | None, queries: list[str], encoders: tuple[str, ...]
) -> dict:
    """RSS of a real server (uvicorn) on the same index per encoder, one after the other in this run:
    at ready, right after searching and autocompleting every query once, and IDLE_READ_S later."""
    out = {}
    for enc in encoders:
        with running_server(index_dir, catalog, mapping, {**SHARED_SERVER_ENV, "SHOPMATE_ENCODER": enc}) as srv:
            at_start = srv.rss_mb()
            with httpx.Client(base_url=srv.base_url, timeout=60) as c:
                for q in queries:
                    c.get("/api/search", params={"q": q, "k": 10}).raise_for_status()
                    c.get("/api/autocomplete", params={"q": q[: max(2, len(q) // 2)]})
            after = srv.rss_mb()
            out[enc] = {
                "rss_mb_at_ready": at_start,
                "rss_mb_after_queries": after,
                "rss_mb_after_queries_idle": srv.rss_mb_after_idle(),
                "idle_s": IDLE_READ_S,
                "queries": len(queries),
            }
    return out
