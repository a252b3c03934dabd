"""Search speed over HTTP against a real server process: modes side by side with /healthz, at 1 and N
concurrent clients, plus the personalized path, the server's RSS and the index size on disk."""

from __future__ import annotations

import gc
import http.client
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
from urllib.parse import urlencode

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


class LeanClient:
    """A keep-alive HTTP/1.1 GET client on the standard library's http.client, as load generators (wrk, hey)
    are: it costs the timed request a few tens of microseconds of this process's CPU where httpx.Client
    costs around a millisecond on this class of machine (measured side by side in bench_floor)."""

    def __init__(self, base_url: str, timeout: float = 60):
        host, _, port = base_url.removeprefix("http://").partition(":")
        self.conn = http.client.HTTPConnection(host, int(port or 80), timeout=timeout)

    def get(self, path: str, params: dict | None = None, headers: dict | None = None) -> tuple[int, dict, bytes]:
        """(status, lower-cased headers, body) of one GET on the kept-alive connection."""
        url = f"{path}?{urlencode(params)}" if params else path
        self.conn.request("GET", url, headers=headers or {})
        r = self.conn.getresponse()
        body = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, body

    def close(self) -> None:
        self.conn.close()


def bench_floor(srv: Server, index_dir: Path, queries: list[str], candidates: int = 200) -> dict:
    """Served hybrid search against its floor, side by side: the floor of one search is encoding the query
    (the server's encoder and thread count, no cache) plus the FAISS search for the candidates, measured in
    this process; each query is then sent once to the server (its query cache has not seen it: the queries
    given must be new to this server). Interleaved per query, so machine noise hits both alike.

    Two clients take turns, query by query (a query is sent once: a second send would hit the server's
    caches): a lean keep-alive client (LeanClient), whose figure is the headline because a server benchmark
    measures the server, and httpx.Client, whose own CPU per request is part of what a Python caller sees;
    both are reported, with /healthz through each (the client's own cost, near enough)."""
    import faiss
    from threadpoolctl import threadpool_limits

    from assistant.settings import Settings
    from index.embedder import Embedder
    from index.store import load_index

    s = Settings.from_env()
    emb = Embedder(encoder=s.encoder, threads=s.compute_threads)
    omp = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(s.compute_threads)  # as the server does (limit_compute_threads)
    index = load_index(index_dir, emb.name, emb.dim)
    enc_ms: list[float] = []
    faiss_ms: list[float] = []
    clients = ("lean", "httpx")
    served: dict[str, list[float]] = {c: [] for c in clients}
    health: dict[str, list[float]] = {c: [] for c in clients}
    floor_of: dict[str, list[float]] = {c: [] for c in clients}
    stages: dict[str, list[dict[str, float]]] = {c: [] for c in clients}
    lean = LeanClient(srv.base_url)
    # BLAS limited as the server limits it (assistant.api.app.limit_compute_threads); the encoder has its own.
    with (
        httpx.Client(base_url=srv.base_url, timeout=60) as hx,
        quiet_gc(),
        threadpool_limits(s.compute_threads, "blas"),
    ):

        def via_httpx(path: str, params: dict | None = None) -> tuple[int, dict, bytes]:
            r = hx.get(path, params=params)
            return r.status_code, {"server-timing": r.headers.get("server-timing", "")}, r.content

        get = {"lean": lean.get, "httpx": via_httpx}
        for name in clients:
            get[name]("/healthz")
        emb.encode(["warm up the encoder"])
        for i, q in enumerate(queries):
            name = clients[i % 2]
            t = time.perf_counter()
            v = emb.encode([q])[0]
            t1 = time.perf_counter()
            index.vector_index.search(v, candidates)
            t2 = time.perf_counter()
            status, headers, _ = get[name]("/api/search", {"q": q, "k": 10, "mode": "hybrid"})
            t3 = time.perf_counter()
            get[name]("/healthz")
            t4 = time.perf_counter()
            if status != 200:
                raise RuntimeError(f"/api/search answered {status} for {q!r}")
            enc_ms.append((t1 - t) * 1000)
            faiss_ms.append((t2 - t1) * 1000)
            floor_of[name].append((t2 - t) * 1000)
            served[name].append((t3 - t2) * 1000)
            health[name].append((t4 - t3) * 1000)
            stages[name].append(server_timing(headers.get("server-timing", ""), (t3 - t2) * 1000))
    lean.close()
    faiss.omp_set_num_threads(omp)
    floor = [a + b for a, b in zip(enc_ms, faiss_ms, strict=True)]
    out: dict = {
        "encoder": s.encoder,
        "threads": s.compute_threads,
        "queries": len(queries),
        "client": "lean keep-alive client (http.client), the headline; httpx.Client figures beside it (*_httpx)",
        "query_encode": summary(enc_ms),
        "faiss_search": summary(faiss_ms),
        "floor": summary(floor),
        "served_hybrid_uncached": summary(served["lean"]),
        "served_hybrid_uncached_httpx": summary(served["httpx"]),
        "healthz": summary(health["lean"]),
        "healthz_httpx": summary(health["httpx"]),
    }
    if floor:
        fp50 = out["floor"]["p50_ms"]
        for key, name in (("", "lean"), ("_httpx", "httpx")):
            got = out[f"served_hybrid_uncached{key}"]["p50_ms"]
            out[f"served_p50_vs_floor_p50{key}"] = round(got / fp50, 3) if got is not None else None
            # the same ratio against the floor of just the queries this client sent (a check on the split)
            own = summary(floor_of[name])["p50_ms"]
            out[f"served_p50_vs_own_floor_p50{key}"] = round(got / own, 3) if got is not None and own else None
    out["served_stages_p50_ms"] = stage_p50s(stages["lean"])
    out["served_stages_mean_ms"] = stage_p50s(stages["lean"], "mean")
    out["served_stages_p50_ms_httpx"] = stage_p50s(stages["httpx"])
    return out


def server_timing(header: str, client_ms: float) -> dict[str, float]:
    """The server's own spans of one search (its Server-Timing header, ms), plus what the client saw beyond
    them: `http_and_framework` is all of the time outside the route (of which `before_route` is from the
    request entering the app to the route starting: middleware, FastAPI's parameter parsing, the thread-pool
    hop), `outside_app` the rest (the connection, uvicorn, sending the response, the client itself)."""
    spans: dict[str, float] = {}
    for part in header.split(","):
        name, _, dur = part.strip().partition(";dur=")
        if name and dur:
            spans[name] = float(dur)
    if "route" in spans:
        spans["http_and_framework"] = client_ms - spans["route"]
        spans["outside_app"] = client_ms - spans["route"] - spans.get("before_route", 0.0)
    return spans


def stage_p50s(stages: list[dict[str, float]], stat: str = "p50") -> dict[str, float]:
    """p50 (or "mean": the means add up to the mean total) in ms of every span over the searches, in the order
    the server reports them (a span a search did not have counts 0)."""
    names = list(dict.fromkeys(name for st in stages for name in st))
    agg = (lambda a: np.percentile(a, 50)) if stat == "p50" else np.mean
    return {name: round(float(agg([st.get(name, 0.0) for st in stages])), 3) for name in names}


# A server's start-up step by step in a fresh process (as Services.start does it): where its RSS goes.
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
