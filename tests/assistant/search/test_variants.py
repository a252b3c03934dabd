"""Variants grouped as a shopper sees them (issue 14, round 6): variants sharing a title are one card, except
where they answer what the query asked for differently (a colour, a material, words a page states) — then
each answer is its own card, represented by the variant that answers best, with its own count. On a small shop
written here (real model, real index), and the pure grouping on arrays."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.search.engine import SearchEngine
from assistant.search.variants import Asked, Variants
from index.catalog import Product
from tests.assistant.search.shop import shop_engine

DRESS = ["Clothing", "Women's Clothing", "Dresses"]
SHIRT = ["Clothing", "Men's Clothing", "Shirts"]
MUG = ["Kitchen & Dining", "Coffee Mugs"]
ZORA = "Zora Women's A-line Dress"
KORA = "Kora Men's Solid Casual Shirt"
SHOP = [
    # one title in four colours: two red, one blue, one whose colour the catalog does not know
    {"id": "z-red-1", "title": ZORA, "category": DRESS, "price": 899, "colour": "Red"},
    {"id": "z-red-2", "title": ZORA, "category": DRESS, "price": 949, "colour": "Red"},
    {"id": "z-blue", "title": ZORA, "category": DRESS, "price": 899, "colour": "Blue"},
    {"id": "z-unk", "title": ZORA, "category": DRESS, "price": 899},
    {"id": "d-red", "title": "Ajaero Women's Maxi Red Dress", "category": DRESS, "price": 999},
    {"id": "d-blue", "title": "Ocean Women's Blue Shift Dress", "category": DRESS, "price": 699},
    # one title, sleeves told only by the page: two full-sleeve variants, two half-sleeve ones
    *[
        {"id": f"k-{s}-{i}", "title": KORA, "category": SHIRT, "price": 799, "attributes": {"Sleeve": f"{s} Sleeve"}}
        for s in ("Full", "Half")
        for i in range(2)
    ],
    {"id": "s-other", "title": "Parron Men's Printed Casual Shirt", "category": SHIRT, "price": 699},
    # one title in two materials
    *[
        {"id": f"m-{m.lower()}", "title": "Akup Coffee Mug", "category": MUG, "attributes": {"Material": m}}
        for m in ("Ceramic", "Steel")
    ],
]


@pytest.fixture(scope="module")
def shop(tmp_path_factory, embedder) -> SearchEngine:
    return shop_engine(tmp_path_factory.mktemp("variants"), embedder, SHOP)


def cards(res, title: str) -> list[tuple[str, int]]:
    """(representative id, variant count) of each card of that title, in page order."""
    return [(h.product.id, h.variants) for h in res.hits if h.product.title == title]


def test_without_an_asked_attribute_variants_are_one_card(shop):
    got = cards(shop.search("a-line dress", k=10, distinct=True), ZORA)
    assert len(got) == 1 and got[0][1] == 4  # four colours of one dress: one card, "4 variants"
    got = cards(shop.search("casual shirt", k=10, distinct=True), KORA)
    assert len(got) == 1 and got[0][1] == 4


def test_a_colour_asked_splits_variants_by_their_colour(shop):
    got = cards(shop.search("red dress", k=10, distinct=True), ZORA)
    # the red variants are one card shown as a red one, counting both; the unknown colour is its own card after
    # it (maybe red, never folded into the red card); the blue one is a known mismatch and never shows
    assert got[0][0] in {"z-red-1", "z-red-2"} and got[0][1] == 2
    assert got[1:] == [("z-unk", 1)]
    flat = [h.product.id for h in shop.search("red dress", k=20, distinct=False).hits]
    assert "z-blue" not in flat


def test_words_a_page_states_split_variants_that_state_them_from_those_that_do_not(shop):
    res = shop.search("full sleeve shirt", k=10, distinct=True)
    got = cards(res, KORA)
    assert [pid.split("-")[1] for pid, _ in got] == ["Full", "Half"]  # the variant asked for first
    assert [n for _, n in got] == [2, 2]
    ids = [h.product.id for h in res.hits]
    assert ids.index(got[0][0]) == 0  # the one page stating "full sleeve" ranks first, the half-sleeve card later


def test_a_material_asked_splits_variants_by_material(shop):
    got = cards(shop.search("ceramic mug", k=10, distinct=True), "Akup Coffee Mug")
    assert got[0] == ("m-ceramic", 1)  # the steel variant is never counted on the ceramic card
    assert all(pid != "m-steel" for pid, _ in got[:1])


def _p(pid: str, title: str, colour: str | None = None, material: str = "") -> Product:
    return Product(id=pid, title=title, colour=colour, attributes={"Material": material} if material else {})


def test_variants_pick_and_count_by_group_and_answer():
    ps = [_p("a", "Tee", "red"), _p("b", "Tee", "red"), _p("c", "Tee", "blue"), _p("d", "Tee"), _p("e", "Cap", "red")]
    v = Variants(ps, lambda p: frozenset(), [p.attributes.get("Material", "") for p in ps])
    rows = np.array([0, 1, 2, 3, 4])
    assert v.answer(Asked()) is None
    assert v.pick(rows, 10, None) == [0, 4]  # one card per title when nothing is asked
    assert v.counts([0, 4], None, None) == [4, 1]
    ans = v.answer(Asked(colour=True))
    assert ans is not None
    assert v.pick(rows, 10, ans) == [0, 2, 3, 4]  # red, blue, unknown: three cards of one title
    assert v.counts([0, 2, 3], None, ans) == [2, 1, 1]
    allowed = np.array([True, False, True, True, True])  # a filter admits one red variant only
    assert v.counts([0], allowed, ans) == [1]
    stated = np.array([True, False, False, False, True])
    ans = v.answer(Asked(stated=stated))
    assert ans is not None and v.pick(rows, 10, ans) == [0, 1, 4]  # states it / does not
    assert v.pick(rows, 2, ans) == [0, 1]
