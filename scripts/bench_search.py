"""Search benchmark, side by side in one run: build products/s (full and 1% incremental), query
p50/p99 for BM25 only, dense only and hybrid, HTTP round trip vs /healthz, and the server's RSS.

    python scripts/bench_search.py [--index-dir data/index] [--build-sample 2000] [--out bench/search.json]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from assistant.search.engine import SearchEngine  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from bench.speed import running_server, summary  # noqa: E402
from index.build import build_index  # noqa: E402
from index.catalog import Mapping  # noqa: E402
from index.embedder import Embedder  # noqa: E402
from index.store import load_index  # noqa: E402

DEFAULT_QUERIES = [
    "red cotton shirt for men",
    "running shoes",
    "women's watch under 1000",
    "gold necklace",
    "sneakers",
    "formal shirt",
    "back cover for samsung galaxy",
    "kurta for women",
    "leather belt",
    "coffee mug",
    "baby towel",
    "car mat",
    "usb charger",
    "blue jeans",
    "party dress",
    "sunglasses",
    "wallet for men",
    "wall sticker",
    "bedsheet double",
    "asics gel",
    "earrings",
    "analog watch for men",
    "shorts for girls",
    "laptop skin",
    "sports shoes for boys",
    "wedding jewellery set",
    "curtains",
    "lipstick",
    "router",
    "boots",
]


def load_queries(path: Path) -> list[str]:
    if path.exists():
        return [json.loads(line)["query"] for line in path.open(encoding="utf-8") if line.strip()]
    return DEFAULT_QUERIES


def bench_build(catalog: Path, mapping: Mapping, embedder: Embedder, sample: int) -> dict:
    """Full build of a sample of the catalog, then a rebuild after editing 1% of it."""
    rows = list(csv.DictReader(catalog.open(encoding="utf-8")))
    random.Random(0).shuffle(rows)
    rows = rows[:sample] if sample else rows
    title_col = mapping.column("title")
    with tempfile.TemporaryDirectory() as tmp:
        cat = Path(tmp) / "sample.csv"

        def write(rs):
            with cat.open("w", encoding="utf-8", newline="") as f:
                w = csv.DictWriter(f, fieldnames=list(rs[0]))
                w.writeheader()
                w.writerows(rs)

        write(rows)
        full = build_index(cat, Path(tmp) / "idx", embedder, mapping)
        for r in rows[: max(1, len(rows) // 100)]:
            r[title_col] += " (edited)"
        write(rows)
        inc = build_index(cat, Path(tmp) / "idx", embedder, mapping)
    return {
        "products": full.count,
        "full_seconds": round(full.seconds, 2),
        "full_products_per_s": round(full.count / full.seconds, 1),
        "incremental_1pct_seconds": round(inc.seconds, 2),
        "incremental_embedded": inc.embedded,
        "incremental_products_per_s": round(inc.count / inc.seconds, 1),
    }


def bench_queries(engine: SearchEngine, queries: list[str], rounds: int) -> dict:
    """In-process latency per mode; queries interleaved by mode so machine noise hits all alike."""
    out: dict[str, dict] = {}
    times: dict[str, list[float]] = {m: [] for m in ("lexical", "dense", "hybrid")}
    cold: dict[str, list[float]] = {m: [] for m in times}
    for r in range(rounds):
        if r == 1:  # round 0 cleared the cache per query: fill it so later rounds time the search alone
            for q in queries:
                engine.embedder.encode_query(q)
        for q in queries:
            for mode in times:
                if r == 0 and mode != "lexical":
                    engine.embedder._cache.clear()  # first round: the query is embedded every time
                t = time.perf_counter()
                engine.search(q, k=10, mode=mode)
                dt = (time.perf_counter() - t) * 1000
                (cold if r == 0 else times)[mode].append(dt)
    for mode in times:
        out[mode] = {"uncached_query": summary(cold[mode]), "cached_query_embedding": summary(times[mode])}
    return out


def bench_server(index_dir: Path, queries: list[str], n: int) -> dict:
    with running_server(index_dir) as srv, httpx.Client(base_url=srv.base_url, timeout=30) as c:
        health, search = [], []
        for i in range(n):
            q = queries[i % len(queries)]
            t = time.perf_counter()
            c.get("/healthz")
            health.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            c.get("/api/search", params={"q": q, "k": 10})
            search.append((time.perf_counter() - t) * 1000)
        rss = srv.rss_mb()
    return {"healthz_http": summary(health), "search_http": summary(search), "server_rss_mb": rss}


def main() -> None:
    settings = Settings.from_env()
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--index-dir", default=str(settings.index_dir))
    ap.add_argument("--catalog", default=str(settings.catalog))
    ap.add_argument("--mapping", default=str(settings.mapping) if settings.mapping else None)
    ap.add_argument("--queries", default=str(ROOT / "bench" / "queries.jsonl"))
    ap.add_argument("--build-sample", type=int, default=2000, help="products in the build benchmark (0: all)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--http-requests", type=int, default=300)
    ap.add_argument("--out", default=str(ROOT / "bench" / "search.json"))
    a = ap.parse_args()
    embedder = Embedder()
    queries = load_queries(Path(a.queries))
    engine = SearchEngine(load_index(Path(a.index_dir), embedder.name, embedder.dim), embedder)
    result = {
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "catalog_products": len(engine.products),
        "queries": len(queries),
        "build": bench_build(Path(a.catalog), Mapping.load(a.mapping), embedder, a.build_sample),
        "query_latency": bench_queries(engine, queries, a.rounds),
        "server": bench_server(Path(a.index_dir), queries, a.http_requests),
    }
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(result, indent=2))
    b = result["build"]
    print(f"catalog: {result['catalog_products']} products, {len(queries)} queries, {os.cpu_count()} CPUs")
    print(
        f"build: {b['full_products_per_s']} products/s full ({b['products']} products); 1% edit rebuild "
        f"{b['incremental_1pct_seconds']}s ({b['incremental_embedded']} re-embedded)"
    )
    print(f"{'mode':8} {'uncached p50':>13} {'p99':>8} {'cached p50':>11} {'p99':>8}")
    for mode, d in result["query_latency"].items():
        u, c = d["uncached_query"], d["cached_query_embedding"]
        print(f"{mode:8} {u['p50_ms']:>13} {u['p99_ms']:>8} {c['p50_ms']:>11} {c['p99_ms']:>8}")
    s = result["server"]
    print(
        f"HTTP /api/search p50 {s['search_http']['p50_ms']} ms p99 {s['search_http']['p99_ms']} ms; "
        f"/healthz p50 {s['healthz_http']['p50_ms']} ms; server RSS {s['server_rss_mb']} MB"
    )
    print(f"written to {a.out}")


if __name__ == "__main__":
    main()
