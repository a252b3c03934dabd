"""The chat websocket over a real uvicorn server with a real websockets client, on the tiny catalog."""

from __future__ import annotations

import asyncio
import json
import statistics

import pytest
from websockets.exceptions import ConnectionClosed

from tests.assistant.api.chat_scripts import is_a, run
from tests.assistant.chat_client import expect_error, open_chat, say, turn


def well_formed(t) -> None:
    """Every turn: turn_start first, at least two deltas before products/suggestions, done last."""
    assert t.types[0] == "turn_start" and t.types[-1] == "done"
    assert t.types.count("delta") >= 2, t.types
    assert t.types.index("delta") < t.types.index("products") < t.types.index("suggestions") < t.types.index("done")
    ids = {e["turn_id"] for e in t.events}
    assert len(ids) == 1


def test_dress_script_constraints_references_outfit_cart(live_server):
    async def script():
        ws, ready = await open_chat(live_server.ws_url)
        assert ready["type"] == "ready" and ready["resumed"] is False
        t1 = await say(ws, "I need a dress for a summer wedding")
        well_formed(t1)
        assert t1.items and all(is_a(c, "dress") for c in t1.items)
        assert all(c["why"] for c in t1.items)

        t2 = await say(ws, "under 1000")
        well_formed(t2)
        assert t2.items and all(is_a(c, "dress") and c["price"] <= 1000 for c in t2.items)

        median = statistics.median(c["price"] for c in t2.items)
        t3 = await say(ws, "cheaper")
        well_formed(t3)
        assert t3.items and all(is_a(c, "dress") and c["price"] < median for c in t3.items)
        assert max(c["price"] for c in t3.items) < max(c["price"] for c in t2.items)

        t4 = await say(ws, "show me the second one")
        assert [c["id"] for c in t4.items] == [t3.items[1]["id"]]
        assert t3.items[1]["title"] in t4.text

        t5 = await say(ws, "what goes with it?")
        assert t5.items, t5.text
        assert all(not is_a(c, "dress") for c in t5.items)
        assert all(c["id"] != t3.items[1]["id"] for c in t5.items)

        t6 = await say(ws, "add the second dress to my cart")  # "the second" now means the look's 2nd item
        added = t6.items[0]["id"]
        assert added == t5.items[1]["id"]
        t7 = await say(ws, "what's in my cart?")
        assert [c["id"] for c in t7.items] == [added]
        await ws.close()

    run(script())


def test_colour_gender_price_carried_over(live_server):
    async def script():
        ws, _ = await open_chat(live_server.ws_url)
        t1 = await say(ws, "shirts for men")
        assert t1.items and all(is_a(c, "shirt") and c["gender"] in ("men", "unisex") for c in t1.items)
        t2 = await say(ws, "in white")
        assert t2.items and all(
            is_a(c, "shirt") and c["gender"] in ("men", "unisex") and c["colour"] == "white" for c in t2.items
        )
        t3 = await say(ws, "under 2000")
        assert t3.items and all(
            is_a(c, "shirt") and c["gender"] in ("men", "unisex") and c["colour"] == "white" and c["price"] <= 2000
            for c in t3.items
        )
        t4 = await say(ws, "show me watches")  # a new thing: colour and price go, who it is for stays
        assert t4.items and all(is_a(c, "watch") and c["gender"] in ("men", "unisex") for c in t4.items)
        await ws.close()

    run(script())


def test_compare_why_something_else_and_typos(live_server):
    async def script():
        ws, _ = await open_chat(live_server.ws_url)
        t1 = await say(ws, "casual shoes for women")
        assert len(t1.items) >= 3
        t2 = await say(ws, "compare the first two")
        assert [c["id"] for c in t2.items] == [c["id"] for c in t1.items[:2]]
        assert t1.items[0]["title"] in t2.text and t1.items[1]["title"] in t2.text
        t3 = await say(ws, "something else")
        assert t3.items and not {c["id"] for c in t3.items} & {c["id"] for c in t1.items}
        assert all(is_a(c, "shoe") for c in t3.items)
        t4 = await say(ws, "why did you suggest the first one?")
        assert [c["id"] for c in t4.items] == [t3.items[0]["id"]]
        assert "shoe" in t4.text
        median = statistics.median(c["price"] for c in t3.items)
        t5 = await say(ws, "chaeper")  # typos
        assert t5.items and all(is_a(c, "shoe") and c["price"] < median for c in t5.items)
        t6 = await say(ws, "wachtes undr 1000")
        assert t6.items and all(is_a(c, "watch") and c["price"] <= 1000 for c in t6.items)
        await ws.close()

    run(script())


