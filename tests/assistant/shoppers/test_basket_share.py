"""The basket-share signal (share of the shopper's orders holding an item) and the fitted hiding rate move real
results and say why: through the real SQLite store, `recommendations` and the one reranker."""

from __future__ import annotations

import numpy as np

from assistant.shoppers.rebuy import MIN_RATE, RepeatRates, basket_of, terms_from
from tests.assistant.shoppers.shop import buy, feed, ids, make_shop

# only the signal under test moves a shopper's own items (the rest stays at the defaults or off)
QUIET = {"repeat": 0.0, "rebuy": 0.0, "together": 0.0, "neighbours": 0.0, "bestseller": 0.0}


def _orders(sh, engine) -> tuple[str, str]:
    """'me' placed 5 orders: `usual` in 4 of them, `rare` in 1; other customers buy other things."""
    usual, rare, other = ids(engine, 12, 33, 55)
    fillers = ids(engine, *range(100, 160))
    for i in range(30):
        buy(sh, f"c{i}", [fillers[i], fillers[i + 30]], 50)
        buy(sh, f"c{i}", [fillers[i], fillers[(i + 7) % 60]], 20)
    for basket, days in (([usual, rare], 40), ([usual], 30), ([usual], 20), ([usual], 10), ([other], 5)):
        buy(sh, "me", basket, days)
    return usual, rare


def test_basket_share_lifts_what_is_in_most_of_the_shoppers_orders_with_its_reason(engine, embedder, tmp_path):
    off = make_shop(engine, embedder, tmp_path, "off", weights=QUIET | {"basket_share": 0.0, "hide_below_rate": 0.0})
    on = make_shop(engine, embedder, tmp_path, "on", weights=QUIET | {"basket_share": 2.0, "hide_below_rate": 0.0})
    try:
        usual, rare = _orders(off, engine)
        _orders(on, engine)
        was = feed(off, engine, "me", k=40)
        got = feed(on, engine, "me", k=40)
        order, before = list(got), list(was)
        assert order[0] == usual  # in 4 of 5 orders: first
        # the term is the weight x the share of orders (the feed's history scale is 1), nothing else moved
        assert abs(got[usual]["score"] - was[usual]["score"] - 2.0 * 4 / 5) < 0.02
        assert "in 4 of your 5 orders" in got[usual]["why"]
        assert not any(" of your " in w for w in was[usual]["why"])
        assert got[usual]["section"] == "buy again"
        assert rare in got and order.index(rare) < (before.index(rare) if rare in before else 40)
        assert "in 1 of your 5 orders" in got[rare]["why"]
    finally:
        off.close()
        on.close()


def test_basket_share_is_purchases_over_the_shoppers_orders(engine):
    rates = RepeatRates(np.full(4, 0.5), np.array([3.0, 2.0, 1.0, 0.0]), 0.5, True)
    t0 = 1_700_000_000.0
    bought_at = {"a": [t0, t0 + 86400, t0 + 2 * 86400], "b": [t0 + 86400]}
    basket = basket_of(bought_at, {"a": 3, "b": 1}, [], {"a": 0, "b": 1})

    def no_together(rows, weights, n):
        return np.zeros(n), None

    t = terms_from(basket, t0 + 3 * 86400, 4, rates, no_together, bool)  # orders: the 3 purchase days
    assert t.n_orders == 3 and t.share is not None
    assert t.share[0] == 1.0 and abs(t.share[1] - 1 / 3) < 1e-9 and t.share[2] == 0.0
    t = terms_from(basket, t0 + 3 * 86400, 4, rates, no_together, bool, n_orders=6)  # the profile's own count
    assert t.share[0] == 0.5 and abs(t.share[1] - 1 / 6) < 1e-9


def test_fitted_hiding_rate_shows_a_one_off_purchase_and_says_only_that_it_was_bought(engine, embedder, tmp_path):
    hide = make_shop(engine, embedder, tmp_path, "hide", weights={"hide_below_rate": MIN_RATE})
    show = make_shop(engine, embedder, tmp_path, "show", weights={"hide_below_rate": 0.0})
    try:
        pids = ids(engine, *range(0, 80))
        for sh in (hide, show):
            for i in range(70):  # every product bought once per buyer: nothing is re-bought in this shop
                buy(sh, f"c{i}", [pids[i], pids[(i + 1) % 70]], 30)
            buy(sh, "me", [pids[5]], 5)
        assert pids[5] not in feed(hide, engine, "me", k=80)
        got = feed(show, engine, "me", k=80)
        assert pids[5] in got
        assert "you bought this before" in got[pids[5]]["why"]
        assert not any("often buy it again" in w for w in got[pids[5]]["why"])
    finally:
        hide.close()
        show.close()
