"""Hybrid search on the tiny catalog: filters together with retrieval, query parsing, lexical exact matches."""

from __future__ import annotations

import pytest

from assistant.search.query import Filters, Vocabulary, parse_query
from index.attributes import GENDER_ADMITS
from index.lexical import normalise


def satisfies(p, f: Filters) -> bool:
    if f.price_min is not None and (p.price is None or p.price < f.price_min):
        return False
    if f.price_max is not None and (p.price is None or p.price > f.price_max):
        return False
    if f.gender and p.gender not in GENDER_ADMITS[f.gender]:
        return False
    if f.colour and p.colour != f.colour:
        return False
    if f.brand and normalise(p.brand or "") != normalise(f.brand):
        return False
    return not (f.category and normalise(f.category) not in normalise(" > ".join(p.category)))


FILTER_CASES = [
    ("shoes", Filters(gender="women")),
    ("shirt", Filters(gender="men", price_max=700)),
    ("watch", Filters(price_min=300, price_max=1000)),
    ("clothes", Filters(colour="blue")),
    ("something nice", Filters(category="footwear", gender="men")),
    ("running", Filters(brand="Asics")),
]


@pytest.mark.parametrize("query,filters", FILTER_CASES)
@pytest.mark.parametrize("mode", ["hybrid", "dense", "lexical"])
def test_every_result_satisfies_every_filter(engine, query, filters, mode):
    res = engine.search(query, k=20, filters=filters, mode=mode)
    assert all(satisfies(h.product, res.filters) for h in res.hits)
    # filters are applied with retrieval, not after a top-k cut: the dense side returns as many
    # as the catalog holds (up to k) however rare the filter
    n_match = sum(satisfies(p, res.filters) for p in engine.products)
    if mode != "lexical":
        assert len(res.hits) == min(20, n_match)


def test_parsed_filters_are_reported_and_applied(engine):
    res = engine.search("watch for women under 1000", k=10)
    assert res.filters.price_max == 1000 and res.filters.gender is None
    assert res.preferences == {"gender": "women"}  # who it is for, read from the query: a preference
    assert res.hits and all(satisfies(h.product, res.filters) for h in res.hits)
    assert all("watch" in h.product.title.lower() for h in res.hits[:3])
    # known women's (or unisex) first, unknown next, another gender's never
    known = [h.product.gender is not None for h in res.hits]
    assert known == sorted(known, reverse=True) and known[0]
    assert all(h.product.gender in (None, "women", "unisex") for h in res.hits)


def test_explicit_filter_wins_over_parsed(engine):
    res = engine.search("shirt for women", k=10, filters=Filters(gender="men"))
    assert res.filters.gender == "men"
    assert all(h.product.gender in ("men", "unisex") for h in res.hits)


def test_red_cotton_shirt_for_men_returns_red_mens_shirts_first(engine):
    res = engine.search("red cotton shirt for men", k=10)
    top = res.hits[:2]
    assert len(top) == 2
    for h in top:
        p = h.product
        assert p.colour == "red" and p.gender == "men" and "shirt" in p.title.lower(), p.title


def test_model_number_found_through_lexical_side(engine):
    target = next(p for p in engine.products if p.title.startswith("ESIDON AKADA11"))
    assert engine.search("akada11", k=3, mode="lexical").hits[0].product.id == target.id
    hybrid = engine.search("akada11", k=3)
    assert hybrid.hits[0].product.id == target.id
    assert any("akada11" in w for w in hybrid.hits[0].why)


def test_brand_query_finds_the_brand(engine):
    res = engine.search("asics gel kayano", k=3)
    assert res.preferences.get("brand") == "Asics" and res.filters.brand is None  # the maker's first
    assert res.hits[0].product.title.startswith("Asics Gel-Kayano")


def test_query_parser_prices_ranges_and_currency():
    v = Vocabulary({"asics": "Asics"})
    cases = {
        "dress between 20 and 40": (20, 40),
        "shoes under rs. 1,500": (None, 1500),
        "shoes below ₹999": (None, 999),
        "bag over $30": (30, None),
        "sneakers 2k-3k": (2000, 3000),
    }
    for q, (lo, hi) in cases.items():
        f = parse_query(q, v).filters
        assert (f.price_min, f.price_max) == (lo, hi), q
    # a model number is not a price range
    f = parse_query("salt n pepper 13-516 boots", v).filters
    assert (f.price_min, f.price_max) == (None, None)


def test_query_parser_gender_colour_brand():
    v = Vocabulary({"asics": "Asics", "van heusen": "Van Heusen"})
    p = parse_query("Women's NAVY kurta", v)
    assert (p.filters.gender, p.filters.colour) == ("women", "blue")
    assert p.text == "kurta"
    assert parse_query("van heusen shirt for my son", v).filters.as_dict() == {"brand": "Van Heusen", "gender": "boys"}
    assert parse_query("coffee mug", v).filters.is_empty()
