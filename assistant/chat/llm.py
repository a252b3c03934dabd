"""Optional LLM phrasing of a chat reply (any OpenAI-compatible endpoint), grounded in the turn's products.

Off unless SHOPMATE_LLM_URL and SHOPMATE_LLM_MODEL are set. The model only rephrases facts we give it;
its streamed text is released sentence by sentence, each sentence checked first: a sentence that names a
catalog product (or brand) outside the retrieved set stops the stream and the template reply is used.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Callable, Iterable, Sequence

from index.catalog import Product
from index.text import normalise

_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+|\n+")


class Ungrounded(Exception):
    """The LLM named something that is not in the retrieved set."""


class GroundingIndex:
    """Normalised titles and brands of the whole catalog, built once per index."""

    def __init__(self, products: Iterable[Product]):
        self.titles: list[tuple[str, str]] = []  # (normalised title, product id)
        self.brands: dict[str, set[str]] = {}  # normalised brand -> product ids
        for p in products:
            t = normalise(p.title)
            if len(t) >= 8:
                self.titles.append((t, p.id))
            if p.brand and len(p.brand) >= 4:
                self.brands.setdefault(normalise(p.brand), set()).add(p.id)


def ungrounded_names(text: str, allowed: Sequence[Product], index: GroundingIndex) -> list[str]:
    """Catalog titles and brands that `text` names although no allowed product has them."""
    low = f" {normalise(text)} "
    ok_ids = {p.id for p in allowed}
    ok_titles = {normalise(p.title) for p in allowed}
    ok_brands = {normalise(p.brand) for p in allowed if p.brand}
    bad = [
        t
        for t, pid in index.titles
        if pid not in ok_ids and t not in ok_titles and t in low and not any(t in ok for ok in ok_titles)
    ]
    bad += [
        b for b in index.brands if b not in ok_brands and re.search(rf"(?<![a-z0-9]){re.escape(b)}(?![a-z0-9])", low)
    ]
    return bad


async def grounded_sentences(tokens: AsyncIterator[str], check: Callable[[str], list[str]]) -> AsyncIterator[str]:
    """Re-chunk a token stream into sentences, releasing each only after `check` finds nothing wrong."""
    buf = ""
    async for tok in tokens:
        buf += tok
        parts = _SENTENCE_END.split(buf)
        for sentence in parts[:-1]:
            if sentence.strip():
                if check(sentence):
                    raise Ungrounded("reply named a product outside the results")
                yield sentence + " "
        buf = parts[-1]
    if buf.strip():
        if check(buf):
            raise Ungrounded("reply named a product outside the results")
        yield buf


def facts_prompt(draft: str, items: Sequence[Product], constraints: str) -> list[dict]:
    facts = [
        {"title": p.title, "price": p.price, "currency": p.currency, "colour": p.colour, "brand": p.brand}
        for p in items
    ]
    system = (
        "You are a friendly shop assistant. Rephrase the draft reply in at most 4 short sentences. "
        "Use ONLY the facts given. Never mention a product, brand or price that is not in the facts. "
        "Do not use markdown."
    )
    user = json.dumps({"shopper_wants": constraints, "products": facts, "draft": draft}, ensure_ascii=False)
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


async def stream_completion(
    url: str, model: str, messages: list[dict], api_key: str = "", timeout_s: float = 10.0
) -> AsyncIterator[str]:
    """Content tokens of a streamed OpenAI-compatible chat completion."""
    import httpx

    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    endpoint = url.rstrip("/") + ("" if url.rstrip("/").endswith("/chat/completions") else "/chat/completions")
    body = {"model": model, "messages": messages, "stream": True, "temperature": 0.3, "max_tokens": 220}
    async with (
        httpx.AsyncClient(timeout=httpx.Timeout(timeout_s, connect=3.0)) as client,
        client.stream("POST", endpoint, json=body, headers=headers) as resp,
    ):
        resp.raise_for_status()
        async for line in resp.aiter_lines():
            if not line.startswith("data:"):
                continue
            data = line[5:].strip()
            if data == "[DONE]":
                return
            try:
                delta = json.loads(data)["choices"][0].get("delta", {}).get("content")
            except (ValueError, KeyError, IndexError, TypeError):
                continue
            if delta:
                yield delta


async def with_deadline(gen: AsyncIterator[str], first_s: float, total_s: float) -> AsyncIterator[str]:
    """Give up when the first piece takes longer than first_s, or the whole stream longer than total_s."""
    loop = asyncio.get_running_loop()
    end = loop.time() + total_s
    first = True
    it = gen.__aiter__()
    while True:
        limit = min(first_s if first else total_s, end - loop.time())
        if limit <= 0:
            raise TimeoutError()
        try:
            piece = await asyncio.wait_for(it.__anext__(), limit)
        except StopAsyncIteration:
            return
        first = False
        yield piece
