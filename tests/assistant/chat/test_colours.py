"""The chat reads a colour as search reads it: the catalog's colour, or the one the title names. "gold ones" said
after earrings found nothing ("I have earrings in other colours"), though 14 of the shop's earrings are titled "Yellow
Gold ...": their colour column says "multicolor". A colour the title names of another is still no match. A small
shop written here, real model, real index, the dialogue run as the session runs it."""

from __future__ import annotations

import pytest

from assistant.chat.vocab import NluVocab
from assistant.search.engine import SearchEngine
from tests.assistant.chat.test_kinds import chat_shop, shown, talk

EARRINGS = ["Jewellery", "Earrings"]
SHOP = [
    {"id": "e-titled", "title": "Fida Yellow Gold Copper Drop Earring", "category": EARRINGS, "colour": "Multicolor"},
    {"id": "e-column", "title": "Sukkhi Alloy Stud Earring", "category": EARRINGS, "colour": "Gold"},
    {"id": "e-silver", "title": "Pearl Paradise Silver Dangle Earring", "category": EARRINGS, "colour": "Silver"},
    {"id": "e-none", "title": "Fabulloso Metal Dangle Earring", "category": EARRINGS},
]


@pytest.fixture(scope="module")
def shop(tmp_path_factory, embedder) -> tuple[SearchEngine, NluVocab]:
    return chat_shop(tmp_path_factory.mktemp("chat-colours"), embedder, SHOP)


def test_a_colour_the_title_names_is_the_products_colour(shop):
    _, (res, text) = talk(shop, "earrings", "gold ones")
    assert set(shown(res)) == {"e-titled", "e-column"}, text
    [(res, text)] = talk(shop, "silver earrings")
    assert shown(res) == ["e-silver"], text
