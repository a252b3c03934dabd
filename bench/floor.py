"""Served hybrid search against its floor (query encoding + FAISS, measured side by side in the benchmark's own
process), with the server's per-step split read from its Server-Timing header: `make bench` and
`scripts/bench_search_stages.py`."""

from __future__ import annotations

import http.client
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx
import numpy as np

from bench.speed import Server, quiet_gc, summary


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
