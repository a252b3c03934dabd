"""GET /ws/chat: the chat websocket. Authenticates, opens the conversation and runs the frame protocol with a
`ChatSession`; everything the chat does lives in `assistant.chat`."""

from __future__ import annotations

import dataclasses
import time

from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketDisconnect

from assistant.api.guards import ConnectionCaps, RateLimits, origin_allowed
from assistant.chat.protocol import ChatProtocol
from assistant.chat.session import ChatSession, limits_of, open_conversation
from assistant.errors import Forbidden, Unauthorized
from assistant.services import Services

router = APIRouter()


@router.websocket("/ws/chat")
async def chat(ws: WebSocket) -> None:
    """The chat websocket; protocol in docs/chat.md."""
    state = ws.app.state
    if not origin_allowed(ws.headers.get("origin"), ws.headers.get("host"), ws.url.scheme, state.origins):
        await ws.close(code=1008)  # before accept: the handshake is refused with HTTP 403
        return
    caps: ConnectionCaps = state.ws_caps
    client = ws.client.host if ws.client else "?"
    refused = caps.enter(client)
    await ws.accept()
    if refused is not None:
        await ws.send_json({"type": "error", "code": "try_again_later", "message": refused})
        await ws.close(code=1013, reason="try again later")
        return
    try:
        await serve(ws, state.services, state.rate_limits, client)
    finally:
        caps.leave(client)


async def serve(ws: WebSocket, svc: Services, rates: RateLimits, client: str) -> None:
    """One accepted connection: authenticate, open the conversation, run the frame protocol."""
    token = ws.query_params.get("token") or None
    shopper_id = None
    if token:
        try:
            shopper_id = svc.shoppers.authenticate(token)
        except Unauthorized as e:
            await ws.send_json({"type": "error", "code": e.code, "message": e.message})
            await ws.close(code=1008, reason="invalid token")
            return
    try:
        conv, resumed = await open_conversation(svc, shopper_id, ws.query_params.get("conversation_id"))
    except Forbidden as e:  # someone else's conversation: not even whether it exists is said
        await ws.send_json({"type": "error", "code": e.code, "message": e.message})
        await ws.close(code=1008, reason="not your conversation")
        return
    await ws.send_json({"type": "ready", "conversation_id": conv.id, "resumed": resumed, "turns": conv.state.turns})

    async def receive() -> str | bytes | None:
        try:
            msg = await ws.receive()
        except (WebSocketDisconnect, RuntimeError):
            return None
        if msg["type"] == "websocket.disconnect":
            return None
        return msg.get("text") if msg.get("text") is not None else msg.get("bytes")

    async def close(code: int, reason: str) -> None:
        await ws.close(code=code, reason=reason)

    session = ChatSession(svc, conv, shopper_id, ws.headers)
    limits = dataclasses.replace(limits_of(svc.settings), max_depth=svc.settings.max_json_depth)
    proto = ChatProtocol(
        receive, ws.send_json, close, session, limits, admit=lambda: rates.retry_after("chat", client) is None
    )
    try:
        await proto.run()
    except WebSocketDisconnect:
        pass
    finally:
        conv.seen = time.monotonic()
