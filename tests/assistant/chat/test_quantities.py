"""A quantity the shopper says ("5 litre", "5 pack") is read as search reads units: a page saying "5 L" or "5ltr"
says it, so the reply no longer claims "none of them saying “5 litre”" over three 5 L cookers, and a product saying
only another amount of the unit (a 10 L cooker) is no 5 litre one and is not shown; one saying nothing in litres may
be. A count ("5 pack", "pack of 5", "set of 5") is how many, in whichever of those forms a page says it: said after
cushion covers, "5 pack" was a new search for the shop's bags and packs. A small shop written here, real model,
real index, the dialogue run as the session runs it."""

from __future__ import annotations

import pytest

from assistant.chat.matching import quantities, quantity_said
from assistant.chat.vocab import NluVocab
from assistant.search.engine import SearchEngine
from index.catalog import Product
from tests.assistant.chat.test_kinds import chat_shop, shown, talk

COOKERS = ["Kitchen", "Cookware", "Pressure Cookers"]
CUSHIONS = ["Home Furnishing", "Cushion Covers"]
SHOP = [
    {"id": "pc-5", "title": "United 5 L Pressure Cooker", "category": COOKERS, "price": 2275},
    {"id": "pc-5ltr", "title": "Hawkins Classic 5ltr Pressure Cooker", "category": COOKERS, "price": 1900},
    {"id": "pc-10", "title": "Prestige Popular 10 L Pressure Cooker", "category": COOKERS, "price": 2100},
    {"id": "pc-3", "title": "United 3 L Pressure Cooker", "category": COOKERS, "price": 1500},
    {"id": "pc-none", "title": "Butterfly Blue Line Pressure Cooker", "category": COOKERS, "price": 1700},
    *[
        {"id": f"cc-{n}", "title": f"Rajrang{n} Floral Cushions Cover", "category": [*CUSHIONS, f"Cover (Pack of {n})"]}
        for n in (2, 5)
    ],
    {"id": "cc-set", "title": "Welhouse Set of 5 Cushion Covers", "category": CUSHIONS},
    {"id": "cc-none", "title": "Moonleaf Geometric Cushions Cover", "category": CUSHIONS},
    *[{"id": f"bp-{i}", "title": f"Wildcraft{i} Travel Pack", "category": ["Bags", "Bags & Packs"]} for i in range(2)],
]


@pytest.fixture(scope="module")
def shop(tmp_path_factory, embedder) -> tuple[SearchEngine, NluVocab]:
    return chat_shop(tmp_path_factory.mktemp("chat-quantities"), embedder, SHOP)


@pytest.mark.parametrize("said", ["5 litre", "5 ltr", "5 liters"])
def test_a_quantity_said_keeps_what_says_it_and_drops_other_amounts(shop, said):
    _, (res, text) = talk(shop, "a pressure cooker", said)
    got = shown(res)
    assert {"pc-5", "pc-5ltr"} <= set(got) and not {"pc-10", "pc-3"} & set(got), (got, text)
    assert "none of them saying" not in text, text
    assert set(got[:2]) == {"pc-5", "pc-5ltr"}, got  # those saying it before the one saying no amount


@pytest.mark.parametrize("said", ["5 pack", "pack of 5", "set of 5"])
def test_a_count_said_after_a_kind_is_how_many_of_it(shop, said):
    _, (res, text) = talk(shop, "cushion covers", said)
    got = shown(res)
    assert set(got[:2]) == {"cc-5", "cc-set"} and "cc-2" not in got, (got, text)  # not bags and packs, no 2-pack
    assert not any(i.startswith("bp-") for i in got), text


def test_what_a_page_says_of_a_quantity():
    five = quantities(["5", "litre"])
    assert five == [(5.0, "l")] and quantities(["5", "star"]) == [] and quantities(["litre"]) == []
    said = lambda title: quantity_said(Product(id="x", title=title), five[0])
    assert said("United 5 L Pressure Cooker") and said("Hawkins 5ltr Cooker") and said("Magic 5 Litre Cooker")
    assert said("Prestige 10 L Pressure Cooker") is False and said("Butterfly Pressure Cooker") is None
    # a smaller unit of the same kind says it too ("1 litre": "1000 ml"), and a 500 ml bottle is no 5 litre one
    assert said("Milton 5000 ml Can") and said("Milton 500 ml Bottle") is False
    assert said("Philips 1600 W Hair Dryer") is None  # another kind of unit says nothing in litres
    five = quantities(["5", "pack"])[0]
    packs = lambda title, *category: quantity_said(Product(id="x", title=title, category=list(category)), five)
    assert (
        packs("Set of 5 Cushion Covers") and packs("Cover", "Home", "Cover (Pack of 5, 30 cm)") and packs("5 pcs Set")
    )
    assert packs("Pack of 2 Cushion Covers") is False and packs("Cushion Cover") is None
