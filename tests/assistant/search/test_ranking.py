"""The engine ranks what the query asks for first, on a small shop built with the real model (unknown
colours, variants, covers made for a phone by another maker, ratings) and on the tiny catalog."""

from __future__ import annotations

import math

import numpy as np
import pytest

from assistant.search.query import Filters
from tests.assistant.search.shop import shop_engine


@pytest.fixture(scope="module")
def shop(tmp_path_factory, embedder):
    return shop_engine(tmp_path_factory.mktemp("shop"), embedder)


def ids(res):
    return [h.product.id for h in res.hits]


def test_type_first_colour_known_then_unknown_never_mismatch(shop):
    res = shop.search("red dress", k=20)
    types = [h.product.product_type for h in res.hits]
    n_dress = sum(t == "Dresses" for t in types)
    assert types[:n_dress] == ["Dresses"] * n_dress and n_dress >= 5  # every dress before anything else
    colours = [h.product.colour for h in res.hits if h.product.product_type == "Dresses"]
    assert colours[:2] == ["red", "red"] and set(colours[2:]) == {None}  # known red, then unknown
    assert "blue" not in [h.product.colour for h in res.hits]  # a known mismatch never shows
    assert res.preferences == {"colour": "red"} and res.filters.colour is None
    assert res.notice is None


def test_explicit_colour_stays_a_hard_filter(shop):
    res = shop.search("dress", k=20, filters=Filters(colour="red"))
    assert res.hits and all(h.product.colour == "red" for h in res.hits)


def test_unsatisfiable_preference_is_relaxed_and_said(shop):
    res = shop.search("green dress", k=5)
    assert res.hits and all(h.product.product_type == "Dresses" for h in res.hits)
    assert res.notice and "green" in res.notice


def test_nothing_matches_says_so(shop):
    res = shop.search("red dress under 10", k=5)
    assert res.hits == [] and res.notice and "10" in res.notice


def test_no_word_known_says_so(shop):
    res = shop.search("lamp", k=5)
    assert res.notice and "lamp" in res.notice


def test_negation_excludes_inside_retrieval(shop):
    res = shop.search("dress not maxi", k=50)
    assert res.hits and not any("maxi" in h.product.title.lower() for h in res.hits)
    assert len(res.hits) == sum(1 for p in shop.products if "maxi" not in p.title.lower())  # not a top-k cut


def test_compatibility_ranks_covers_for_the_device_not_the_makers_goods(shop):
    res = shop.search("back cover for samsung galaxy j7", k=5)
    assert set(ids(res)[:2]) == {"c-1", "c-2"} and res.filters.brand is None


def test_recipient_baby_girl_keeps_girls_dresses(shop):
    res = shop.search("baby girl dress", k=5)
    assert "g-1" in ids(res)


def test_for_men_boys_products_are_mens(shop):
    assert next(p for p in shop.products if p.id == "m-1").gender == "men"
    assert "m-1" in ids(shop.search("shoes for men", k=10))


def test_misspelling_is_corrected_and_reported(shop):
    res = shop.search("dreses", k=5)
    assert res.corrected_query == "dresses" and res.query == "dreses"
    assert all(h.product.product_type == "Dresses" for h in res.hits)


def test_half_typed_query_finds_the_type(shop):
    res = shop.search("red dre", k=3)
    assert [h.product.product_type for h in res.hits] == ["Dresses"] * 3


def test_variants_grouped_with_count_and_all_without_distinct(shop):
    grouped = shop.search("wrap dress", k=20, distinct=True)
    titles = [h.product.title for h in grouped.hits]
    assert titles.count("Lumen Women's Wrap Dress") == 1
    assert next(h for h in grouped.hits if h.product.title.startswith("Lumen")).variants == 3
    flat = shop.search("wrap dress", k=20, distinct=False)
    assert [h.product.title for h in flat.hits].count("Lumen Women's Wrap Dress") == 3


@pytest.mark.parametrize("sort", ["price_asc", "price_desc", "rating"])
def test_sorts_keep_the_type_first_and_order_within(shop, sort):
    res = shop.search("dress", k=20, sort=sort)
    dresses = [h.product for h in res.hits if h.product.product_type == "Dresses"]
    assert [h.product.product_type for h in res.hits[: len(dresses)]] == ["Dresses"] * len(dresses)
    if sort == "rating":
        vals = [p.rating for p in dresses]
        rated = [v for v in vals if v is not None]
        assert rated == sorted(rated, reverse=True) and vals[: len(rated)] == rated  # unrated last
    else:
        vals = [p.price for p in dresses]
        assert vals == sorted(vals, reverse=sort == "price_desc")


def test_ratings_come_from_the_catalog(shop, tiny_products):
    assert next(p for p in shop.products if p.id == "d-red-1").rating == 4.5
    rated = [p.rating for p in tiny_products if p.rating is not None]
    assert rated and all(0 <= r <= 5 and not math.isnan(r) for r in rated)


def test_stemming_matches_singular_and_plural(engine):
    one, many = engine.lexical.scores("shoe"), engine.lexical.scores("shoes")
    assert (one > 0).sum() >= 5 and np.array_equal(one, many)


def test_tiny_catalog_classes(engine):
    res = engine.search("mens jeens", k=5)
    assert res.corrected_query == "mens jeans"
    assert all("jeans" in h.product.title.lower() for h in res.hits)
    res = engine.search("shoes not sports", k=10)
    assert res.hits and not any("sport" in (h.product.product_type or "").lower() for h in res.hits)


def test_postings_say_which_shown_rows_hold_a_term_as_a_full_membership_test_would():
    from assistant.search.ranking import Postings

    rng = np.random.default_rng(14)
    sets = [{f"t{j}" for j in rng.choice(30, size=rng.integers(0, 6), replace=False)} for _ in range(500)]
    post = Postings.build(sets, 500)
    shown = rng.choice(500, size=10, replace=False)
    for t in ("t0", "t7", "t29", "absent"):
        want = [t in sets[r] for r in shown.tolist()]
        assert post.holds(t, shown).tolist() == want
    assert post.holds("t0", np.zeros(0, np.int64)).tolist() == []
