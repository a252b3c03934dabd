"""Failure classes of round 3 of the judged search set, each on a small shop written here (real model, real
index): a colour asked for is read by the lexical side too and a multicolour page naming it matches; words
only a product's page states ("Sleeve: Full Sleeve"); negations a page states as "non X", "X-less" or solid;
a type named only by a shelf listing several kinds; a model written apart in the query and as one word by
the page ("tab 3" / "Tab3"); a title saying the query's words in its order."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.search.engine import SearchEngine
from assistant.search.product_types import list_heads
from assistant.search.ranking import Postings, excluded_mask, stated_mask
from assistant.search.statements import lacking_forms, negated_terms, page_terms
from index.catalog import Product
from tests.assistant.search.shop import ids, shop_engine

DRESS = ["Clothing", "Women's Clothing", "Dresses"]
SHIRT = ["Clothing", "Men's Clothing", "Shirts"]
BRA = ["Clothing", "Women's Clothing", "Lingerie", "Bras"]
TOPS = ["Clothing", "Women's Clothing", "Western Wear", "Shirts, Tops & Tunics"]
TAB = ["Mobiles & Accessories", "Tablet Accessories", "Cases & Covers"]
SHOP = [
    {"id": "rd-1", "title": "Ajaero Women's Maxi Red Dress", "category": DRESS, "price": 900},
    {"id": "rd-multi", "title": "Fabiya Women's Sheath Blue, Red Dress", "category": DRESS, "price": 800},
    {"id": "bd-1", "title": "Ocean Women's Blue Shift Dress", "category": DRESS, "price": 700},
    {"id": "ud-1", "title": "Noor Women's Gathered Dress", "category": DRESS, "price": 750},
    # shirts: only the page's specifications say the sleeve
    *[
        {"id": f"sh-{i}", "title": f"Brand{i} Men's Solid Formal Shirt", "category": SHIRT, "price": 999}
        for i in range(4)
    ],
    {
        "id": "sh-full",
        "title": "Peter England Men's Solid Formal Shirt",
        "category": SHIRT,
        "price": 1299,
        "attributes": {"Sleeve": "Full Sleeve", "Fabric": "Cotton"},
    },
    # bras: padded ones, and non-padded ones written two ways
    {"id": "br-pad", "title": "Ladyland Padded Women's Push-up Bra", "category": BRA, "price": 499},
    {"id": "br-pad2", "title": "Urbaano Lace Padded Women's Full Coverage Bra", "category": BRA, "price": 399},
    {"id": "br-non", "title": "Lovinoform Non Padded Cotton Women's Full Coverage Bra", "category": BRA},
    {"id": "br-non2", "title": "Madaam NonPadded Women's Tube Bra", "category": BRA, "price": 299},
    *[{"id": f"br-{i}", "title": f"Bralux Style{i} Women's T-Shirt Bra", "category": BRA} for i in range(4)],
    # t-shirts, printed and solid
    *[
        {"id": f"ts-p{i}", "title": f"Ninja{i} Printed Men's Round Neck T-Shirt", "category": ["Clothing", "T-Shirts"]}
        for i in range(3)
    ],
    {"id": "ts-s", "title": "Police Solid Men's Polo Neck T-Shirt", "category": ["Clothing", "T-Shirts"]},
    {"id": "ts-x", "title": "Urban Men's Round Neck T-Shirt", "category": ["Clothing", "T-Shirts"]},
    # tops, and a t-shirt a shelf listing several kinds holds
    {"id": "tp-1", "title": "Trend Notes Casual Sleeveless Women's Top", "category": [*TOPS, "Tops"]},
    {"id": "tp-2", "title": "Retaaz Casual Floral Women's Top", "category": [*TOPS, "Tops"]},
    {"id": "tp-tee", "title": "C9 Solid Women's Round Neck T-Shirt", "category": [*TOPS, "T-Shirts"]},
    # boxes: the query's words in its order, and apart
    {"id": "jb-1", "title": "Kartique Wooden Jewellery Box", "category": ["Beauty", "Vanity Boxes"]},
    *[
        {"id": f"jb-v{i}", "title": f"Artist{i} Jewellery Vanity Box", "category": ["Beauty", "Vanity Boxes"]}
        for i in range(3)
    ],
    # tablet covers: the model written as one word by some pages
    {"id": "tab-3a", "title": "Fastway Book Cover for Samsung Galaxy Tab3 T210", "category": TAB},
    {"id": "tab-3b", "title": "Gioiabazar Book Cover for Samsung Galaxy Tab3 8.0", "category": TAB},
    {"id": "tab-3c", "title": "Generix OTG Cable for Samsung Galaxy Tab 3", "category": TAB},
    *[
        {"id": f"tab-a{i}", "title": f"Usmas{i} Book Cover for Samsung Galaxy Tab A 8.0", "category": TAB}
        for i in range(4)
    ],
]


@pytest.fixture(scope="module")
def shop(tmp_path_factory, embedder) -> SearchEngine:
    return shop_engine(tmp_path_factory.mktemp("stated"), embedder, SHOP)


def test_a_colour_asked_for_is_read_lexically_and_a_multicolour_page_naming_it_matches(shop):
    u = shop.understand("red dress")
    assert u.colour == "red" and "red" in u.search_text.split()  # the lexical side reads it too
    got = ids(shop.search("red dress", k=4))
    assert set(got[:2]) == {"rd-1", "rd-multi"}  # "Blue, Red Dress" is red as well: not a known mismatch
    assert "bd-1" not in got  # a blue dress is a known mismatch: never shown
    assert "ud-1" in got  # a dress whose colour is unknown follows


def score(res, pid: str) -> float:
    return next(h.score for h in res.hits if h.product.id == pid)


def test_a_word_only_the_page_states_ranks_that_product_first(shop):
    res = shop.search("full sleeve shirt", k=5)
    assert ids(res)[0] == "sh-full"  # "Sleeve: Full Sleeve" in its specifications
    assert score(res, "sh-full") - max(h.score for h in res.hits[1:]) >= 0.09  # a tier above, not a near tie
    assert shop.understand("full sleeve shirt").stated_terms == ("full", "sleev")


def test_without_x_keeps_non_x_pages_first_and_drops_x(shop):
    got = ids(shop.search("bra without padding", k=10))
    assert set(got[:2]) == {"br-non", "br-non2"}  # "Non Padded" / "NonPadded" say what was asked
    assert "br-pad" not in got and "br-pad2" not in got  # padded ones are excluded, the non-padded are not


def test_without_print_prefers_a_solid_page_and_drops_printed_ones(shop):
    res = shop.search("t-shirt without print", k=10)
    got = ids(res)
    assert got[0] == "ts-s" and score(res, "ts-s") - score(res, "ts-x") >= 0.09  # solid says so; ts-x does not
    assert not [g for g in got if g.startswith("ts-p")]


def test_a_type_named_only_by_a_shelf_listing_several_kinds_ranks_after_the_type(shop):
    res = shop.search("top", k=3)
    assert set(ids(res)[:2]) == {"tp-1", "tp-2"} and ids(res)[2] == "tp-tee"
    assert score(res, "tp-2") - score(res, "tp-tee") >= 0.3  # its shelf lists shirts, tops and tunics


def test_a_model_written_apart_finds_pages_that_write_it_as_one_word(shop):
    u = shop.understand("galaxy tab 3")
    assert ("tab", "3", "tab3") in u.joined
    res = shop.search("galaxy tab 3", k=4)
    assert set(ids(res)[:3]) == {"tab-3a", "tab-3b", "tab-3c"}  # not the Tab A covers
    assert min(score(res, t) for t in ("tab-3a", "tab-3b")) - res.hits[3].score >= 0.09


def _product(title: str, category: list[str], **kw) -> Product:
    return Product(id=title, title=title, category=category, **kw)


def test_page_terms_read_non_x_as_one_word_and_negated_terms_say_which():
    p = _product("Lovinoform Non Padded Bra", BRA, attributes={"Sleeve": "Sleeveless"})
    assert {"nonpad", "sleeveless", "bra"} <= page_terms(p)
    assert negated_terms("Lovinoform Non Padded Bra") == {"non", "pad"}  # stated only as negated
    assert negated_terms("Padded Bra, not a Non Padded one") == {"non"}  # "padded" is stated as such too
    assert lacking_forms("sleeves")[-1] == "sleeveless" and "nonpad" in lacking_forms("padded")
    assert {"solid", "plain"} <= set(lacking_forms("print"))


def test_list_heads_are_types_only_a_shelf_of_several_kinds_names():
    types = {("shirt",): "Shirts", ("top",): "Tops", ("tunic",): "Tunics", ("tshirt",): "T-Shirts"}
    tee = _product("C9 Women's T-Shirt", [*TOPS, "T-Shirts"], product_type="T-Shirts")
    assert list_heads(tee, types) == {"shirt", "top", "tunic"}
    winter = _product("Day By Day Men's Top", ["Clothing", "Winter & Seasonal Wear"], product_type="Thermals")
    assert list_heads(winter, types) == set()  # "Winter" is not a kind: the shelf names one kind of wear


def test_stated_and_excluded_masks():
    lex = Postings.build([{"tab", "3"}, {"tab3"}, {"tab", "a"}, {"pad", "non"}, {"pad"}], 5)
    page = Postings.build([set(), set(), set(), {"nonpad"}, set()], 5)
    neg = Postings.build([set(), set(), set(), {"pad", "non"}, set()], 5)
    np.testing.assert_array_equal(stated_mask(lex, page, ("tab", "3"), (("tab", "3", "tab3"),)), [1, 1, 0, 0, 0])
    np.testing.assert_array_equal(stated_mask(lex, page, (), (), ("nonpad",)), [0, 0, 0, 1, 0])
    assert stated_mask(lex, page, ()) is None
    np.testing.assert_array_equal(excluded_mask(lex, neg, ("pad",)), [0, 0, 0, 0, 1])


def test_a_title_saying_the_words_in_the_query_order_ranks_first(shop):
    res = shop.search("jewellery box", k=4)
    assert ids(res)[0] == "jb-1" and score(res, "jb-1") - res.hits[1].score >= 0.04
