"""The LLM grounding check (pure) on real tiny-catalog products, and the sentence gate over a token stream."""

from __future__ import annotations

import asyncio

import pytest

from assistant.chat.llm import GroundingIndex, Ungrounded, grounded_sentences, ungrounded_names, with_deadline


@pytest.fixture(scope="module")
def grounding(tiny_products) -> GroundingIndex:
    return GroundingIndex(tiny_products)


def watches(products):
    return [p for p in products if p.product_type == "Wrist Watches" and p.brand]


def test_names_outside_the_retrieved_set_are_caught(tiny_products, grounding):
    ws = watches(tiny_products)
    allowed, other = ws[:2], next(p for p in ws[2:] if p.brand not in {a.brand for a in ws[:2]})
    ok = f"The {allowed[0].title} is a fine pick, and {allowed[1].brand} makes the other one."
    assert ungrounded_names(ok, allowed, grounding) == []
    bad = f"You might also like the {other.title}."
    assert ungrounded_names(bad, allowed, grounding)
    assert ungrounded_names(f"Or something from {other.brand}.", allowed, grounding)


def test_plain_words_are_not_products(tiny_products, grounding):
    allowed = watches(tiny_products)[:1]
    assert ungrounded_names("Here are some lovely watches in your budget.", allowed, grounding) == []


def tokens(text, size=4):
    async def gen():
        for i in range(0, len(text), size):
            yield text[i : i + size]

    return gen()


def test_sentence_gate_releases_grounded_sentences_and_stops_at_the_first_bad_one(tiny_products, grounding):
    ws = watches(tiny_products)
    allowed, other = ws[:1], next(p for p in ws[1:] if p.brand != ws[0].brand)
    check = lambda s: ungrounded_names(s, allowed, grounding)

    async def collect(text):
        out = []
        try:
            async for s in grounded_sentences(tokens(text), check):
                out.append(s)
        except Ungrounded:
            out.append("<stopped>")
        return out

    good = asyncio.run(collect(f"I found the {allowed[0].title}. It fits your budget."))
    assert len(good) == 2 and "<stopped>" not in good
    mixed = asyncio.run(collect(f"I found the {allowed[0].title}. Also see {other.title}. Bye."))
    assert mixed[0].startswith("I found") and mixed[-1] == "<stopped>" and len(mixed) == 2


def test_deadline_gives_up_on_a_silent_stream():
    async def silent():
        await asyncio.sleep(10)
        yield "late"

    async def main():
        with pytest.raises(asyncio.TimeoutError):
            async for _ in with_deadline(silent(), 0.2, 1.0):
                pass

    asyncio.run(main())


# --- the LLM path end to end, against a local OpenAI-compatible *simulator* (no real LLM runs here): it
# streams back the draft reply it is given, and in "rogue" mode adds a catalog product that was not retrieved.


def simulator(rogue_title: str | None):
    import json as _json

    from starlette.applications import Starlette
    from starlette.responses import StreamingResponse
    from starlette.routing import Route

    async def completions(request):
        body = await request.json()
        draft = _json.loads(body["messages"][-1]["content"])["draft"]
        text = "Sure! " + draft + (f" You may also love the {rogue_title}." if rogue_title else "")

        async def stream():
            for i in range(0, len(text), 7):
                chunk = {"choices": [{"delta": {"content": text[i : i + 7]}}]}
                yield f"data: {_json.dumps(chunk)}\n\n"
            yield "data: [DONE]\n\n"

        return StreamingResponse(stream(), media_type="text/event-stream")

    return Starlette(routes=[Route("/v1/chat/completions", completions, methods=["POST"])])


@pytest.fixture(scope="module")
def llm_servers(make_server, tiny_products):
    import threading
    import time

    import httpx
    import uvicorn

    from tests.conftest import free_port

    rogue = next(p for p in tiny_products if p.product_type == "Coffee Mugs")
    started = []
    urls = {}
    for name, title in (("honest", None), ("rogue", rogue.title)):
        port = free_port()
        srv = uvicorn.Server(uvicorn.Config(simulator(title), host="127.0.0.1", port=port, log_level="warning"))
        threading.Thread(target=srv.run, daemon=True).start()
        for _ in range(100):
            try:
                httpx.post(f"http://127.0.0.1:{port}/v1/chat/completions", timeout=1)
            except httpx.HTTPError:
                time.sleep(0.1)
                continue
            break
        started.append(srv)
        urls[name] = make_server(llm_url=f"http://127.0.0.1:{port}/v1", llm_model="simulator")
    yield urls, rogue
    for srv in started:
        srv.should_exit = True


def test_llm_reply_is_streamed_and_a_rogue_product_falls_back_to_templates(llm_servers):
    from tests.assistant.chat_client import open_chat, say

    urls, rogue = llm_servers

    async def chat(server):
        ws, _ = await open_chat(server.ws_url)
        t = await say(ws, "watches under 1000")
        await ws.close()
        return t

    honest = asyncio.run(chat(urls["honest"]))
    assert "Sure!" in honest.text and honest.items
    assert all(c["title"] in honest.text for c in honest.items[:3])
    assert honest.types.count("delta") >= 2
    rogue_turn = asyncio.run(chat(urls["rogue"]))
    assert rogue.title not in rogue_turn.text  # never shown to the shopper
    assert rogue_turn.items and all(c["title"] in rogue_turn.text for c in rogue_turn.items[:3])
