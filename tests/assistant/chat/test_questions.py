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


def test_does_it_come_in_a_colour_is_answered_from_it_and_its_variants(tmp_path_factory, embedder):
    """ "does the second one come in black?" showed the product and said nothing of black. Now: it is black, or a
    variant of it (the same title, as search groups variants) is, shown and talked about, or neither is."""
    tops = ["Clothing", "Women's Clothing", "Tops"]
    shop = chat_shop(
        tmp_path_factory.mktemp("chat-variants"),
        embedder,
        [
            {"id": "t-blue", "title": "Harpa Solid Women's Top", "category": tops, "colour": "Blue", "price": 479},
            {"id": "t-black", "title": "Harpa Solid Women's Top", "category": tops, "colour": "Black", "price": 479},
            {"id": "k-red", "title": "Rene Printed Women's Top", "category": tops, "colour": "Red", "price": 830},
        ],
    )
    (res, _), (asked, said) = talk(shop, "tops for women", "does the first one come in black?")
    first = res.items[0].product
    if first.id.startswith("t-"):  # the Harpa top, in one colour or the other: its black variant
        assert [i.product.id for i in asked.items] == ["t-black"] and "Yes, it " in said, said
    else:
        assert [i.product.id for i in asked.items] == ["k-red"], said
        assert "I don't see it in black; it is listed in red" in said, said
    (_, _), (asked, said) = talk(shop, "tops for women", "does the first one come in green?")
    assert "I don't see it in green" in said and len(asked.items) == 1, said


def test_in_colour_reads_the_colour_and_the_variants():
    from assistant.chat.questions import in_colour

    blue = Product(id="b", title="Harpa Solid Top", colour="blue")
    black = Product(id="k", title="Harpa Solid Top", colour="black")
    gold = Product(id="g", title="Fida Yellow Gold Drop Earring", colour="multicolor")
    assert in_colour(blue, "black", [blue, black]) == (black, "Yes, it comes in black too:")
    assert in_colour(black, "black", [blue, black]) == (black, "Yes, it is black:")
    assert in_colour(gold, "gold", [gold]) == (gold, "Yes, it is gold:")  # the colour its title names
    assert in_colour(blue, "red", [blue, black]) == (blue, "I don't see it in red; it is listed in blue:")
