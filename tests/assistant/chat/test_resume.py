"""Conversations kept in the store: the state round-trips, a restarted server (SQLite) resumes a conversation
by its id, only its owner may resume it, concurrent turns on two handles keep one history, and an erase
removes the stored conversations. Cross-replica resume on PostgreSQL: tests/assistant/shoppers/test_replicas.py."""

from __future__ import annotations

import asyncio
import json
import statistics
import time

import httpx
import pytest

from assistant.chat.conversations import Conversations, dump_state, load_state
from assistant.chat.state import Constraints, DialogueState
from assistant.shoppers.sqlite_store import SqliteStore
from assistant.shoppers.tokens import sign_login
from tests.assistant.chat_client import open_chat, say


def run(coro):
    return asyncio.run(coro)


def is_dress(card: dict) -> bool:
    return "dress" in (card["category"] + " " + (card["product_type"] or "")).lower()


def test_state_round_trips_and_unknown_or_missing_fields_are_tolerated():
    st = DialogueState(
        constraints=Constraints(category="dress", gender="women", price_max=999.5, exclude_colours=["black"]),
        shown=["p1", "p2", "p3"],
        focus="p2",
        cart=["p9"],
        prefs={"size": "M"},
        turns=4,
        why={"p1": ["is a dress", "under ₹1,000"]},
    )
    assert load_state(dump_state(st)) == st
    doc = json.loads(dump_state(st))
    doc["state"]["added_by_a_later_version"] = 1  # a state saved by a newer replica during a rolling upgrade
    del doc["state"]["why"]
    doc["state"]["constraints"]["unknown_slot"] = "x"
    back = load_state(json.dumps(doc))
    assert back.shown == st.shown and back.constraints == st.constraints and back.why == {}
    for bad in ("not json", '{"format": 99, "state": {}}', '{"format": 1, "state": []}', "[]"):
        with pytest.raises(ValueError):
            load_state(bad)


def test_two_handles_on_one_store_take_turns_and_the_first_save_of_a_turn_wins(tmp_path):
    store = SqliteStore(tmp_path / "shoppers.sqlite3")
    try:
        a, b = Conversations(store, 1800, 100), Conversations(store, 1800, 100)  # two replicas' memories
        conv_a, resumed = a.open(None, "s_owner001")
        assert not resumed
        conv_a.state.shown = ["p1", "p2"]
        assert a.save(conv_a) and conv_a.turn == 1
        conv_b, resumed = b.open(None, "s_owner001")  # token only: the shopper's latest conversation
        assert resumed and conv_b.id == conv_a.id and conv_b.state.shown == ["p1", "p2"]
        conv_b.state.focus = "p2"
        assert b.save(conv_b) and conv_b.turn == 2
        a.refresh(conv_a)  # A's next turn starts from B's
        assert conv_a.turn == 2 and conv_a.state.focus == "p2"
        # both answer turn 3 at once: B saves first, A's save is refused and A takes B's state up
        conv_b.state.focus = "p1"
        conv_a.state.focus = "lost"
        assert b.save(conv_b) and not a.save(conv_a)
        a.refresh(conv_a)
        assert conv_a.turn == 3 and conv_a.state.focus == "p1"
        with pytest.raises(Exception) as e:
            b.open(conv_a.id, "s_other0001")
        assert getattr(e.value, "code", None) == "forbidden"
        with pytest.raises(Exception) as e:
            Conversations(store, 1800, 100).open(conv_a.id, None)  # a stranger without a token, from the store
        assert getattr(e.value, "code", None) == "forbidden"
    finally:
        store.close()


def test_a_restarted_server_resumes_the_conversation_from_the_sqlite_file(make_server, tmp_path):
    data_dir = tmp_path / "state"
    no_limits = {"rate_sessions": "", "rate_events": "", "rate_chat": "", "data_dir": data_dir}
    first = make_server(**no_limits)

    async def before():
        ws, ready = await open_chat(first.ws_url)
        await say(ws, "I need a dress for a summer wedding")
        t2 = await say(ws, "under 1000")
        await ws.close()
        return ready["conversation_id"], t2

    conv_id, t2 = run(before())
    assert t2.items and all(is_dress(c) and c["price"] <= 1000 for c in t2.items)
    first.stop()  # the process's memory is gone; the SQLite file stays
    second = make_server(**no_limits)

    async def after():
        ws, ready = await open_chat(second.ws_url, f"?conversation_id={conv_id}")
        assert ready["resumed"] is True and ready["conversation_id"] == conv_id and ready["turns"] == 2
        t3 = await say(ws, "cheaper")  # "cheaper" than what the first server showed, still dresses under 1000
        t4 = await say(ws, "show me the second one")
        await ws.close()
        return t3, t4

    t3, t4 = run(after())
    median = statistics.median(c["price"] for c in t2.items)
    assert t3.items and all(is_dress(c) and c["price"] < median for c in t3.items)
    assert [c["id"] for c in t4.items] == [t3.items[1]["id"]]


