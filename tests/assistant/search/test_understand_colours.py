"""A colour the title states is a colour the product has, whatever colour its catalog line gives: "Gold Diamond
18 K Ring" whose Color says Yellow is a gold ring to a shopper (41 such products in the bundled 20k, mostly
jewellery). A small shop written here, real model, real index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.search.engine import SearchEngine
from assistant.search.query import Filters
from assistant.search.vocab import title_colours
from index.build import build_index
from index.catalog import Mapping, Product
from index.store import load_index

RINGS = ["Jewellery", "Rings"]
SHOES = ["Footwear", "Men's Footwear", "Shoes"]
SHOP = [
    # the catalog's colour differs from the one the title names
    {"id": "r-title-gold", "title": "Avsar Gold Diamond 18 K Ring", "brand": "Avsar", "colour": "Yellow"},
    {"id": "r-title-silver", "title": "Kiara Sterling Silver Zirconia Ring", "brand": "Kiara", "colour": "White"},
    # the catalog's colour is the asked one / another one / not given
    {"id": "r-gold", "title": "Zaveri Plated Alloy Ring", "brand": "Zaveri", "colour": "Gold"},
    {"id": "r-silver", "title": "Oro Rhodium Alloy Ring", "brand": "Oro", "colour": "Silver"},
    {"id": "r-unknown", "title": "Mahi Crystal Alloy Ring", "brand": "Mahi"},
    *[
        {"id": f"r-red-{i}", "title": f"Ruby{i} Stone Alloy Ring", "brand": f"Ruby{i}", "colour": "Red"}
        for i in range(6)
    ],
    # a brand naming a colour is no colour of the product
    {"id": "s-redtape", "title": "Red Tape Men's Formal Shoes", "brand": "Red Tape", "colour": "Black", "cat": SHOES},
    {"id": "s-red", "title": "Bata Men's Running Shoes", "brand": "Bata", "colour": "Red", "cat": SHOES},
]


@pytest.fixture(scope="module")
def shop(tmp_path_factory, embedder) -> SearchEngine:
    d = tmp_path_factory.mktemp("colours")
    rows = [{**{k: v for k, v in p.items() if k != "cat"}, "category": p.get("cat", RINGS), "price": 999} for p in SHOP]
    catalog = d / "shop.jsonl"
    catalog.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    build_index(catalog, d / "index", embedder, Mapping())
    return SearchEngine(load_index(Path(d / "index"), embedder.name, embedder.dim), embedder)


@pytest.mark.parametrize(
    ("title", "brand", "colours"),
    [
        ("Avsar Gold Diamond 18 K Ring", "Avsar", {"gold"}),
        ("Kiara Sterling Silver Zirconia Ring", "Kiara", {"silver"}),
        ("Libas Navy Blue, Maroon Printed Kurta", "Libas", {"blue", "red"}),
        ("Red Tape Men's Formal Shoes", "Red Tape", set()),  # the leading brand is no colour
        ("Prinkle Coffee Mug", "Prinkle", set()),  # a word naming a thing first ("coffee") is no colour here
        ("Aurea Multicolor Printed Dress", "Aurea", set()),  # multicolour names no colour of its own
    ],
)
def test_the_colours_a_title_names(title, brand, colours):
    assert title_colours(Product(id="x", title=title, brand=brand)) == colours


def _ids(shop: SearchEngine, query: str, **kw) -> list[str]:
    return [h.product.id for h in shop.search(query, k=20, distinct=False, **kw).hits]


def test_a_title_colour_is_a_known_match_though_the_catalog_says_another(shop):
    got = _ids(shop, "gold ring")
    assert "r-title-gold" in got and "r-gold" in got  # the title says gold; the catalog says gold
    assert "r-silver" not in got and "r-title-silver" not in got  # known mismatches never show
    # known matches first, then the unknown: the title's gold ranks with the catalog's gold
    assert max(got.index("r-title-gold"), got.index("r-gold")) < got.index("r-unknown")
    res = shop.search("gold ring", k=20)
    assert res.notice is None


def test_a_title_colour_counts_for_the_colour_it_names_only(shop):
    got = _ids(shop, "silver ring")
    assert got[:2] and set(got[:2]) == {"r-title-silver", "r-silver"}
    assert "r-title-gold" not in got  # its catalog says yellow, its title gold: silver it is not


def test_a_colour_given_as_a_filter_stays_the_catalogs_colour(shop):
    got = _ids(shop, "ring", filters=Filters(colour="gold"))
    assert got == ["r-gold"]  # a hard filter is the colour the card shows, not what the title adds


def test_a_brand_naming_a_colour_does_not_make_the_product_that_colour(shop):
    got = _ids(shop, "red shoes")
    assert got[0] == "s-red" and "s-redtape" not in got


CREAMS = [
    *[
        {"id": f"sc-{i}", "title": f"Nivea{i} Sensitive Shaving Cream", "cat": ["Beauty", "Shaving", "Shaving Creams"]}
        for i in range(2)
    ],
    *[
        {"id": f"fc-{i}", "title": f"Ponds{i} Moisturising Cream", "cat": ["Beauty", "Skin Care", "Face Creams"]}
        for i in range(2)
    ],
    {"id": "k-cream", "title": "Rang Cotton Cream Kurti", "colour": "Cream", "cat": ["Clothing", "Kurtis"]},
    {"id": "k-blue", "title": "Rang Cotton Blue Kurti", "colour": "Blue", "cat": ["Clothing", "Kurtis"]},
]


@pytest.fixture(scope="module")
def creams(tmp_path_factory, embedder) -> SearchEngine:
    d = tmp_path_factory.mktemp("creams")
    rows = [{**{k: v for k, v in p.items() if k != "cat"}, "category": p["cat"], "price": 199} for p in CREAMS]
    (d / "shop.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    build_index(d / "shop.jsonl", d / "index", embedder, Mapping())
    return SearchEngine(load_index(d / "index", embedder.name, embedder.dim), embedder)


def test_a_colour_word_the_shop_names_products_by_is_the_thing_when_it_ends_the_phrase(creams):
    # "cream for dry skin" asks for a cream (it was "white" things for "dry skin": the shop's skins)
    for query in ("cream for dry skin", "cream"):
        u = creams.understand(query)
        assert u.colour is None and u.type_terms == ("cream",), (query, u)
    assert creams.search("cream for dry skin", k=1).hits[0].product.id.startswith(("sc-", "fc-"))
    # before a kind, or after one, it is the kind's colour
    for query in ("cream kurti", "kurti cream", "kurti in cream"):
        u = creams.understand(query)
        assert u.colour is not None and u.product_type == "Kurtis", (query, u)
