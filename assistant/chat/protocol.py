"""The chat websocket protocol as a state machine over injected receive/send/close coroutines.

No server needed to drive it: the route in assistant/api/chat.py passes Starlette's websocket calls, and
anything else (a test, a different transport) can pass its own. The protocol owns the frame rules (size,
JSON, known types, rate, idle time, slow readers); the handler owns what a turn means.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from assistant import safejson
from assistant.errors import ShopmateError

log = logging.getLogger("shopmate.chat")

Receive = Callable[[], Awaitable["str | bytes | None"]]  # None: the client went away
Send = Callable[[dict], Awaitable[None]]
Close = Callable[[int, str], Awaitable[None]]
Emit = Callable[..., Awaitable[None]]  # emit(type, **fields): an event of the current turn

ACTIONS = ("add_to_cart", "remove_from_cart", "show_similar", "complete_look", "why")
FRAME_TYPES = ("message", "action", "reset", "ping")
MAX_TEXT_CHARS = 1000
CLOSE_NORMAL, CLOSE_GOING_AWAY, CLOSE_POLICY = 1000, 1001, 1008


class ChatHandler(Protocol):
    async def on_message(self, text: str, emit: Emit) -> None: ...

    async def on_action(self, action: str, product_id: str, emit: Emit) -> None: ...

    async def on_reset(self, emit: Emit) -> None: ...


@dataclass(frozen=True)
class Limits:
    max_frame_bytes: int = 8192
    rate_per_s: float = 10.0  # sustained frames per second; bursts up to the same number
    idle_timeout_s: float = 300.0
    send_timeout_s: float = 10.0  # a client that does not read for this long is cut off
    abuse_errors: int = 20  # this many errors within abuse_window_s closes the connection
    abuse_window_s: float = 10.0
    max_depth: int = 32  # JSON nesting of a frame (deeper frames are an error, never a RecursionError)


class TokenBucket:
    def __init__(self, rate: float, clock: Callable[[], float]):
        self.rate, self.capacity, self.clock = rate, max(rate, 1.0), clock
        self.tokens, self.t = self.capacity, clock()

    def take(self) -> bool:
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.t) * self.rate)
        self.t = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class FrameError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


class SlowClient(Exception):
    pass


class ClientGone(Exception):
    """A send failed because the peer is gone: end the connection quietly."""


def validate(raw: str | bytes, max_bytes: int, max_depth: int = 32) -> dict[str, Any]:
    """A client frame -> its dict, or FrameError saying what is wrong and what to send instead."""
    if isinstance(raw, bytes):
        raise FrameError("bad_frame", "binary frames are not accepted; send JSON text frames")
    size = len(raw.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise FrameError("frame_too_large", f"frame is {size} bytes; the limit is {max_bytes}")
    try:
        frame = safejson.loads(raw, max_depth)
    except safejson.UnsafeJSON as e:
        raise FrameError("bad_frame", str(e)) from None
    except ValueError:
        raise FrameError(
            "invalid_json", 'frames must be JSON objects, e.g. {"type": "message", "text": "red shoes"}'
        ) from None
    if not isinstance(frame, dict):
        raise FrameError("invalid_json", 'frames must be JSON objects with a "type"')
    kind = frame.get("type")
    if kind not in FRAME_TYPES:
        raise FrameError("unknown_type", f"unknown frame type {kind!r}; use one of {list(FRAME_TYPES)}")
    if kind == "message":
        text = frame.get("text")
        if not isinstance(text, str) or not text.strip():
            raise FrameError("bad_frame", 'a message needs a non-empty string "text"')
        if len(text) > MAX_TEXT_CHARS:
            raise FrameError("bad_frame", f"text is {len(text)} characters; keep it under {MAX_TEXT_CHARS}")
        cid = frame.get("client_msg_id")
        if cid is not None and (not isinstance(cid, (str, int)) or len(str(cid)) > 100):
            raise FrameError("bad_frame", "client_msg_id must be a string or number of at most 100 characters")
    if kind == "action":
        if frame.get("action") not in ACTIONS:
            raise FrameError("bad_frame", f"action must be one of {list(ACTIONS)}")
        pid = frame.get("product_id")
        if not isinstance(pid, str) or not pid or len(pid) > 200:
            raise FrameError("bad_frame", 'an action needs the "product_id" of a product card')
    return frame


class ChatProtocol:
    """One connection: read frames, answer pings and errors, run one turn at a time through the handler."""

    def __init__(
        self,
        receive: Receive,
        send: Send,
        close: Close,
        handler: ChatHandler,
        limits: Limits = Limits(),
        clock: Callable[[], float] = time.monotonic,
        admit: Callable[[], bool] | None = None,
    ):
        """`admit`: an extra rate check across connections (e.g. per client address); False refuses a frame."""
        self._receive, self._send, self._close = receive, send, close
        self.handler, self.limits, self.clock = handler, limits, clock
        self.bucket = TokenBucket(limits.rate_per_s, clock)
        self.admit = admit
        self.errors: deque[float] = deque()
        self.turns = 0
        self.state = "open"  # open -> in_turn -> open ... -> closed
        self.close_code: int | None = None

    async def send(self, event: dict) -> None:
        try:
            await asyncio.wait_for(self._send(event), self.limits.send_timeout_s)
        except TimeoutError:
            raise SlowClient() from None
        except (asyncio.CancelledError, SlowClient):
            raise
        except Exception as e:  # disconnects surface as different types depending on the server
            raise ClientGone() from e

    async def close(self, code: int, reason: str) -> None:
        if self.state != "closed":
            self.state, self.close_code = "closed", code
            with contextlib.suppress(Exception):  # the peer may be gone already
                await asyncio.wait_for(self._close(code, reason), 5)

    async def error(self, code: str, message: str, turn_id: str | None = None) -> bool:
        """Send an error event; False when the connection was closed for abuse."""
        await self.send(
            {"type": "error", "code": code, "message": message, **({"turn_id": turn_id} if turn_id else {})}
        )
        now = self.clock()
        self.errors.append(now)
        while self.errors and now - self.errors[0] > self.limits.abuse_window_s:
            self.errors.popleft()
        if len(self.errors) >= self.limits.abuse_errors:
            await self.close(CLOSE_POLICY, "too many bad or too many frames")
            return False
        return True

    async def run(self) -> int | None:
        """Serve the connection until the client leaves or is closed; returns the close code (None: left)."""
        try:
            while self.state != "closed":
                try:
                    raw = await asyncio.wait_for(self._receive(), self.limits.idle_timeout_s)
                except TimeoutError:
                    await self.close(CLOSE_GOING_AWAY, "idle timeout")
                    break
                if raw is None:
                    self.state = "closed"
                    break
                if not self.bucket.take() or (self.admit is not None and not self.admit()):
                    await self.error(
                        "rate_limited", f"more than {self.limits.rate_per_s:g} frames per second; slow down"
                    )
                    continue
                try:
                    frame = validate(raw, self.limits.max_frame_bytes, self.limits.max_depth)
                except FrameError as e:
                    await self.error(e.code, e.message)
                    continue
                await self.dispatch(frame)
        except SlowClient:
            await self.close(CLOSE_POLICY, "client is not reading its messages")
        except ClientGone:
            self.state = "closed"
        return self.close_code

    async def dispatch(self, frame: dict) -> None:
        kind = frame["type"]
        if kind == "ping":
            await self.send({"type": "pong"})
            return
        self.turns += 1
        turn_id = f"t{self.turns}"
        t0 = time.perf_counter()
        start: dict[str, Any] = {"type": "turn_start", "turn_id": turn_id}
        if frame.get("client_msg_id") is not None:
            start["client_msg_id"] = frame["client_msg_id"]
        await self.send(start)

        async def emit(type_: str, **fields: Any) -> None:
            await self.send({"type": type_, "turn_id": turn_id, **fields})

        self.state = "in_turn"
        try:
            if kind == "message":
                await self.handler.on_message(frame["text"], emit)
            elif kind == "action":
                await self.handler.on_action(frame["action"], frame["product_id"], emit)
            else:
                await self.handler.on_reset(emit)
        except (SlowClient, ClientGone, asyncio.CancelledError):
            raise
        except ShopmateError as e:
            if not await self.error(e.code, e.message, turn_id):
                return
        except Exception:
            log.exception("chat turn failed")  # no frame contents: they may carry personal data
            if not await self.error("internal", "something went wrong on our side; try again", turn_id):
                return
        if self.state == "in_turn":
            self.state = "open"
        await self.send({"type": "done", "turn_id": turn_id, "took_ms": round((time.perf_counter() - t0) * 1000, 2)})
