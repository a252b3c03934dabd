"""Product questions name a material by the shop's own material words (search's learned vocabulary), not a hand
list: "is it georgette?" asks what it is made of in a shop whose spec lines say Georgette; a word that is no
material of the shop is a feature; a material word used for a feature ("does it have laces?") is not a material
question. Pure: a small shop's products, no engine."""

from __future__ import annotations

from assistant.chat import acts
from assistant.chat.nlu import parse_message
from assistant.chat.vocab import NluVocab
from index.catalog import Product

TOPS = ["Clothing", "Women's Clothing", "Tops"]
SHOES = ["Footwear", "Women's Footwear", "Casual Shoes"]


def _shop() -> list[Product]:
    return [
        *[
            Product(id=f"g{i}", title=f"Uma Solid Top {i}", category=TOPS, attributes={"Fabric": "Georgette"})
            for i in range(3)
        ],
        *[
            Product(id=f"c{i}", title=f"Nia Printed Top {i}", category=TOPS, attributes={"Fabric": "Chiffon"})
            for i in range(3)
        ],
        *[
            Product(id=f"l{i}", title=f"Kira Lace Top {i}", category=TOPS, attributes={"Fabric": "Lace"})
            for i in range(3)
        ],
        *[
            Product(
                id=f"s{i}", title=f"Tara Lace Up Shoes {i}", category=SHOES, attributes={"Outer Material": "Leather"}
            )
            for i in range(3)
        ],
    ]


def test_a_material_of_the_shop_asks_what_the_product_is_made_of():
    v = NluVocab.from_products(_shop())
    for text in ("is the first one georgette?", "is it chiffon?", "are they pure leather?"):
        p = parse_message(text, v)
        assert p.intent == "question" and p.act is not None and p.act.topic == "material", (text, p.act)
    # the same words without the shop's vocabulary were features (the old hand list knew none of them)
    assert acts.classify("is the first one georgette?").topic == "feature"


def test_a_word_the_shop_has_no_material_of_is_a_feature():
    v = NluVocab.from_products(_shop())
    p = parse_message("is it plastic?", v)  # "plastic" was in the hand list; no spec line of this shop says it
    assert p.act is not None and p.act.topic == "feature" and p.act.feature == "plastic"


def test_a_material_word_naming_a_feature_is_no_material_question():
    v = NluVocab.from_products(_shop())
    assert "lace" in " ".join(sorted(v.materials))  # lace is a material here (the tops' fabric lines)
    for text in ("does it have laces?", "are they lace up?"):
        p = parse_message(text, v)
        assert p.act is not None and p.act.topic == "feature", (text, p.act)
    assert parse_message("what is the first one made of?", v).act.topic == "material"
