"""A material asked for in the chat is read as search reads it: products known to be of it first, those that do
not say next, one known to be of another material never shown as if it matched; when none is of it, the reply
says so and shows the kind without it. A small shop written here (sarees whose material a spec line states, or
only the title names, or nothing says), real model, real index, the dialogue run in process as the session
runs it."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest

from assistant.chat import replies
from assistant.chat.dialogue import begin
from assistant.chat.execution import execute
from assistant.chat.matching import EngineSearch
from assistant.chat.nlu import parse_message
from assistant.chat.state import DialogueState, TurnResult
from assistant.chat.vocab import NluVocab
from assistant.search.engine import SearchEngine
from index.build import build_index
from index.catalog import Mapping
from index.store import load_index
from tests.assistant.chat_client import open_chat, say

SAREES = ["Clothing", "Women's Clothing", "Ethnic Wear", "Sarees"]
TOPS = ["Clothing", "Women's Clothing", "Western Wear", "Tops"]


def _p(pid: str, title: str, cat: list[str], fabric: str | None = None, price: float = 999) -> dict:
    return {
        "id": pid,
        "title": title,
        "category": cat,
        "price": price,
        "gender": "women",
        **({"attributes": {"Fabric": fabric}} if fabric else {}),
    }


SHOP = [
    _p("net-1", "Rani Self Design Bollywood Net Saree", SAREES, "Net"),
    _p("unk-1", "Meera Printed Daily Wear Saree", SAREES),
    _p("unk-2", "Laila Embellished Bollywood Saree", SAREES, price=1299),
    # cotton known from the title only ("Cotton Saree"), georgette from the spec line only
    *[_p(f"cot-{i}", f"Uma{i} Striped Fashion Cotton Saree", SAREES, price=899 + i) for i in range(5)],
    *[_p(f"geo-{i}", f"Jaya{i} Floral Print Party Saree", SAREES, "Georgette", 1099 + i) for i in range(4)],
    # the spec lines that teach the shop's materials: net, cotton, georgette and silk each thrice or more
    *[_p(f"tn-{i}", f"Ira{i} Net Top", TOPS, "Net") for i in range(2)],
    *[_p(f"tc-{i}", f"Ira{i} Cotton Top", TOPS, "Cotton") for i in range(3)],
    *[_p(f"ts-{i}", f"Ira{i} Silk Top", TOPS, "Silk") for i in range(3)],
]
BY_ID = {p["id"]: p for p in SHOP}


def named_other(pid: str, material: str) -> bool:
    """The shopper's reading of one product: its title or its fabric line names a material, not this one."""
    p = BY_ID[pid]
    text = (p["title"] + " " + p.get("attributes", {}).get("Fabric", "")).lower()
    named = {m for m in ("net", "cotton", "georgette", "silk") if re.search(rf"\b{m}\b", text)}
    return bool(named) and material not in named


@pytest.fixture(scope="module")
def shop_dir(tmp_path_factory, embedder) -> Path:
    d = tmp_path_factory.mktemp("chat-materials")
    catalog = d / "shop.jsonl"
    catalog.write_text("".join(json.dumps(p) + "\n" for p in SHOP), encoding="utf-8")
    build_index(catalog, d / "index", embedder, Mapping())
    return d


@pytest.fixture(scope="module")
def shop(shop_dir, embedder) -> tuple[SearchEngine, NluVocab]:
    engine = SearchEngine(load_index(shop_dir / "index", embedder.name, embedder.dim), embedder)
    return engine, NluVocab.from_products(engine.products, engine.vocab, engine.qvocab)


def talk(shop, *messages: str) -> tuple[DialogueState, list[tuple[TurnResult, str]]]:
    """The dialogue as the session runs it (the engine's search with parse=False, the shop's materials)."""
    engine, vocab = shop
    st = DialogueState()
    out = []
    for m in messages:
        plan = begin(st, parse_message(m, vocab), engine.index.product)
        res = execute(
            st,
            plan,
            EngineSearch(engine),
            engine.index.product,
            materials=vocab.materials,
        )
        said = replies.ack(plan, st.constraints, vocab.kind_names), replies.reply_text(res, plan, vocab.kind_names)
        out.append((res, " ".join(said)))
    return st, out


