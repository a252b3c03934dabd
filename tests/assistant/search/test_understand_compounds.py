"""A word the shopper writes whole and the shop writes apart ("handbags": "Hand Bags") is read as the shop's two
words, never corrected into another word; a word of letters is not read as being typed towards a model code.
A small shop written here, real model, real index."""

from __future__ import annotations

import pytest

from assistant.search.engine import SearchEngine
from assistant.search.understand import understand
from tests.assistant.search.shop import shop_engine

BAGS = ["Bags, Wallets & Belts", "Bags", "Hand Bags"]
MEN = ["Clothing", "Men's Clothing"]
SHOP = [
    *[{"id": f"hb-{i}", "title": f"Brand{i} Women's Hand Bag", "category": BAGS, "price": 900 + i} for i in range(4)],
    {"id": "hm-1", "title": "Craftly Handmade Wooden Box", "category": ["Home", "Decor"], "price": 300},
    {"id": "hm-2", "title": "Craftly Handmade Paper Lamp", "category": ["Home", "Decor"], "price": 500},
    {"id": "ts-1", "title": "Sprint Men's Track Suit", "category": [*MEN, "Track Suits"]},
    {"id": "ts-2", "title": "Sprint Men's Solid Track Suit", "category": [*MEN, "Track Suits"]},
    {"id": "ts-code", "title": "Sprint Tracksuit01 Men's Jacket", "category": [*MEN, "Jackets"]},
    {"id": "j-1", "title": "Denim Co Men's Slim Jeans", "category": [*MEN, "Jeans"]},
]


@pytest.fixture(scope="module")
def shop(tmp_path_factory, embedder) -> SearchEngine:
    return shop_engine(tmp_path_factory.mktemp("compounds"), embedder, SHOP)


@pytest.mark.parametrize(
    ("query", "read"),
    [
        ("handbags for women", "hand bags for women"),  # not "handmade", three edits away
        ("handbags", "hand bags"),  # the last word, typed whole
        ("tracksuit ", "track suit"),  # not "tracksuit01", one edit away
        ("tracksuit", "track suit"),  # not being typed towards the model code
    ],
)
def test_a_word_the_shop_writes_apart_is_read_as_its_two_words(shop, query, read):
    u = understand(query, shop.qvocab)
    assert u.dense_text == read and u.corrected == read


def test_the_search_then_finds_what_the_shop_calls_it(shop):
    ids = [h.product.id for h in shop.search("handbags", k=4).hits]
    assert ids and all(i.startswith("hb-") for i in ids)
    assert [h.product.id for h in shop.search("tracksuit", k=2).hits] == ["ts-1", "ts-2"]


def test_known_words_and_plain_typos_are_left_to_the_corrector(shop):
    assert understand("handmade box", shop.qvocab).corrected is None  # known whole: never split
    assert understand("jeens ", shop.qvocab).corrected == "jeans"


INITIALS_SHOP = [
    *[
        {"id": f"th-{i}", "title": f"Glow{i} Glass T-Light Holder", "category": ["Home", "Candle Holders"]}
        for i in range(6)
    ],
    {"id": "led", "title": "Pack of Six LED Tea Lights", "category": ["Home", "Candles"]},
    *[{"id": f"bp-{i}", "title": f"Trail{i} 20 L Backpack", "category": ["Bags", "Backpacks"]} for i in range(6)],
]


@pytest.fixture(scope="module")
def initials_shop(tmp_path_factory, embedder) -> SearchEngine:
    return shop_engine(tmp_path_factory.mktemp("initials"), embedder, INITIALS_SHOP)


def test_two_words_the_shop_writes_as_an_initial_and_a_word_find_it(initials_shop):
    # the shop writes "T-Light" (read "tlight"); a shopper types "tea light"
    u = initials_shop.understand("tea light holder ")
    assert ("tea", "light", "tlight") in u.joined
    res = initials_shop.search("tea light holder", k=3)
    assert len(res.hits) == 3 and all(h.product.id.startswith("th-") for h in res.hits)  # not the LED lights
    assert res.notice is None  # the shop has them: nothing says it lacks "tea light holder"


def test_a_units_letter_makes_no_such_word(initials_shop):
    # "20 L Backpack" reads "lbackpack" too, but no title writes "L-Backpack": "leather backpack" joins nothing
    assert initials_shop.understand("leather backpack ").joined == ()


WASH_SHOP = [
    *[
        {"id": f"bw-{i}", "title": f"Tiny{i} Gentle Baby Body Wash", "category": ["Baby Care", "Baby Body Wash"]}
        for i in range(5)
    ],
    # the shop's face washes are shelved as face care: no type of theirs is named "wash"
    *[
        {"id": f"fw-{i}", "title": f"Glow{i} Neem Face Wash 100 ml", "category": ["Beauty", "Face Care"]}
        for i in range(3)
    ],
    *[{"id": f"fc-{i}", "title": f"Glow{i} Day Face Cream", "category": ["Beauty", "Face Care"]} for i in range(3)],
    {"id": "toner", "title": "Clear Toner for Oily Skin", "category": ["Beauty", "Face Care"]},
]


@pytest.fixture(scope="module")
def wash_shop(tmp_path_factory, embedder) -> SearchEngine:
    return shop_engine(tmp_path_factory.mktemp("wash"), embedder, WASH_SHOP)


def test_a_word_before_the_kind_that_the_kind_never_has_is_no_such_kind(wash_shop):
    # "face wash" is no "Baby Body Wash": no product of that shelf says "face", and the shop's face washes say both
    # (with more words no product has all of: the word before the kind decides, not the whole phrase)
    assert wash_shop.understand("face wash for oily skin ").type_terms == ()
    got = [h.product.id for h in wash_shop.search("face wash for oily skin", k=3).hits]
    assert any(i.startswith("fw-") for i in got) and not any(i.startswith("bw-") for i in got), got
    # the kind stays where the word is one its products have ("gentle body wash")
    assert wash_shop.understand("gentle body wash ").type_terms


