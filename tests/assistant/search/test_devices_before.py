"""A device's model named before the kind ("iphone 6 cover", "oneplus 3 back cover") is what the product is made
for, as "cover for iphone 6" is: on the bundled catalog "iphone 6 cover" opened with "6 Seater Table Cover"s, and a
model the shop has nothing for got no notice. When nothing is made for the device, a cover made for another one is
as close as any: "cover for redmi note 4" showed table and cushion covers. A small shop written here, real model,
real index."""

from __future__ import annotations

import pytest

from assistant.search.engine import SearchEngine
from tests.assistant.search.shop import ids, shop_engine

CASES = ["Mobiles & Accessories", "Mobile Accessories", "Cases & Covers"]
CABLES = ["Mobiles & Accessories", "Mobile Accessories", "Cables"]
TABLE = ["Home Furnishing", "Table Linen", "Table Covers"]
SHOES = ["Footwear", "Men's Footwear", "Sports Shoes"]
SHOP = [
    {"id": "cv-ip6", "title": "Flipcase Back Cover for Apple iPhone 6", "category": CASES, "price": 199},
    {"id": "cv-ip5", "title": "Armorx Back Cover for iPhone 5", "category": CASES, "price": 199},
    {"id": "cv-mm1", "title": "Flipcase Back Cover for Micromax Canvas A1", "category": CASES, "price": 199},
    {"id": "cv-mm2", "title": "Armorx Flip Cover for Micromax Bolt", "category": CASES, "price": 249},
    {"id": "cb-ip6", "title": "Lexel Charging Cable for iPhone 6", "category": CABLES, "price": 249},
    {"id": "cb-ip5", "title": "Lexel Sync Cable for iPhone 5", "category": CABLES, "price": 249},
    *[{"id": f"tc-{n}", "title": f"Prime Printed {n} Seater Table Cover", "category": TABLE} for n in (3, 4, 6)],
    *[
        {"id": f"nk-{m}", "title": f"Nike Air Zoom 90 {m} Running Shoes", "category": SHOES, "brand": "Nike"}
        for m in ("Black", "Grey")
    ],
    {"id": "rb-1", "title": "Reebok Zoom Running Shoes", "category": SHOES, "brand": "Reebok"},
]


@pytest.fixture(scope="module")
def shop(tmp_path_factory, embedder) -> SearchEngine:
    return shop_engine(tmp_path_factory.mktemp("devices_before"), embedder, SHOP)


def test_a_model_before_the_kind_is_what_it_is_made_for(shop):
    u = shop.understand("iphone 6 cover")
    assert u.compat_terms == ("iphon", "6"), u
    got = ids(shop.search("iphone 6 cover", k=4, distinct=True))
    assert got[0] == "cv-ip6", got
    assert not any(g.startswith("tc-") for g in got[:3]), got  # covers for other phones before table covers
    assert shop.understand("oneplus 3 back cover").compatible_with == "oneplus 3"


def test_nothing_made_for_the_model_says_so_and_shows_covers_for_others(shop):
    res = shop.search("oneplus 3 back cover", k=3, distinct=True)
    assert res.notice is not None and "oneplus 3" in res.notice, res.notice
    got = ids(res)
    assert all(g.startswith("cv-") for g in got), got
    got = ids(shop.search("cover for redmi note 4", k=3, distinct=True))
    assert all(g.startswith("cv-") for g in got), got


def test_a_products_own_model_is_no_device(shop):
    # a maker the shop sells, no device products are made for: the shoe's own model, read as before
    u = shop.understand("nike air zoom 90 shoes")
    assert u.compat_terms == () and u.brand == "Nike", u
    assert ids(shop.search("nike air zoom 90 shoes", k=2, distinct=True))[0].startswith("nk-")
