"""A type read from a shelf that lists several kinds (issue 14): on "Bags, Wallets & Belts > Wallets & Clutches >
Clutches" a clutch is a clutch, so "leather wallet" ranks the shop's wallets, and the card holders it may count as
wallets, before leather clutches and belts, which only the mixed shelf named wallets. Pure reading of products,
and a small shop written into tmp_path (real model, real index)."""

from __future__ import annotations

import pytest

from assistant.search.engine import SearchEngine
from assistant.search.vocab import type_heads
from index.catalog import Product
from tests.assistant.search.shop import ids, shop_engine

WALLETS = ["Bags, Wallets & Belts", "Wallets & Clutches", "Wallets"]
CLUTCHES = ["Bags, Wallets & Belts", "Wallets & Clutches", "Clutches"]
HOLDERS = ["Bags, Wallets & Belts", "Wallets & Clutches", "Travel Document Holders & Card Holders"]
BELTS = ["Bags, Wallets & Belts", "Belts"]
BAGS = ["Bags, Wallets & Belts", "Bags", "Hand Bags"]


def _product(title: str, category: list[str], **kw) -> Product:
    return Product(id=title, title=title, category=category, **kw)


@pytest.mark.parametrize(
    ("category", "product_type", "heads"),
    [
        (CLUTCHES, "Clutches", {"clutch"}),  # not a wallet, a bag or a belt: its shelves say which it is
        (BELTS, "Belts", {"belt"}),
        (BAGS, "Hand Bags", {"bag"}),
        # a shelf that is none of the mixed shelf's kinds says nothing of which: a card holder may be a wallet
        (HOLDERS, "Card Holders", {"wallet", "clutch", "holder"}),
        # a narrower kind of the same word is not one of the kinds listed: a wall clock stays home decor
        (["Home Decor & Festive Needs", "Wall Decor & Clocks", "Clocks"], "Wall Clocks", {"decor", "clock"}),
        # the shelf a product is on lists kinds no deeper shelf picks from: it may be any of them
        (["Clothing", "Women's Clothing", "Ethnic Wear", "Kurtas & Kurtis"], "Kurtis", {"kurta", "kurti"}),
    ],
)
def test_a_mixed_shelf_gives_its_kinds_only_where_no_deeper_shelf_says_which(category, product_type, heads):
    got = type_heads(_product("Some Product", category, product_type=product_type))
    assert heads <= got
    for kind in {"bag", "wallet", "belt", "clutch"} - heads:
        assert kind not in got


def _p(pid: str, title: str, category: list[str], **kw) -> dict:
    return {"id": pid, "title": title, "category": category, "price": 499, **kw}


LEATHER = {"Material": "Leather"}
SHOP = [
    _p("wallet-1", "Hide 3 Card Wallet", WALLETS),  # the shop's wallets say nothing of their material
    _p("wallet-2", "Tan 6 Card Wallet", WALLETS),
    *[_p(f"holder-{i}", f"Chevron {i} Card Holder", HOLDERS) for i in range(2)],
    *[_p(f"clutch-{i}", f"Shopmania Party Leather Clutch {i}", CLUTCHES, attributes=LEATHER) for i in range(3)],
    *[_p(f"belt-{i}", f"Vermello Men Casual Leather Belt {i}", BELTS, attributes=LEATHER) for i in range(3)],
    *[_p(f"bag-{i}", f"Lino Women's Leather Hand Bag {i}", BAGS, attributes=LEATHER) for i in range(3)],
]


@pytest.fixture(scope="module")
def shop(tmp_path_factory, embedder) -> SearchEngine:
    return shop_engine(tmp_path_factory.mktemp("shelves"), embedder, SHOP)


def test_a_narrower_kind_asked_for_ranks_that_kind_before_the_mixed_shelfs_others(shop):
    got = ids(shop.search("leather wallet", k=8, distinct=False))
    assert set(got[:2]) == {"wallet-1", "wallet-2"}
    assert set(got[2:4]) == {"holder-0", "holder-1"}  # may be wallets: before the leather clutches, belts and bags
    got = ids(shop.search("leather belt", k=6, distinct=False))
    assert set(got[:3]) == {"belt-0", "belt-1", "belt-2"}
