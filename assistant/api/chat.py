"""GET /ws/chat: the chat websocket. Authenticates, opens the conversation and runs the frame protocol with a
`ChatSession`; everything the chat does lives in `assistant.chat`."""

from __future__ import annotations

import time

from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketDisconnect

from assistant.chat.protocol import ChatProtocol
from assistant.chat.session import ChatSession, limits_of, open_conversation
from assistant.errors import Unauthorized
from assistant.services import Services

router = APIRouter()


@router.websocket("/ws/chat")
async def chat(ws: WebSocket) -> None:
    """The chat websocket; protocol in docs/chat.md."""
    await ws.accept()
    svc: Services = ws.app.state.services
    token = ws.query_params.get("token") or None
    shopper_id = None
    if token:
        try:
            shopper_id = svc.shoppers.authenticate(token)
        except Unauthorized as e:
            await ws.send_json({"type": "error", "code": e.code, "message": e.message})
            await ws.close(code=1008, reason="invalid token")
            return
    public_id, conv, resumed = open_conversation(svc, shopper_id, ws.query_params.get("conversation_id"))
    await ws.send_json({"type": "ready", "conversation_id": public_id, "resumed": resumed, "turns": conv.state.turns})

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
    proto = ChatProtocol(receive, ws.send_json, close, session, limits_of(svc.settings))
    try:
        await proto.run()
    except WebSocketDisconnect:
        pass
    finally:
        conv.seen = time.monotonic()
