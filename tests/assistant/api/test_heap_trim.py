"""The idle heap trim on a real uvicorn server with shedding switched off: a burst of searches, and chat
messages over a real websocket, are each followed by a trim (the real malloc_trim); probes are not work."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from assistant.heap import release_free_heap
from tests.assistant.chat_client import open_chat, say

QUERIES = ["red dress", "running shoes", "gold necklace under 2000", "phone cover", "watch for men", "sneakers"]


def wait_for(check: Callable[[], bool], timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


@pytest.fixture(scope="module")
def unshed_server(make_server):
    """Shedding off (SHOPMATE_SHED_MAX_CONCURRENT=0), so nothing in the shedder sees the requests."""
    return make_server(shed_max_concurrent=0, heap_trim_interval_s=0.5, rate_sessions="", rate_events="", rate_chat="")


def test_a_search_burst_is_followed_by_a_trim_without_the_shedder(unshed_server):
    trimmer = unshed_server.app.state.heap_trimmer
    assert trimmer.trim is release_free_heap  # the real malloc_trim, not a stand-in
    before = trimmer.trims

    def search(q: str) -> int:
        return httpx.get(unshed_server.base_url + "/api/search", params={"q": q, "k": 10}, timeout=60).status_code

    with ThreadPoolExecutor(6) as pool:
        assert set(pool.map(search, QUERIES * 4)) == {200}
    # (with gaps between requests a trim may also run mid-burst; the rate limit spaces them out)
    assert wait_for(lambda: trimmer.trims > before and not trimmer.due), "no heap trim after the burst"
    assert trimmer.active == 0
    # at rest, only probed: nothing more to give back, no further trims
    after = trimmer.trims
    for _ in range(6):
        assert httpx.get(unshed_server.base_url + "/healthz").status_code == 200
        time.sleep(0.2)
    time.sleep(0.7)
    assert trimmer.trims == after


def test_chat_messages_are_followed_by_a_trim_while_the_socket_stays_open(unshed_server):
    trimmer = unshed_server.app.state.heap_trimmer

    async def chat() -> None:
        ws, ready = await open_chat(unshed_server.ws_url)
        assert ready["type"] == "ready"
        time.sleep(0.6)  # past the interval of any earlier trim
        before = trimmer.trims
        for text in ("a red dress under 2000", "in blue"):
            t = await say(ws, text)
            assert t.types[-1] == "done"
        for _ in range(150):  # the socket stays open and idle: the trim must not wait for it to close
            if trimmer.trims > before and not trimmer.due:
                break
            await asyncio.sleep(0.1)
        assert trimmer.trims > before, "no heap trim after the chat messages"
        assert trimmer.active == 0
        await ws.close()

    asyncio.run(chat())
