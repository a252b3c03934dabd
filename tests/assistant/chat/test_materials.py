"""The chat reads a word as a material exactly when search does: the one learner of materials
(assistant.search.materials) over the shop's own specification lines, not a hand list of fabrics. On the tiny
catalog (its spec lines say "Mesh", "Polyester"; "Silk" only in a title) and on a small shop of products."""

from __future__ import annotations

import pytest

from assistant.chat.nlu import NluVocab, parse_message
from assistant.chat.slot_changes import parse_slots
from assistant.chat.state import Constraints
from assistant.search.materials import learn_materials, spec_material
from assistant.search.query import QUERY_COLOURS
from index.catalog import Product
from index.text import stem


@pytest.fixture(scope="module")
def vocab(engine) -> NluVocab:
    return NluVocab.from_products(engine.products, engine.vocab, engine.qvocab)


def test_the_chat_has_the_materials_search_learned(vocab, engine):
    assert vocab.materials == engine.qvocab.materials
    specs = " ".join(spec_material(p).lower() for p in engine.products)
    assert "mesh" in specs and "polyester" in specs and "silk" not in specs  # what the tiny shop's lines say


def test_a_material_of_the_shops_spec_lines_is_read_in_chat(vocab):
    # "mesh" was never in the chat's old hand list; the tiny shop's running shoes state "Material: Mesh"
    s = parse_slots("mesh running shoes", vocab)
    assert s.material == "mesh" and "mesh" not in s.terms
    p = parse_message("no mesh please", vocab)
    assert p.slots.exclude_material == "mesh"
    assert parse_message("I don't like polyester", vocab).slots.exclude_material == "polyester"


def test_a_word_the_shop_never_uses_as_a_material_is_not_one(vocab, engine):
    # "silk" is a title word of the tiny shop ("Angelfish Silk Potali Potli"), never a material line
    assert any("silk" in p.title.lower() for p in engine.products)
    s = parse_slots("silk pouch", vocab)
    assert s.material is None and "silk" in s.terms
    assert parse_message("no silk", vocab).slots.exclude_material is None


TOPS = ["Clothing", "Women's Clothing", "Tops"]
SAREES = ["Clothing", "Women's Clothing", "Sarees"]


def _shop() -> list[Product]:
    ps = [
        *[
            Product(id=f"g{i}", title=f"Uma Solid Top {i}", category=TOPS, attributes={"Fabric": "Georgette"})
            for i in range(3)
        ],
        *[
            Product(id=f"c{i}", title=f"Nia Printed Top {i}", category=TOPS, attributes={"Fabric": "Chiffon"})
            for i in range(3)
        ],
        *[
            Product(id=f"n{i}", title=f"Rani Net Saree {i}", category=SAREES, attributes={"Fabric": "Net"})
            for i in range(3)
        ],
        *[
            Product(id=f"p{i}", title=f"Vera Top {i}", category=TOPS, attributes={"Fabric": "Polyester Blend"})
            for i in range(3)
        ],
        # a material shelf ("Casual Shoes > Canvas") is no category; a thing sold under the same word is ("Irons")
        *[
            Product(
                id=f"cv{i}",
                title=f"Klaur Canvas Shoes {i}",
                category=["Footwear", "Casual Shoes", "Canvas"],
                product_type="Canvas",
                attributes={"Outer Material": "Canvas"},
            )
            for i in range(3)
        ],
        *[
            Product(
                id=f"ir{i}",
                title=f"Steamo Dry Iron {i}",
                category=["Home Appliances", "Irons"],
                product_type="Irons",
                attributes={"Material": "Iron"},
            )
            for i in range(3)
        ],
        *[
            Product(id=f"mn{i}", title=f"Babyhug Mosquito Net {i}", category=["Baby Care", "Mosquito Nets"])
            for i in range(3)
        ],
        Product(id="t-poly", title="Ira Polyester Top", category=TOPS),  # only the title names it
        Product(id="t-cot", title="Ira Top", category=TOPS, attributes={"Fabric": "Cotton"}),
    ]
    return ps


def test_without_search_vocabulary_the_same_learner_reads_the_shop():
    ps = _shop()
    v = NluVocab.from_products(ps)  # no QueryVocab: the chat learns with search's own function
    assert v.materials == learn_materials(ps, QUERY_COLOURS)
    assert {stem(w) for w in ("georgette", "chiffon", "net", "canvas", "iron")} <= v.materials
    assert {"georgette", "chiffon"} <= set(v.known_words)  # typos are corrected towards the shop's fabrics
    assert parse_slots("a georgette top", v).material == "georgette"
    assert parse_slots("net sarees", v).material == "net"
    assert parse_message("not chiffon", v).slots.exclude_material == "chiffon"
    assert parse_slots("cotton top", v).material is None  # no spec line of this shop says cotton thrice
    assert "canva" not in v.categories and "canvas" not in v.categories  # a material shelf
    assert "iron" in v.categories  # "Irons": the shop sells the thing
    s = parse_slots("steam irons", v)
    assert s.category == "iron" and s.material is None
    s = parse_slots("mosquito nets", v)  # the shop's two-word kind: a thing, not a net fabric
    assert s.category == "mosquito net" and s.material is None


def test_a_dislike_is_kept_as_said_and_matched_by_stem_on_what_the_page_names():
    by_id = {p.id: p for p in _shop()}
    c = Constraints(exclude_materials=["polyester"])
    assert not c.admits(by_id["p0"])  # "Polyester Blend" on the spec line
    assert not c.admits(by_id["t-poly"])  # the title names it
    assert c.admits(by_id["t-cot"]) and c.admits(by_id["g0"])
    assert not Constraints(exclude_materials=["georgettes"]).admits(by_id["g0"])  # by stem, not by spelling
    assert not Constraints(exclude_materials=["canvas"]).admits(by_id["cv0"])  # its "Outer Material" line


def test_the_reply_names_the_material_as_said():
    from assistant.chat.replies import describe

    v = NluVocab.from_products(_shop())
    c = Constraints(category=parse_slots("net sarees", v).category, material=parse_slots("net sarees", v).material)
    assert describe(c) == "net sarees"
    assert describe(Constraints(category="saree", exclude_materials=["polyester"])) == "sarees, no polyester"


def test_a_material_disliked_after_asking_for_it_is_no_longer_asked_for():
    from assistant.chat.dialogue import DialogueState, begin

    v = NluVocab.from_products(_shop())
    by_id = {p.id: p for p in _shop()}
    st = DialogueState()
    begin(st, parse_message("georgette tops", v), by_id.get)
    assert st.constraints.material == "georgette"
    begin(st, parse_message("not georgette", v), by_id.get)
    assert st.constraints.material is None and st.constraints.exclude_materials == ["georgette"]
    begin(st, parse_message("georgette tops after all", v), by_id.get)
    assert st.constraints.material == "georgette" and st.constraints.exclude_materials == []
