"""The kind a query asks for, read where shoppers put it: at the end ("wooden wall clock") and first, followed by
words that only describe it ("wall clock wooden", "lipstick red matte", "bedsheet double bed cotton"); a later
kind the other words rule out is a description too ("double bed" of a bedsheet), while a later word naming a kind
of its own stays the kind ("key holder"). Products shelved where the shop names the kind are no other reading of
the words ("Wooden Key Holder" on "Wall Decor & Clocks"), while titles that say the words are ("Tempered Glass"
screen guards). A small shop written here, real model, real index."""

from __future__ import annotations

import pytest

from assistant.search.engine import SearchEngine
from assistant.search.understand import understand
from tests.assistant.search.shop import ids, shop_engine

WALL = ["Home Decor", "Wall Decor & Clocks"]
LIPS = ["Beauty and Personal Care", "Makeup", "Lips", "Lipsticks"]
SHOP = [
    *[{"id": f"wc-{i}", "title": f"Regent Analog {i} cm Wall Clock", "category": [*WALL, "Clocks"]} for i in (26, 31)],
    {"id": "kh-1", "title": "VarEesha Wooden Key Holder", "category": [*WALL, "Key Holders"]},
    {"id": "kh-2", "title": "AND Designs Wooden Key Holder", "category": [*WALL, "Key Holders"]},
    {"id": "ls-red", "title": "Elfani Lip Color 127 Brick Red", "category": LIPS, "colour": "Red"},
    {"id": "ls-1", "title": "Miss Claire Waterproof Lipstick 33", "category": LIPS},
    {"id": "sg-1", "title": "Saco Matte Finish Screen Guard", "category": ["Mobiles & Accessories", "Screen Guards"]},
    {
        "id": "tg-1",
        "title": "Buynow Tempered Glass for Xiaomi Mi 4i",
        "category": ["Mobiles & Accessories", "Screen Guards"],
    },
    {"id": "gl-1", "title": "Ocean Rock Glass Set", "category": ["Kitchen", "Bar", "Glasses"]},
    {"id": "bd-1", "title": "Ethnic Handicrafts Solid Wood Double Bed", "category": ["Furniture", "Bedroom", "Beds"]},
    {"id": "bd-2", "title": "Ethnic Handicrafts Solid Wood Single Bed", "category": ["Furniture", "Bedroom", "Beds"]},
    *[
        {
            "id": f"bs-{i}",
            "title": f"{m} Cotton Floral Double Bedsheet",
            "category": ["Home Furnishing", "Bed Linen", "Bedsheets"],
        }
        for i, m in enumerate(("Grafion", "Bombay Dyeing"))
    ],
    # jeans said slim fit by three makers, a maker named "Slims", and a shelf whose word "Fitness" stems as "fit"
    *[
        {"id": f"je-{m}", "title": f"{m} Slim Fit Men's Jeans", "brand": m, "category": ["Clothing", "Jeans"]}
        for m in ("Levis", "Wrangler", "Lee")
    ],
    {"id": "sl-1", "title": "Slims Solid Women's Leggings", "brand": "Slims", "category": ["Clothing", "Leggings"]},
    {"id": "ym-1", "title": "Nivia Yoga Mat", "category": ["Sports & Fitness", "Fitness Accessories", "Mats"]},
    {"id": "ro-1", "title": "Mee Mee Baby Girl's Romper", "category": ["Baby Care", "Infant Wear"]},
    # a device said right after the kind; a number of another product ("6 Seater")
    {"id": "cv-ip6", "title": "Flipcase Back Cover for iPhone 6", "category": ["Mobiles", "Cases & Covers"]},
    {"id": "cb-ip6", "title": "AW Usb Cable for Iphone 6", "category": ["Mobiles", "Cables"]},
    {"id": "tc-6", "title": "Prime Printed 6 Seater Table Cover", "category": ["Home Furnishing", "Table Covers"]},
    # makers named by words that only ask or praise
    {"id": "sh-bw", "title": "Best Walk Casual Shoes", "brand": "Best Walk", "category": ["Footwear", "Shoes"]},
    {"id": "sh-run", "title": "Campus Running Shoes", "brand": "Campus", "category": ["Footwear", "Shoes"]},
    {"id": "wa-gi", "title": "Gift Island Analog Watch", "brand": "Gift Island", "category": ["Watches"]},
    {"id": "wa-ti", "title": "Titan Analog Watch", "brand": "Titan", "category": ["Watches"]},
    {"id": "gs-1", "title": "Nivea Women Gift Set Combo", "category": ["Beauty", "Combos"]},
    {"id": "kd-1", "title": "Prestige Cooking Kadhai 2 L", "category": ["Kitchen", "Cookware", "Kadhais"]},
    # how things are sold: a pack, a set
    {"id": "ts-1", "title": "Zippy Printed Boy's Round Neck T-Shirt", "category": ["Clothing", "T-Shirts"]},
    {"id": "cp-1", "title": "Quechua Forclaz 22 L Backpack", "category": ["Sports", "Camping Bags & Packs"]},
    {"id": "kl-1", "title": "Tidy Cotton Kitchen Linen Set", "category": ["Home Furnishing", "Kitchen Linen Sets"]},
    {"id": "kl-2", "title": "Cotonex Kitchen Linen Set", "category": ["Home Furnishing", "Kitchen Linen Sets"]},
    {"id": "kn-1", "title": "Hariom Stainless Steel Kitchen Knife", "category": ["Kitchen", "Kitchen Tools", "Knives"]},
    # a word the shop writes whole, typed as two
    *[
        {"id": f"rc-{i}", "title": f"Rainfun{i} Solid Men's Raincoat", "category": ["Clothing", "Winter Wear"]}
        for i in (1, 2)
    ],
    {"id": "co-1", "title": "Only Women's Double Breasted Coat", "category": ["Clothing", "Coats"]},
    {"id": "mu-rain", "title": "AKUP Without The Rain Ceramic Mug", "category": ["Kitchen", "Mugs"]},
    # shelves of "... Wear", and night suits on none of them
    {"id": "ww-1", "title": "Gag Wear Casual Women's Top", "category": ["Clothing", "Western Wear"]},
    {"id": "ew-1", "title": "Royal Men's Kurta", "category": ["Clothing", "Ethnic Wear"]},
    {"id": "ns-1", "title": "Simrit Women's Printed Night Suit", "category": ["Clothing", "Sleep & Swimwear"]},
    # watches, and a box for watches shelved under them
    *[{"id": f"wt-{i}", "title": f"Sonata {i}SM Watch", "category": ["Watches", "Wrist Watches"]} for i in range(2)],
    {"id": "wb-1", "title": "Anno Dominii Watch Box", "category": ["Watches", "Watch Accessories", "Watch Boxes"]},
    # sarees of silk and of cotton, and a shelf named "Other"
    {
        "id": "sa-silk",
        "title": "Vipul Raw Silk Saree",
        "category": ["Clothing", "Sarees"],
        "attributes": {"Fabric": "Silk"},
    },
    {
        "id": "sa-cot",
        "title": "Mahek Cotton Saree",
        "category": ["Clothing", "Sarees"],
        "attributes": {"Fabric": "Cotton"},
    },
    {"id": "ot-1", "title": "Freedom of Establishment", "category": ["eBooks", "Other"]},
    # a shelf whose word shares a stem with an adjective ("electric"), and a word the shop writes ("scooter")
    {"id": "el-1", "title": "Legrand Two Way Electrical Switch", "category": ["Home Improvement", "Electricals"]},
    {"id": "hs-1", "title": "Vega Open Face Helmet for Scooter", "category": ["Automotive", "Helmets"]},
    {"id": "ke-1", "title": "Philips Electric Kettle", "category": ["Kitchen", "Kettles"]},
]


