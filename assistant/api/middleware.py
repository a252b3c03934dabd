"""Pure ASGI middleware at the edge: bad bodies and query strings refused before any route sees them,
expensive routes shed under overload, the heap trimmed once a burst of work is over, and an unexpected
exception answered without poisoning the connection.

Pure ASGI (not BaseHTTPMiddleware): they must not buffer responses or start tasks per request.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl

from assistant import safejson
from assistant.heap import IdleTrimmer

log = logging.getLogger("shopmate.http")
ARRIVED = "shopmate.arrived"  # scope key: perf_counter() when the request entered the app (CatchAll)
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Routes whose work is a retrieval or a rerank over many products (the ones worth shedding).
EXPENSIVE = re.compile(
    r"^/api/(search|browse|recommendations|autocomplete|products/[^/]+/complete-the-look|cart/complete-the-look)$"
)


async def send_json(send: Send, status: int, body: dict, headers: dict[str, str] | None = None) -> None:
    raw = json.dumps(body).encode()
    hdrs = [(b"content-type", b"application/json"), (b"content-length", str(len(raw)).encode())]
    hdrs += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": hdrs})
    await send({"type": "http.response.body", "body": raw})


def error(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message}}


class BodyGuard:
    """Refuse, with a 4xx naming the field, request bodies the app must never see: too large (413), or JSON
    that is nested too deep, holds NaN/Infinity/overflowing numbers or lone surrogates (422); and query
    strings that are not valid UTF-8 (422). Bodies that are not JSON at all pass on to the route's own
    message. The body read here is replayed to the app."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, max_depth: int):
        self.app, self.max_body_bytes, self.max_depth = app, max_body_bytes, max_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        qs = scope.get("query_string") or b""
        if qs:
            try:
                parse_qsl(qs.decode("latin-1"), keep_blank_values=True, encoding="utf-8", errors="strict")
            except UnicodeDecodeError:
                bad = next(
                    (k for k, v in parse_qsl(qs.decode("latin-1"), keep_blank_values=True) if "\ufffd" in k + v), ""
                )
                return await send_json(send, 422, error("bad_input", f"{bad or 'query'}: text must be valid UTF-8"))
        if scope["method"] not in ("POST", "PUT", "PATCH"):
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            return await self._too_large(send, int(declared))
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                return await self._too_large(send, size)
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        if body.strip():
            try:
                safejson.loads(body, self.max_depth)
            except safejson.UnsafeJSON as e:
                return await send_json(send, 422, error("bad_input", str(e)))
            except ValueError:
                pass  # not JSON: the route says what it expects
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, send: Send, size: int) -> None:
        msg = f"request body is {size} bytes or more; the limit is {self.max_body_bytes}: send smaller batches"
        await send_json(send, 413, error("too_large", msg), {"connection": "close"})


class LoadShedder:
    """At most `limit` expensive requests in flight and `queue` more waiting their turn (up to `max_wait_s`);
    the next ones get 503 + Retry-After at once. The waiting ones hold no worker thread: they wait on the
    event loop, so they cost /healthz nothing, while running more CPU-bound searches than cores would only
    make every thread, the event loop's included, wait longer for the interpreter lock."""

    def __init__(self, app: ASGIApp, limit: int, retry_after_s: int, queue: int = 0, max_wait_s: float = 2.0):
        self.app, self.limit, self.retry_after = app, limit, retry_after_s
        self.queue, self.max_wait_s = queue, max_wait_s
        self.in_flight = 0
        self.waiting = 0
        self.shed = 0
        self._turns: asyncio.Semaphore | None = None  # created on the serving loop, at its first use

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.limit <= 0 or not EXPENSIVE.match(scope["path"]):
            return await self.app(scope, receive, send)
        if self._turns is None:
            self._turns = asyncio.Semaphore(self.limit)
        # one event loop: no lock needed between these checks and the increments
        if self.in_flight >= self.limit and self.waiting >= self.queue:
            return await self._busy(send)
        if self._turns.locked():
            self.waiting += 1
            try:
                await asyncio.wait_for(self._turns.acquire(), self.max_wait_s)
            except TimeoutError:
                return await self._busy(send)
            finally:
                self.waiting -= 1
        else:
            await self._turns.acquire()  # free: no timer task for the common case
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
            self._turns.release()

    async def _busy(self, send: Send) -> None:
        self.shed += 1
        msg = (
            f"the server is busy ({self.in_flight} searches in flight, {self.waiting} waiting); "
            f"retry in {self.retry_after} s"
        )
        await send_json(send, 503, error("overloaded", msg), {"retry-after": str(self.retry_after)})


class IdleTrim:
    """Counts the server's work for the heap trimmer, whatever serves it: every /api/ request while it runs,
    and every chat message from its arrival until the handler asks for the next one. When the last piece
    of work finishes, `IdleTrimmer` gives the heap pages it freed back (after a quiet moment, rate-limited).
    Health probes, static files and idle open websockets are not work: they neither trigger nor delay it."""

    def __init__(self, app: ASGIApp, trimmer: IdleTrimmer):
        self.app, self.trimmer = app, trimmer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/api/"):
            self.trimmer.begin()
            try:
                return await self.app(scope, receive, send)
            finally:
                self.trimmer.end()
        if scope["type"] != "websocket":
            return await self.app(scope, receive, send)
        working = False

        async def counted_receive() -> Message:
            nonlocal working
            if working:  # the handler is done with the last message: it asks for the next
                working = False
                self.trimmer.end()
            message = await receive()
            if message["type"] == "websocket.receive":
                working = True
                self.trimmer.begin()
            return message

        try:
            await self.app(scope, counted_receive, send)
        finally:
            if working:
                self.trimmer.end()


class CatchAll:
    """The last resort for an exception no handler turned into a response: log it (type and route only,
    no request contents), answer a JSON 500 with `Connection: close` and do not re-raise, so the server
    ends the connection cleanly instead of dropping it under a keep-alive client's next request."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        scope[ARRIVED] = time.perf_counter()  # for a route's Server-Timing: the time before it ran
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            log.exception("unhandled error in %s %s", scope["method"], scope["path"])
            if started:
                raise  # half a response is out: only closing the connection is left (the server does it)
            body = error("internal", "something went wrong on our side; the error is logged. Try again.")
            await send_json(send, 500, body, {"connection": "close"})
