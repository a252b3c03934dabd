"""A kind the shop shelves few of, whose titles name more of it on a shelf beside them ("Sparx Sneakers" under Casual
Shoes, one product on the shop's Sneakers shelf): search reads them of the kind, as the chat does
(Kinds.named_beside); a title naming the kind in another department is not ("Ekku Mickey Mouse", a soft toy, is no
computer mouse). A small shop written here, real model, real index."""

from __future__ import annotations

import pytest

from tests.assistant.search.shop import ids, shop_engine

FOOT = ["Footwear", "Men's Footwear"]
SHOP = [
    {"id": "sn-shelf", "title": "Savie Shoes Sneakers", "category": [*FOOT, "Sneakers"], "colour": "White"},
    *[
        {"id": f"sn-{m}", "title": f"{m} Sneakers", "category": [*FOOT, "Casual Shoes"]}
        for m in ("Sparx", "HRX", "Sting")
    ],
    *[
        {"id": f"lo-{m}", "title": f"{m} Loafers", "category": [*FOOT, "Casual Shoes"], "colour": "White"}
        for m in ("Bata", "Lee")
    ],
    {"id": "hl-1", "title": "Urban Woods White Women Heels", "category": ["Footwear", "Women's Footwear", "Heels"]},
    {"id": "la-1", "title": "Shopoj White Paper Sky Lantern", "category": ["Home Decor", "Lanterns"]},
    {"id": "ms-1", "title": "Logitech Wireless Optical Mouse", "category": ["Computers", "Accessories", "Mouse"]},
    {"id": "ms-toy", "title": "Ekku Mickey Mouse", "category": ["Toys", "Soft Toys"]},
]


@pytest.fixture(scope="module")
def shop(tmp_path_factory, embedder):
    return shop_engine(tmp_path_factory.mktemp("kinds"), embedder, SHOP)


def test_a_kind_named_by_titles_beside_its_shelf_is_the_kind(shop):
    got = ids(shop.search("white sneakers", k=6, distinct=True))
    assert set(got[:4]) == {"sn-shelf", "sn-Sparx", "sn-HRX", "sn-Sting"}, got  # white loafers, heels, lanterns after
    assert shop.search("white sneakers", k=6).notice is None


def test_a_title_naming_the_kind_in_another_department_is_not_of_it(shop):
    got = ids(shop.search("mouse", k=3, distinct=True))
    assert got[0] == "ms-1" and "ms-toy" not in got[:1], got


def test_the_rows_beside_a_kind_are_remembered_as_read(shop):
    import numpy as np

    key = ("sneaker",)
    typed = shop.kinds.types.all_of(key) & shop.kinds.heads.any_of(key)
    want = np.flatnonzero(shop.kinds.named_beside(key, typed))
    assert [shop.products[r].id for r in want] == ["sn-Sparx", "sn-HRX", "sn-Sting"]
    assert shop.kinds.beside_rows(key).tolist() == want.tolist() == shop.kinds.beside_rows(key).tolist()
    assert shop.kinds.beside_rows(("lantern",)).tolist() == []  # a kind no title names beside its shelf
