"""Personalization benchmark, side by side in one run against a real `python -m assistant` server:
search p50/p99 for an anonymous visitor vs a shopper with a profile (the overhead ratio), and event
ingestion (events/s, each acknowledged only after its SQLite commit) for single events and batches.

    python scripts/bench_personalization.py [--index-dir data/index] [--queries 200] [--out bench/personalization.json]

Without a built index in --index-dir it builds the tiny test catalog into --work-dir (bench/tmp/) first.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import httpx  # noqa: E402
import numpy as np  # noqa: E402

from bench.paths import shown  # noqa: E402
from bench.speed import SHARED_SERVER_ENV, Server, given_or_own, summary  # noqa: E402
from index.store import current_version, load_index  # noqa: E402

QUERIES = [
    "shoes",
    "running shoes",
    "watch",
    "shirt for men",
    "dress",
    "blue jeans",
    "sneakers",
    "gold ring",
    "coffee mug",
    "back cover",
    "boots for women",
    "formal shoes",
    "t-shirt",
    "sunglasses",
    "wallet",
]


def ensure_index(index_dir: Path, work_dir: Path) -> tuple[Path, Path]:
    if current_version(index_dir):
        return index_dir, ROOT / "data" / "catalog" / "flipkart-20k.csv"
    tiny = ROOT / "data" / "catalog" / "tiny.csv"
    d = work_dir / "bench_tiny_index"
    if not current_version(d):
        subprocess.run(
            [sys.executable, "scripts/rebuild_index.py", "--catalog", str(tiny), "--index-dir", str(d)],
            cwd=ROOT,
            check=True,
        )
    return d, tiny


def main(argv: list[str] | None = None, *, server: Server | None = None) -> int:
    """scripts/bench.py passes its running server (over the same --index-dir)."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index-dir", type=Path, default=ROOT / "data" / "index")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--events", type=int, default=2000)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "personalization.json")
    ap.add_argument(
        "--work-dir", type=Path, default=ROOT / "bench" / "tmp", help="where the tiny index is built if needed"
    )
    a = ap.parse_args(argv)
    index_dir, catalog = ensure_index(a.index_dir, a.work_dir)
    from index.embedder import MODEL_NAME

    ids = [p.id for p in load_index(index_dir, MODEL_NAME, 384).products]
    with given_or_own(server, index_dir, catalog, extra_env=SHARED_SERVER_ENV) as srv:
        base = srv.base_url
        rng = np.random.default_rng(1)
        with httpx.Client(base_url=base, timeout=30) as c:
            tok = c.post("/api/sessions").json()["token"]
            h = {"Authorization": f"Bearer {tok}"}
            hist = [
                {"type": t, "product_id": ids[int(i)]}
                for t, i in zip(
                    rng.choice(["view", "click", "add_to_cart"], 40), rng.integers(0, len(ids), 40), strict=False
                )
            ]
            c.post("/api/events", json=hist, headers=h).raise_for_status()
            for q in QUERIES:  # warm the query-embedding cache for both sides alike
                c.get("/api/search", params={"q": q})
            anon, personal = [], []
            for i in range(a.queries):
                q = QUERIES[i % len(QUERIES)]
                for hdr, sink in (({}, anon), (h, personal)) if i % 2 else ((h, personal), ({}, anon)):
                    t0 = time.perf_counter()
                    c.get("/api/search", params={"q": q, "k": 10}, headers=hdr).raise_for_status()
                    sink.append((time.perf_counter() - t0) * 1000)

        def ingest(n_clients: int, per_client: int, batch: int) -> float:
            toks = []
            with httpx.Client(base_url=base, timeout=30) as c:
                toks = [c.post("/api/sessions").json()["token"] for _ in range(n_clients)]

            def run(tok: str, seed: int) -> None:
                r = np.random.default_rng(seed)
                with httpx.Client(base_url=base, timeout=30) as c:
                    for _ in range(per_client):
                        evs = [{"type": "view", "product_id": ids[int(j)]} for j in r.integers(0, len(ids), batch)]
                        c.post("/api/events", json=evs, headers={"Authorization": f"Bearer {tok}"}).raise_for_status()

            threads = [threading.Thread(target=run, args=(t, i)) for i, t in enumerate(toks)]
            t0 = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            return n_clients * per_client * batch / (time.perf_counter() - t0)

        single = ingest(8, a.events // 8, 1)
        batched = ingest(4, max(a.events // 400, 2), 100)
    sa, sp = summary(anon), summary(personal)
    report = {
        "machine": f"{platform.machine()} {os.cpu_count()} cores",
        "index": shown(index_dir),
        "products": len(ids),
        "search_anonymous": sa,
        "search_personalized": sp,
        "overhead_ratio_p50": round(sp["p50_ms"] / sa["p50_ms"], 3),
        "overhead_ratio_p99": round(sp["p99_ms"] / sa["p99_ms"], 3),
        "ingest_events_per_s_single": round(single, 1),
        "ingest_events_per_s_batch100": round(batched, 1),
        "sqlite_synchronous": "FULL",
    }
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