@pytest.fixture(scope="module")
def shop(tmp_path_factory, embedder) -> SearchEngine:
    return shop_engine(tmp_path_factory.mktemp("query_type"), embedder, SHOP)


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        ("wooden wall clock", ("clock",)),
        ("wall clock wooden", ("clock",)),  # the kind first, then what it is made of
        ("lipstick red matte", ("lipstick",)),  # "matte" names no kind here (a screen guard's finish)
        ("red lipstick", ("lipstick",)),
        ("bedsheet double bed cotton", ("bedsheet",)),  # no bed is a bedsheet; the bedsheets say double bed
        ("double bed", ("bed",)),
        ("wooden key holder", ("key", "holder")),
        ("key holder wooden", ("key", "holder")),
        ("jeans slim fit", ("jean",)),  # not "fit" (of "Fitness") made by "Slims"
        ("slim fit jeans", ("jean",)),
    ],
)
def test_the_kind_is_read_at_the_end_or_first_before_words_that_describe_it(shop, query, kind):
    assert understand(query, shop.qvocab).type_terms == kind


def test_a_maker_named_by_the_plural_of_a_word_other_makers_write_is_no_maker_by_that_word(shop):
    # "Slims" is a maker, but three other makers write "slim": the word alone does not name it
    assert "slims" in shop.qvocab.ambiguous_brands
    u = understand("jeans slim fit", shop.qvocab)
    assert u.brand is None
    assert set(ids(shop.search("jeans slim fit", k=3))) == {"je-Levis", "je-Wrangler", "je-Lee"}


