"""The one text vocabulary: tokens, stems, plurals, compounds, prices, money."""

from __future__ import annotations

import pytest

from index.text import (
    format_price,
    normalise,
    parse_price,
    plural,
    singular,
    stem,
    terms,
    tokenize,
)


def test_normalise_folds_case_accents_and_apostrophes():
    assert normalise("  Café  MEN’S ") == "cafe men's"


def test_tokenize_drops_stop_words_and_joins_compounds():
    assert tokenize("shirt for the men") == ["shirt", "men"]
    for form in ("tshirt", "t-shirt", "t shirt"):
        assert "tshirt" in tokenize(form), form


def test_stemming_makes_singular_and_plural_one_term():
    assert terms("shoes") == terms("shoe")
    assert terms("Dresses") == terms("dress")
    assert stem("watches") == stem("watch")


@pytest.mark.parametrize(
    ("word", "other"),
    [("dressing", "dress"), ("clothing", "cloth"), ("leggings", "leg"), ("bedding", "bed"), ("painting", "paint")],
)
def test_a_word_of_another_meaning_keeps_its_own_stem(word, other):
    assert stem(word) != stem(other)  # a dressing table is no dress, a cleaning cloth no clothing


def test_an_ing_word_and_its_plural_are_one_term_and_clothes_are_clothing():
    assert stem("leggings") == stem("legging") and stem("paintings") == stem("painting")
    assert stem("clothes") == stem("clothing") != stem("cloths") == stem("cloth")
    assert terms("Running Shoes") == terms("running shoe")
    assert stem("rings") == stem("ring") and stem("things") == stem("thing")


@pytest.mark.parametrize(
    ("plural_form", "singular_form"),
    [("dresses", "dress"), ("watches", "watch"), ("shoes", "shoe"), ("bags", "bag"), ("jerseys", "jersey")],
)
def test_singular_and_plural_round_trip(plural_form, singular_form):
    assert singular(plural_form) == singular_form
    assert plural(singular_form) == plural_form


def test_singular_keeps_words_that_are_not_plurals():
    assert singular("dress") == "dress"
    assert singular("canvas") == "canvas"


@pytest.mark.parametrize(
    ("text", "lo", "hi", "rest"),
    [
        ("saree under 500", None, 500, "saree"),
        ("shoes under 2k", None, 2000, "shoes"),
        ("watch between 1000 and 1500", 1000, 1500, "watch"),
        ("phone above 1.5 lakh", 150000, None, "phone"),
        ("cartridge 13-516", None, None, "cartridge 13-516"),
        ("saree my budget is 2000", None, 2000, "saree my"),  # a budget is the most to pay
        ("watch budget of rs 1500", None, 1500, "watch"),
        ("budget friendly watch", None, None, "budget friendly watch"),
    ],
)
def test_price_words(text, lo, hi, rest):
    got_lo, got_hi, got_rest = parse_price(text)
    assert (got_lo, got_hi, got_rest.strip()) == (lo, hi, rest)


def test_format_price_uses_the_products_own_currency():
    assert format_price(1299, "INR") == "₹1,299"
    assert format_price(1299, "USD") == "$1,299"
    assert format_price(12.5, "EUR") == "€12.50"
    assert format_price(None, "INR") == ""
    assert "XYZ" in format_price(10, "XYZ")  # an unknown code is named, never raises


@pytest.mark.parametrize(
    ("plural_form", "one"), [("knives", "knife"), ("shelves", "shelf"), ("scarves", "scarf"), ("leaves", "leaf")]
)
def test_a_plural_in_ves_is_read_as_its_singular(plural_form, one):
    # "Kitchen Knives" are knives to "knife"; the stemmer alone gave "knive"
    assert stem(plural_form) == stem(one) and singular(plural_form) == one
    assert stem("gloves") == stem("glove") and singular("sleeves") == "sleeve"  # other -ves words keep their e
