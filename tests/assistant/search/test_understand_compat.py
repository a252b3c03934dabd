"""A title that names the type followed by the device asked for, "for" left out ("Key Chain Charger IPhone 5"),
is of the type for that device (round 5 of the judged set). A small shop written here, real model, real index."""

from __future__ import annotations

import pytest

from assistant.search.engine import SearchEngine
from tests.assistant.search.shop import shop_engine

CHARGERS = ["Mobiles & Accessories", "Mobile Accessories", "Chargers"]
GADGETS = ["Computers", "Laptop Accessories", "USB Gadgets"]
SHOP = [
    *[
        {"id": f"cam-{i}", "title": f"Pearstone NP-{i}0 Camera Battery Charger", "category": CHARGERS, "price": 400}
        for i in range(10)
    ],
    {"id": "for-iphone", "title": "Smiledrive Key Chain Charger IPhone 5, 5s USB Sync Cable", "category": GADGETS},
    # the type word qualifies another noun: a holder, not a charger, though made for the iPhone
    {"id": "holder", "title": "Deskmate Charger Holder Stand for IPhone", "category": GADGETS},
    {"id": "case", "title": "Flipcase Back Cover for IPhone 6", "category": ["Mobiles & Accessories", "Covers"]},
]


@pytest.fixture(scope="module")
def shop(tmp_path_factory, embedder) -> SearchEngine:
    return shop_engine(tmp_path_factory.mktemp("compat"), embedder, SHOP)


def test_a_title_naming_the_type_then_the_device_is_of_the_type_for_it(shop):
    u = shop.understand("charger for iphone")
    assert u.type_terms == ("charger",) and u.compat_terms == ("iphon",)
    got = [h.product.id for h in shop.search("charger for iphone", k=13, distinct=False).hits]
    assert got[0] == "for-iphone"  # a charger made for the iPhone, before chargers made for cameras
    assert got.index("holder") > max(got.index(f"cam-{i}") for i in range(10))  # a holder is not a charger


@pytest.mark.parametrize("query", ["back cover for my iphone 6", "back cover for the iphone 6"])
def test_the_device_after_a_possessive_is_the_device(shop, query):
    # "for my galaxy j7" read no device ("my" is no device word): covers for any phone, with nothing said
    u = shop.understand(query)
    assert u.compatible_with == "iphone 6", u
    assert shop.search(query, k=1).hits[0].product.id == "case"


def test_a_kind_of_device_after_a_possessive_is_read_as_without_it():
    # "cover for my phone" is "cover for phone": a kind of device the shop sells, no model, so no "No Covers made for
    # phone"; and the kind asked stays: "mouse for my laptop" read no kind (no mouse says "laptop") and showed mouse
    # pads first
    from assistant.search.understand import QueryVocab, understand
    from index.catalog import Product

    phones = [Product(id=f"p{i}", title=f"Lava A{i} Phone", category=["Mobiles", "Phones"]) for i in range(3)]
    covers = [
        Product(id=f"c{i}", title=f"Flipcase Back Cover for Apple iPhone {i}", category=["Mobiles", "Covers"])
        for i in (5, 6)
    ]
    pouches = [Product(id=f"u{i}", title=f"Armor{i} Pouch for Phone", category=["Mobiles", "Pouches"]) for i in (1, 2)]
    laptops = [Product(id=f"l{i}", title=f"Dell{i} Inspiron Laptop", category=["Computers", "Laptops"]) for i in (1, 2)]
    mice = [Product(id=f"m{i}", title=f"Logitech M{i} Wireless Mouse", category=["Computers", "Mouse"]) for i in (1, 2)]
    pads = [Product(id=f"d{i}", title=f"Frenemy{i} Mouse Pad for Laptop", category=["Computers", "Pads"]) for i in "12"]
    v = QueryVocab.from_products(phones + covers + pouches + laptops + mice + pads)
    for query in ("back cover for my phone", "back cover for phone"):
        u = understand(query, v)
        assert u.compatible_with == "phone" and u.compat_kind and u.type_terms == ("cover",), u
    assert understand("mouse for my laptop", v).type_terms == understand("mouse for laptop", v).type_terms == ("mous",)
    # with no kind before "for" the kind of device is what is asked ("something for the kitchen": kitchen things)
    assert understand("something for my laptop", v).compatible_with is None
    assert understand("back cover for my iphone 6", v).compatible_with == "iphone 6"


def test_looking_for_is_the_asking_not_what_a_product_is_made_for():
    # "looking for a laptop bag" read "laptop bag" as the device products are made for, and no kind: the chat then
    # showed hand-held bags; "shopping for a saree", "searching for a phone cover" read no kind at all
    from assistant.search.understand import QueryVocab, understand
    from index.catalog import Product

    bags = [Product(id=f"b{i}", title=f"Trail{i} Laptop Bag", category=["Bags", "Laptop Bags"]) for i in range(3)]
    hand = [Product(id=f"h{i}", title=f"Lino{i} Hand Bag", category=["Bags", "Hand Bags"]) for i in range(3)]
    shop = [Product(id="s0", title="Eco Shopping Bag", category=["Bags", "Shopping Bags"])]
    covers = [Product(id=f"c{i}", title=f"Flip{i} Cover for Laptop", category=["Computers", "Covers"]) for i in (1, 2)]
    vocab = QueryVocab.from_products([*bags, *hand, *shop, *covers], {})
    for query in ("looking for a laptop bag", "looking for laptop bag", "searching for a laptop bag"):
        u = understand(query, vocab)
        assert u.product_type == "Laptop Bags" and u.compatible_with is None, (query, u)
    u = understand("i am looking for a cover for my laptop", vocab)  # the second "for" still says what it is for
    assert u.type_terms == ("cover",) and u.compatible_with == "laptop", u
    assert understand("shopping bag", vocab).product_type == "Shopping Bags"  # a word of the shop's, not asking
