"""Shopper-judged search evaluation (issue 14): precision@10 of attainable, nDCG@10 and top-1 by query kind.

    python scripts/eval_judged.py --index-dir DIR --catalog data/catalog/flipkart-20k.csv [--out results.json]
    python scripts/eval_judged.py --compare before.json after.json   # side-by-side table, Markdown

Runs BM25, dense, hybrid and the full system (SearchEngine.search with query parsing, as /api/search does)
on the same index over the hand-written queries of bench/judged/queries.jsonl, and grades every product of
the catalog with bench/judged/grade.py, which reads the raw CSV and imports nothing from the engine.
--quick evaluates every 4th query (for scripts/bench.py --quick). --pool-out adds the judged pool (each
method's top 20 with its grade) to a JSONL file, so that a later engine's results join the same pool.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JUDGED = ROOT / "bench" / "judged"
# The engine comes from the tree PYTHONPATH names, if any (to evaluate another checkout with these
# judgements), otherwise from this repository. scripts/ itself must not shadow the bench package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "scripts"]
if not any((Path(p or ".") / "assistant").is_dir() for p in sys.path):
    sys.path.insert(0, str(ROOT))
elif str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))
import bench  # noqa: E402

if str(ROOT / "bench") not in bench.__path__:  # another tree's bench/ package: add this tree's judged/ to it
    bench.__path__.append(str(ROOT / "bench"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from bench.judged.grade import load_queries, read_catalog  # noqa: E402
from bench.judged.metrics import title_key  # noqa: E402
from bench.judged.report import compare_markdown, markdown  # noqa: E402
from bench.judged.run import METHODS, POOL_DEPTH, evaluate, judge, load_holdout, rank  # noqa: E402
from bench.paths import shown, tree  # noqa: E402


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index-dir", type=Path, default=None, help="the built index (default: the settings' one)")
    ap.add_argument("--catalog", type=Path, default=None, help="the raw catalog CSV the index was built from")
    ap.add_argument("--mapping", type=Path, default=None, help="accepted for scripts/bench.py; the grader reads raw")
    ap.add_argument("--queries", type=Path, default=JUDGED / "queries.jsonl")
    ap.add_argument("--quick", action="store_true", help="every 4th query only")
    ap.add_argument("--holdout", type=Path, default=JUDGED / "holdout.txt", help="ids of the held-out half")
    ap.add_argument("--out", type=Path, default=None, help="write the JSON results here")
    ap.add_argument("--markdown", type=Path, default=None, help="write the Markdown tables here")
    ap.add_argument("--pool-out", type=Path, default=None, help="add the judged pool to this JSONL file")
    ap.add_argument("--label", default="", help="a name for this run (e.g. the branch)")
    ap.add_argument("--qrels-cache", type=Path, default=None, help="reuse the catalog's grades from this JSON file")
    ap.add_argument("--keep-runs", action="store_true", help="store each method's ranked ids in the JSON")
    ap.add_argument("--regrade", type=Path, default=None, help="grade the runs kept in this JSON file again")
    ap.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"), help="print a side-by-side table")
    return ap.parse_args(argv)


def write_pool(path: Path, queries, runs: dict, qrels: dict, label: str) -> int:
    """Union of every method's top POOL_DEPTH per query, with grades; merged with what the file holds."""
    pool: dict[tuple[str, str], dict] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                d = json.loads(line)
                pool[(d["qid"], d["id"])] = d
    for q in queries:
        for m in METHODS:
            for pid in runs[m][q.qid][:POOL_DEPTH]:
                d = pool.setdefault((q.qid, pid), {"qid": q.qid, "id": pid, "grade": 0, "found_by": []})
                d["grade"] = qrels[q.qid].get(pid, 0)
                tag = f"{label}:{m}" if label else m
                if tag not in d["found_by"]:
                    d["found_by"].append(tag)
    path.write_text("".join(json.dumps(d) + "\n" for _, d in sorted(pool.items())), encoding="utf-8")
    return len(pool)


