"""A burst of concurrent searches measured so that the client is not the bottleneck (`make stress`).

The first stress client (httpx, one coroutine per request) spent ~1 s of its own CPU opening 300 connections
and building 300 requests, so every figure it gave included its own queueing. Here the burst's 300
connections are opened *before* the clock starts, the 300 pre-encoded requests are written back to back on
them, and each response is timed from the moment its request was written. `/healthz` is polled from a
separate process over one keep-alive connection, so its latencies are the server's, not this event loop's;
when the server has a health port (SHOPMATE_HEALTH_PORT) it is polled the same way by a second process, at
the same time, so both figures come from the same burst.
"""

from __future__ import annotations

import asyncio
import http.client
import multiprocessing as mp
import time
from urllib.parse import quote


def _pct(values: list[float], q: float) -> float:
    v = sorted(values)
    return round(v[min(len(v) - 1, int(len(v) * q))], 2) if v else float("nan")


def _poll_health(
    port: int, stop: mp.synchronize.Event, out: mp.Queue, period_s: float, polling: mp.synchronize.Event
) -> None:
    """Child process: GET /healthz every `period_s` on one keep-alive connection until `stop`; sets `polling`
    after its first 20 answers (so the burst starts only once every poller is in its steady state)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    times: list[tuple[float, float]] = []  # (wall-clock start, ms)
    failures = 0
    while not stop.is_set():
        started, t0 = time.time(), time.perf_counter()
        try:
            conn.request("GET", "/healthz")
            resp = conn.getresponse()
            resp.read()
            if resp.status == 200:
                times.append((started, (time.perf_counter() - t0) * 1000))
                if len(times) == 20:
                    polling.set()
            else:
                failures += 1
        except OSError:
            failures += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        time.sleep(period_s)
    conn.close()
    out.put((times, failures))


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, str | None]:
    """(status, Retry-After header or None) of one response, its body read and dropped."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length, retry_after = 0, None
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
        elif name.strip().lower() == "retry-after":
            retry_after = value.strip()
    if length:
        await reader.readexactly(length)
    return status, retry_after


async def _burst(port: int, n: int, query: str) -> tuple[list[tuple[int, float, str | None]], float, float]:
    conns = await asyncio.gather(*(asyncio.open_connection("127.0.0.1", port) for _ in range(n)))
    requests = [
        (
            f"GET /api/search?q={quote(f'{query} {i}')}&k=20 HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
        ).encode()
        for i in range(n)
    ]
    await asyncio.sleep(0.2)  # let the server finish accepting before the clock starts

    async def one(i: int, sent: float) -> tuple[int, float, str | None]:
        reader, writer = conns[i]
        try:
            status, retry_after = await _read_response(reader)
        except (asyncio.IncompleteReadError, ConnectionError):
            status, retry_after = 0, None
        elapsed = (time.perf_counter() - sent) * 1000
        writer.close()
        return status, elapsed, retry_after

    began, t0 = time.time(), time.perf_counter()
    tasks = []
    for i, (_, writer) in enumerate(conns):
        writer.write(requests[i])
        tasks.append(asyncio.create_task(one(i, time.perf_counter())))
    results = await asyncio.gather(*tasks)
    return list(results), began, time.perf_counter() - t0


def burst(
    port: int,
    n: int = 300,
    query: str = "shoes for men",
    health_period_s: float = 0.005,
    health_port: int | None = None,
) -> dict:
    """Run the burst against a server on 127.0.0.1:`port`; return latencies by status, /healthz's on the main
    port and, if `health_port` is given, /healthz's on the health listener (`health_port_*`)."""
    ctx = mp.get_context("spawn")
    stop = ctx.Event()
    targets = {"healthz": port} | ({"health_port": health_port} if health_port else {})
    pollers = {}
    for name, p in targets.items():
        out, polling = ctx.Queue(), ctx.Event()
        proc = ctx.Process(target=_poll_health, args=(p, stop, out, health_period_s, polling), daemon=True)
        proc.start()
        pollers[name] = (proc, out, polling)
    for name, (_, _, polling) in pollers.items():  # their start-up (seconds under load) is not in the burst
        if not polling.wait(60):
            raise RuntimeError(f"the {name} poller got no answers from the server")
    time.sleep(0.2)
    res, began, wall = asyncio.run(_burst(port, n, query))
    ended = began + wall
    time.sleep(0.2)
    stop.set()
    probes: dict = {}
    for name, (proc, out, _) in pollers.items():
        polled, failures = out.get(timeout=30)
        proc.join(timeout=10)
        # only the answers to requests sent while the burst was in flight (its connections were opened before)
        during = [ms for started, ms in polled if began <= started <= ended]
        idle = [ms for started, ms in polled if started < began]
        probes |= {
            f"{name}_answers": len(during),
            f"{name}_failures": failures,
            f"{name}_ms_p50": _pct(during, 0.5),
            f"{name}_ms_p99": _pct(during, 0.99),
            f"{name}_ms_max": round(max(during), 2) if during else float("nan"),
            f"{name}_idle_ms_p50": _pct(idle, 0.5),
        }
    served = [ms for s, ms, _ in res if s == 200]
    shed = [ms for s, ms, _ in res if s == 503]
    return {
        "requests": n,
        "client": "raw sockets, connections opened before the clock; /healthz from a separate process per port",
        "served": len(served),
        "shed_503": len(shed),
        "other_status": len(res) - len(served) - len(shed),
        "served_ms_p50": _pct(served, 0.5),
        "served_ms_p99": _pct(served, 0.99),
        "shed_ms_p50": _pct(shed, 0.5),
        "shed_ms_p99": _pct(shed, 0.99),
        "shed_within_100ms": sum(ms <= 100 for ms in shed),
        "shed_retry_after": sorted({ra or "" for s, _, ra in res if s == 503}),
        **probes,
        "wall_s": round(wall, 2),
    }