def test_actions_reset_and_unknown_product(live_server):
    async def script():
        ws, _ = await open_chat(live_server.ws_url)
        t1 = await say(ws, "watches")
        pid = t1.items[2]["id"]
        t2 = await turn(ws, {"type": "action", "action": "add_to_cart", "product_id": pid})
        assert [c["id"] for c in t2.items] == [pid] and "cart" in t2.text
        t3 = await turn(ws, {"type": "action", "action": "why", "product_id": pid})
        assert t3.items[0]["id"] == pid and t3.items[0]["why"]
        t4 = await turn(ws, {"type": "action", "action": "complete_look", "product_id": pid})
        assert t4.items and all(not is_a(c, "watch") for c in t4.items)
        t5 = await turn(ws, {"type": "action", "action": "show_similar", "product_id": pid})
        assert t5.items and pid not in [c["id"] for c in t5.items]
        bad = await turn(ws, {"type": "action", "action": "add_to_cart", "product_id": "no-such-id"})
        assert bad.errors and bad.errors[0]["code"] == "not_found" and bad.types[-1] == "done"
        t6 = await turn(ws, {"type": "action", "action": "remove_from_cart", "product_id": pid})
        assert "Removed" in t6.text
        t7 = await turn(ws, {"type": "reset"})
        assert "Starting over" in t7.text
        t8 = await say(ws, "the second one")  # nothing shown since the reset
        assert not t8.items and "Which one" in t8.text
        await ws.close()

    run(script())


def test_bad_frames_get_errors_and_the_connection_keeps_working(live_server):
    async def script():
        ws, _ = await open_chat(live_server.ws_url)
        cases = [
            ("{not json", "invalid_json"),
            ('["a list"]', "invalid_json"),
            ({"type": "dance"}, "unknown_type"),
            ({"type": "message"}, "bad_frame"),
            ({"type": "message", "text": "x" * 9000}, "frame_too_large"),
            ({"type": "action", "action": "teleport", "product_id": "x"}, "bad_frame"),
            (b"\x00\x01binary", "bad_frame"),
        ]
        for frame, code in cases:
            ev = await expect_error(ws, frame)
            assert ev["type"] == "error" and ev["code"] == code, (frame, ev)
            assert ev["message"]
        pong = await expect_error(ws, {"type": "ping"})
        assert pong == {"type": "pong"}
        t = await turn(ws, {"type": "message", "text": "watches", "client_msg_id": "m-1"})
        assert t.events[0] == {"type": "turn_start", "turn_id": t.events[0]["turn_id"], "client_msg_id": "m-1"}
        assert t.items and all(is_a(c, "watch") for c in t.items)
        await ws.close()

    run(script())


@pytest.fixture(scope="module")
def strict_server(make_server):
    return make_server(chat_rate_per_s=3.0, chat_abuse_errors=12, chat_idle_timeout_s=2.0)


def test_rate_limit_then_recovers(strict_server):
    async def script():
        ws, _ = await open_chat(strict_server.ws_url)
        for _ in range(8):
            await ws.send(json.dumps({"type": "ping"}))
        got = [json.loads(await asyncio.wait_for(ws.recv(), 30)) for _ in range(8)]
        assert {"type": "pong"} in got
        assert any(e["type"] == "error" and e["code"] == "rate_limited" for e in got)
        await asyncio.sleep(1.0)  # the bucket refills; the connection was never closed
        t = await say(ws, "watches")
        assert t.items
        await ws.close()

    run(script())


