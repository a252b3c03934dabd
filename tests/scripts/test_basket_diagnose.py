"""The loss diagnosis of scripts/basket_diagnose.py: which kind of swap decided a customer one list hits and the other
misses, which served term put the feed's item there, and the hard protection it tries against the fit rule."""

from __future__ import annotations

from collections import Counter

import numpy as np

from scripts.basket_diagnose import driver, own_top, protected, swap
from scripts.basket_fit import grid_scores

OWN = Counter({1: 3, 2: 1, 3: 1, 4: 1})


def test_the_baseline_is_own_counts_with_popularity_breaking_ties():
    pop = np.array([0.0, 0.0, 5.0, 1.0, 9.0, 100.0])
    assert own_top(OWN, pop, 5) == [1, 4, 2, 3, 5]  # 3 purchases first; the once-bought by the shop's popularity


def test_swap_names_how_the_hit_item_compares_with_what_the_other_list_showed():
    # the baseline hits item 1 (bought 3 times), the feed showed 2 (bought once) instead: a re-bought item displaced
    assert swap([1, 9], [2, 9], {1}, OWN) == "more often"
    # the feed hits 2 (once) where the baseline showed 3 (once): the order among equally bought items
    assert swap([2, 9], [3, 9], {2}, OWN) == "as often"
    # the feed hits 2 (once) where the baseline kept 1 (3 times)
    assert swap([2, 9], [1, 9], {2}, OWN) == "less often"
    assert swap([7, 9], [1, 9], {7}, OWN) == "never bought"
    assert swap([2, 9], [8, 9], {2}, OWN) == "swapped for a never-bought item"


def test_the_driver_is_the_term_that_lifts_an_item_most_above_the_one_it_displaced():
    # rows 0 (swapped in) and 1 (displaced): equal share, so share cannot decide; popularity differs most once weighted
    parts = {
        "popularity": np.array([0.5, 0.2]),
        "repeat": np.array([0.9, 0.7]),
        "share": np.array([0.9, 0.9]),
        "neighbours": np.array([0.0, 0.1]),
    }
    weights = {"feed_popularity": 1.0, "repeat": 0.25, "basket_share": 0.4, "neighbours": 0.25}
    assert driver(0, 1, parts, weights) == "popularity"
    assert driver(0, 1, parts, weights | {"repeat": 2.0}) == "repeat"


def test_hard_protection_lifts_an_item_bought_in_most_orders_into_the_top_ten_and_only_that():
    # twelve rows; the blend ranks row 0 (bought twice, in every order) and row 1 (twice, in a fifth of the orders) last
    mat = np.array([[0.0, 0.0, *np.linspace(1.0, 0.5, 10)]])
    count = np.array([2.0, 2.0, *np.zeros(10)])
    share = np.array([1.0, 0.2, *np.zeros(10)])
    one = np.array([[1.0]])
    for target, lifted in ((0, True), (1, False)):
        is_t = np.arange(12) == target
        plain, _ = grid_scores([(mat.astype(np.float32), is_t, 1)], one)
        hard = protected(mat, count, share, 0.5).astype(np.float32)
        hit, ndcg = grid_scores([(hard, is_t, 1)], np.array([[1.0, 1.0]]))
        assert plain[0] == 0.0
        assert hit[0] == float(lifted) and ndcg[0] == float(lifted)  # protected: first place
