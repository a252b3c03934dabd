"""Seeded hostile chat frames: what a fuzzing client sends to /ws/chat (hardening test and `make stress`).

Each frame is (kind, payload); payload is a str (text frame) or bytes (binary frame). Mostly invalid on
purpose: deep nesting under the frame cap, escaped lone surrogates, non-finite numbers, truncated JSON,
wrong types, oversized frames (8 KiB..64 KiB: an error frame; a few over 64 KiB: close 1009), plus some
valid pings, actions and messages so the server also does real turns in between.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator

SURROGATES = ["\\ud800", "\\udfff", "\\udc00abc", "a\\ud83d", "\\ud83d\\ude00\\ud800"]
BOMB_BYTES = 16 << 20  # one compressed frame's text: far over the frame cap, ~16 KB deflated
WORDS = ["red", "shoes", "dress", "under", "1000", "for", "men", "blue", "jeans", "watch", "cheaper", "the", "second"]


def _nested(rng: random.Random) -> str:
    depth = rng.choice([40, 100, 500, 1000, 2000, 4000])
    opener, closer = rng.choice([("[", "]"), ('{"a":', "}"), ('[{"b":', "}]")])
    inner = rng.choice(["1", '"x"', "null", "[]", "{}"])
    reps = depth if len(opener) == 1 else depth // 3
    return opener * reps + inner + closer * reps


def _surrogate(rng: random.Random) -> str:
    s = rng.choice(SURROGATES)
    shape = rng.randrange(5)
    if shape == 0:
        return '{"type": "message", "text": "red ' + s + ' shoes"}'
    if shape == 1:
        return '{"type": "' + s + '"}'
    if shape == 2:
        return '{"type": "action", "action": "add_to_cart", "product_id": "' + s + '"}'
    if shape == 3:
        return '{"' + s + '": 1, "type": "ping"}'
    return '{"type": "message", "text": "hi", "client_msg_id": "' + s + '"}'


def _numbers(rng: random.Random) -> str:
    v = rng.choice(["NaN", "Infinity", "-Infinity", "1e309", "1" + "0" * 400, "-0", "1e-400"])
    key = rng.choice(["client_msg_id", "text", "type", "product_id", "x"])
    return '{"type": "message", "text": "shoes", "' + key + '": ' + v + "}"


def _garbage(rng: random.Random) -> str:
    alphabet = '{}[]":,\\ abcxyz0123456789\u00e9\u4e2d\U0001f600\x00\x1f'
    return "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 200)))


def _truncated(rng: random.Random) -> str:
    whole = json.dumps({"type": "message", "text": " ".join(rng.choices(WORDS, k=5))})
    return whole[: rng.randrange(1, len(whole))]


def _wrong_types(rng: random.Random) -> str:
    frames = [
        {"type": "message", "text": rng.choice([None, 1, [], {}, "", "   ", True])},
        {"type": "message", "text": "x" * rng.choice([1001, 4000])},
        {"type": "action", "action": rng.choice(["buy", "", None, 3]), "product_id": "p"},
        {"type": "action", "action": "why", "product_id": rng.choice([None, "", 5, "x" * 300])},
        {"type": rng.choice(["", "MESSAGE", None, 1, ["message"]])},
        {"type": "message", "text": "shoes", "client_msg_id": {"a": 1}},
        rng.choice([[], "message", 1, None, True]),
    ]
    return json.dumps(rng.choice(frames))


def _oversize(rng: random.Random) -> str:
    size = rng.choice([8193, 20000, 65000])
    return json.dumps({"type": "message", "text": "y" * size})


def _valid(rng: random.Random) -> str:
    shape = rng.randrange(3)
    if shape == 0:
        return '{"type": "ping"}'
    if shape == 1:
        return json.dumps({"type": "action", "action": rng.choice(["why", "show_similar"]), "product_id": "nope"})
    return json.dumps({"type": "message", "text": " ".join(rng.choices(WORDS, k=rng.randrange(1, 6)))})


KINDS = [
    ("nested", _nested, 20),
    ("surrogate", _surrogate, 20),
    ("numbers", _numbers, 12),
    ("garbage", _garbage, 12),
    ("truncated", _truncated, 8),
    ("wrong_types", _wrong_types, 14),
    ("oversize", _oversize, 4),
    ("valid", _valid, 8),
]


def frames(rng: random.Random, n: int) -> Iterator[tuple[str, str | bytes]]:
    """n frames; about 1 in 500 is a binary frame and 1 in 700 is over 64 KiB (closed with 1009)."""
    names, makers, weights = zip(*KINDS, strict=True)
    for _ in range(n):
        r = rng.random()
        if r < 0.002:
            yield "binary", rng.randbytes(rng.randrange(1, 100))
        elif r < 0.0035:
            yield "too_large", json.dumps({"type": "message", "text": "z" * 70000})
        else:
            i = rng.choices(range(len(names)), weights=weights)[0]
            yield names[i], makers[i](rng)


def compressed_bombs(ws_url: str, n: int = 20, timeout_s: float = 60.0) -> list[int | None]:
    """`n` connections at once, each sending one 16 MiB chat frame that deflates to ~16 KB on the wire (the
    zip-bomb shape); the close code each connection got (1009 when the server refuses the frame's size)."""
    # imported here: the frame generator above is used where no websocket client is installed
    import asyncio

    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    bomb = '{"type": "message", "text": "' + "a" * BOMB_BYTES + '"}'
    codes: list[int | None] = []

    async def one() -> None:
        async with connect(ws_url, compression="deflate", max_size=None, open_timeout=timeout_s) as ws:
            await ws.recv()
            try:
                await ws.send(bomb)
                while True:
                    await asyncio.wait_for(ws.recv(), timeout_s)
            except ConnectionClosed as e:
                codes.append(e.rcvd.code if e.rcvd else None)

    async def run() -> None:
        await asyncio.gather(*(one() for _ in range(n)))

    asyncio.run(run())
    return codes
