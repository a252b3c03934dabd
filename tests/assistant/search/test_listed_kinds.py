"""A kind the shop sells only on a shelf that lists several kinds (issue 14): leggings shelved on "Leggings &
Jeggings" and typed "Legging Jegging" are named by the query "leggings", which named no type when only a shelf's
whole name and its last word were learned. A listed shelf no title names ("Home" of "Home & Kitchen") stays no
kind of product. Pure reading of products."""

from __future__ import annotations

import pytest

from assistant.search.understand import QueryVocab, understand
from index.catalog import Product

LEGGINGS = ["Clothing", "Women's Clothing", "Fusion Wear", "Leggings & Jeggings"]
KITCHEN = ["Home & Kitchen", "Kitchen Tools"]


def _product(pid: str, title: str, category: list[str], product_type: str, brand: str) -> Product:
    return Product(id=pid, title=title, category=category, product_type=product_type, brand=brand)


SHOP = [
    *[_product(f"l{i}", f"{b} Women's Leggings", LEGGINGS, "Legging Jegging", b) for i, b in enumerate("ABC")],
    _product("j1", "Dfh Women's Jeggings", LEGGINGS, "Legging Jegging", "Dfh"),
    *[_product(f"k{i}", f"{b} Steel Peeler", KITCHEN, "Peelers", b) for i, b in enumerate("DE")],
    *[_product(f"h{i}", f"{b} Home Kitchen Tool Set", KITCHEN, "Kitchen Tools", b) for i, b in enumerate("FG")],
]


@pytest.fixture(scope="module")
def vocab() -> QueryVocab:
    return QueryVocab.from_products(SHOP)


@pytest.mark.parametrize("query", ["leggings", "legging", "black leggings for women"])
def test_a_kind_named_only_in_a_listing_shelf_is_a_type(vocab, query):
    u = understand(query, vocab)
    assert u.product_type == "Leggings"
    assert u.type_terms == ("legging",)


def test_the_shelfs_last_kind_and_whole_name_stay_types(vocab):
    assert understand("jeggings", vocab).type_terms == ("jegging",)
    assert understand("legging jegging", vocab).type_terms == ("legging", "jegging")


def test_a_listed_shelf_no_title_names_is_no_kind(vocab):
    # "Home & Kitchen": titles of its products end in "Peeler" and "Set", never "Home"
    assert ("home",) not in vocab.types
    assert understand("home", vocab).product_type is None
