"""Round-6 class of model-number queries: a maker's name followed by a model of its device ("asus fonepad 7")
names what the products are for, not who made them, when the shop's products naming that maker with those
words are all other makers' ("Generix Book Cover for Asus Fonepad 7") — so it is no brand preference, and the
maker's unrelated products (its routers) do not rank first. A maker whose own products have the words ("lenovo
a6000" where Lenovo sells the A6000) stays the brand. On a small shop written here (real model, real index)."""

from __future__ import annotations

import pytest

from assistant.search.engine import SearchEngine
from assistant.search.understand import QueryVocab
from index.catalog import Product
from tests.assistant.search.shop import shop_engine

ROUTERS = ["Computers", "Network Components", "Routers"]
CASES = ["Mobiles & Accessories", "Tablet Accessories", "Cases & Covers"]
PHONES = ["Mobiles & Accessories", "Mobiles"]
SHOP = [
    *[
        {"id": f"r-{m}", "title": f"Asus {m} Wireless Router", "brand": "Asus", "category": ROUTERS, "price": 1999}
        for m in ("RT-N12", "RT-N14U", "DSL-N10")
    ],
    {"id": "c-1", "title": "Generix Book Cover for Asus Fonepad 7", "brand": "Generix", "category": CASES},
    {"id": "c-2", "title": "Amzer Anti-radiation Case for Asus Fonepad 7", "brand": "Amzer", "category": CASES},
    {"id": "c-3", "title": "Kanu Book Cover for Asus Memo Pad 8", "brand": "Kanu", "category": CASES},
    {"id": "l-1", "title": "Lenovo A6000 Mobile Phone", "brand": "Lenovo", "category": PHONES, "price": 6999},
    {"id": "l-2", "title": "Lenovo K3 Note Mobile Phone", "brand": "Lenovo", "category": PHONES, "price": 9999},
    {"id": "l-c", "title": "Tup Flip Cover for Lenovo A6000", "brand": "Tup", "category": CASES, "price": 199},
]


@pytest.fixture(scope="module")
def shop(tmp_path_factory, embedder) -> SearchEngine:
    return shop_engine(tmp_path_factory.mktemp("makers"), embedder, SHOP)


def test_the_maker_of_the_device_is_not_a_brand_preference(shop):
    assert shop.understand("asus fonepad 7").brand is None
    got = [h.product.id for h in shop.search("asus fonepad 7", k=5).hits]
    assert set(got[:2]) == {"c-1", "c-2"}  # made for the Fonepad 7, by other makers
    assert "brand" not in shop.search("asus fonepad 7", k=5).preferences


def test_a_maker_named_with_what_it_makes_stays_the_brand(shop):
    assert shop.understand("asus router").brand == "Asus"  # Asus makes routers
    assert shop.understand("lenovo a6000").brand == "Lenovo"  # Lenovo's own A6000 is in the shop
    assert shop.understand("lenovo").brand == "Lenovo"  # the maker alone


def test_names_device_reads_the_catalog():
    ps = [
        Product(id="a", title="Asus RT-N12 Router", brand="Asus"),
        Product(id="b", title="Generix Cover for Asus Fonepad", brand="Generix"),
    ]
    v = QueryVocab.from_products(ps, {"asus": "Asus", "generix": "Generix"})
    assert v.names_device("asus", {"fonepad"})  # only another maker's product names Asus with "fonepad"
    assert not v.names_device("asus", {"router"})  # Asus's own product has it
    assert not v.names_device("asus", {"tablet"})  # no product names Asus with it: no evidence either way
    assert not v.names_device("asus", set())
