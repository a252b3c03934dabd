"""A product of a kind only by a shelf listing several kinds, whose title names it another kind of the shop, is not
of the kind asked in the chat: the shop's skirts sit on "Western Wear > Dresses & Skirts > Skirts", a shelf past the
four read, so "Dresses & Skirts" made a "Women's Regular Black Skirt" one of the "black dresses" shown. A small shop
written here, real model, real index, the dialogue run as the session runs it."""

from __future__ import annotations

import pytest

from assistant.chat.vocab import NluVocab
from assistant.search.engine import SearchEngine
from tests.assistant.chat.test_kinds import chat_shop, shown, talk

WESTERN = ["Clothing", "Women's Clothing", "Western Wear", "Dresses & Skirts"]
SHOP = [
    *[
        {"id": f"dr-{i}", "title": f"Meee{i} Women's Black Maxi Dress", "category": [*WESTERN, "Dresses"]}
        for i in range(2)
    ],
    *[
        {"id": f"sk-{i}", "title": f"Antistreet{i} Women's Regular Black Skirt", "category": [*WESTERN, "Skirts"]}
        for i in range(2)
    ],
    *[{"id": f"ks-{i}", "title": f"Biba{i} Women's Black Skirt", "category": ["Clothing", "Skirts"]} for i in range(2)],
    {"id": "dr-plain", "title": "People Women's Black Solid", "category": [*WESTERN, "Dresses"]},
]


@pytest.fixture(scope="module")
def shop(tmp_path_factory, embedder) -> tuple[SearchEngine, NluVocab]:
    return chat_shop(tmp_path_factory.mktemp("chat-listed"), embedder, SHOP)


def test_a_product_titled_another_kind_is_not_of_a_listed_kind(shop):
    engine, _ = shop
    dresses = engine.of_kind("dress", titles=True)
    assert dresses is not None
    got = {engine.products[r].id for r in dresses.nonzero()[0]}
    assert {"dr-0", "dr-1", "dr-plain"} <= got and not {"sk-0", "sk-1"} & got, got  # untitled: may be a dress
    [(res, text)] = talk(shop, "black dresses")
    assert shown(res) and not any(i.startswith("sk-") for i in shown(res)), text
    [(res, text)] = talk(shop, "black skirts")
    assert {"sk-0", "sk-1", "ks-0", "ks-1"} <= set(shown(res)), text  # still skirts