def test_the_material_asked_comes_first_then_the_unsaid_and_never_another_said_as_a_match(shop):
    _, [(res, text)] = talk(shop, "net sarees")
    shown = [i.product.id for i in res.items]
    assert shown and shown[0] == "net-1", shown  # the one net saree first
    assert set(shown) == {"net-1", "unk-1", "unk-2"}, shown  # then those that do not say; no cotton or georgette
    assert not any(named_other(pid, "net") for pid in shown)
    # the reply does not call the unsaid ones net: it says how many are and how many do not say
    assert "1 net saree and 2 that do not say what they are made of" in text, text


def test_the_chat_shows_what_rest_search_ranks_first_for_the_same_words(shop):
    engine, _ = shop
    _, [(res, _)] = talk(shop, "net sarees")
    rest = engine.search("net sarees", k=10)
    shown = [i.product.id for i in res.items]
    assert set(shown) == {h.product.id for h in rest.hits[: len(shown)]}  # REST's matches and unknowns
    assert all(named_other(h.product.id, "net") for h in rest.hits[len(shown) :])  # REST: the others after them
    assert rest.notice and "Only 1" in rest.notice, rest.notice  # and REST says so, as the chat does


def test_no_product_of_the_material_the_reply_says_so_and_shows_the_kind_without_it(shop):
    st, [(res, text)] = talk(shop, "silk sarees")  # silk is a material of this shop (its tops), no saree is silk
    assert res.items and all(BY_ID[i.product.id]["category"] == SAREES for i in res.items)
    assert "nothing with the words “silk” for sarees" in text, text  # the honest relaxation, not "6 silk sarees"
    assert "silk sarees" not in text.lower()
    assert st.constraints.material is None  # the state is what the reply says: sarees, any material


def test_a_material_is_dropped_alone_before_the_other_words(shop):
    st, [(res, text)] = talk(shop, "silk party sarees")
    assert res.items and "nothing with the words “silk”" in text, text
    assert st.constraints.material is None and st.constraints.occasion == "party"  # the other words still hold
    assert res.items[0].product.id.startswith("geo-")  # the party sarees


def test_a_dislike_after_asking_leaves_no_product_of_that_material(shop):
    st, [_, (res, text)] = talk(shop, "cotton sarees", "not cotton")
    assert res.items and not any(
        "cotton" in (BY_ID[i.product.id]["title"] + str(BY_ID[i.product.id].get("attributes"))).lower()
        for i in res.items
    )
    assert st.constraints.material is None and "no cotton" in text, text


def test_over_the_live_chat_the_session_reads_materials_with_the_shops_vocabulary(make_server, shop_dir):
    """The same over the websocket: the session hands the shop's materials to the dialogue (without them the
    sarees that only their titles say are cotton would pass for unknown and fill the page)."""
    srv = make_server(
        index_dir=shop_dir / "index", catalog=shop_dir / "shop.jsonl", mapping=None, rate_sessions="", rate_chat=""
    )

    async def script():
        ws, _ = await open_chat(srv.ws_url)
        t = await say(ws, "net sarees")
        shown = [c["id"] for c in t.items]
        assert shown[:1] == ["net-1"] and set(shown) == {"net-1", "unk-1", "unk-2"}, shown
        assert "1 net saree and 2 that do not say what they are made of" in t.text, t.text
        await ws.close()

    asyncio.run(script())


def test_a_page_for_several_wearers_is_narrowed_to_a_grown_ups_when_it_has_one():
    """ "show me jeans" was narrowed to boys' jeans (four of the six best); a shopper who names no one asks for
    themselves: the grown-ups' wearer of the page, the children's only when the page has no grown-up's."""
    from assistant.chat.matching import page_gender
    from assistant.chat.state import ShownItem
    from index.catalog import Product

    def page(*genders: str) -> list[ShownItem]:
        return [ShownItem(Product(id=str(i), title="Jeans", gender=g), []) for i, g in enumerate(genders)]

    assert page_gender(page("boys", "boys", "boys", "boys", "men", "women", "men")) == "men"
    assert page_gender(page("girls", "girls", "boys")) == "girls"
    assert page_gender(page("women", "women")) is None  # one wearer: nothing to narrow
