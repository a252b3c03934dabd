"""Relevance of each retrieval method, side by side: BM25 (bm25s), dense (MiniLM), hybrid (RRF) and
the system's own search (hybrid with filters parsed from the query)."""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.metrics import evaluate
from bench.paths import shown
from bench.relevance import Intent, JudgedCatalog, load_labelled

K = 100  # ranked list depth per query (recall@100)

# method -> SearchEngine.search keyword arguments
METHODS: dict[str, dict[str, Any]] = {
    "bm25": {"mode": "lexical", "parse": False},
    "dense": {"mode": "dense", "parse": False},
    "hybrid": {"mode": "hybrid", "parse": False},
    "system": {"mode": "hybrid", "parse": True},
}
METHOD_LABELS = {
    "bm25": "BM25 (bm25s)",
    "dense": "dense (MiniLM + FAISS)",
    "hybrid": "hybrid (RRF)",
    "system": "system (hybrid + parsed filters)",
}


def rank_all(engine, queries: dict[str, str]) -> tuple[dict[str, dict[str, list[str]]], dict[str, float]]:
    """runs[method][qid] = ranked product ids; and seconds per method."""
    runs: dict[str, dict[str, list[str]]] = {m: {} for m in METHODS}
    secs = dict.fromkeys(METHODS, 0.0)
    for text in queries.values():  # embed once up front so that no method is charged for it
        engine.embedder.encode_query(text)
    for qid, text in queries.items():
        for m, kw in METHODS.items():  # interleaved, so noise hits every method alike
            t = time.perf_counter()
            runs[m][qid] = [h.product.id for h in engine.search(text, k=K, **kw).hits]
            secs[m] += time.perf_counter() - t
    return runs, secs


def _by(runs: dict, qrels: dict, groups: dict[str, str]) -> dict[str, dict[str, dict]]:
    out: dict[str, dict[str, dict]] = {}
    for g in sorted(set(groups.values())):
        sub = {q: j for q, j in qrels.items() if groups.get(q) == g}
        out[g] = {m: evaluate(runs[m], sub) for m in METHODS}
    return out


def bundled(engine, labelled_path: Path, limit: int | None = None) -> dict:
    """The bundled catalog with the shipped, rule-labelled query set (bench/README.md)."""
    rows = load_labelled(labelled_path)
    if limit:
        rows = random.Random(0).sample(rows, min(limit, len(rows)))
    t = time.perf_counter()
    cat = JudgedCatalog(engine.products)
    qrels = {str(i): cat.judgements(Intent.from_dict(r["intent"])) for i, r in enumerate(rows)}
    label_s = time.perf_counter() - t
    queries = {str(i): r["query"] for i, r in enumerate(rows)}
    runs, secs = rank_all(engine, queries)
    kinds = {str(i): r.get("kind", "other") for i, r in enumerate(rows)}
    return {
        "labels": "rule-derived (bench/relevance.py), not human judgements",
        "query_file": str(labelled_path.name),
        "queries": len(rows),
        "queries_with_any_relevant": sum(1 for j in qrels.values() if j),
        "labelling_seconds": round(label_s, 2),
        "methods": {m: {**evaluate(runs[m], qrels), "seconds": round(secs[m], 2)} for m in METHODS},
        "by_kind": _by(runs, qrels, kinds),
    }


def wands(embedder, roots: list[Path], quick: bool, make_engine: Callable, index_dir: Path | None = None) -> dict:
    """WANDS (human labels) when its files are in one of `roots`; else recorded as not available."""
    from bench import wands as w
    from index.build import build_index
    from index.catalog import Mapping
    from index.store import load_index

    found = w.find(roots)
    if found is None:
        return {
            "status": "not available",
            "reason": f"no WANDS-format product.csv/query.csv/label.csv under {', '.join(map(shown, roots))}",
        }
    data = w.load(found)
    qids = sorted(q for q, judged in data.qrels.items() if judged)
    keep: set[str] | None = None
    if quick:  # a one-minute version: 20 queries over their judged products plus 2k others
        qids = random.Random(0).sample(qids, min(20, len(qids)))
        keep = {pid for q in qids for pid in data.qrels[q]}
        others = [p["id"] for p in data.products if p["id"] not in keep]
        keep |= set(random.Random(0).sample(others, min(2000, len(others))))
    # The index is kept between runs (data/index-wands): an unchanged catalog is not embedded again.
    idx_dir = index_dir or Path(tempfile.mkdtemp(prefix="wands-index-"))
    idx_dir.mkdir(parents=True, exist_ok=True)
    catalog = idx_dir.parent / (idx_dir.name + ("-quick" if quick else "") + ".jsonl")
    n = w.write_catalog(data, catalog, keep)
    t = time.perf_counter()
    build = build_index(catalog, idx_dir, embedder, Mapping())
    engine = make_engine(load_index(idx_dir, embedder.name, embedder.dim))
    queries = {q: data.queries[q] for q in qids}
    qrels = {q: data.qrels[q] for q in qids}
    runs, secs = rank_all(engine, queries)
    return {
        "status": "ok",
        "labels": "human (WANDS: Exact 1, Partial 0.5, Irrelevant 0)",
        "directory": str(found),
        "products": n,
        "queries": len(qids),
        "index_build_seconds": round(time.perf_counter() - t, 1),
        "embedded": build.embedded,
        "methods": {m: {**evaluate(runs[m], qrels), "seconds": round(secs[m], 2)} for m in METHODS},
        "by_query_class": _by(runs, qrels, {q: data.query_class.get(q, "") or "unknown" for q in qids}),
    }
