"""The load shedder's admission rule and the idle heap trim's count of work, driven as ASGI: `limit` in flight,
`queue` waiting, the rest 503 at once; a trim only once the work is over.

The app behind it is a plain ASGI callable that holds each search until the test lets it go, so what is in
flight and what waits is exact (the real server's burst is in test_hardening.py and `make stress`)."""

from __future__ import annotations

import asyncio
import json

from assistant.api.middleware import IdleTrim, LoadShedder, Message
from assistant.heap import IdleTrimmer, release_free_heap


class HeldApp:
    """Answers 200 once `release` is set; counts how many requests it is running at once."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.running = 0
        self.most_running = 0

    async def __call__(self, scope, receive, send) -> None:
        self.running += 1
        self.most_running = max(self.most_running, self.running)
        try:
            await self.release.wait()
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"{}"})
        finally:
            self.running -= 1


async def call(app, path: str = "/api/search") -> tuple[int, dict[str, str], dict]:
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    await app({"type": "http", "method": "GET", "path": path, "headers": []}, receive, send)
    start, body = sent[0], sent[1]
    headers = {k.decode(): v.decode() for k, v in start.get("headers", [])}
    return start["status"], headers, json.loads(body["body"] or b"{}")


def test_limit_in_flight_queue_waits_and_the_rest_is_shed_at_once():
    async def scenario():
        inner = HeldApp()
        shedder = LoadShedder(inner, limit=2, retry_after_s=1, queue=3, max_wait_s=30)
        tasks = [asyncio.create_task(call(shedder)) for _ in range(9)]
        await asyncio.sleep(0.05)
        # 2 running, 3 waiting; the other 4 already answered, without waiting for anything
        done_early = [t for t in tasks if t.done()]
        assert inner.running == 2 and shedder.waiting == 3 and len(done_early) == 4
        for t in done_early:
            status, headers, body = t.result()
            assert status == 503 and headers["retry-after"] == "1"
            assert body["error"]["code"] == "overloaded" and "retry in 1 s" in body["error"]["message"]
        inner.release.set()
        results = await asyncio.gather(*tasks)
        assert sorted(s for s, _, _ in results) == [200] * 5 + [503] * 4
        assert inner.most_running == 2  # the queued ones ran only as turns freed up
        assert shedder.in_flight == 0 and shedder.waiting == 0 and shedder.shed == 4

    asyncio.run(scenario())


def test_a_queued_request_gets_503_after_the_longest_wait():
    async def scenario():
        inner = HeldApp()
        shedder = LoadShedder(inner, limit=1, retry_after_s=2, queue=5, max_wait_s=0.1)
        first = asyncio.create_task(call(shedder))
        await asyncio.sleep(0.01)
        status, headers, _ = await call(shedder)  # waits its turn, which never comes in time
        assert status == 503 and headers["retry-after"] == "2" and shedder.waiting == 0
        inner.release.set()
        assert (await first)[0] == 200
        assert (await call(shedder))[0] == 200  # the turn it did not take was not lost

    asyncio.run(scenario())


def test_cheap_routes_are_never_held_or_shed():
    async def scenario():
        inner = HeldApp()
        shedder = LoadShedder(inner, limit=1, retry_after_s=1, queue=0, max_wait_s=1)
        search = asyncio.create_task(call(shedder))
        await asyncio.sleep(0.01)
        assert (await call(shedder))[0] == 503  # a second search: no room, no queue
        health = asyncio.create_task(call(shedder, "/healthz"))
        await asyncio.sleep(0.01)
        assert inner.running == 2  # /healthz went straight through to the app
        inner.release.set()
        assert (await health)[0] == 200 and (await search)[0] == 200

    asyncio.run(scenario())


class CountedTrim:
    """The real heap trim, counted, and whether any work was in flight when it ran."""

    def __init__(self, trimmer_ref: list[IdleTrimmer]) -> None:
        self.calls = 0
        self.during_work = 0
        self.trimmer_ref = trimmer_ref
        self.calls_before_release = 0

    def __call__(self) -> bool:
        self.calls += 1
        self.during_work += self.trimmer_ref[0].active > 0
        return release_free_heap()


def test_heap_is_trimmed_once_after_a_burst_and_not_more_often_than_its_interval():
    async def main() -> None:
        inner = HeldApp()
        ref: list[IdleTrimmer] = []
        trim = CountedTrim(ref)
        trimmer = IdleTrimmer(interval_s=0.8, quiet_s=0.05, trim=trim)
        ref.append(trimmer)
        app = IdleTrim(inner, trimmer)

        async def burst(n: int) -> None:
            inner.release.clear()
            calls = [asyncio.create_task(call(app)) for _ in range(n)]
            await asyncio.sleep(0.1)
            assert trimmer.active == n
            assert trim.calls_before_release == trim.calls  # nothing trimmed while the burst runs
            inner.release.set()
            assert all(status == 200 for status, _, _ in await asyncio.gather(*calls))

        await burst(6)
        await asyncio.sleep(0.3)
        assert trim.calls == 1 and trimmer.trims == 1  # one trim for the whole burst, after it
        trim.calls_before_release = 1
        await burst(6)  # a second burst within the interval: its trim waits for the interval
        await asyncio.sleep(0.2)
        assert trim.calls == 1
        await asyncio.sleep(0.8)
        assert trim.calls == 2
        await asyncio.sleep(1.0)  # idle, nothing new done: no further trims
        assert trim.calls == 2 and trim.during_work == 0 and trimmer.active == 0

    asyncio.run(main())


def test_probes_are_not_work_for_the_trimmer():
    async def main() -> None:
        inner = HeldApp()
        inner.release.set()
        trimmer = IdleTrimmer(interval_s=0.5, quiet_s=0.01, trim=lambda: True)
        app = IdleTrim(inner, trimmer)
        for path in ("/healthz", "/readyz", "/web/widget/app.js"):
            assert (await call(app, path))[0] == 200
        await asyncio.sleep(0.1)
        assert trimmer.trims == 0
        assert (await call(app, "/api/index"))[0] == 200
        await asyncio.sleep(0.1)
        assert trimmer.trims == 1

    asyncio.run(main())


def test_a_chat_message_is_work_from_its_arrival_until_the_handler_reads_the_next():
    async def main() -> None:
        trimmer = IdleTrimmer(interval_s=0.01, quiet_s=0.01, trim=lambda: True)
        frames: asyncio.Queue[dict] = asyncio.Queue()
        seen_active: list[int] = []

        async def chat_app(scope, receive, send) -> None:  # a handler that reads one message at a time
            while (await receive())["type"] == "websocket.receive":
                seen_active.append(trimmer.active)
                await asyncio.sleep(0.05)  # the reply is being worked out: no trim now
                seen_active.append(trimmer.trims)

        async def send(message: Message) -> None:
            pass

        app = IdleTrim(chat_app, trimmer)
        conn = asyncio.create_task(app({"type": "websocket", "path": "/ws/chat"}, frames.get, send))
        await asyncio.sleep(0.1)
        assert trimmer.active == 0 and trimmer.trims == 0  # an open, idle connection is not work
        await frames.put({"type": "websocket.receive", "text": "hi"})
        await asyncio.sleep(0.2)
        assert seen_active == [1, 0] and trimmer.active == 0 and trimmer.trims == 1  # trimmed after the reply
        await frames.put({"type": "websocket.disconnect", "code": 1000})
        await conn
        assert trimmer.active == 0

    asyncio.run(main())
