"""A question about what a shown product is made of is answered from its title when its details say nothing, as
search reads a page's material: "is the first one silk?" of a "... Cotton Sari" was "I don't know ... its details say
nothing about what it is made of"; now "No: its name says cotton". The dialogue run as the session runs it, on a
small shop written here, real model, real index."""

from __future__ import annotations

import pytest

from assistant.chat.questions import answer
from assistant.chat.vocab import NluVocab
from assistant.search.engine import SearchEngine
from index.catalog import Product
from tests.assistant.chat.test_kinds import chat_shop, talk

SAREES = ["Clothing", "Women's Clothing", "Ethnic Wear", "Sarees"]
SHOP = [
    {"id": "s-cotton", "title": "Mahek Striped Cotton Sari", "category": SAREES, "price": 1500},
    {"id": "s-georgette", "title": "Radadiya Bollywood Georgette Sari", "category": SAREES, "price": 650},
    {"id": "s-silk", "title": "Annapurna Kanjivaram Art Silk Sari", "category": SAREES, "price": 3690},
    {"id": "s-plain", "title": "Vipul Printed Sari", "category": SAREES, "price": 499},
    # the shop's fabrics, as its specification lines name them, three of each (what materials are learned from)
    *[
        {
            "id": f"d-{f}{i}",
            "title": f"Urban{i} Solid {f} Dupatta",
            "category": ["Clothing", "Dupattas"],
            "attributes": {"Fabric": f},
        }
        for f in ("Cotton", "Silk", "Georgette")
        for i in range(3)
    ],
]


@pytest.fixture(scope="module")
def shop(tmp_path_factory, embedder) -> tuple[SearchEngine, NluVocab]:
    return chat_shop(tmp_path_factory.mktemp("chat-questions"), embedder, SHOP)


def test_what_a_shown_product_is_made_of_is_read_off_its_title(shop):
    (res, _), (_, said) = talk(shop, "sarees", "is the first one silk?")
    said = said.strip()
    p = res.items[0].product
    named = next(w for w in ("cotton", "georgette", "silk") if w in p.title.lower()) if p.id != "s-plain" else None
    if named is None:
        assert "don't know" in said.lower(), said  # a title naming no material: still not known
    else:
        assert said.startswith("Yes" if named == "silk" else "No") and f"its name says {named}" in said, said


def test_the_answer_names_the_material_the_title_says():
    cotton = Product(id="c", title="Mahek Striped Cotton Sari")
    silk = Product(id="s", title="Annapurna Kanjivaram Art Silk Sari")
    materials = {"cotton", "silk", "georgett"}
    assert answer(cotton, "material", "silk", materials) == (
        "No: its name says cotton: Mahek Striped Cotton Sari.",
        True,
    )
    assert answer(silk, "material", "silk", materials)[0].startswith("Yes: its name says silk")
    assert answer(cotton, "material", "", materials)[0] == "Its name says cotton: Mahek Striped Cotton Sari."
    said, known = answer(Product(id="p", title="Vipul Printed Sari"), "material", "silk", materials)
    assert not known and "don't know" in said.lower()