def test_only_the_owner_resumes_and_an_erase_removes_stored_conversations(make_server):
    srv = make_server(rate_sessions="", rate_events="", rate_chat="")
    store = srv.app.state.services.shoppers.store
    with httpx.Client(base_url=srv.base_url, timeout=30) as http:
        owner, other = (http.post("/api/sessions").json()["token"] for _ in range(2))

        async def chat():
            ws, ready = await open_chat(srv.ws_url, f"?token={owner}")
            t1 = await say(ws, "watches for women")
            await say(ws, "show me the second one")
            await ws.close()
            conv_id = ready["conversation_id"]
            frames = []
            for query in (f"?token={other}&conversation_id={conv_id}", f"?conversation_id={conv_id}"):
                ws, frame = await open_chat(srv.ws_url, query)  # another shopper, and no token at all
                await ws.wait_closed()
                frames.append((frame, ws.close_code))
            ws, mine = await open_chat(srv.ws_url, f"?token={owner}&conversation_id={conv_id}")
            await ws.close()
            return conv_id, t1, frames, mine

        conv_id, t1, frames, mine = run(chat())
        assert t1.items
        for frame, code in frames:
            assert frame["type"] == "error" and frame["code"] == "forbidden" and code == 1008
            assert "watch" not in json.dumps(frame).lower()  # nothing of the conversation is shown
        assert mine["resumed"] is True and mine["conversation_id"] == conv_id and mine["turns"] == 2
        stored = store.conversation(conv_id)
        assert stored is not None and stored.turn == 2 and t1.items[1]["id"] in stored.state
        # the owner's export carries the stored conversation; the other shopper's does not
        mine_export = http.get("/api/me/export", headers={"Authorization": f"Bearer {owner}"}).json()
        other_export = http.get("/api/me/export", headers={"Authorization": f"Bearer {other}"}).json()
        assert [(c["conversation_id"], c["turns"]) for c in mine_export["conversations"]] == [(conv_id, 2)]
        assert t1.items[1]["id"] in json.dumps(mine_export["conversations"][0]["state"])
        assert other_export["conversations"] == []

        assert http.delete("/api/me", headers={"Authorization": f"Bearer {owner}"}).status_code == 200
        assert store.conversation(conv_id) is None

        async def again():
            out = []
            for query in (f"?token={owner}", f"?token={owner}&conversation_id={conv_id}"):
                ws, ready = await open_chat(srv.ws_url, query)
                await ws.close()
                out.append(ready)
            return out

        for ready in run(again()):
            assert ready["resumed"] is False and ready["conversation_id"] != conv_id and ready["turns"] == 0


def test_after_linking_a_device_the_account_resumes_that_device_conversation(make_server):
    secret = "shop-secret-for-link-tests"
    srv = make_server(shop_secret=secret, rate_sessions="", rate_events="", rate_chat="")
    with httpx.Client(base_url=srv.base_url, timeout=30) as http:
        phone, laptop = (http.post("/api/sessions").json()["token"] for _ in range(2))

        async def chat_on_laptop():
            ws, ready = await open_chat(srv.ws_url, f"?token={laptop}")
            turn = await say(ws, "watches for women")
            await ws.close()
            return ready["conversation_id"], turn

        conv_id, turn = run(chat_on_laptop())
        assert turn.items
        ts = int(time.time())
        login = {"account_id": "acct-chat", "ts": ts, "sig": sign_login(secret.encode(), "acct-chat", ts)}
        assert http.post("/api/me/link", json=login, headers={"Authorization": f"Bearer {phone}"}).status_code == 200
        linked = http.post("/api/me/link", json=login, headers={"Authorization": f"Bearer {laptop}"})
        assert linked.status_code == 200
        account = linked.json()["token"]

        async def reopen():
            out = []
            for tok in (account, phone):  # the account's new token, and its first device's
                ws, ready = await open_chat(srv.ws_url, f"?token={tok}")
                await ws.close()
                out.append(ready)
            return out

        for ready in run(reopen()):
            assert ready["resumed"] is True and ready["conversation_id"] == conv_id and ready["turns"] == 1


def test_conversations_past_the_resume_window_are_neither_resumed_nor_kept(tmp_path):
    store = SqliteStore(tmp_path / "shoppers.sqlite3")
    try:
        before = Conversations(store, 0.5, 100)
        conv, _ = before.open(None, None)
        conv.state.shown = ["p1"]
        assert before.save(conv) and store.conversation(conv.id) is not None
        time.sleep(0.7)
        again, resumed = Conversations(store, 0.5, 100).open(conv.id, None)  # a restarted process
        assert not resumed and again.id != conv.id
        assert store.conversation(conv.id) is None  # deleted, not only ignored
    finally:
        store.close()
