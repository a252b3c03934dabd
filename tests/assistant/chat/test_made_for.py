"""What a kind is made for, said after it, is its size or fit: "double bed" after bedsheets asks for double
bedsheets (it was a search for beds: a sofa bed and pet beds), "single bed" then for single ones; "a double bed"
still asks for a bed. Shown products not saying the words asked are not called so ("6 double bedsheets" of which
three were single). A small shop written here, real model, real index, the dialogue run as the session runs it."""

from __future__ import annotations

import pytest

from assistant.chat.vocab import NluVocab
from assistant.search.engine import SearchEngine
from tests.assistant.chat.test_kinds import chat_shop, shown, talk

SHEETS = ["Home Furnishing", "Bed Linen", "Bedsheets"]
BEDS = ["Furniture", "Bedroom Furniture", "Beds"]
SHOP = [
    *[{"id": f"ds-{i}", "title": f"Weave{i} Cotton Floral Double Bedsheet", "category": SHEETS} for i in range(3)],
    *[{"id": f"ss-{i}", "title": f"Loom{i} Cotton Printed Single Bedsheet", "category": SHEETS} for i in range(3)],
    *[{"id": f"db-{i}", "title": f"Oakline{i} Solid Wood Double Bed", "category": BEDS} for i in range(2)],
    {"id": "sb-0", "title": "Oakline Solid Wood Single Bed", "category": BEDS},
]


@pytest.fixture(scope="module")
def shop(tmp_path_factory, embedder) -> tuple[SearchEngine, NluVocab]:
    return chat_shop(tmp_path_factory.mktemp("chat-made-for"), embedder, [{**p, "price": 999} for p in SHOP])


def test_the_thing_a_kind_is_made_for_says_its_size(shop):
    _, (double, said), (single, said_single) = talk(shop, "show me bedsheets", "double bed", "single bed")
    # bedsheets saying it first (soft words: the others after them), no bed
    assert {i[:3] for i in shown(double)[:3]} == {"ds-"} and not any(i[1] == "b" for i in shown(double)), said
    assert "double bedsheets" in said, said
    # three of the six shown say "double": the single ones after them are not called double bedsheets
    assert "3 double bedsheets and 3 more not saying “double”" in said, said
    # another size replaces the one said before ("double single bedsheets" would find neither)
    assert {i[:3] for i in shown(single)[:3]} == {"ss-"}, said_single


def test_asking_for_the_thing_itself_is_a_new_search(shop):
    _, (res, said) = talk(shop, "show me bedsheets", "i want a double bed")
    assert {i[:3] for i in shown(res)[:2]} == {"db-"} and not any(i[1] == "s" for i in shown(res)), said
