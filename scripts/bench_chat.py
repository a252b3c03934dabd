"""Chat benchmark: time to the first `delta` and to `done` per turn (p50/p99) at 1 and 20 concurrent
conversations over the websocket, beside the same searches made over REST (/api/search) in the same run,
against one real server process on the given index.

    python scripts/bench_chat.py [--index-dir data/index] [--conversations 10] [--out bench/chat.json]

Each conversation opens with a product request and then refines it ("under 1500", "cheaper", "show me the
second one", "what goes with it?"). The REST baseline runs each opener and each "opener under 1500" as a
plain search at the same concurrency.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.speed import CHAT_BENCH_ENV, Server, given_or_own, summary  # noqa: E402
from tests.assistant.chat_client import open_chat, say  # noqa: E402

OPENERS = [
    "I need a dress for a summer wedding",
    "white sneakers for men",
    "a watch for my wife",
    "gold rings",
    "blue jeans for men",
    "black formal shoes",
    "a handbag for women",
    "sunglasses for men",
    "a t-shirt for my son",
    "kurta for women",
    "leather wallet",
    "running shoes for women",
    "party dress for girls",
    "analog watch for men",
    "cotton shirts",
    "earrings",
    "sports shoes for boys",
    "formal shirt for men",
    "coffee mug",
    "backpack for college",
]
FOLLOW_UPS = ["under 1500", "cheaper", "show me the second one", "what goes with it?"]


async def conversation(ws_url: str, opener: str, times: dict[str, list[float]]) -> None:
    ws, _ = await open_chat(ws_url)
    try:
        for i, text in enumerate([opener, *FOLLOW_UPS]):
            t = await say(ws, text)
            kind = "opener" if i == 0 else "follow_up"  # openers embed a new query; follow-ups mostly reuse it
            if t.first_delta_s is not None:
                times[f"{kind}_first"].append(t.first_delta_s * 1000)
            times[f"{kind}_done"].append(t.done_s * 1000)
    finally:
        await ws.close()


async def rest_search(client: httpx.AsyncClient, params: dict, out: list[float]) -> None:
    t = time.perf_counter()
    r = await client.get("/api/search", params=params)
    r.raise_for_status()
    out.append((time.perf_counter() - t) * 1000)


async def run_level(base: str, ws_url: str, concurrency: int, rounds: int) -> dict:
    times: dict[str, list[float]] = {
        k: [] for k in ("opener_first", "opener_done", "follow_up_first", "follow_up_done")
    }
    rest: list[float] = []
    for r in range(rounds):
        # each conversation gets its own opener text, so no query embedding is cached from an earlier one;
        # REST gets the same openers with a suffix that makes them new texts for the embedder's cache too
        openers = [
            f"{OPENERS[(r * concurrency + i) % len(OPENERS)]} {tag}"
            for i, tag in enumerate(f"r{r}c{i}" for i in range(concurrency))
        ]
        await asyncio.gather(*(conversation(ws_url, o, times) for o in openers))
        async with httpx.AsyncClient(base_url=base, timeout=60) as c:
            await asyncio.gather(*(rest_search(c, {"q": o + " x", "k": 6}, rest) for o in openers))
    return {"concurrency": concurrency, **{k: summary(v) for k, v in times.items()}, "rest_search": summary(rest)}


async def main_async(base: str, ws_url: str, conversations: int, rounds_20: int) -> list[dict]:
    # warm-up: model, caches, the NLU vocabulary and the intent exemplars are built on first use
    await run_level(base, ws_url, 1, 1)
    return [await run_level(base, ws_url, 1, conversations), await run_level(base, ws_url, 20, rounds_20)]


def main(argv: list[str] | None = None, *, server: Server | None = None) -> int:
    """scripts/bench.py passes its running server (started with CHAT_BENCH_ENV)."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index-dir", default=str(ROOT / "data" / "index"))
    ap.add_argument("--conversations", type=int, default=10, help="sequential conversations at concurrency 1")
    ap.add_argument("--rounds-20", type=int, default=2, help="rounds of 20 concurrent conversations")
    ap.add_argument("--out", default=None, help="also write the figures as JSON here")
    a = ap.parse_args(argv)
    with given_or_own(server, Path(a.index_dir), extra_env=CHAT_BENCH_ENV) as srv:
        n_products = srv.products
        levels = asyncio.run(
            main_async(srv.base_url, srv.base_url.replace("http://", "ws://"), a.conversations, a.rounds_20)
        )
    result = {
        "index_dir": a.index_dir,
        "products": n_products,
        "turns_per_conversation": 1 + len(FOLLOW_UPS),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "levels": levels,
    }
    print("| concurrent conversations | turn | first `delta` p50 / p99 (ms) | `done` p50 / p99 (ms) | n |")
    print("|---|---|---|---|---|")
    for lv in levels:
        for kind in ("opener", "follow_up"):
            f, d = lv[f"{kind}_first"], lv[f"{kind}_done"]
            print(
                f"| {lv['concurrency']} | chat {kind.replace('_', '-')} | {f['p50_ms']} / {f['p99_ms']} "
                f"| {d['p50_ms']} / {d['p99_ms']} | {d['n']} |"
            )
        r = lv["rest_search"]
        print(
            f"| {lv['concurrency']} | REST /api/search (same openers) | – | {r['p50_ms']} / {r['p99_ms']} | {r['n']} |"
        )
    if a.out:
        Path(a.out).parent.mkdir(parents=True, exist_ok=True)
        Path(a.out).write_text(json.dumps(result, indent=2))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
