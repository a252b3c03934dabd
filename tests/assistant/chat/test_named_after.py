"""The chat ranks a kind's own products before the things titled after it, as search does: "i need a hair dryer"
showed four "Hair Dryer Bonnet"s before the shop's dryers, "show me helmets" helmet locks (the chat's search reads
no query, so it took none of search's tiers); "hair dryer bonnet" still shows the bonnets. The search test's small
shop, real model, real index, the dialogue run as the session runs it."""

from __future__ import annotations

import json

import pytest

from assistant.chat.vocab import NluVocab
from assistant.search.engine import SearchEngine
from index.build import build_index
from index.catalog import Mapping
from index.store import load_index
from tests.assistant.chat.test_kinds import shown, talk
from tests.assistant.search.test_named_after import SHOP


@pytest.fixture(scope="module")
def shop(tmp_path_factory, embedder) -> tuple[SearchEngine, NluVocab]:
    d = tmp_path_factory.mktemp("chat-named-after")
    catalog = d / "shop.jsonl"
    catalog.write_text("".join(json.dumps(p) + "\n" for p in SHOP), encoding="utf-8")
    build_index(catalog, d / "index", embedder, Mapping())
    engine = SearchEngine(load_index(d / "index", embedder.name, embedder.dim), embedder)
    return engine, NluVocab.from_products(engine.products, engine.vocab, engine.qvocab)


def test_the_kinds_own_products_come_before_the_things_titled_after_it(shop):
    [(res, text)] = talk(shop, "i need a hair dryer")
    assert set(shown(res)[:2]) == {"hd-Philips", "hd-Vega"}, text
    [(res, text)] = talk(shop, "show me helmets")
    assert set(shown(res)[:2]) == {"hm-Sonik", "hm-Vega"}, text


def test_the_thing_asked_for_is_shown_first(shop):
    [(res, text)] = talk(shop, "hair dryer bonnet")
    assert set(shown(res)[:3]) == {"bo-Ovente", "bo-Conair", "bo-Rusk"}, text
