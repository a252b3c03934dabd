"""A child's age says who a product is for ("a 5 year old girl": girls; "18 months": a baby), never a word a
product must have nor a device after "for"; and a negation reaches past an article ("not a sports shoe"). A
small shop written here, real model, real index."""

from __future__ import annotations

import pytest

from assistant.search.engine import SearchEngine
from assistant.search.understand import understand
from tests.assistant.search.shop import ids, shop_engine

GIRLS = ["Clothing", "Kids' Clothing", "Girls Wear", "Dresses"]
BABY = ["Baby Care", "Infant Wear", "Baby Girls' Clothes"]
TOYS = ["Toys", "Soft Toys"]
SHOES = ["Footwear", "Men's Footwear"]
SHOP = [
    {"id": "g-1", "title": "Tiny Toon Girl's Gathered Dress", "category": GIRLS, "price": 499},
    {"id": "g-2", "title": "Bells Girl's Layered Dress", "category": GIRLS, "price": 699},
    {"id": "b-1", "title": "Wow Baby Girl's Gathered Dress", "category": BABY, "price": 399},
    {"id": "w-1", "title": "Aurea Women's Maxi Dress", "category": ["Clothing", "Women's Clothing", "Dresses"]},
    {"id": "t-1", "title": "Ekku Teddy Bear 12 inch", "category": TOYS, "price": 299},
    # a product whose title says a number of years: the age must not match it
    {"id": "r-1", "title": "Gems 5 Year Guarantee Silver Ring", "category": ["Jewellery", "Rings"], "price": 999},
    *[
        {"id": f"s-{i}", "title": f"Strider{i} Men's Sports Shoes", "category": [*SHOES, "Sports Shoes"]}
        for i in range(3)
    ],
    *[
        {"id": f"c-{i}", "title": f"Urbano{i} Men's Casual Shoes", "category": [*SHOES, "Casual Shoes"]}
        for i in range(3)
    ],
]


@pytest.fixture(scope="module")
def shop(tmp_path_factory, embedder) -> SearchEngine:
    return shop_engine(tmp_path_factory.mktemp("ages"), embedder, SHOP)


@pytest.mark.parametrize(
    ("query", "gender"),
    [
        ("gift for a 5 year old girl", "girls"),
        ("dress for 10 years girl", "girls"),
        ("toys for a 3 year old", "kids"),
        ("teddy for 4yrs old", "kids"),
        ("dress for 1 year old girl", "baby_girl"),
        ("toys for 18 months", "baby"),
        ("toys age 6", "kids"),
        ("shirt for a 30 year old man", "men"),  # an adult's age says nothing more than "man"
        ("tops, she is 12", "girls"),  # the age said of the person
        ("shoes for my son, he is 5", "boys"),
        ("dress, she is 1", "baby_girl"),
        ("something for a newborn boy", "baby_boy"),  # was "nothing called newborn"
        ("newborn clothes", "baby"),
        ("baby dress 6 months", "baby"),  # a few months is a baby's age however said (it was words to match)
        ("romper 9 months", "baby"),
    ],
)
def test_an_age_says_who_it_is_for_and_is_no_word_to_match(shop, query, gender):
    u = understand(query, shop.qvocab)
    assert u.gender == gender
    said = u.search_text.split()
    assert not {"year", "years", "yrs", "4yrs", "old", "months", "age"} & set(said), said
    assert not any(w.isdigit() for w in said), said
    assert u.compatible_with is None  # "for 3 year old" names no device


def test_years_that_are_no_age_stay_words(shop):
    u = understand("ring with 5 year guarantee", shop.qvocab)
    assert u.gender is None and "5" in u.search_text.split()
    u = understand("trimmer 6 months warranty", shop.qvocab)
    assert u.gender is None and "6" in u.search_text.split()


def test_search_for_a_child_shows_childrens_products_not_the_number(shop):
    got = ids(shop.search("dress for a 5 year old girl", k=3))
    assert got[:2] and set(got[:2]) <= {"g-1", "g-2"} and "r-1" not in got and "w-1" not in got[:2]
    got = ids(shop.search("dress for 1 year old girl", k=3))  # a baby girl: girls' and baby clothes alike
    assert "b-1" in got and "w-1" not in got and "r-1" not in got


@pytest.mark.parametrize(
    "query", ["shoes not a sports shoe", "shoes but not the sports shoes", "men's shoes no sports"]
)
def test_a_negation_reaches_past_an_article(shop, query):
    u = understand(query, shop.qvocab)
    assert u.excluded and "sport" in u.excluded[0]
    got = ids(shop.search(query, k=6))
    assert got and not any(i.startswith("s-") for i in got)