PAIR_SHOP = [
    *[{"id": f"hb-{i}", "title": f"Carry{i} Women's Leather Bag", "category": ["Bags", "Hand Bags"]} for i in range(4)],
    *[
        {"id": f"hn-{i}", "title": f"Hanna Women's Loafers {i}", "brand": "Hanna", "category": ["Footwear", "Loafers"]}
        for i in range(2)
    ],
    *[{"id": f"nl-{i}", "title": f"Gold{i} Pearl Necklace", "category": ["Jewellery", "Necklaces"]} for i in range(4)],
    *[{"id": f"nr-{i}", "title": f"Comfy{i} Travel Neck Rest", "category": ["Travel", "Neck Rests"]} for i in range(3)],
]


@pytest.fixture(scope="module")
def pair_shop(tmp_path_factory, embedder) -> SearchEngine:
    return shop_engine(tmp_path_factory.mktemp("pairs"), embedder, PAIR_SHOP)


def test_a_misspelt_pair_the_shop_writes_apart_is_read_as_its_two_words(pair_shop):
    # "hanbag" is as close to the maker "Hanna" as to the shop's "Hand Bags": the two words, not loafers
    u = pair_shop.understand("hanbag for women ")
    assert u.corrected is not None and u.corrected.startswith("hand bag"), u.corrected
    got = [h.product.id for h in pair_shop.search("hanbag for women", k=3).hits]
    assert got and all(i.startswith("hb-") for i in got), got
    # a misspelling nearer a kind the shop has stays that kind: "neckless" is a necklace, not a "Neck Rest"
    assert pair_shop.understand("neckless ").corrected in ("necklace", "necklaces")


FACE_SHOP = [
    # the shop's makeup is shelved under "Face"; its face washes only in combos, with a cream
    *[
        {"id": f"bl-{i}", "title": f"Rosy{i} Blush Palette", "category": ["Beauty", "Makeup", "Face", "Blushes"]}
        for i in range(4)
    ],
    *[
        {"id": f"pr-{i}", "title": f"Silk{i} Face Primer 30 ml", "category": ["Beauty", "Makeup", "Face", "Primers"]}
        for i in range(3)
    ],
    *[
        {"id": f"fw-{i}", "title": f"Oxy{i} Neem Face Wash & Massage Cream Combo", "category": ["Beauty", "Combos"]}
        for i in range(3)
    ],
    {"id": "lotion", "title": "Clear Lotion for Oily Skin", "category": ["Beauty", "Skin Care", "Lotions"]},
]


@pytest.fixture(scope="module")
def face_shop(tmp_path_factory, embedder) -> SearchEngine:
    return shop_engine(tmp_path_factory.mktemp("face"), embedder, FACE_SHOP)


def test_a_word_after_the_kind_that_the_kind_never_has_is_no_such_kind(face_shop):
    # "face wash for oily skin" is not the makeup shelf "Face": none of it says "wash", the shop's face washes do
    # (with the query's other words no product has all of, the word right after the kind decides, as the word before)
    assert face_shop.understand("face wash for oily skin ").type_terms == ()
    got = [h.product.id for h in face_shop.search("face wash for oily skin", k=3).hits]
    assert any(i.startswith("fw-") for i in got) and not any(i.startswith(("bl-", "pr-")) for i in got), got
    assert face_shop.understand("face primer ").type_terms  # the shelf's own products say it: still the kind


HANDLE_SHOP = [
    *[
        {"id": f"hb-{i}", "title": f"Carry{i} Women's Shoulder Bag", "category": ["Bags", "Hand Bags"]}
        for i in range(4)
    ],
    *[
        {"id": f"kn-{i}", "title": f"Craftcart{i} Brass Cabinet Handle", "category": ["Home", "Handles & Knobs"]}
        for i in range(4)
    ],
    *[{"id": f"sr-{i}", "title": f"Mahek{i} Cotton Saree", "category": ["Clothing", "Sarees"]} for i in range(3)],
    *[{"id": f"bx-{i}", "title": f"Jockey{i} Men's Boxer", "category": ["Clothing", "Boxers"]} for i in range(3)],
    # a title writing the negator: it is a word the shop writes, in the 20k too
    {"id": "tp-1", "title": "Stride Top Without Sleeves", "category": ["Clothing", "Tops"]},
]


@pytest.fixture(scope="module")
def handle_shop(tmp_path_factory, embedder) -> SearchEngine:
    return shop_engine(tmp_path_factory.mktemp("handles"), embedder, HANDLE_SHOP)


def test_a_misspelt_pair_is_as_close_as_its_singular(handle_shop):
    # "handbeg" is one letter from "handbag", two from the "Hand Bags" the shop writes and from its kind "handle":
    # the bags, not cabinet handles
    u = handle_shop.understand("handbeg ")
    assert u.corrected is not None and u.corrected.startswith("hand bag"), u.corrected
    got = [h.product.id for h in handle_shop.search("handbeg", k=3).hits]
    assert got and all(i.startswith("hb-") for i in got), got


def test_a_negator_is_no_word_a_correction_must_go_with(handle_shop):
    # "border", which the shop never writes, is no "boxer": no saree writes "boxer" (the negator is the asking, not
    # a word the saree pages must write too, so the correction was kept and the page said "saree without boxer")
    u = handle_shop.understand("saree without border")
    assert u.corrected is None and u.excluded == ("border",), u
