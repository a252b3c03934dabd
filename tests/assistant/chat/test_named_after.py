"""The chat ranks a kind's own products before the things titled after it, as search does: "i need a hair dryer"
showed four "Hair Dryer Bonnet"s before the shop's dryers, "show me helmets" helmet locks (the chat's search reads
no query, so it took none of search's tiers); "hair dryer bonnet" still shows the bonnets. The search test's small
shop, real model, real index, the dialogue run as the session runs it."""

from __future__ import annotations

import pytest

from assistant.chat.vocab import NluVocab
from assistant.search.engine import SearchEngine
from tests.assistant.chat.test_kinds import chat_shop, shown, talk
from tests.assistant.search.test_named_after import SHOP


@pytest.fixture(scope="module")
def shop(tmp_path_factory, embedder) -> tuple[SearchEngine, NluVocab]:
    return chat_shop(tmp_path_factory.mktemp("chat-named-after"), embedder, SHOP)


def test_the_kinds_own_products_come_before_the_things_titled_after_it(shop):
    [(res, text)] = talk(shop, "i need a hair dryer")
    assert set(shown(res)[:2]) == {"hd-Philips", "hd-Vega"}, text
    [(res, text)] = talk(shop, "show me helmets")
    assert set(shown(res)[:2]) == {"hm-Sonik", "hm-Vega"}, text


def test_the_thing_asked_for_is_shown_first(shop):
    [(res, text)] = talk(shop, "hair dryer bonnet")
    assert set(shown(res)[:3]) == {"bo-Ovente", "bo-Conair", "bo-Rusk"}, text
