"""Dialogue acts, product questions, state, accessories and honest replies over the chat websocket (issue 15),
on the tiny catalog."""

from __future__ import annotations

import re
import statistics

from tests.assistant.api.chat_scripts import is_a, run
from tests.assistant.chat_client import open_chat, say


def _product(tiny_products, pid: str):
    return next(p for p in tiny_products if p.id == pid)


def test_ordinary_words_and_off_topic_questions_are_not_searches(live_server):
    async def script():
        ws, _ = await open_chat(live_server.ws_url)
        t1 = await say(ws, "what's the weather like today?")
        assert not t1.items and "weather" in t1.text.lower() and "Like" not in t1.text
        t2 = await say(ws, "dresses for women")
        assert t2.items and all(is_a(c, "dress") for c in t2.items)
        for question, word in (
            ("where is my order?", "order"),
            ("when will it be delivered?", "deliver"),
            ("can I return it if it doesn't fit?", "return"),
        ):
            t = await say(ws, question)
            assert not t.items and word in t.text.lower(), t.text
            assert "dresses for women" in t.text  # the search is still there, and the reply says so
        t3 = await say(ws, "which one is the best deal?")
        assert "Best" not in t3.text and {c["id"] for c in t3.items} <= {c["id"] for c in t2.items}
        t4 = await say(ws, "thanks!")
        assert not t4.items and "welcome" in t4.text.lower()
        t5 = await say(ws, "cheaper")  # the state survived the off-topic turns
        assert t5.items and all(is_a(c, "dress") and c["gender"] in ("women", "unisex") for c in t5.items)
        await ws.close()

    run(script())


def test_product_questions_are_answered_from_the_products_own_fields(live_server, tiny_products):
    async def script():
        ws, _ = await open_chat(live_server.ws_url)
        t1 = await say(ws, "boots for women")
        assert len(t1.items) >= 2
        first = _product(tiny_products, t1.items[0]["id"])
        t2 = await say(ws, "what is the first one made of?")
        assert [c["id"] for c in t2.items] == [first.id]
        materials = [v for k, v in first.attributes.items() if "Material" in k]
        assert materials and all(m in t2.text for m in materials)  # the values of its own specifications
        t3 = await say(ws, "how much is it?")
        assert [c["id"] for c in t3.items] == [first.id] and f"₹{first.price:,.0f}" in t3.text
        t4 = await say(ws, "what is its rating?")  # answered from its rating, or "don't know": never a search
        assert [c["id"] for c in t4.items] == [first.id]
        if first.rating is None:
            assert "don't know" in t4.text and "rating" in t4.text
        else:
            assert f"{first.rating:g} out of 5" in t4.text
        t5 = await say(ws, "is the second one waterproof?")
        second = _product(tiny_products, t1.items[1]["id"])
        assert [c["id"] for c in t5.items] == [second.id]
        silent = not any("water" in (k + v).lower() for k, v in second.attributes.items()) and (
            "waterproof" not in second.description.lower()
        )
        assert silent and "don't know" in t5.text, t5.text  # its data says nothing about water
        await ws.close()

    run(script())


def test_state_persists_negation_and_complaints_refine_the_same_search(live_server):
    async def script():
        ws, _ = await open_chat(live_server.ws_url)
        t1 = await say(ws, "women's party dresses")
        assert t1.items and all(is_a(c, "dress") and c["gender"] in ("women", "unisex") for c in t1.items)
        t2 = await say(ws, "in black")  # no black dress here: none shown (no violator), and the reply says so
        assert all(is_a(c, "dress") and c["gender"] in ("women", "unisex") and c["colour"] == "black" for c in t2.items)
        assert "black" in t2.text and "women" in t2.text  # the reply names the active constraints
        t3 = await say(ws, "not black")
        assert t3.items and all(c["colour"] != "black" and "black" not in c["title"].lower() for c in t3.items)
        assert all(is_a(c, "dress") and c["gender"] in ("women", "unisex") for c in t3.items)
        median = statistics.median(c["price"] for c in t3.items)
        t4 = await say(ws, "these are all too expensive")
        assert t4.items and all(is_a(c, "dress") and c["price"] < median for c in t4.items)
        assert all(c["colour"] != "black" for c in t4.items) and "not black" in t4.text
        t5 = await say(ws, "too plain")
        assert all(is_a(c, "dress") and c["gender"] in ("women", "unisex") for c in t5.items)
        assert all(c["price"] < median for c in t5.items)
        await ws.close()

    run(script())


def test_more_like_the_first_one_is_item_to_item_similarity(live_server):
    async def script():
        ws, _ = await open_chat(live_server.ws_url)
        t1 = await say(ws, "watches for men")
        t2 = await say(ws, "more like the first one")
        assert t2.items and t1.items[0]["id"] not in [c["id"] for c in t2.items]
        assert t1.items[0]["title"] in t2.text and all(is_a(c, "watch") for c in t2.items)
        await ws.close()

    run(script())


def test_accessory_for_it_fits_the_product_talked_about(live_server):
    async def script():
        ws, _ = await open_chat(live_server.ws_url)
        t1 = await say(ws, "tempered glass for xiaomi mi 4i")
        assert t1.items and all("mi 4i" in c["title"].lower() for c in t1.items)
        t2 = await say(ws, "show me the first one")
        t3 = await say(ws, "a charger for it")  # nothing here names that phone: say so, show none, ask
        assert not t3.items and "mi 4i" in t3.text.lower() and "nothing" in t3.text.lower()
        ws2, _ = await open_chat(live_server.ws_url)
        await say(ws2, "a back cover for apple ipad air")
        t4 = await say(ws2, "also a screen guard for it")
        assert "ipad air" in t4.text.lower()  # the accessory is for the device talked about, and the reply says so
        assert all("ipad air" in c["title"].lower() for c in t4.items)  # none here fits it: none shown
        assert t2.items
        await ws.close()
        await ws2.close()

    run(script())


def test_what_goes_with_it_respects_the_anchors_wearer(live_server):
    async def script():
        ws, _ = await open_chat(live_server.ws_url)
        t1 = await say(ws, "a watch for my wife")
        assert t1.items and all(c["gender"] in ("women", "unisex") for c in t1.items)
        await say(ws, "show me the first one")
        t2 = await say(ws, "what goes with it?")
        assert t2.items and all(c["gender"] in ("women", "unisex") for c in t2.items), [
            (c["title"], c["gender"]) for c in t2.items
        ]
        await ws.close()

    run(script())


def test_replies_use_correct_plurals_and_claim_no_stock(live_server):
    async def script():
        ws, _ = await open_chat(live_server.ws_url)
        t1 = await say(ws, "running shoes for men")
        assert "running shoes for men" in t1.text and "runnings" not in t1.text
        t2 = await say(ws, "show me the second one")
        assert "in stock" not in t2.text.lower()
        t3 = await say(ws, "kurtas for women")  # no kurta in this catalog: no claim that these are kurtas
        assert "kurtases" not in t3.text
        assert not re.search(r"I found \d+ kurtas", t3.text), t3.text
        await ws.close()

    run(script())


def test_a_reply_names_the_kind_as_the_shop_writes_it(live_server):
    # the tiny shop shelves "Pouches and Potlis": "potlis" is its plural, never "potlises"
    async def script():
        ws, _ = await open_chat(live_server.ws_url)
        t = await say(ws, "show me potlis")
        assert "potlis" in t.text.lower() and "potlises" not in t.text.lower(), t.text
        await ws.close()

    run(script())
