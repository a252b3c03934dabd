"""A query naming a thing no type of the shop names ("earphones": the shop types its earphones "Headphones"):
the products whose title names them that thing come before those only mentioning it, and who it is for ranks
among the things asked, not across the shop. On the bundled catalog "earphones" opened with nine "Earphone
Cable Organizers" and "earphones for girls" (also "dolls for girls", "puzzles for kids") with girls' dresses.
A small shop written here, real model, real index."""

from __future__ import annotations

import pytest

from tests.assistant.search.shop import ids, shop_engine

AUDIO = ["Electronics", "Audio & Video", "Headphones"]
ORGANIZERS = ["Electronics", "Accessories", "Earphone Cable Organizers"]
TOYS = ["Toys & School Supplies", "Dolls & Doll Houses"]
GIRLS = ["Clothing", "Kids' Clothing", "Girls Wear", "Dresses"]
SHOP = [
    *[
        {"id": f"org-{n}", "title": f"Ortel earphone{n} Earphone Cable Organizer", "category": ORGANIZERS}
        for n in (44, 54, 64, 66)
    ],
    {"id": "ear-mic", "title": "Jelly8 Wired Earphone With Mic Headphones", "category": AUDIO},
    {"id": "ear-for", "title": "Debock Earphone For Samsung Galaxy S Stereo Headphones", "category": AUDIO},
    {"id": "hp-1", "title": "Sound Logic Foldable Headphones", "category": AUDIO},
    {"id": "doll", "title": "Shop & Shoppee Princess Doll", "category": TOYS},
    *[
        {"id": f"show-{m}", "title": f"{m} Doll Showpiece - 25 cm", "category": ["Home Decor", "Showpieces"]}
        for m in ("Malhar", "Furncoms")
    ],
    *[
        {
            "id": f"dress-{m}",
            "title": f"{m} Girl's A-line Dress",
            "category": GIRLS,
            "attributes": {"Ideal For": "Girls"},
        }
        for m in ("Waves", "Crayon", "Beebay")
    ],
]


@pytest.fixture(scope="module")
def shop(tmp_path_factory, embedder):
    return shop_engine(tmp_path_factory.mktemp("thing_named"), embedder, SHOP)


def test_the_thing_the_query_ends_in_is_read(shop):
    assert shop.understand("earphones").thing == "earphon"
    assert shop.understand("dolls for girls").thing == "doll"
    assert shop.understand("earphones").type_terms == ()  # no type of this shop names it
    assert shop.understand("headphones").thing == ""  # a type is read: its own ranking applies


def test_products_named_the_thing_come_before_those_only_mentioning_it(shop):
    got = ids(shop.search("earphones", k=6, distinct=True))
    assert set(got[:2]) == {"ear-mic", "ear-for"}, got
    assert all(g.startswith("org-") for g in got[2:6]), got  # still shown, after
    got = ids(shop.search("doll", k=3, distinct=True))
    assert got[0] == "doll", got


def test_who_it_is_for_ranks_among_the_things_asked(shop):
    got = ids(shop.search("earphones for girls", k=4, distinct=True))
    assert set(got[:2]) == {"ear-mic", "ear-for"}, got
    assert not any(g.startswith("dress-") for g in got), got
    got = ids(shop.search("dolls for girls", k=3, distinct=True))
    assert got[0] == "doll", got
    assert not any(g.startswith("dress-") for g in got), got
