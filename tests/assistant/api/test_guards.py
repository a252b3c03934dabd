"""Caps on open chat connections and per-client rate limits (`assistant/api/guards.py`), each on a server of its
own settings (the shared `make_server`). The Origin allow-list and tokens kept out of the log are checked against
the production process in test_hardening.py."""

from __future__ import annotations

import json
import time
from contextlib import ExitStack

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect


def test_connection_caps_answer_1013(make_server):
    srv = make_server(ws_max_connections=3, ws_max_connections_per_client=2)
    url = srv.ws_url + "/ws/chat"
    with ExitStack() as opened:
        held = [opened.enter_context(connect(url, open_timeout=10)) for _ in range(2)]
        for ws in held:
            ws.recv(timeout=10)
        with connect(url, open_timeout=10) as third:  # same address: over the per-client cap
            assert json.loads(third.recv(timeout=10))["code"] == "try_again_later"
            with pytest.raises(ConnectionClosed) as e:
                third.recv(timeout=10)
            assert e.value.rcvd is not None and e.value.rcvd.code == 1013
        # another client: admitted
        other = opened.enter_context(connect(url, open_timeout=10, source_address=("127.0.0.2", 0)))
        assert json.loads(other.recv(timeout=10))["type"] == "ready"
        with connect(url, open_timeout=10, source_address=("127.0.0.3", 0)) as fourth:  # over the total cap
            assert json.loads(fourth.recv(timeout=10))["code"] == "try_again_later"
    time.sleep(0.3)
    with connect(url, open_timeout=10) as again:  # caps are released when connections close
        assert json.loads(again.recv(timeout=10))["type"] == "ready"


def test_chat_frames_are_rate_limited_per_client_address(make_server):
    srv = make_server(rate_chat="5/second")
    url = srv.ws_url + "/ws/chat"
    with connect(url, open_timeout=10) as a, connect(url, open_timeout=10) as b:
        a.recv(timeout=10)
        b.recv(timeout=10)
        answers = []
        for i in range(12):  # two connections share the address's budget
            ws = (a, b)[i % 2]
            ws.send('{"type": "ping"}')
            answers.append(json.loads(ws.recv(timeout=10)))
        kinds = [x.get("code", x["type"]) for x in answers]
        assert kinds.count("pong") == 5 and kinds.count("rate_limited") == 7, kinds


def test_sessions_and_events_are_rate_limited_with_retry_after(make_server):
    srv = make_server(rate_sessions="3/minute", rate_events="2/second")
    with httpx.Client(base_url=srv.base_url, timeout=30) as c:
        got = [c.post("/api/sessions") for _ in range(4)]
        assert [r.status_code for r in got] == [200, 200, 200, 429]
        assert int(got[-1].headers["retry-after"]) >= 1 and got[-1].json()["error"]["code"] == "rate_limited"
        auth = {"Authorization": f"Bearer {got[0].json()['token']}"}
        ev = {"type": "search", "query": "red shoes"}
        codes = [c.post("/api/events", json=ev, headers=auth).status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        other = {"Authorization": f"Bearer {got[1].json()['token']}"}  # per shopper: another is not affected
        assert c.post("/api/events", json=ev, headers=other).status_code == 200
