"""When the page shows every product of the kind asked for and then other kinds of thing, the notice says how
few the shop has ("Only 3 Mouse products in this shop; showing other products after them."), counting the
variants a card stands for; and it says nothing when what follows may be the kind to a shopper: shelved beside
it, or as close to the query in meaning, or when the shop has more of the kind than the page shows. A small shop
written here, real model, real index."""

from __future__ import annotations

import pytest

from assistant.search.engine import SearchEngine
from tests.assistant.search.shop import ids, shop_engine

MICE = ["Computers", "Computer Accessories", "Mouse"]
ROUTERS = ["Computers", "Network Components", "Routers"]
LAPTOP_BAGS = ["Bags, Wallets & Belts", "Bags", "Laptop Bags"]
BACKPACKS = ["Bags, Wallets & Belts", "Bags", "Backpacks"]
SHOP = [
    # three mice, two of them variants of one title
    {"id": "m-1", "title": "Zip Wireless Optical Mouse", "category": MICE, "price": 499},
    {"id": "m-2", "title": "Zip Wireless Optical Mouse", "category": MICE, "price": 499},
    {"id": "m-3", "title": "Zap Wireless Gaming Mouse", "category": MICE, "price": 899},
    *[
        {"id": f"r-{i}", "title": f"Netline{i} Wireless Router N300", "category": ROUTERS, "price": 1200 + i}
        for i in range(5)
    ],
    # on no shelf: it may be anything, a mouse too
    {"id": "x-1", "title": "Acme Slide Clicker 2.4 GHz", "category": [], "price": 999},
    *[{"id": f"lb-{i}", "title": f"Carry{i} Laptop Bag", "category": LAPTOP_BAGS, "price": 900 + i} for i in range(2)],
    *[
        {"id": f"bp-{i}", "title": f"Trail{i} Laptop Backpack", "category": BACKPACKS, "price": 1500 + i}
        for i in range(4)
    ],
]


@pytest.fixture(scope="module")
def shop(tmp_path_factory, embedder) -> SearchEngine:
    return shop_engine(tmp_path_factory.mktemp("only"), embedder, SHOP)


def test_every_one_of_the_kind_then_other_things_says_how_few(shop):
    res = shop.search("wireless mouse", k=6, distinct=True)
    assert ids(res)[:2] in (["m-1", "m-3"], ["m-3", "m-1"]) and all(i.startswith("r-") for i in ids(res)[2:])
    assert res.notice == "Only 3 Mouse products in this shop; showing other Computers after them."


def test_no_count_when_the_page_holds_only_the_kind(shop):
    res = shop.search("wireless mouse", k=2, distinct=True)
    assert len(res.hits) == 2 and res.notice is None


def test_no_count_when_the_kind_has_more_than_the_page_shows(shop):
    res = shop.search("wireless mouse", k=1, distinct=False)
    assert res.notice is None  # one of three shown: nothing to say about how few there are


def test_no_count_when_what_follows_is_shelved_beside_the_kind(shop):
    res = shop.search("laptop bag", k=6, distinct=True)
    assert {"lb-0", "lb-1"} <= set(ids(res)[:2]) and any(i.startswith("bp-") for i in ids(res))
    assert res.notice is None  # backpacks beside the laptop bags may be what the shopper calls a laptop bag


def test_no_count_when_a_product_on_no_shelf_follows(shop):
    res = shop.search("wireless mouse", k=12, distinct=True)
    assert "x-1" in ids(res)
    assert res.notice is None  # a product the shop shelves nowhere could be of the kind: no claim of how few
