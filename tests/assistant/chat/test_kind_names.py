"""Replies name a kind in the plural as the shop writes it (issue 14): "kurtas", but "hair care" and "eyewear"
left as they are, the shop writing those words and never their plural ("hair cares" read as an invented word); a
plural only one maker writes, in its name ("Jazz Eyewears"), is not the shop's. Pure reading of products."""

from __future__ import annotations

import pytest

from assistant.chat import replies
from assistant.chat.state import Constraints
from assistant.chat.vocab import KindNames, NluVocab
from index.catalog import Product

HAIR = ["Beauty and Personal Care", "Hair Care", "Hair Oils"]
KURTAS = ["Clothing", "Women's Clothing", "Ethnic Wear", "Kurtas"]
EYEWEAR = ["Eyewear", "Sunglasses"]


def _product(pid: str, title: str, category: list[str], product_type: str, brand: str) -> Product:
    return Product(id=pid, title=title, category=category, product_type=product_type, brand=brand)


SHOP = [
    *[_product(f"h{b}", f"{b} Herbal Hair Care Oil", HAIR, "Hair Care", b) for b in ("Aroma", "Biotique", "Dabur")],
    *[_product(f"k{b}", f"{b} Printed Women's Straight Kurta", KURTAS, "Kurtas", b) for b in ("Vishudh", "Libas")],
    _product("s1", "Jazz Eyewears Over-sized Sunglasses", EYEWEAR, "Sunglasses", "Jazz Eyewears"),
    _product("s2", "Fastrack UV Protected Aviator Sunglasses", EYEWEAR, "Sunglasses", "Fastrack"),
]


@pytest.fixture(scope="module")
def names() -> KindNames:
    return NluVocab.from_products(SHOP).kind_names


@pytest.mark.parametrize(
    ("kind", "said"),
    [
        ("hair care", "hair care"),  # the shop writes "care", never "cares": no countable thing
        ("eyewear", "eyewear"),  # "Eyewears" only in one maker's name
        ("kurta", "kurtas"),  # the shop's own plural
        ("kurtas", "kurtas"),  # already plural
        ("sunglasses", "sunglasses"),
        ("unicorn", "unicorns"),  # a word the shop writes in neither form: the English plural
    ],
)
def test_a_kind_is_named_as_the_shop_writes_it(names, kind, said):
    assert names.plural(kind) == said


def test_replies_describe_the_kind_with_the_shops_names(names):
    assert replies.describe(Constraints(category="hair care", price_max=500), names=names).startswith("hair care ")
    assert replies.describe(Constraints(category="kurta", colour="blue"), names=names) == "blue kurtas"
    assert replies.describe(Constraints(category="hair care"), plural=False, names=names) == "hair care"
