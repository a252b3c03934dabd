"""Round-6 classes of the judged search set, "<type> for <device>": a product of the type shelved in a department
that holds none of the shop's products made for that device (a camera battery charger for "charger for
iphone", a cushion cover for "flip cover for nexus 7") ranks as one made for another device: after the
products of the type where the device's products are, and after those made for the device; a product made for
the device whose title names what the type does ("Fast Charging Cable" for a charger) is of the type. On a small shop
written here (real model, real index), and the pure rule on arrays."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.search.engine import SearchEngine
from assistant.search.ranking import other_shelf
from assistant.search.titles import named_by_use
from index.catalog import Product
from tests.assistant.search.shop import shop_engine

CHARGERS = ["Mobiles & Accessories", "Mobile Accessories", "Chargers"]
CABLES = ["Mobiles & Accessories", "Mobile Accessories", "Cables"]
CASES = ["Mobiles & Accessories", "Mobile Accessories", "Cases & Covers"]
CAMERA = ["Cameras & Accessories", "Accessories", "Battery Chargers"]
SHOP = [
    {"id": "ch-ip", "title": "Finger's iPhone 5 Data Sync USB Charger", "category": CHARGERS, "price": 199},
    {"id": "ch-mob", "title": "Ambrane Fast Charger for Mobile", "category": CHARGERS, "price": 349},
    {"id": "ch-uni", "title": "Portronics Universal USB Wall Charger", "category": CHARGERS, "price": 299},
    {"id": "cb-ip", "title": "Lexel Fast Charging Cable for iPhone", "category": CABLES, "price": 249},
    {"id": "cv-ip", "title": "Flipcase Back Cover for Apple iPhone 6", "category": CASES, "price": 199},
    *[
        {"id": f"cam-{m}", "title": f"Pearstone {m} Camera Battery Charger", "category": CAMERA, "price": 899}
        for m in ("EN-EL2", "NP-95", "LP-E8")
    ],
]


@pytest.fixture(scope="module")
def shop(tmp_path_factory, embedder) -> SearchEngine:
    return shop_engine(tmp_path_factory.mktemp("shelves"), embedder, SHOP)


def test_a_product_of_the_type_in_another_department_ranks_after_those_near_the_device(shop):
    got = [h.product.id for h in shop.search("charger for iphone", k=20).hits]
    camera = min(got.index(f"cam-{m}") for m in ("EN-EL2", "NP-95", "LP-E8"))
    assert got[0] == "ch-ip"  # of the type, made for the iPhone
    assert max(got.index("ch-mob"), got.index("ch-uni")) < camera  # chargers where the iPhone's products are
    assert got.index("cb-ip") < camera  # made for the iPhone, though a cable: before a camera's charger


def test_a_title_naming_what_the_type_does_is_of_the_type_for_the_device(shop):
    # "Fast Charging Cable for iPhone": a charger to a shopper asking for a charger for the iPhone, before the
    # chargers made for no device in particular
    got = [h.product.id for h in shop.search("charger for iphone", k=20).hits]
    assert got.index("cb-ip") < min(got.index("ch-mob"), got.index("ch-uni"))


def test_named_by_use_reads_title_words():
    ps = [
        Product(id="a", title="Lexel Fast Charging Cable for iPhone"),
        Product(id="b", title="Selfie Stick for iPhone"),
        Product(id="c", title="Laptop Cleaning Kit"),
        Product(id="d", title="USB Charger"),
    ]
    everything = np.ones(4, dtype=bool)
    np.testing.assert_array_equal(named_by_use(ps, everything, ("charger",)), [1, 0, 0, 0])
    np.testing.assert_array_equal(named_by_use(ps, everything, ("sticker",)), [0, 0, 0, 0])  # no "sticking"
    np.testing.assert_array_equal(named_by_use(ps, everything, ("laptop", "cleaner")), [0, 0, 1, 0])
    np.testing.assert_array_equal(named_by_use(ps, everything, ("cover",)), [0, 0, 0, 0])  # not an "-er" kind
    np.testing.assert_array_equal(named_by_use(ps, np.array([0, 0, 0, 1], bool), ("charger",)), [0, 0, 0, 0])


def test_without_a_device_the_departments_do_not_matter(shop):
    got = [h.product.id for h in shop.search("battery charger", k=20).hits]
    assert {f"cam-{m}" for m in ("EN-EL2", "NP-95", "LP-E8")} <= set(got[:5])


def test_other_shelf_rule_on_arrays():
    root = np.array([0, 0, 0, 1, 1, 2, -1])  # departments; -1: a product the shop shelves nowhere
    typed = np.array([True, True, False, True, True, False, True])
    compat = np.array([True, False, True, False, False, False, False])
    np.testing.assert_array_equal(other_shelf(compat, typed, root), [0, 0, 0, 1, 1, 0, 0])
    # made for the device itself: never sent away, whatever its department
    compat2 = np.array([True, False, True, True, False, False, False])
    out = other_shelf(compat2, typed, root, share=0.5)
    assert out is not None and not out[3] and out[4]
    # the type is nowhere near the device (all of it elsewhere): kept in its order
    assert other_shelf(compat, np.array([False, False, False, True, True, False, False]), root) is None
    # nothing made for the device is shelved: no department to judge by
    assert other_shelf(np.array([False] * 6 + [True]), typed, root) is None
