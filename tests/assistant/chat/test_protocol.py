"""The chat protocol state machine driven without a server: frames in through a queue, events out to a list.

The handler here is a stand-in that streams its input back, so these tests exercise only the protocol's own
rules (turn framing, error events, slow readers, idle time); the real handler is covered in test_chat_ws.py.
"""

from __future__ import annotations

import asyncio
import json

from assistant.chat.protocol import ChatProtocol, FrameError, Limits, TokenBucket, validate
from assistant.errors import NotFound


class EchoHandler:
    async def on_message(self, text, emit):
        for word in text.split():
            await emit("delta", text=word + " ")
        if text == "missing":
            raise NotFound("no such thing")
        if text == "crash":
            raise RuntimeError("boom")

    async def on_action(self, action, product_id, emit):
        await emit("delta", text=f"{action} {product_id}")

    async def on_reset(self, emit):
        await emit("delta", text="reset")


class Pipe:
    def __init__(self, stall_after: int | None = None):
        self.inbox: asyncio.Queue = asyncio.Queue()
        self.out: list[dict] = []
        self.closed: tuple[int, str] | None = None
        self.stall_after = stall_after

    async def receive(self):
        return await self.inbox.get()

    async def send(self, ev):
        if self.stall_after is not None and len(self.out) >= self.stall_after:
            await asyncio.Event().wait()  # a client that stopped reading: the send never completes
        self.out.append(ev)

    async def close(self, code, reason):
        self.closed = (code, reason)


def drive(frames, limits=None, stall_after=None):
    limits = limits or Limits()

    async def main():
        pipe = Pipe(stall_after)
        for f in frames:
            pipe.inbox.put_nowait(f if isinstance(f, (str, bytes)) or f is None else json.dumps(f))
        proto = ChatProtocol(pipe.receive, pipe.send, pipe.close, EchoHandler(), limits)
        code = await asyncio.wait_for(proto.run(), 20)
        return pipe, code

    return asyncio.run(main())


def test_turn_framing_and_errors_inside_turns():
    pipe, code = drive(
        [
            {"type": "message", "text": "red shoes please", "client_msg_id": 7},
            {"type": "message", "text": "missing"},
            {"type": "message", "text": "crash"},
            {"type": "action", "action": "why", "product_id": "p1"},
            {"type": "reset"},
            None,
        ]
    )
    assert code is None  # the client left; nobody closed
    types = [e["type"] for e in pipe.out]
    assert types[:5] == ["turn_start", "delta", "delta", "delta", "done"]
    assert pipe.out[0]["client_msg_id"] == 7
    assert "".join(e["text"] for e in pipe.out[1:4]) == "red shoes please "
    errors = [e for e in pipe.out if e["type"] == "error"]
    assert [(e["code"], e["turn_id"]) for e in errors] == [("not_found", "t2"), ("internal", "t3")]
    assert "boom" not in json.dumps(pipe.out)  # internals are not leaked to the client
    assert [e["turn_id"] for e in pipe.out if e["type"] == "done"] == ["t1", "t2", "t3", "t4", "t5"]


def test_frame_validation_messages():
    for raw, code in [
        ("{", "invalid_json"),
        ("3", "invalid_json"),
        ('{"type": "x"}', "unknown_type"),
        ('{"type": "message", "text": "  "}', "bad_frame"),
        ("x" * 9000, "frame_too_large"),
        ('{"type": "action", "action": "why"}', "bad_frame"),
        (b"\x00", "bad_frame"),
    ]:
        try:
            validate(raw, 8192)
        except FrameError as e:
            assert e.code == code and e.message
        else:
            raise AssertionError(f"{raw!r} was accepted")
    assert validate('{"type": "ping"}', 8192) == {"type": "ping"}


def test_slow_reader_is_closed_instead_of_buffering():
    frames = [{"type": "message", "text": "one two three four five six"}] * 3
    pipe, code = drive(frames, Limits(send_timeout_s=0.3), stall_after=2)
    assert code == 1008 and pipe.closed[0] == 1008 and "reading" in pipe.closed[1]
    assert len(pipe.out) == 2  # nothing piled up behind the stalled send


def test_idle_timeout_closes_with_going_away():
    pipe, code = drive([{"type": "ping"}], Limits(idle_timeout_s=0.3))
    assert pipe.out == [{"type": "pong"}]
    assert code == 1001 and pipe.closed == (1001, "idle timeout")


def test_abuse_closes_after_too_many_errors():
    pipe, code = drive(["{bad"] * 50, Limits(abuse_errors=5, rate_per_s=1000))
    assert code == 1008
    assert sum(e["type"] == "error" for e in pipe.out) == 5


def test_token_bucket_refills_with_time():
    now = [0.0]
    b = TokenBucket(2.0, lambda: now[0])
    assert [b.take() for _ in range(3)] == [True, True, False]
    now[0] += 0.5
    assert b.take() and not b.take()
