"""Metrics of the shopper-judged evaluation, pure functions over a ranked id list and graded judgements.

Grades are 2 (exactly what was asked), 1 (an acceptable substitute), 0 (wrong). "Attainable" is the number
of products in the whole catalog graded 2: precision@10 is measured against min(10, attainable), so a
query whose catalog holds 3 right products scores 1.0 when those 3 are in the top 10.

The shopper's view (`shopper_view`) counts what a shopper gains from a page: products with the same title are
one product to them, so a page showing ten identical covers shows one right product, not ten, and a title
repeated on the page is a slot that shows nothing new. Every method is measured both ways.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

GAIN = {2: 1.0, 1: 0.5, 0: 0.0}


def precision_of_attainable(ranked: Sequence[str], grades: Mapping[str, int], k: int = 10) -> float | None:
    """Products graded 2 in the top k over min(k, attainable); None when the catalog has none."""
    attainable = sum(1 for g in grades.values() if g == 2)
    if attainable == 0:
        return None
    return sum(1 for pid in ranked[:k] if grades.get(pid, 0) == 2) / min(k, attainable)


def ndcg(ranked: Sequence[str], grades: Mapping[str, int], k: int = 10) -> float | None:
    """nDCG@k with gains 1 / 0.5 / 0 against the catalog's ideal ranking; None when nothing has a gain."""
    ideal = sorted((GAIN[g] for g in grades.values() if g > 0), reverse=True)[:k]
    best = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    if best == 0:
        return None
    got = sum(GAIN[grades.get(pid, 0)] / math.log2(i + 2) for i, pid in enumerate(ranked[:k]))
    return got / best


def top1(ranked: Sequence[str], grades: Mapping[str, int]) -> float | None:
    """1 when the first result is graded 2, 0 otherwise; None when the catalog has no such product."""
    if not any(g == 2 for g in grades.values()):
        return None
    return 1.0 if ranked and grades.get(ranked[0], 0) == 2 else 0.0


def mean(xs: Sequence[float | None]) -> tuple[float | None, int]:
    """Mean over the defined values, and how many there were."""
    vals = [x for x in xs if x is not None]
    return (round(sum(vals) / len(vals), 4) if vals else None), len(vals)


def summarise(
    runs: Mapping[str, Sequence[str]], qrels: Mapping[str, Mapping[str, int]], k: int = 10
) -> dict[str, float | int | None]:
    """precision@k of attainable, nDCG@k and top-1 of one method over a set of queries."""
    p, n_p = mean([precision_of_attainable(runs.get(q, []), g, k) for q, g in qrels.items()])
    nd, n_nd = mean([ndcg(runs.get(q, []), g, k) for q, g in qrels.items()])
    t1, _ = mean([top1(runs.get(q, []), g) for q, g in qrels.items()])
    return {
        f"p@{k}_of_attainable": p,
        f"ndcg@{k}": nd,
        "top1": t1,
        "queries": len(qrels),
        "queries_attainable": n_p,  # the catalog holds at least one exact match
        "queries_with_gain": n_nd,
    }


def title_key(title: str) -> str:
    """Two products are the same to a shopper when their titles read the same (case and spacing aside)."""
    return " ".join(title.lower().split())


def shopper_view(
    runs: Mapping[str, Sequence[str]], qrels: Mapping[str, Mapping[str, int]], key_of: Mapping[str, str]
) -> tuple[dict[str, list[str]], dict[str, dict[str, int]]]:
    """Runs and judgements over titles instead of product ids: a title's grade is its best product's, and a
    title already on the page counts as an empty slot (grade 0) when it comes again."""
    view_runs: dict[str, list[str]] = {}
    for q, ranked in runs.items():
        seen: set[str] = set()
        out = []
        for pid in ranked:
            key = key_of.get(pid, pid)
            out.append("" if key in seen else key)
            seen.add(key)
        view_runs[q] = out
    view_qrels: dict[str, dict[str, int]] = {}
    for q, grades in qrels.items():
        g: dict[str, int] = {}
        for pid, grade in grades.items():
            key = key_of.get(pid, pid)
            g[key] = max(g.get(key, 0), grade)
        view_qrels[q] = g
    return view_runs, view_qrels


def shopper_view_runs(
    runs: Mapping[str, Mapping[str, Sequence[str]]], qrels: Mapping[str, Mapping[str, int]], key_of: Mapping[str, str]
) -> tuple[dict[str, dict[str, list[str]]], dict[str, dict[str, int]]]:
    """`shopper_view` of every method's runs, and the judgements over titles."""
    out: dict[str, dict[str, list[str]]] = {}
    view_qrels: dict[str, dict[str, int]] = {}
    for m, r in runs.items():
        out[m], view_qrels = shopper_view(r, qrels, key_of)
    return out, view_qrels
