"""Runs the shopper-judged queries through BM25, dense, hybrid and the full system on one engine."""

from __future__ import annotations

import inspect
import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.judged.grade import Item, JudgedQuery, grade_all
from bench.judged.metrics import shopper_view_runs, summarise

POOL_DEPTH = 20  # each method's top 20 form the judged pool
# method -> keyword arguments of SearchEngine.search; "system" searches as /api/search does (query parsing on).
# An engine without one of these arguments is called without it.
METHODS: dict[str, dict[str, Any]] = {
    "bm25": {"mode": "lexical", "parse": False},
    "dense": {"mode": "dense", "parse": False},
    "hybrid": {"mode": "hybrid", "parse": False},
    "system": {"mode": "hybrid", "parse": True, "distinct": True},  # /api/search groups variants by default
    # the same with variants not grouped (distinct=false): the metrics count product ids, so a page showing
    # one card for 33 same-titled covers counts one right product where the flat page counts ten
    "system_flat": {"mode": "hybrid", "parse": True, "distinct": False},
}
LABELS = {
    "bm25": "BM25",
    "dense": "dense (MiniLM)",
    "hybrid": "hybrid (no parsing)",
    "system": "full system (as /api/search)",
    "system_flat": "full system, variants not grouped",
}
# Response fields recorded when the engine has them (it may gain more; unknown ones are ignored).
EXTRA_FIELDS = ("notice", "corrected_query", "applied", "preferences", "relaxed")


def _accepted(engine: Any, kw: dict[str, Any]) -> dict[str, Any]:
    params = inspect.signature(engine.search).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return kw
    return {k: v for k, v in kw.items() if k in params}


def _ids(result: Any) -> list[str]:
    """Product ids of a search result, whatever shape its hits take."""
    out = []
    for h in getattr(result, "hits", result):
        p = getattr(h, "product", h)
        pid = getattr(p, "id", None) or (p.get("id") if isinstance(p, dict) else None)
        if pid is not None:
            out.append(str(pid))
    return out


def _extras(result: Any) -> dict[str, Any]:
    out = {}
    for name in EXTRA_FIELDS:
        v = getattr(result, name, None)
        if v not in (None, "", [], {}):
            out[name] = v if isinstance(v, (str, int, float, bool, list, dict)) else str(v)
    return out


def rank(engine: Any, queries: Sequence[JudgedQuery], depth: int = POOL_DEPTH) -> tuple[dict, dict, dict]:
    """runs[method][qid] = ranked ids; seconds per method; extras[qid] = the system's extra fields."""
    runs: dict[str, dict[str, list[str]]] = {m: {} for m in METHODS}
    secs = dict.fromkeys(METHODS, 0.0)
    extras: dict[str, dict[str, Any]] = {}
    for q in queries:  # embed once up front so that no method is charged for it
        engine.embedder.encode_query(q.query)
    for q in queries:
        for m, kw in METHODS.items():  # interleaved, so noise hits every method alike
            t = time.perf_counter()
            res = engine.search(q.query, k=depth, **_accepted(engine, kw))
            secs[m] += time.perf_counter() - t
            runs[m][q.qid] = _ids(res)
            if m == "system":
                extras[q.qid] = _extras(res)
    return runs, secs, extras


def judge(queries: Sequence[JudgedQuery], items: Sequence[Item]) -> dict[str, dict[str, int]]:
    """qrels[qid] = {product id: grade > 0} over the whole catalog, from each query's written criteria."""
    return {q.qid: grade_all(q.criteria, items) for q in queries}


def load_holdout(path: Path) -> set[str]:
    """Ids of the held-out half (bench/judged/holdout.txt: one id a line, # comments)."""
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return {s for line in lines if (s := line.split("#", 1)[0].strip())}


def _tables(queries: Sequence[JudgedQuery], runs: dict, qrels: dict) -> dict[str, Any]:
    kinds = sorted({q.kind for q in queries})
    methods = [m for m in METHODS if m in runs]  # runs kept from an older evaluation may lack one
    servable = [q for q in queries if q.servable]
    return {
        "overall": {m: summarise(runs[m], {q.qid: qrels[q.qid] for q in servable}) for m in methods},
        "by_kind": {
            k: {m: summarise(runs[m], {q.qid: qrels[q.qid] for q in queries if q.kind == k}) for m in methods}
            for k in kinds
        },
    }


def only_count(notice: str) -> int | None:
    """N of a notice that says the shop has only N of what was asked ("Only 2 Mouse products ..."), else None."""
    m = re.match(r"Only (\d+) ", notice)
    return int(m.group(1)) if m else None


def evaluate(
    queries: Sequence[JudgedQuery],
    runs: dict,
    qrels: dict,
    extras: dict,
    holdout: set[str] | None = None,
    key_of: dict[str, str] | None = None,
) -> dict:
    """Metrics per method overall, per kind (on all queries and on the held-out half), and the per-query
    detail of the full system; with `key_of` (product id -> title key), also the shopper's view, where
    same-titled products are one (bench/judged/metrics.py)."""
    out: dict[str, Any] = _tables(queries, runs, qrels)
    held = [q for q in queries if holdout and q.qid in holdout]
    if held:
        out["holdout"] = {"queries": len(held), **_tables(held, runs, qrels)}
    if key_of:
        view_runs, view_qrels = shopper_view_runs({m: runs[m] for m in METHODS if m in runs}, qrels, key_of)
        out["shopper_view"] = _tables(queries, view_runs, view_qrels)
        if held:
            out["shopper_view"]["holdout"] = _tables(held, view_runs, view_qrels)["overall"]
    servable = [q for q in queries if q.servable]
    noticed = [q for q in servable if extras.get(q.qid, {}).get("notice")]
    # "Only N ..." claims a count, checked against the judgements: false when the catalog holds more exact
    # matches (grade 2) than N; any other notice on a query the catalog can serve claims it lacks something
    counted = [(q, n) for q in noticed if (n := only_count(extras[q.qid]["notice"])) is not None]
    out["notice_on_servable"] = {
        "queries": len(servable),
        "with_a_notice": len(noticed),
        "saying_it_lacks": len(noticed) - len(counted),
        "only_n": len(counted),
        "only_n_false": sorted(q.qid for q, n in counted if sum(1 for v in qrels[q.qid].values() if v == 2) > n),
    }
    unserv = [q for q in queries if not q.servable]
    if unserv:
        out["unservable"] = {
            "queries": len(unserv),
            "with_a_notice": sum(1 for q in unserv if extras.get(q.qid, {}).get("notice")),
            "wrong_in_top10": {
                m: round(
                    sum(sum(1 for p in runs[m][q.qid][:10] if qrels[q.qid].get(p, 0) == 0) for q in unserv)
                    / max(1, sum(len(runs[m][q.qid][:10]) for q in unserv)),
                    4,
                )
                for m in METHODS
                if m in runs
            },
        }
    per_query = []
    for q in queries:
        g = qrels[q.qid]
        row = {
            "id": q.qid,
            "query": q.query,
            "kind": q.kind,
            "attainable": sum(1 for v in g.values() if v == 2),
            "substitutes": sum(1 for v in g.values() if v == 1),
            "holdout": bool(holdout and q.qid in holdout),
        }
        for m in (m for m in METHODS if m in runs):
            top = runs[m][q.qid][:10]
            right = sum(1 for p in top if g.get(p, 0) == 2)
            row[m] = {"right@10": right, "top1_grade": g.get(top[0], 0) if top else None}
        if extras.get(q.qid):
            row["system_fields"] = extras[q.qid]
        per_query.append(row)
    out["per_query"] = per_query
    return out