@pytest.mark.parametrize("query", ["tempered glass", "glass tempered"])
def test_titles_saying_the_words_are_another_reading_of_them_in_either_order(shop, query):
    # tempered glass is a screen guard, not a drinking glass, whichever word comes first
    assert understand(query, shop.qvocab).type_terms == ()
    assert ids(shop.search(query, k=1)) == ["tg-1"]


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("wall clock wooden", {"wc-26", "wc-31"}),  # no wall clock says wooden: still clocks, not key holders
        ("wooden wall clock", {"wc-26", "wc-31"}),
        ("lipstick red matte", {"ls-red"}),
        ("bedsheet double bed cotton", {"bs-0", "bs-1"}),
    ],
)
def test_the_kind_read_first_ranks_its_products_first(shop, query, first):
    hits = ids(shop.search(query, k=4))
    assert hits[0] in first, hits


def test_a_word_read_as_the_shops_by_its_stem_is_no_correction_to_show(shop):
    # "rompers" is not written here, "romper" is: the same word to the search, so no "showing results for"
    u = understand("baby rompers", shop.qvocab)
    assert u.corrected is None
    assert ids(shop.search("baby rompers", k=1)) == ["ro-1"]
    assert understand("baby romprs", shop.qvocab).corrected == "baby romper"  # a real misspelling still is


@pytest.mark.parametrize("query", ["cover iphone 6", "cover for iphone 6"])
def test_a_device_said_right_after_the_kind_is_what_it_is_made_for(shop, query):
    u = understand(query, shop.qvocab)
    assert u.type_terms == ("cover",) and u.compatible_with == "iphone 6"
    assert ids(shop.search(query, k=1)) == ["cv-ip6"]  # not the "6 Seater Table Cover"


def test_words_that_ask_or_praise_are_not_matched_nor_said_to_be_missing(shop):
    assert ids(shop.search("best running shoes", k=1)) == ["sh-run"]  # not the maker "Best Walk"
    res = shop.search("which watch is good", k=2)
    assert res.notice is None and res.hits  # no "No product mentions 'which'"


def test_of_a_kind_asked_for_a_gift_is_any_of_it_not_the_maker_named_gift(shop):
    typed = understand("watch as a gift", shop.qvocab)
    assert typed.type_terms == ("watch",)
    assert "gift" not in typed.search_text.split() and "gift" not in typed.dense_text.split()
    # without a kind, "gift" still finds what the shop sells as gifts
    assert "gift" in understand("gift for wife", shop.qvocab).search_text.split()
    assert ids(shop.search("gift for wife", k=1)) == ["gs-1"]


