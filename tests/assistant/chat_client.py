"""A small websocket chat client for the tests and the benchmark: one turn = frames until `done`."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field

from websockets.asyncio.client import ClientConnection, connect


@dataclass
class Turn:
    events: list[dict] = field(default_factory=list)
    first_delta_s: float | None = None
    done_s: float | None = None

    @property
    def types(self) -> list[str]:
        return [e["type"] for e in self.events]

    @property
    def text(self) -> str:
        return "".join(e["text"] for e in self.events if e["type"] == "delta")

    @property
    def items(self) -> list[dict]:
        return next((e["items"] for e in self.events if e["type"] == "products"), [])

    @property
    def chips(self) -> list[str]:
        return next((e["chips"] for e in self.events if e["type"] == "suggestions"), [])

    @property
    def errors(self) -> list[dict]:
        return [e for e in self.events if e["type"] == "error"]


async def open_chat(ws_url: str, query: str = "") -> tuple[ClientConnection, dict]:
    ws = await connect(ws_url + "/ws/chat" + query, max_size=1 << 22)
    ready = json.loads(await asyncio.wait_for(ws.recv(), 30))
    return ws, ready


async def turn(ws: ClientConnection, frame: dict | str, timeout: float = 60) -> Turn:
    """Send a frame (dict as JSON, str as raw text) and read every event up to this turn's `done`."""
    t0 = time.perf_counter()
    await ws.send(json.dumps(frame) if isinstance(frame, dict) else frame)
    out = Turn()
    while True:
        ev = json.loads(await asyncio.wait_for(ws.recv(), timeout))
        out.events.append(ev)
        if ev["type"] == "delta" and out.first_delta_s is None:
            out.first_delta_s = time.perf_counter() - t0
        if ev["type"] == "done":
            out.done_s = time.perf_counter() - t0
            return out


async def say(ws: ClientConnection, text: str) -> Turn:
    return await turn(ws, {"type": "message", "text": text})


async def expect_error(ws: ClientConnection, frame: dict | str | bytes, timeout: float = 30) -> dict:
    await ws.send(json.dumps(frame) if isinstance(frame, dict) else frame)
    ev = json.loads(await asyncio.wait_for(ws.recv(), timeout))
    return ev
