"""The ranking metrics are pure functions: checked against values worked out by hand."""

import math

import pytest

from bench.metrics import dcg, evaluate, ndcg_at_k, recall_at_k, reciprocal_rank


def test_dcg_discounts_by_log2_of_rank_plus_one():
    assert dcg([1.0, 0.5, 1.0]) == pytest.approx(1.0 + 0.5 / math.log2(3) + 1.0 / math.log2(4))


def test_ndcg_is_one_for_the_ideal_order_and_lower_otherwise():
    judg = {"a": 1.0, "b": 0.5, "c": 0.0}
    assert ndcg_at_k(["a", "b", "c"], judg, 10) == pytest.approx(1.0)
    swapped = ndcg_at_k(["b", "a"], judg, 10)
    assert swapped == pytest.approx((0.5 + 1.0 / math.log2(3)) / (1.0 + 0.5 / math.log2(3)))
    assert ndcg_at_k(["x", "y"], judg, 10) == 0.0


def test_ndcg_cuts_at_k_on_both_sides():
    judg = {"a": 1.0, "b": 1.0, "c": 1.0}
    # only one slot: ideal DCG@1 is 1, the run puts a relevant item first
    assert ndcg_at_k(["c", "x", "a"], judg, 1) == pytest.approx(1.0)
    assert ndcg_at_k(["x", "c"], judg, 1) == 0.0


def test_ndcg_undefined_without_relevant_products():
    assert ndcg_at_k(["a"], {"a": 0.0}, 10) is None
    assert ndcg_at_k(["a"], {}, 10) is None


def test_reciprocal_rank_counts_only_exact_matches_by_default():
    judg = {"p": 0.5, "e": 1.0}
    assert reciprocal_rank(["p", "x", "e"], judg) == pytest.approx(1 / 3)
    assert reciprocal_rank(["p", "x", "e"], judg, threshold=0.5) == pytest.approx(1.0)
    assert reciprocal_rank(["x"], judg) == 0.0
    assert reciprocal_rank(["p"], {"p": 0.5}) is None  # no exact product: undefined, not zero
    assert reciprocal_rank(["x", "e"], judg, k=1) == 0.0


def test_recall_at_k():
    judg = {"a": 1.0, "b": 1.0, "c": 0.5, "d": 1.0}
    assert recall_at_k(["a", "c", "x", "b"], judg, k=100) == pytest.approx(2 / 3)
    assert recall_at_k(["a", "c", "x", "b"], judg, k=2) == pytest.approx(1 / 3)
    assert recall_at_k(["a"], {"a": 0.5}, k=10) is None


def test_evaluate_averages_over_queries_where_defined():
    qrels = {"q1": {"a": 1.0}, "q2": {"b": 1.0}, "q3": {"c": 0.5}}
    runs = {"q1": ["a"], "q2": ["x", "b"], "q3": ["c"]}
    out = evaluate(runs, qrels)
    assert out["queries"] == 3 and out["queries_with_exact"] == 2
    assert out["mrr"] == pytest.approx((1.0 + 0.5) / 2)
    assert out["recall@100"] == pytest.approx(1.0)
    assert out["ndcg@10"] == pytest.approx((1.0 + 1 / math.log2(3) + 1.0) / 3, abs=1e-4)
