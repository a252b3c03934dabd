"""A shelf name that lists several kinds ("Bags, Wallets & Belts") is each of them; a word of it that only says
which of the last part's things ("North" of "North & South Indian Lehenga Cholis", "Car" of "Car & Bike
Accessories") is no kind of product. Read from how the name is written, never from a list of words (pure: no
model, no index)."""

from __future__ import annotations

from assistant.search.lists import list_parts
from assistant.search.product_types import list_heads, type_heads
from assistant.search.vocab import QueryVocab, type_key
from index.catalog import Product


def test_a_qualifier_before_a_last_part_of_several_words_is_said_of_its_thing():
    assert list_parts("North & South Indian Lehenga Cholis") == [
        "North Indian Lehenga Cholis",
        "South Indian Lehenga Cholis",
    ]
    assert list_parts("Car & Bike Accessories") == ["Car Accessories", "Bike Accessories"]
    assert list_parts("Geometry, Pen & Pencil boxes") == ["Geometry boxes", "Pen boxes", "Pencil boxes"]
    assert list_parts("Beauty and Personal Care") == ["Beauty Care", "Personal Care"]


def test_a_kind_listed_stays_a_kind():
    assert list_parts("Bags, Wallets & Belts") == ["Bags", "Wallets", "Belts"]
    assert list_parts("Slippers & Flip Flops") == ["Slippers", "Flip Flops"]  # a plural names a kind
    assert list_parts("Pyjamas & Lounge Pants") == ["Pyjamas", "Lounge Pants"]  # plural-only
    assert list_parts("Hookah & Hookah Flavours") == ["Hookah", "Hookah Flavours"]  # the last part names it again
    assert list_parts("Literature & the Arts") == ["Literature", "the Arts"]  # "the Arts" is one word of substance
    assert list_parts("Kitchen & Dining") == ["Kitchen", "Dining"]  # no last part of several words
    assert list_parts("Saree Falls") == ["Saree Falls"]


def _p(pid: str, title: str, category: list[str], ptype: str | None = None) -> Product:
    return Product(id=pid, title=title, category=category, product_type=ptype)


def test_a_qualifier_heads_no_type():
    girls = ["Clothing", "Kids' Clothing", "Girls Wear", "Ethnic Wear"]
    lc = _p("lc", "Saarah Self Design Girl's Lehenga Choli", girls, "North & South Indian Lehenga Cholis")
    heads = type_heads(lc)
    assert "choli" in heads and "north" not in heads and "south" not in heads, heads  # "north" is no kind
    auto = ["Automotive", "Car & Bike Accessories", "Car & Bike Lighting", "Car Lighting"]
    lamp = _p("fog", "Favourite BikerZ Cast Iron Front Fog Lamp", auto, "Car Fog Lamps")
    heads = type_heads(lamp)
    assert "car" not in heads and {"accessori", "lamp"} <= heads, heads
    # every kind "Car & Bike Accessories" lists is an accessory: a head it gives for sure, not one of several
    types = {type_key(n) for n in ("Car Accessories", "Bike Accessories", "Car Lighting", "Bike Lighting")}
    assert "accessori" not in list_heads(lamp, types)


def test_a_kind_of_a_listing_shelf_still_heads_it():
    bwb = _p(
        "bag", "Lavie Women's Sling Bag", ["Bags, Wallets & Belts", "Bags, Wallets & Belts"], "Bags, Wallets & Belts"
    )
    assert type_heads(bwb) == {"bag", "wallet", "belt"}
    hookah = _p("h", "Bajya Decorative Glass Hookah", ["Home Decor", "Hookah & Hookah Flavours", "Hookahs"], "Hookahs")
    assert type_heads(hookah) == {"hookah", "decor"}  # the deeper "Hookahs" says which of the two it is
    flavour = _p(
        "f", "Sophies Shisha Assorted Hookah Flavour", ["Home Decor", "Hookah & Hookah Flavours"], "Hookah Flavours"
    )
    assert "flavour" in type_heads(flavour) and "hookah" in type_heads(flavour)  # the shelf may hold either


def test_the_vocabulary_learns_no_qualifier_as_a_kind():
    shop = [
        _p(
            f"lc-{i}",
            f"Saarah{i} Girl's Lehenga Choli",
            ["Clothing", "Ethnic Wear"],
            "North & South Indian Lehenga Cholis",
        )
        for i in range(3)
    ]
    vocab = QueryVocab.from_products(shop)
    assert all("north" not in vocab.type_heads(p) for p in shop)
    assert "north" not in vocab.heads and "choli" in vocab.heads