def test_abuse_closes_with_policy_code(strict_server):
    async def script():
        ws, _ = await open_chat(strict_server.ws_url)
        with pytest.raises(ConnectionClosed) as e:
            for _ in range(40):
                await ws.send("{garbage")
                await asyncio.sleep(0.4)  # under the rate limit: only the bad frames count
        assert e.value.rcvd is not None and e.value.rcvd.code == 1008

    run(script())


def test_idle_connection_is_closed(strict_server):
    async def script():
        ws, _ = await open_chat(strict_server.ws_url)
        with pytest.raises(ConnectionClosed) as e:
            await asyncio.wait_for(ws.recv(), 30)
        assert e.value.rcvd is not None and e.value.rcvd.code == 1001 and "idle" in e.value.rcvd.reason

    run(script())


def test_reconnect_restores_the_conversation(live_server):
    async def script():
        ws, ready = await open_chat(live_server.ws_url)
        t1 = await say(ws, "rings")
        await ws.close()
        ws2, ready2 = await open_chat(live_server.ws_url, f"?conversation_id={ready['conversation_id']}")
        assert ready2["resumed"] is True and ready2["conversation_id"] == ready["conversation_id"]
        t2 = await say(ws2, "show me the third one")
        assert [c["id"] for c in t2.items] == [t1.items[2]["id"]]
        await ws2.close()
        ws3, ready3 = await open_chat(live_server.ws_url, "?conversation_id=made-up-id-that-was-never-issued")
        assert ready3["resumed"] is False and ready3["conversation_id"] != "made-up-id-that-was-never-issued"
        await ws3.close()

    run(script())


def test_token_shopper_chat_is_recorded_and_bad_token_refused(live_server, client):
    if client.post("/api/sessions").status_code == 404:
        pytest.skip("shopper profiles are not installed in this build")
    token = client.post("/api/sessions").json()["token"]

    async def script():
        ws, _ready = await open_chat(live_server.ws_url, f"?token={token}")
        t1 = await say(ws, "watches for women")
        pid = t1.items[0]["id"]
        await say(ws, "add the first one to my cart")
        await say(ws, "I'm a size M")
        await ws.close()
        ws2, ready2 = await open_chat(live_server.ws_url, f"?token={token}")
        assert ready2["resumed"] is True
        t = await say(ws2, "what's in my cart")
        assert pid in [c["id"] for c in t.items]
        await ws2.close()
        return pid

    pid = run(script())
    me = client.get("/api/me/profile", headers={"Authorization": f"Bearer {token}"}).json()
    assert pid in me["cart"]
    assert "watches for women" in me["recent_searches"]  # chat turns are events too
    assert "M" in me["preferences"].get("sizes", [])  # "I'm a size M", kept with consent

    async def forget():
        ws, _ = await open_chat(live_server.ws_url, f"?token={token}")
        t = await say(ws, "forget me")
        await ws.close()
        return t

    t = run(forget())
    assert "deleted your profile" in t.text
    after = client.get("/api/me/profile", headers={"Authorization": f"Bearer {token}"}).json()
    assert after["event_count"] == 0 and after["cart"] == [] and after["recent_searches"] == []

    async def bad():
        ws, first = await open_chat(live_server.ws_url, "?token=forged.123.abc")
        assert first["type"] == "error" and first["code"] == "unauthorized"
        with pytest.raises(ConnectionClosed) as e:
            await asyncio.wait_for(ws.recv(), 30)
        assert e.value.rcvd.code == 1008

    run(bad())


def test_client_leaving_mid_turn_does_not_hurt_the_server(live_server):
    async def script():
        for _ in range(3):
            ws, _ = await open_chat(live_server.ws_url)
            await ws.send(json.dumps({"type": "message", "text": "rings under 5000"}))
            await ws.close()  # gone before the reply
        ws, _ = await open_chat(live_server.ws_url)
        t = await say(ws, "rings under 5000")
        assert t.items and all(is_a(c, "ring") and c["price"] <= 5000 for c in t.items)
        await ws.close()

    run(script())
