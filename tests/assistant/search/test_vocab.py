"""A type read from a shelf that lists several kinds (issue 14): on "Bags, Wallets & Belts > Wallets & Clutches >
Clutches" a clutch is a clutch, so "leather wallet" ranks the shop's wallets before leather clutches and belts,
which only the mixed shelf named wallets; suspenders on "Bags, Wallets & Belts > Suspenders" are no belts (the
shop shelves its belts apart, beside them), so a belt shelved elsewhere ranks before them. Pure reading of
products, and a small shop written into tmp_path (real model, real index)."""

from __future__ import annotations

import pytest

from assistant.search.engine import SearchEngine
from assistant.search.product_types import shelves_below, type_heads
from index.catalog import Product
from tests.assistant.search.shop import ids, shop_engine

WALLETS = ["Bags, Wallets & Belts", "Wallets & Clutches", "Wallets"]
CLUTCHES = ["Bags, Wallets & Belts", "Wallets & Clutches", "Clutches"]
HOLDERS = ["Bags, Wallets & Belts", "Wallets & Clutches", "Travel Document Holders & Card Holders"]
BELTS = ["Bags, Wallets & Belts", "Belts"]
BAGS = ["Bags, Wallets & Belts", "Bags", "Hand Bags"]
BRACES = ["Bags, Wallets & Belts", "Suspenders"]
FIGURES = ["Toys & School Supplies", "Action Figures"]
CLOCKS = ["Home Decor & Festive Needs", "Wall Decor & Clocks", "Clocks"]
# the shelves of a shop: what it shelves apart under each shelf ("Musical Instruments & Toys" is no shelf of toys)
SHELVES = [
    WALLETS,
    CLUTCHES,
    HOLDERS,
    BELTS,
    BAGS,
    BRACES,
    FIGURES,
    CLOCKS,
    ["Home Decor & Festive Needs", "Showpieces"],
]
SHELVES += [
    ["Toys & School Supplies", "School Supplies", "Pens"],
    ["Toys & School Supplies", "Musical Instruments & Toys"],
]


def _product(title: str, category: list[str], **kw) -> Product:
    return Product(id=title, title=title, category=category, **kw)


@pytest.mark.parametrize(
    ("category", "product_type", "heads", "not_heads"),
    [
        (CLUTCHES, "Clutches", {"clutch"}, {"bag", "wallet", "belt"}),  # its shelves say which it is
        (BELTS, "Belts", {"belt"}, {"bag", "wallet", "clutch"}),
        (BAGS, "Hand Bags", {"bag"}, {"wallet", "belt", "clutch"}),
        # a deeper shelf of another kind: none of the kinds the shop shelves apart beside it
        (BRACES, "Suspenders", {"suspend"}, {"bag", "wallet", "belt"}),
        (HOLDERS, "Card Holders", {"holder"}, {"wallet", "clutch"}),
        # ... but a kind it has no shelf of stays: an action figure is a toy, not a school supply
        (FIGURES, "Action Figures", {"toy", "figur"}, {"suppli"}),
        # a narrower kind of the same word is not one of the kinds listed: a wall clock stays home decor
        (CLOCKS, "Wall Clocks", {"decor", "clock"}, set()),
        # the shelf a product is on lists kinds no deeper shelf picks from: it may be any of them
        (["Clothing", "Women's Clothing", "Ethnic Wear", "Kurtas & Kurtis"], "Kurtis", {"kurta", "kurti"}, set()),
    ],
)
def test_a_mixed_shelf_gives_its_kinds_only_where_no_deeper_shelf_says_which(category, product_type, heads, not_heads):
    below = shelves_below([_product(" ".join(c), c) for c in SHELVES])
    got = type_heads(_product("Some Product", category, product_type=product_type), below=below)
    assert heads <= got and not not_heads & got


def test_a_title_naming_a_kind_of_the_mixed_shelf_keeps_it():
    below = shelves_below([_product(" ".join(c), c) for c in SHELVES])
    bag = _product("Wildcraft Rucksack Bag", ["Bags, Wallets & Belts", "Rucksacks"], product_type="Rucksacks")
    assert type_heads(bag, below=below) >= {"bag", "rucksack"} and "belt" not in type_heads(bag, below=below)


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
    *[_p(f"braces-{i}", f"Modishera Y-Back Suspenders for Men {i}", BRACES) for i in range(3)],
    _p("belt-away", "Urbano Men's Casual Belt", ["Clothing", "Men's Clothing", "Accessories"]),  # shelved elsewhere
]


@pytest.fixture(scope="module")
def shop(tmp_path_factory, embedder) -> SearchEngine:
    return shop_engine(tmp_path_factory.mktemp("shelves"), embedder, SHOP)


def test_a_narrower_kind_asked_for_ranks_that_kind_before_the_mixed_shelfs_others(shop):
    got = ids(shop.search("leather wallet", k=8, distinct=False))
    assert set(got[:2]) == {"wallet-1", "wallet-2"}
    got = ids(shop.search("leather belt", k=6, distinct=False))
    assert set(got[:3]) == {"belt-0", "belt-1", "belt-2"}


def test_suspenders_on_a_shelf_of_bags_wallets_and_belts_are_no_belts(shop):
    got = ids(shop.search("belt", k=8, distinct=False))
    assert set(got[:3]) == {"belt-0", "belt-1", "belt-2"}
    assert got[3] == "belt-away"  # a belt the shop shelved elsewhere, before the suspenders beside its belts
    susp = shop.products[[p.id for p in shop.products].index("braces-0")]
    assert not {"belt", "wallet", "bag"} & shop.qvocab.type_heads(susp)
