""" "Which one is the cheapest?" asks about the products just shown: the chat picks that one of them (it compared the
first two: "The cheapest is #2" of six, and "add it to my cart" then asked which one), talks about it from then on,
and says so when the catalog gives none of them the figure asked (no rating). A small shop written here, real
model, real index, the dialogue run as the session runs it."""

from __future__ import annotations

import pytest

from assistant.chat.nlu import NluVocab, parse_message
from assistant.chat.picks import asked, best
from assistant.search.engine import SearchEngine
from index.catalog import Product
from tests.assistant.chat.test_kinds import chat_shop, shown, talk

SPEAKERS = ["Electronics", "Audio", "Speakers"]
SHOP = [
    {"id": "sp-1", "title": "Janhvi Bluetooth Pill Speaker", "category": SPEAKERS, "price": 595, "rating": 3.9},
    {"id": "sp-2", "title": "Zebronics Bluetooth Party Speaker", "category": SPEAKERS, "price": 1299, "rating": 4.6},
    {"id": "sp-3", "title": "Ibz Bluetooth Dock Speaker", "category": SPEAKERS, "price": 299, "rating": 4.1},
    {"id": "sp-4", "title": "Boat Stone Bluetooth Speaker", "category": SPEAKERS, "price": 999},
    *[{"id": f"cl-{i}", "title": f"Ajanta{i} Analog Wall Clock", "category": ["Home", "Clocks"]} for i in range(3)],
]


@pytest.fixture(scope="module")
def shop(tmp_path_factory, embedder) -> tuple[SearchEngine, NluVocab]:
    return chat_shop(tmp_path_factory.mktemp("chat-picks"), embedder, SHOP)


def test_which_one_is_the_cheapest_picks_it_of_all_shown_and_it_is_then_what_it_means(shop):
    (res, text), (picked, said), (_, added) = talk(
        shop, "bluetooth speakers", "which one is the cheapest", "add it to my cart"
    )
    assert set(shown(res)) == {"sp-1", "sp-2", "sp-3", "sp-4"}, text
    at = shown(res).index("sp-3") + 1
    assert shown(picked) == ["sp-3"] and f"The cheapest of the 4 I showed is #{at}" in said, said
    assert "Ibz Bluetooth Dock Speaker" in added and "to your cart" in added, added
    (_, _), (dear, said) = talk(shop, "bluetooth speakers", "which of these is the most expensive")
    assert shown(dear) == ["sp-2"], said
    (_, _), (rated, said) = talk(shop, "bluetooth speakers", "which one is best rated")
    assert shown(rated) == ["sp-2"], said


def test_with_no_figure_to_pick_by_it_says_so(shop):
    _, (res, said) = talk(shop, "clocks", "which one is best rated")
    assert not res.items and "none of the products i showed has a rating" in said.lower(), said


def test_the_question_is_read_apart_from_asking_for_cheaper_ones(shop):
    _, vocab = shop
    assert parse_message("which one is the cheapest", vocab).intent == "pick"
    assert parse_message("show me cheaper ones", vocab).intent == "cheaper"
    assert asked("which of them is the priciest") == "dearest" and asked("cheapest ones please") is None
    ps = [Product(id=str(i), title="x", price=p) for i, p in enumerate([500.0, None, 300.0, 300.0])]
    assert best("cheapest", ps) == 2 and best("dearest", ps) == 0 and best("best rated", ps) is None
