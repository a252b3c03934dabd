"""The feed-weight selection of scripts/basket_fit.py: one weight set that must beat the customers' own
most-bought list in every validation window and on both hit@10 and nDCG@10, not the set that wins one window
(or one measure) by most."""

from __future__ import annotations

import numpy as np

from scripts.basket_fit import TERM_SETTINGS, choose


def window(hits: list[float], ndcgs: list[float], most_bought: float, most_bought_ndcg: float = 0.2) -> dict:
    """One validation window's scores for every half-life and hiding rate (the same here), three combinations."""
    return {
        h: {
            "hit": np.array(hits),
            "ndcg": np.array(ndcgs),
            "customers": 100,
            "most_bought": most_bought,
            "most_bought_ndcg": most_bought_ndcg,
        }
        for h in TERM_SETTINGS
    }


COMBOS = [{"feed_popularity": 1.0}, {"feed_popularity": 0.0}, {"feed_popularity": 0.3}]


def test_a_seasonal_winner_loses_to_the_set_that_holds_in_every_window() -> None:
    # combo 0 wins summer by a lot and falls below most-bought in spring; combo 1 is a little ahead in both
    windows = {
        "spring": window([0.70, 0.73, 0.71], [0.3, 0.3, 0.3], most_bought=0.72),
        "summer": window([0.90, 0.83, 0.84], [0.4, 0.3, 0.3], most_bought=0.82),
    }
    got = choose(windows, COMBOS)
    assert got["weights"]["feed_popularity"] == 0.0
    assert got["worst_margin"] == round(0.83 / 0.82 - 1, 4)  # relative: summer's hit@10 is the weaker margin
    assert got["windows"]["spring"]["most_bought_hit10"] == 0.72


def test_margin_not_raw_hit_rate_decides() -> None:
    # raw worst hit favours combo 0 (0.75 vs 0.74); but combo 0 is behind most-bought where that list is strong
    windows = {
        "a": window([0.75, 0.74, 0.60], [0.3, 0.3, 0.3], most_bought=0.70),
        "b": window([0.80, 0.86, 0.60], [0.3, 0.3, 0.3], most_bought=0.82),
    }
    assert choose(windows, COMBOS)["weights"]["feed_popularity"] == 0.0


def test_ties_go_to_the_better_mean_ndcg() -> None:
    windows = {
        "a": window([0.8, 0.8, 0.8], [0.30, 0.30, 0.35], most_bought=0.7),
        "b": window([0.8, 0.8, 0.8], [0.30, 0.31, 0.35], most_bought=0.7),
    }
    assert choose(windows, COMBOS)["weights"]["feed_popularity"] == 0.3


def test_a_set_that_wins_hit_rate_by_ordering_worse_loses_to_one_ahead_on_both() -> None:
    # combo 0 has the best hit@10 margin but ranks below most-bought's nDCG; combo 2 is ahead on both
    windows = {
        "a": window([0.80, 0.70, 0.76], [0.28, 0.31, 0.31], most_bought=0.75, most_bought_ndcg=0.30),
        "b": window([0.85, 0.70, 0.81], [0.31, 0.32, 0.33], most_bought=0.80, most_bought_ndcg=0.32),
    }
    got = choose(windows, COMBOS)
    assert got["weights"]["feed_popularity"] == 0.3
    assert got["windows"]["a"]["most_bought_ndcg10"] == 0.30
