"""Ranking-quality metrics as pure functions over a ranked id list and graded judgements.

Judgements map a product id to its gain: 1.0 for an exact match, 0.5 for a partial one, 0 (or absent)
for an irrelevant one (the WANDS convention; bench/relevance.py maps its 2/1/0 grades the same way).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

EXACT = 1.0  # gain at or above which a product counts as "relevant" for MRR and recall


def dcg(gains: Sequence[float]) -> float:
    """Discounted cumulative gain with linear gains: sum of gain_i / log2(i + 1), i from 1."""
    return sum(g / math.log2(i + 2) for i, g in enumerate(gains))


def ndcg_at_k(ranked: Sequence[str], judgements: Mapping[str, float], k: int = 10) -> float | None:
    """DCG of the top k divided by the DCG of the ideal top k; None when nothing is relevant at all."""
    ideal = sorted((g for g in judgements.values() if g > 0), reverse=True)[:k]
    best = dcg(ideal)
    if best == 0:
        return None
    return dcg([judgements.get(pid, 0.0) for pid in ranked[:k]]) / best


def reciprocal_rank(
    ranked: Sequence[str], judgements: Mapping[str, float], threshold: float = EXACT, k: int | None = None
) -> float | None:
    """1 / rank of the first result with gain >= threshold (0 if none in the top k); None if no such product."""
    if not any(g >= threshold for g in judgements.values()):
        return None
    for i, pid in enumerate(ranked[:k] if k else ranked):
        if judgements.get(pid, 0.0) >= threshold:
            return 1.0 / (i + 1)
    return 0.0


def recall_at_k(
    ranked: Sequence[str], judgements: Mapping[str, float], k: int = 100, threshold: float = EXACT
) -> float | None:
    """Share of the products with gain >= threshold that appear in the top k; None if there are none."""
    relevant = {pid for pid, g in judgements.items() if g >= threshold}
    if not relevant:
        return None
    return len(relevant & set(ranked[:k])) / len(relevant)


def mean_defined(values: Sequence[float | None]) -> tuple[float | None, int]:
    """Mean over the queries where the metric is defined, and how many those were."""
    xs = [v for v in values if v is not None]
    return (sum(xs) / len(xs) if xs else None), len(xs)


def evaluate(
    runs: Mapping[str, Sequence[str]], qrels: Mapping[str, Mapping[str, float]], k_ndcg: int = 10, k_recall: int = 100
) -> dict:
    """Mean nDCG@k, MRR and recall@k of one method: runs[qid] = ranked ids, qrels[qid] = judgements."""
    nd, rr, rc = [], [], []
    for qid, judg in qrels.items():
        ranked = list(runs.get(qid, []))
        nd.append(ndcg_at_k(ranked, judg, k_ndcg))
        rr.append(reciprocal_rank(ranked, judg))
        rc.append(recall_at_k(ranked, judg, k_recall))
    ndcg, n_q = mean_defined(nd)
    mrr, n_mrr = mean_defined(rr)
    recall, _ = mean_defined(rc)
    return {
        f"ndcg@{k_ndcg}": _r(ndcg),
        "mrr": _r(mrr),
        f"recall@{k_recall}": _r(recall),
        "queries": n_q,
        "queries_with_exact": n_mrr,
    }


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 4)
