"""Offline evaluation of personalized ranking: hit rate@10 and nDCG@10 of each shopper's held-out next
item, personalized vs unpersonalized vs popularity, in one run.

The headline personalization figures are now measured on a real purchase log by scripts/eval_basket.py
(the retail demo shop, temporal split). This script stays for the bundled fashion/electronics catalog,
which has no real interaction log: its shoppers come from scripts/simulate_shoppers.py and
EVERY FIGURE IS LABELLED SIMULATED. The simulator knows nothing of the ranking code (it browses random
pages of a category by a latent taste over categories, colours, brands and price).

Protocol: for each shopper the last click/add-to-cart/purchase is the target; the history is everything
before the step that led to it. The shopper searches for the target's product type (a vague query such
as "Casual Shoes"); the three rankers order the same search candidates:
  - unpersonalized: the hybrid search engine alone;
  - popularity: the candidates by decayed popularity of all shoppers' histories;
  - personalized: the engine + shopmate's reranker (profile from the history, learned tastes, popularity).

    python scripts/eval_personalization.py [--shoppers 400] [--limit 6000] [--out bench/personalization_eval.json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np  # noqa: E402
from simulate_shoppers import Simulator  # noqa: E402

from assistant.search.engine import SearchEngine  # noqa: E402
from assistant.search.query import parse_query  # noqa: E402
from assistant.shoppers.personalize import Signals, Weights, blend_weight, make_reranker, query_specificity  # noqa: E402
from assistant.shoppers.popularity import Popularity  # noqa: E402
from assistant.shoppers.profiles import Profile  # noqa: E402
from assistant.shoppers.service import item_meta  # noqa: E402
from index.catalog import Mapping, load_catalog  # noqa: E402
from index.embedder import Embedder, product_text  # noqa: E402
from index.store import LoadedIndex, Manifest, load_index  # noqa: E402
from index.vectors import FaissIndex  # noqa: E402

POSITIVE = ("click", "add_to_cart", "purchase")
SHARED = ROOT.parent / "shared" / "data"


def find_real_log() -> Path | None:
    if not SHARED.is_dir():
        return None
    for p in sorted(SHARED.rglob("*")):
        if p.is_file() and any(w in p.name.lower() for w in ("interaction", "events", "sessions")):
            return p
    return None


def engine_for(products, embedder: Embedder, cache_dir: Path) -> SearchEngine:
    """An in-memory index of the products; vectors cached by content so reruns skip the embedding."""
    key = hashlib.sha256("".join(p.content_hash() for p in products).encode()).hexdigest()[:16]
    cache = cache_dir / f"eval_vectors_{key}.npy"
    if cache.exists():
        vectors = np.load(cache)
    else:
        t0 = time.perf_counter()
        vectors = embedder.encode([product_text(p) for p in products])
        cache_dir.mkdir(parents=True, exist_ok=True)
        np.save(cache, vectors)
        print(f"embedded {len(products)} products in {time.perf_counter() - t0:.0f}s (cached in {cache})")
    return engine_of(products, vectors, embedder, key)


def engine_of(products, vectors: np.ndarray, embedder: Embedder, key: str) -> SearchEngine:
    """A search engine over these products and their (already computed) vectors."""
    vindex = FaissIndex(embedder.dim)
    vindex.build(vectors)
    man = Manifest(embedder.name, embedder.dim, len(products), key, datetime.now(UTC).isoformat())
    return SearchEngine(LoadedIndex(man, products, vectors, vindex, "eval"), embedder)


def ndcg_at(rank: int | None, k: int = 10) -> float:
    return 0.0 if rank is None or rank >= k else 1.0 / math.log2(rank + 2)


def split(events: list[dict]) -> list[tuple[str, list[dict], dict]]:
    """(shopper, history, target event) per shopper with a positive event after some history."""
    by: dict[str, list[dict]] = defaultdict(list)
    for e in events:
        by[e["shopper"]].append(e)
    out = []
    for sid, evs in by.items():
        evs.sort(key=lambda e: e["ts"])
        pos = [i for i, e in enumerate(evs) if e["type"] in POSITIVE]
        if not pos:
            continue
        target = evs[pos[-1]]
        step_start = max(
            i for i in range(pos[-1] + 1) if evs[i]["type"] == "view" and evs[i]["product_id"] == target["product_id"]
        )
        history = evs[:step_start]
        if len(history) >= 3:
            out.append((sid, history, target))
    return out


def evaluate(engine: SearchEngine, events: list[dict], weights: Weights, half_life_days: float = 7.0) -> dict:
    cases = split(events)
    now = max(e["ts"] for e in events) + 60
    pop = Popularity(3 * 86400.0)
    for _, history, _ in cases:
        for e in history:
            pop.add(e["type"], e["ts"], e.get("product_id"), None, None)
    idx = engine.index
    popv = pop.vector(idx.id_to_row, len(idx.products), None, now)
    res = {name: {"hits": 0, "ndcg": 0.0} for name in ("unpersonalized", "popularity", "personalized")}
    n = 0
    for _, history, target in cases:
        tp = idx.product(target["product_id"])
        query = tp.product_type or (tp.category[-1] if tp.category else tp.title)
        prof = Profile(half_life_days * 86400.0, idx.vectors.shape[1])
        for e in history:
            row = idx.id_to_row[e["product_id"]]
            prof.add(e["type"], e["ts"], e["product_id"], idx.vectors[row], item_meta(idx.products[row]))
        drop = frozenset(idx.id_to_row[p] for p in prof.dismissed) | frozenset(idx.id_to_row[p] for p in prof.purchased)
        sig = Signals(profile=prof, prefs=prof.learned_preferences(), popularity=popv, drop_rows=drop, now=now)
        parsed = parse_query(query, engine.vocab)
        w = blend_weight(query_specificity(parsed.text, len(parsed.filters.as_dict())), weights)
        rerankers = {
            "unpersonalized": None,
            "popularity": lambda rows, scores: (
                popv[rows] + 1e-3 * scores / max(scores.max(), 1e-12),
                [[] for _ in rows],
            ),
            "personalized": make_reranker(idx.vectors, idx.products, sig, w, weights),
        }
        n += 1
        for name, rr in rerankers.items():
            hits = engine.search(query, k=10, rerank=rr).hits
            ids = [h.product.id for h in hits]
            rank = ids.index(target["product_id"]) if target["product_id"] in ids else None
            res[name]["hits"] += rank is not None
            res[name]["ndcg"] += ndcg_at(rank)
    return {
        name: {"hit_rate@10": round(v["hits"] / max(n, 1), 4), "ndcg@10": round(v["ndcg"] / max(n, 1), 4)}
        for name, v in res.items()
    } | {"cases": n}


def main(argv: list[str] | None = None, *, embedder: Embedder | None = None) -> int:
    """scripts/bench.py passes its loaded model and --index-dir (the sample's vectors then come from the index)."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--catalog", type=Path, default=ROOT / "data" / "catalog" / "flipkart-20k.csv")
    ap.add_argument("--mapping", type=Path, default=ROOT / "data" / "catalog" / "flipkart.mapping.json")
    ap.add_argument(
        "--index-dir",
        type=Path,
        default=None,
        help="take the products and their vectors from this built index instead of embedding --catalog",
    )
    ap.add_argument("--limit", type=int, default=6000, help="products sampled from the catalog (0: all)")
    ap.add_argument("--shoppers", type=int, default=400)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--profile-weight", type=float, default=Weights().profile)
    ap.add_argument("--taste-weight", type=float, default=Weights().taste)
    ap.add_argument("--popularity-weight", type=float, default=Weights().popularity)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "personalization_eval.json")
    ap.add_argument("--work-dir", type=Path, default=ROOT / "bench" / "tmp", help="cache of the embedded sample")
    a = ap.parse_args(argv)
    real = find_real_log()
    if real is not None:
        print(
            f"note: {real} looks like an interaction log; this script does not read its format, so the "
            f"figures below are still SIMULATED (the real-log evaluation is scripts/eval_basket.py)"
        )
    embedder = embedder or Embedder()
    index = load_index(a.index_dir, embedder.name, embedder.dim) if a.index_dir else None
    products = index.products if index else load_catalog(a.catalog, Mapping.load(a.mapping)).products
    rows = list(range(len(products)))
    if a.limit and len(products) > a.limit:
        rng = np.random.default_rng(a.seed)
        rows = sorted(rng.choice(len(products), a.limit, replace=False).tolist())
        products = [products[i] for i in rows]
    if index is not None:
        engine = engine_of(products, index.vectors[rows], embedder, index.manifest.catalog_sha256[:16])
    else:
        engine = engine_for(products, embedder, a.work_dir)
    events = Simulator(products, a.seed).run(a.shoppers, now=1.8e9)
    t0 = time.perf_counter()
    weights = Weights(profile=a.profile_weight, taste=a.taste_weight, popularity=a.popularity_weight)
    result = evaluate(engine, events, weights)
    report = {
        "data": "SIMULATED shoppers (scripts/simulate_shoppers.py) over the bundled Flipkart catalog; "
        "real-log figures: scripts/eval_basket.py",
        "vectors": f"from the index in {a.index_dir}" if index is not None else "embedded from --catalog",
        "catalog_products": len(products),
        "shoppers": a.shoppers,
        "events": len(events),
        "seed": a.seed,
        "seconds": round(time.perf_counter() - t0, 1),
        "weights": {"profile": weights.profile, "taste": weights.taste, "popularity": weights.popularity},
        **result,
    }
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(report, indent=1) + "\n")
    print(f"SIMULATED data: {report['data']}; {result['cases']} held-out next items")
    for name in ("popularity", "unpersonalized", "personalized"):
        print(f"  {name:15s} hit@10 {result[name]['hit_rate@10']:.3f}   nDCG@10 {result[name]['ndcg@10']:.3f}")
    ok = all(
        result["personalized"][m] > result[b][m]
        for b in ("popularity", "unpersonalized")
        for m in ("hit_rate@10", "ndcg@10")
    )
    print("personalized beats both baselines" if ok else "WARNING: personalized does NOT beat both baselines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
