"""A product whose title names it by another thing after its kind's word is that thing, for the kind: "Ovente Hair
Dryer Bonnet" on the shop's "Hair Dryers" shelf is a bonnet for a hair dryer, and "Autoplus Helmet Lock" or "Clamp
Lock For Helmet" on "Helmets & Locks" a lock. "hair dryer" opened with eight bonnets before the shop's hair dryers,
"helmet" with helmet locks (the judged "helmet": 3 of 10 right). They now come after the kind's own products, and
first when the thing is asked ("hair dryer bonnet"). A small shop written here, real model, real index."""

from __future__ import annotations

import pytest

from assistant.search.product_types import named_after_kind
from index.catalog import Product
from tests.assistant.search.shop import ids, shop_engine

DRYERS = ["Personal Care Appliances", "Hair Dryers"]
HELMETS = ["Automotive", "Helmets & Riding Gear", "Helmets & Locks"]
SHOP = [
    *[{"id": f"bo-{m}", "title": f"{m} Hair Dryer Bonnet", "category": DRYERS} for m in ("Ovente", "Conair", "Rusk")],
    *[
        {"id": f"hd-{m}", "title": f"{m} HP8100 1600 W Compact Foldable Travel Hair Dryer", "category": DRYERS}
        for m in ("Philips", "Vega")
    ],
    *[{"id": f"lk-{m}", "title": f"{m} Helmet Lock", "category": HELMETS} for m in ("Autoplus", "Myra")],
    {"id": "lk-for", "title": "Speedwav Plastic Clamp Lock For Helmet", "category": HELMETS},
    *[
        {"id": f"hm-{m}", "title": f"{m} G-7 Full Face Motorbike Riding Helmet - XL", "category": HELMETS}
        for m in ("Sonik", "Vega")
    ],
    *[{"id": f"sb-{m}", "title": f"{m} Women's Sports Bra", "category": ["Clothing", "Sports Bras"]} for m in "AB"],
    *[{"id": f"gr-{m}", "title": f"{m} Grater and Slicer", "category": ["Kitchen", "Graters & Slicers"]} for m in "AB"],
]


@pytest.fixture(scope="module")
def shop(tmp_path_factory, embedder):
    return shop_engine(tmp_path_factory.mktemp("named_after"), embedder, SHOP)


def test_a_kind_is_ranked_before_the_things_made_for_it(shop):
    got = ids(shop.search("hair dryer", k=5, distinct=True))
    assert set(got[:2]) == {"hd-Philips", "hd-Vega"}, got
    got = ids(shop.search("helmet", k=5, distinct=True))
    assert set(got[:2]) == {"hm-Sonik", "hm-Vega"}, got
    assert set(got[2:5]) == {"lk-Autoplus", "lk-Myra", "lk-for"}, got  # of the kind's shelf still, after


def test_the_thing_asked_for_comes_first(shop):
    assert set(ids(shop.search("hair dryer bonnet", k=3, distinct=True))) == {"bo-Ovente", "bo-Conair", "bo-Rusk"}
    assert set(ids(shop.search("helmet lock", k=3, distinct=True))) == {"lk-Autoplus", "lk-Myra", "lk-for"}


def test_what_a_title_names_after_a_kind():
    def read(title: str, heads: set[str], names: list[str]) -> tuple[set[str], str] | None:
        return named_after_kind(Product(id="x", title=title, category=names), heads, names)

    assert read("Ovente Hair Dryer Bonnet", {"dryer"}, ["Hair Dryers"]) == ({"dryer"}, "bonnet")
    assert read("Autoplus Helmet Lock", {"helmet", "lock"}, ["Helmets & Locks"]) == ({"helmet"}, "lock")
    assert read("Speedwav Clamp Lock For Helmet", {"helmet", "lock"}, ["Helmets & Locks"]) == ({"helmet"}, "lock")
    assert read("Sonik Motorbike Helmet - XL", {"helmet", "lock"}, ["Helmets & Locks"]) is None
    assert read("Piftif Women's Sports Bra", {"bras"}, ["Sports Bras"]) is None  # a sports bra is a bra
    assert read("Anjali Grater and Slicer", {"grater", "slicer"}, ["Graters & Slicers"]) is None  # both
    assert read("Raymond Double Blanket Brown", {"blanket"}, ["Blankets"]) is None  # a colour
    assert read("Sohar Lehenga, Choli and Dupatta Set", {"lehenga", "choli"}, ["Lehenga Cholis"]) is None