@pytest.mark.parametrize(
    ("query", "kind", "first"),
    [
        ("a gift for my friend who likes watches", ("watch",), {"wa-gi", "wa-ti"}),
        ("birthday present for my husband who is into jeans", ("jean",), {"je-Levis", "je-Wrangler", "je-Lee"}),
        ("my husband likes jeans", ("jean",), {"je-Levis", "je-Wrangler", "je-Lee"}),  # the person said, no "who"
        ("dad is into watches", ("watch",), {"wa-gi", "wa-ti"}),
    ],
)
def test_what_a_person_likes_is_the_kind_to_look_for(shop, query, kind, first):
    u = understand(query, shop.qvocab)
    assert u.type_terms == kind
    assert not {"who", "likes", "into", "gift", "present"} & set(u.search_text.split())
    assert ids(shop.search(query, k=1))[0] in first


def test_an_interest_without_a_kind_comes_before_who_it_is_for(shop):
    # "my wife loves cooking": women's tops (tagged for her) came first, the cooking things after them
    u = understand("my wife loves cooking", shop.qvocab)
    assert u.interest == ("cooking",) and u.gender == "women" and "loves" not in u.search_text.split()
    got = ids(shop.search("my wife loves cooking", k=5))
    assert got[0] == "kd-1" and "ew-1" not in got, got  # a men's kurta: another person's, never


@pytest.mark.parametrize(
    ("query", "kind", "first"),
    [
        ("boys tshirt pack of 3", ("tshirt",), {"ts-1"}),  # how many, not the camping "Packs"
        ("kitchen knife set", ("knife",), {"kn-1"}),  # a set of knives: no kitchen linen set says knife
        ("kitchen linen set", ("kitchen", "linen", "set"), {"kl-1", "kl-2"}),
    ],
)
def test_a_pack_or_a_set_is_of_what_the_other_words_name(shop, query, kind, first):
    assert understand(query, shop.qvocab).type_terms == kind
    assert ids(shop.search(query, k=1))[0] in first


def test_two_words_the_shop_writes_as_one_are_read_as_its_word(shop):
    u = understand("rain coat", shop.qvocab)
    assert u.search_text == "raincoat"
    assert ids(shop.search("rain coat", k=2)) in (["rc-1", "rc-2"], ["rc-2", "rc-1"])  # not the coat, nor a mug
    assert understand("double coat", shop.qvocab).search_text == "double coat"  # "doublecoat": no word here


def test_wear_is_for_what_the_words_before_it_name(shop):
    assert understand("night wear", shop.qvocab).type_terms == ()  # not every shelf named "... Wear"
    assert ids(shop.search("night wear", k=1)) == ["ns-1"]
    assert understand("ethnic wear", shop.qvocab).type_terms == ("ethnic", "wear")  # the shop's own shelf


def test_accessories_shelved_under_a_kind_are_not_of_it(shop):
    # "Watches > Watch Accessories > Watch Boxes": a box for watches; a search for a watch never shows it as one
    assert "wb-1" not in ids(shop.search("watch", k=3))
    row = shop.index.id_to_row["wb-1"]
    assert row not in shop.qvocab.head_rows["watch"].tolist()
    assert shop.index.id_to_row["wt-0"] in shop.qvocab.head_rows["watch"].tolist()


def test_other_than_is_a_negation_and_other_no_kind(shop):
    u = understand("saree other than silk", shop.qvocab)
    assert u.type_terms == ("sare",) and u.excluded == ("silk",)
    assert ids(shop.search("saree other than silk", k=3))[0] == "sa-cot"  # the silk one never shown
    assert "sa-silk" not in ids(shop.search("saree other than silk", k=10))


def test_a_kind_read_first_is_named_as_the_shop_names_it(shop):
    # "electric" shares its stem with the shop's "Electricals", but is no name of them: no kind read first
    assert understand("electric scooter", shop.qvocab).type_terms == ()