def cached_judgements(cache: Path | None, queries_file: Path, catalog: Path, queries, items) -> dict:
    """Grades of the whole catalog per query; kept in `cache` keyed by the criteria and catalog bytes."""
    key = hashlib.sha256(queries_file.read_bytes() + Path(catalog).read_bytes()).hexdigest()
    if cache and cache.exists():
        stored = json.loads(cache.read_text())
        if stored.get("key") == key and all(q.qid in stored["qrels"] for q in queries):
            return {q.qid: stored["qrels"][q.qid] for q in queries}
    qrels = judge(queries, items)
    if cache:
        cache.write_text(json.dumps({"key": key, "qrels": qrels}))
    return qrels


def main(argv: list[str] | None = None, embedder=None) -> int:
    a = parse_args(argv)
    if a.compare:
        before, after = (json.loads(p.read_text()) for p in a.compare)
        print(compare_markdown(before, after))
        return 0
    from assistant.search.engine import SearchEngine
    from assistant.settings import Settings
    from index.embedder import Embedder
    from index.store import load_index

    s = Settings.from_env()
    index_dir = a.index_dir or s.index_dir
    catalog = a.catalog or s.catalog
    queries = load_queries(a.queries)
    if a.quick:
        queries = queries[::4]
    t = time.perf_counter()
    items = read_catalog(catalog)
    qrels = cached_judgements(a.qrels_cache, a.queries, catalog, queries, items)
    titles = {it.id: title_key(it.title) for it in items}  # the shopper's view: same-titled products are one
    judge_s = time.perf_counter() - t
    if a.regrade:  # the same ranked lists, graded by the criteria as they are now
        old = json.loads(a.regrade.read_text())
        runs, extras = old["runs"], old.get("system_fields", {})
        result = {k: old[k] for k in ("label", "engine_tree", "index_products", "search_seconds") if k in old}
        queries = [q for q in queries if q.qid in runs["system"]]
        result |= {
            "catalog": str(catalog),
            "catalog_products": len(items),
            "queries": len(queries),
            "queries_servable": sum(1 for q in queries if q.servable),
            "judging_seconds": round(judge_s, 1),
            **evaluate(queries, runs, qrels, extras, load_holdout(a.holdout), titles),
            "runs": runs,
            "system_fields": extras,
        }
        return _emit(a, result)
    embedder = embedder or Embedder(batch_size=s.embed_batch_size)
    engine = SearchEngine(load_index(index_dir, embedder.name, embedder.dim), embedder)
    runs, secs, extras = rank(engine, queries)
    result = {
        "labels": "shopper-judged: criteria written by hand per query, graded from the raw catalog text "
        "(bench/judged/README.md); not produced by the engine",
        "label": a.label,
        "engine_tree": tree(Path(sys.modules[SearchEngine.__module__].__file__ or "").resolve().parents[2]),
        "catalog": shown(catalog),
        "catalog_products": len(items),
        "index_products": len(engine.products),
        "queries": len(queries),
        "queries_servable": sum(1 for q in queries if q.servable),
        "judging_seconds": round(judge_s, 1),
        "search_seconds": {m: round(v, 2) for m, v in secs.items()},
        **evaluate(queries, runs, qrels, extras, load_holdout(a.holdout), titles),
    }
    if a.pool_out:
        result["pool_size"] = write_pool(a.pool_out, queries, runs, qrels, a.label)
    if a.keep_runs:
        result |= {"runs": runs, "system_fields": extras}
    return _emit(a, result)


def _emit(a: argparse.Namespace, result: dict) -> int:
    text = json.dumps(result, indent=1, default=str)
    if a.out:
        a.out.parent.mkdir(parents=True, exist_ok=True)
        a.out.write_text(text)
    if a.markdown:
        a.markdown.write_text(markdown(result))
    print(markdown(result))
    if not a.out:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
