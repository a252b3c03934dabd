"""Served hybrid search against its floor (query encoding + FAISS search, measured side by side in this run),
with where the served time goes: p50 per step, from the server's own Server-Timing spans.

    python scripts/bench_search_stages.py [--index-dir data/index] [--queries 200] [--out FILE.json]

A fresh server is started on the index and, as in `make bench`, given one shopper's events (popularity to
rerank by); every timed query is new to it (the judged set's, as `make bench` takes them). Steps, in order:
`before_route` (from the request entering the app to the route: middleware, routing), `params` (reading
and checking the parameters), `hop` (to a worker thread), `token`, `personalize` (the reranker for this
shopper), `understand`, `filters` (masks, preferences, tiers), `lexical` (BM25), `encode` (the query's
embedding), `dense_search` (FAISS), `fusion`, `rerank`, `order_hits`, `notice`, `render` (cards and JSON); then
`http_and_framework`: all of the client's time outside the route, of which `outside_app` is what is left
after before_route (the connection, uvicorn, sending the response, the client itself). Queries alternate
between a lean keep-alive client (the headline: a server benchmark measures the server) and httpx.Client
(what a Python caller sees); both are printed, each with /healthz through it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.settings import Settings  # noqa: E402
from bench import floor, speed  # noqa: E402
from scripts.bench import fresh_queries  # noqa: E402


def main() -> None:
    s = Settings.from_env()
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index-dir", type=Path, default=s.index_dir)
    ap.add_argument("--queries", type=int, default=200, help="fresh queries (at most the judged set's)")
    ap.add_argument("--out", type=Path, default=None, help="also write the figures here (JSON)")
    a = ap.parse_args()
    used = [json.loads(line)["query"] for line in (ROOT / "bench" / "queries.jsonl").open() if line.strip()]
    queries = fresh_queries(used, a.queries)
    with speed.running_server(a.index_dir, extra_env=speed.SHARED_SERVER_ENV) as srv:
        # as in `make bench`, whose HTTP part leaves a shopper's events behind: the anonymous reranker then has
        # popularity to weigh (and explain)
        speed.personal_token(srv.base_url, used)
        r = floor.bench_floor(srv, a.index_dir, queries)
    load = os.getloadavg()[0]
    print(
        f"{r['queries']} queries new to the server, {srv.products} products, encoder {r['encoder']}, "
        f"load average {load:.2f} on {os.cpu_count()} cores ({'under load' if load > 0.5 else 'idle'})"
    )
    print(
        f"floor p50 {r['floor']['p50_ms']} ms (encode {r['query_encode']['p50_ms']} + FAISS "
        f"{r['faiss_search']['p50_ms']}); queries alternate between two clients"
    )
    for key, label in (("", "lean keep-alive client (headline)"), ("_httpx", "httpx.Client")):
        got = r[f"served_hybrid_uncached{key}"]
        print(
            f"served hybrid via {label}: p50 {got['p50_ms']} ms, p99 {got['p99_ms']} ms = "
            f"{r.get(f'served_p50_vs_floor_p50{key}')}x the floor ({r.get(f'served_p50_vs_own_floor_p50{key}')}x "
            f"its own queries' floor); /healthz p50 {r[f'healthz{key}']['p50_ms']} ms"
        )
    print(f"{'step':20} {'p50 ms':>8} {'mean ms':>8} {'p50 httpx':>10}")
    for name, ms in r["served_stages_p50_ms"].items():
        hx = r["served_stages_p50_ms_httpx"].get(name, 0.0)
        print(f"{name:20} {ms:>8.3f} {r['served_stages_mean_ms'][name]:>8.3f} {hx:>10.3f}")
    if a.out:
        a.out.write_text(json.dumps({**r, "load_average": load}, indent=2))


if __name__ == "__main__":
    main()
