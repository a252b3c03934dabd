"""A unit of measure after a number ("5 litre", "9 watt") is a word of the language: never spelling-corrected into
a product word ("lite"), never the noun the query asks for, and read as the shop writes the unit ("5 L"), so
the sizes the shop has rank first and no notice says the shop lacks the word. A small shop written here, real
model, real index."""

from __future__ import annotations

import pytest

from assistant.search.engine import SearchEngine
from assistant.search.understand import understand
from index.text import UNITS
from tests.assistant.search.shop import ids, shop_engine

COOKERS = ["Kitchen & Dining", "Pressure Cookers"]
BULBS = ["Home", "Lighting", "Bulbs"]
SHOP = [
    *[
        {"id": f"pc-{n}", "title": f"Homely {n} L Pressure Cooker", "category": COOKERS, "price": 900 + n}
        for n in (3, 5, 8, 10)
    ],
    {"id": "pc-lite", "title": "Homely Lite Pressure Cooker", "category": COOKERS, "price": 700},
    *[{"id": f"b-{n}", "title": f"Glow {n} W LED Bulb", "category": BULBS, "price": 100 + n} for n in (5, 9, 12)],
    {"id": "b-watt", "title": "Glow Wattson Bulb", "category": BULBS, "price": 90},
    {"id": "tawa-55", "title": "Homely 55 cm Tawa", "category": ["Kitchen & Dining", "Tawas"], "price": 300},
]


@pytest.fixture(scope="module")
def shop(tmp_path_factory, embedder) -> SearchEngine:
    return shop_engine(tmp_path_factory.mktemp("units"), embedder, SHOP)


def test_the_shop_writes_its_units_as_learned_from_its_titles(shop):
    assert shop.qvocab.unit_forms["l"] == "l" and shop.qvocab.unit_forms["w"] == "w"
    assert "kg" not in shop.qvocab.unit_forms  # a unit the shop never writes after a number is not learned


@pytest.mark.parametrize(
    ("query", "unit", "typed"),
    [
        ("pressure cooker 5 litre", "l", "litre"),
        ("pressure cooker 5 liters", "l", "liters"),
        ("pressure cooker 5 ltr", "l", "ltr"),
        ("led bulb 9 watt", "w", "watt"),
        ("led bulb 9 watts", "w", "watts"),
    ],
)
def test_a_unit_after_a_number_is_read_as_the_shop_writes_it(shop, query, unit, typed):
    u = understand(query, shop.qvocab)
    assert u.corrected is None  # not "5 lite", not "9 wattson"
    assert u.search_text.split()[-2:] == [query.split()[-2], unit]
    assert u.dense_text == query  # the model reads the words as typed
    assert u.type_terms  # the unit is not the noun: the query still asks for a cooker / bulb
    assert UNITS[typed] == unit


def test_the_same_word_without_a_number_is_still_an_ordinary_word(shop):
    # "watt" alone is not a quantity: it is read (and corrected) as any other word
    assert "w" not in understand("watt bulb", shop.qvocab).search_text.split()


def test_a_correction_elsewhere_shows_the_unit_as_typed(shop):
    u = understand("presure cooker 5 litre", shop.qvocab)
    assert u.corrected == "pressure cooker 5 litre"


def test_search_ranks_the_size_asked_for_first_and_says_nothing_is_missing(shop):
    res = shop.search("pressure cooker 5 litre", k=5)
    assert ids(res)[0] == "pc-5"
    assert "pc-lite" not in ids(res)[:1]
    assert res.notice is None and res.corrected_query is None
    res = shop.search("led bulb 12 watt", k=4)
    assert ids(res)[0] == "b-12" and res.notice is None


@pytest.mark.parametrize("query", ["pressure cooker 5 5 litre", "5 5", "tawa 5 5 cm", "litre 5 litre 5 l"])
def test_a_number_written_twice_is_searched_without_error(shop, query):
    # a pair of the same number is a model word written apart ("5 5" as "55"): it once raised a KeyError (a 500)
    assert shop.search(query, k=3).query == query


SIZE_SHOP = [
    *[
        {"id": f"ss-{m}", "title": f"{m} Running Shoes", "category": ["Footwear", "Men's Footwear", "Sports Shoes"]}
        for m in ("Lee Parke", "Ethics", "Campus")
    ],
    # other products whose pages write "Size"
    *[
        {"id": f"bb-{n}", "title": f"Kipsta Basketball - Size: {n}", "category": ["Sports", "Basketball", "Balls"]}
        for n in (5, 7)
    ],
    {"id": "sk-1", "title": "Jonex Shoe Racer In-line Skates - Size 2 UK", "category": ["Sports", "Skating", "Skates"]},
    *[
        {"id": f"bs-{i}", "title": f"Homely{i} Cotton King Size Double Bedsheet", "category": ["Home", "Bedsheets"]}
        for i in range(2)
    ],
    {"id": "bs-single", "title": "Homely Cotton Single Bedsheet", "category": ["Home", "Bedsheets"]},
]


@pytest.fixture(scope="module")
def size_shop(tmp_path_factory, embedder) -> SearchEngine:
    return shop_engine(tmp_path_factory.mktemp("sizes"), embedder, SIZE_SHOP)


@pytest.mark.parametrize("query", ["sports shoes size 9", "sports shoes size uk 8", "size 10 sports shoes"])
def test_a_size_asked_is_no_word_pages_must_state(size_shop, query):
    # the shop lists no size per product: "size 9" is picked on the product's page, not a word for the page to
    # state (a ball's "Size: 7"), nor one that rules the kind out ("sports shoes size 9" read as "Other Sports")
    u = size_shop.understand(query)
    assert u.type_terms == ("sport", "shoe"), u
    assert "size" not in u.stated_terms, u
    got = ids(size_shop.search(query, k=3))
    assert all(g.startswith("ss-") for g in got), got


def test_a_size_that_names_a_kind_stays_a_word_to_match(size_shop):
    # "king size" is a kind of bedsheet, no size picked on a page: no number follows "size"
    assert "size" in size_shop.understand("bedsheet king size").stated_terms
    assert ids(size_shop.search("bedsheet king size", k=2, distinct=True))[0].startswith("bs-")
    assert ids(size_shop.search("bedsheet king size", k=1))[0] != "bs-single"
