"""The cold-start comparison of scripts/eval_basket.py: the prior's weight is chosen on validation, kept in the
weights file, and a later run (make bench, no --fit) applies it to the test split instead of choosing there."""

from __future__ import annotations

import json

import numpy as np

from scripts.eval_basket import PRIORS, cold_start, keep_cold_weights

N = 20


def customers(target_row: int) -> list[tuple]:
    """Customers whose popularity favours rows 0-9 and whose priors favour rows 10-19: only a large prior
    weight reaches `target_row`."""
    pop = np.linspace(1.0, 0.5, N)
    prior = np.zeros(N)
    prior[10:] = np.linspace(0.4, 0.3, 10)
    return [(pop, prior, prior, {target_row}) for _ in range(5)]


def result(raw: list[tuple]) -> dict:
    return {"cold_start": {}, "_cold": raw}


def test_a_weight_chosen_on_validation_is_applied_on_test_even_when_another_would_score_higher(tmp_path):
    low = dict.fromkeys(PRIORS, 0.1)
    weights = tmp_path / "weights.json"
    weights.write_text(json.dumps({"weights": {}}))
    keep_cold_weights(weights, low)
    kept = json.loads(weights.read_text())
    assert kept["cold_prior_weight"] == low and "weights" in kept

    test = result(customers(15))
    assert cold_start(test, kept["cold_prior_weight"]) == low
    for name in PRIORS:  # at 0.1 popularity still fills the ten slots: the kept weight, not the best one
        assert test["cold_start"][f"{name} + popularity"] == 0.0
        assert test["cold_start"]["prior_weight"][name] == 0.1


def test_without_a_kept_weight_it_is_chosen_on_the_split_given():
    val = result(customers(15))
    chosen = cold_start(val, None)
    assert all(w >= 1.0 for w in chosen.values())  # only a large weight lifts row 15 into the top ten
    for name in PRIORS:
        assert val["cold_start"][f"{name} + popularity"] == 1.0


def test_test_customers_are_a_seeded_draw_and_zero_means_every_one():
    from scripts.basket_world import test_targets
    from scripts.import_events import Line

    day = 86400.0
    lines = [Line(f"c{i}", f"inv{i}-{j}", f"p{j}", j * day) for i in range(6) for j in range(4)]
    ids = {f"p{j}": j for j in range(4)}
    every = test_targets(lines, 2 * day, ids, 0)
    assert sorted(every) == [f"c{i}" for i in range(6)]  # 0: every customer with an invoice on/after the split
    assert all(rows == {2} for rows in every.values())  # each one's first invoice after the split
    three = test_targets(lines, 2 * day, ids, 3)
    assert len(three) == 3 and set(three) <= set(every) and three == test_targets(lines, 2 * day, ids, 3)
