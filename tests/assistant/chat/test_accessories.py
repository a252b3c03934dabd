"""An accessory of one of the shop's kinds, for a device: "car chargers for samsung" asks for car chargers made for
it, not any charger (it showed wall chargers for Samsung phones, "chargers that fit samsung"). The search test's
small shop of car chargers, cables and chargers, real model, real index, the dialogue run as the session runs it."""

from __future__ import annotations

import pytest

from assistant.chat.vocab import NluVocab
from assistant.search.engine import SearchEngine
from tests.assistant.chat.test_kinds import chat_shop, shown, talk
from tests.assistant.search.test_devices import CAR_SHOP


@pytest.fixture(scope="module")
def shop(tmp_path_factory, embedder) -> tuple[SearchEngine, NluVocab]:
    return chat_shop(tmp_path_factory.mktemp("chat-accessories"), embedder, CAR_SHOP)


def test_the_shops_kind_of_an_accessory_is_what_a_device_needs(shop):
    [(res, text)] = talk(shop, "show me car chargers for micromax")
    assert shown(res) == ["cc-mm"], text
    assert "car chargers" in text.lower(), text


def test_none_of_the_kind_for_the_device_is_said_not_another_kind_shown(shop):
    [(res, text)] = talk(shop, "show me car chargers for iphone")
    # the shop's iPhone charger and charging cables are no car chargers
    assert not set(shown(res)) & {"ch-ip", "cb-ip", "cb-ip2"}, text
    assert "car chargers" in text.lower() and "iphone" in text.lower(), text
