"""Products the shop gives no type or shelf: what their title names them counts as their type in search, while
the vocabulary of types stays the shop's own (round 5 of the judged set). A small shop written here, real model,
real index."""

from __future__ import annotations

import pytest

from assistant.search.engine import SearchEngine
from assistant.search.product_types import title_kind, type_names
from assistant.search.understand import understand
from index.catalog import Product
from tests.assistant.search.shop import shop_engine

KURTAS = ["Clothing", "Women's Clothing", "Ethnic Wear", "Kurtas"]
SHOP = [
    *[
        {
            "id": f"k-{i}",
            "title": f"Brand{i} Casual Printed Women's Kurta",
            "category": KURTAS,
            "price": 500 + i,
            "description": "Sleeve 3/4 Sleeve Fabric Cotton",
        }
        for i in range(12)
    ],
    # no type and no shelf: only the title says what it is; only its page says it is sleeveless
    {
        "id": "k-untyped",
        "title": "Vishudh Printed Women's Straight Kurta",
        "category": [],
        "price": 499,
        "description": "Kurta Details Sleeve Sleeveless Fabric 100% Cotton",
    },
    # a title ending in a word the shop uses for no type: not a type
    {"id": "c-untyped", "title": "Mandhania Printed Pure Cotton", "category": [], "price": 300},
    *[
        {"id": f"t-{i}", "title": f"Brand{i} Sleeveless Solid Women's Top", "category": ["Clothing", "Tops"]}
        for i in range(3)
    ],
]


@pytest.fixture(scope="module")
def shop(tmp_path_factory, embedder) -> SearchEngine:
    return shop_engine(tmp_path_factory.mktemp("untyped"), embedder, SHOP)


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("Vishudh Printed Women's Straight Kurta", "kurta"),
        ("Trek Sports Shoes For Men, Boys", "shoes"),
        ("Ray-Ban Aviator Sunglasses (Black)", "sunglasses"),
        ("Nike Round Neck T-Shirt", "t-shirt"),
        ("SmileDrive Key Chain Charger iPhone 5, 5s", None),  # a model number ends the name
        ("Levis Slim Fit Jeans Blue", None),  # a colour
        ("Jeans", None),  # one word: a title, not a name of a kind
    ],
)
def test_a_title_names_its_kind_by_its_last_plain_word(title, kind):
    assert title_kind(title) == kind


def test_the_title_kind_is_a_type_name_only_where_the_shop_gives_none():
    assert type_names(Product(id="a", title="Vishudh Printed Women's Straight Kurta")) == ["kurta"]
    given = Product(id="b", title="Vishudh Printed Women's Straight Kurta", category=KURTAS)
    assert "kurta" not in type_names(given) and "Kurtas" in type_names(given)


def test_an_untyped_product_is_of_the_type_its_title_names(shop):
    rows = {p.id: r for r, p in enumerate(shop.products)}
    typed = shop.type_post.all_of(("kurta",)) & shop.head_post.any_of(("kurta",))
    assert typed[rows["k-untyped"]] and typed.sum() == 13
    # what the vocabulary knows as types stays the shop's own naming: a title's last word does not add one
    assert understand("cotton", shop.qvocab).product_type is None and "cotton" not in shop.qvocab.type_rows
    assert rows["k-untyped"] not in shop.qvocab.type_rows["kurta"].tolist()


def test_an_untyped_product_stating_the_attribute_ranks_above_typed_ones_that_do_not(shop):
    got = [h.product.id for h in shop.search("sleeveless kurta", k=20, distinct=False).hits]
    assert got[0] == "k-untyped"  # of the type by its title, and its page says sleeveless
    kurtas = [i for i, pid in enumerate(got) if pid.startswith("k-")]
    tops = [i for i, pid in enumerate(got) if pid.startswith("t-")]
    assert len(kurtas) == 13 and all(t > max(kurtas) for t in tops)  # sleeveless tops are not kurtas
