"""A baby's products: a baby girl's dress is a girls' product (a daughter's search finds it) and a baby's too ("baby
dress" found none and offered women's dresses); infants' clothes for either sex are a baby's, not everyone's ("shorts
for men" opened with infants' shorts); a child's product for either sex is a kid's, not a man's. One rule for search
and chat (index.attributes.baby_admits, GENDER_ADMITS)."""

from __future__ import annotations

import pytest

from assistant.search.query import Filters
from tests.assistant.search.shop import _p, shop_engine

BABY_GIRLS = ["Baby Care", "Infant Wear", "Baby Girls' Clothes"]
WOMENS = ["Clothing", "Women's Clothing"]
SHOP = [
    *(_p(f"bd-{i}", f"Toddla{i} Baby Girl's Gathered Dress", [*BABY_GIRLS, "Dresses"], 399) for i in range(3)),
    *(_p(f"gd-{i}", f"Bells{i} Girl's A-line Dress", ["Clothing", "Girls Wear", "Dresses"], 799) for i in range(3)),
    *(_p(f"wd-{i}", f"Aurea{i} Women's Maxi Dress", [*WOMENS, "Dresses"], 999) for i in range(4)),
    _p("bs-1", "Zero Printed Baby Boy's, Baby Girl's Basic Shorts", ["Baby Care", "Infant Wear", "Shorts"], 299),
    *(_p(f"ms-{i}", f"Okane{i} Solid Men's Shorts", ["Clothing", "Men's Clothing", "Shorts"], 499) for i in range(3)),
    _p("kw-1", "Kool Kidz Analog Watch - For Girls, Boys", ["Watches", "Wrist Watches"], 263),
    *(_p(f"mw-{i}", f"Timewel{i} Analog Watch - For Men", ["Watches", "Wrist Watches"], 855) for i in range(3)),
]


@pytest.fixture(scope="module")
def shop(tmp_path_factory, embedder):
    return shop_engine(tmp_path_factory.mktemp("babies"), embedder, SHOP)


def test_a_babys_dress_is_found_for_a_baby(shop):
    res = shop.search("baby dress", k=5, distinct=True)
    got = [h.product.id for h in res.hits]
    assert got[:3] and all(i.startswith("bd-") for i in got[:3]), got
    assert not any(i.startswith("wd-") for i in got), got  # women's dresses are another person's
    assert res.notice is None


def test_a_baby_girls_dress_is_still_a_daughters(shop):
    got = [h.product.id for h in shop.search("dress for daughter", k=10, distinct=True).hits]
    assert {"bd-0", "gd-0"} <= set(got) and not any(i.startswith("wd-") for i in got), got


def test_infants_shorts_are_no_mans(shop):
    assert shop.products[[p.id for p in shop.products].index("bs-1")].gender == "baby"
    got = [h.product.id for h in shop.search("shorts for men", k=10, distinct=True).hits]
    assert got[:3] and all(i.startswith("ms-") for i in got[:3]) and "bs-1" not in got, got


def test_a_baby_filter_admits_a_baby_girls_dress(shop):
    got = {h.product.id for h in shop.search("dress", k=10, filters=Filters(gender="baby"), distinct=False).hits}
    assert {"bd-0", "bd-1", "bd-2"} <= got and not any(i[:3] in ("gd-", "wd-", "ms-") for i in got), got


def test_a_watch_for_girls_and_boys_is_a_childs_not_a_mans(shop):
    # derived "unisex", a kids' watch opened "watches for men"; it is "kids", found for a son or a daughter
    assert shop.products[[p.id for p in shop.products].index("kw-1")].gender == "kids"
    got = [h.product.id for h in shop.search("watch for men", k=10, distinct=True).hits]
    assert got[:3] and all(i.startswith("mw-") for i in got[:3]) and "kw-1" not in got, got
    for query in ("watch for my son", "watch for girls", "watch for kids"):
        assert "kw-1" in [h.product.id for h in shop.search(query, k=5, distinct=True).hits], query
