"""Liveness and readiness: the one function that answers them, and a listener of their own on its own thread.

On the main port the probes are answered by the event loop, which under a burst of searches spends tens of
milliseconds at a stretch accepting, parsing and shedding requests; a probe that arrives then waits behind all
of them (docs/api.md "Limits"). The listener here (`SHOPMATE_HEALTH_PORT`) runs on a thread of its own, so a
probe never queues behind that backlog: it only waits for the interpreter lock, which a busy thread must hand
over every switch interval (5 ms).

It is a deliberately small HTTP/1.1 server: one thread, one selector, keep-alive, `GET /healthz` and
`GET /readyz` only (anything else 404), a bounded number of connections, a small request-size cap and idle and
request deadlines, and no logging of request lines. It is for the orchestrator's network, not the internet.
"""

from __future__ import annotations

import contextlib
import json
import logging
import selectors
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger("shopmate.health")

PROBES = ("healthz", "readyz")
MAX_REQUEST_BYTES = 2048  # a probe's request line and headers; more is not a probe (431, then closed)
MAX_CONNECTIONS = 32  # kubelet, a compose healthcheck and a load balancer need a handful
REQUEST_TIMEOUT_S = 5.0  # a request must be complete within this from its first byte (no slow drip)
IDLE_TIMEOUT_S = 30.0  # a keep-alive connection with no request for this long is closed
LINGER_S = 2.0  # after a closing answer, unread input is drained this long (closing on it would reset the answer)
MAX_UNREAD_BYTES = 16384  # answers a client pipelines without reading them; beyond this it is closed
REASONS = {200: "OK", 404: "Not Found", 431: "Request Header Fields Too Large", 503: "Service Unavailable"}


def probe(state: Any, name: str) -> tuple[int, dict[str, Any], dict[str, str]]:
    """The status, JSON body and headers of /healthz ("healthz") or /readyz ("readyz"), for either port.

    `state` is the app's `app.state`; it is only read (the attribute reads are atomic), so any thread may call it.
    """
    if name == "healthz":  # liveness: the process answers; says nothing about the index
        return 200, {"ok": True}, {}
    svc = getattr(state, "services", None)
    eng = None if svc is None else svc._engine
    if eng is None:
        why = "starting" if svc is None else (svc.load_error or "the index is not loaded yet")
        return 503, {"ready": False, "reason": why}, {"Retry-After": "5"}
    return 200, {"ready": True, "index_version": eng.index.version, "products": len(eng.products)}, {}


class HealthPortError(RuntimeError):
    """The health listener cannot start (its port is taken, or the address is not this host's)."""


@dataclass
class _Conn:
    sock: socket.socket
    inbox: bytearray = field(default_factory=bytearray)
    outbox: bytearray = field(default_factory=bytearray)
    last_active: float = field(default_factory=time.monotonic)
    request_started: float | None = None  # monotonic time of the first byte of an incomplete request
    closing: bool = False  # close once the outbox is written
    draining_since: float | None = None  # our side is shut: discard input until EOF or LINGER_S


class HealthListener:
    """`GET /healthz` and `GET /readyz` on `host:port`, answered by `probe(state, ...)` on a thread of its own."""

    def __init__(self, state: Any, host: str, port: int):
        self.state = state
        self.host, self.port = host, port
        self._sock: socket.socket | None = None
        self._wake_r, self._wake_w = socket.socketpair()
        self._sel = selectors.DefaultSelector()
        self._conns: dict[int, _Conn] = {}
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> HealthListener:
        """Bind and listen now (so a taken port fails start-up at once), then serve on a daemon thread."""
        sock = socket.socket(socket.AF_INET6 if ":" in self.host else socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a restart may rebind over TIME_WAIT
        try:
            sock.bind((self.host, self.port))
            sock.listen(64)
        except OSError as e:
            sock.close()
            self._close_wakeup()
            why = f"SHOPMATE_HEALTH_PORT={self.port}: cannot listen on {self.host}: {e.strerror}"
            raise HealthPortError(why) from e
        sock.setblocking(False)
        self._sock = sock
        self.port = sock.getsockname()[1]
        self._sel.register(sock, selectors.EVENT_READ, "accept")
        self._sel.register(self._wake_r, selectors.EVENT_READ, "wake")
        self._thread = threading.Thread(target=self._serve, name=f"shopmate-health-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout_s: float = 5.0) -> None:
        """Stop serving, close every socket and join the thread."""
        if self._thread is None:
            return
        self._stopping.set()
        with contextlib.suppress(OSError):  # already closed: the thread has ended on its own
            self._wake_w.send(b"x")
        self._thread.join(timeout_s)
        if self._thread.is_alive():
            log.warning("health listener thread did not stop within %.0f s", timeout_s)
        self._thread = None

    # ------------------------------------------------------------------ the serving thread

    def _serve(self) -> None:
        try:
            while not self._stopping.is_set():
                for key, events in self._sel.select(timeout=1.0):
                    if key.data == "accept":
                        self._accept()
                    elif key.data == "wake":
                        break
                    else:
                        self._on_ready(key.fileobj, events)  # type: ignore[arg-type]
                self._expire()
        except Exception:  # the listener must never take the process down; the main port keeps its probes
            log.exception("health listener stopped on an unexpected error")
        finally:
            for fd in list(self._conns):
                self._close(fd)
            self._sel.close()
            if self._sock is not None:
                self._sock.close()
            self._close_wakeup()

    def _close_wakeup(self) -> None:
        self._wake_r.close()
        self._wake_w.close()

    def _accept(self) -> None:
        assert self._sock is not None
        while True:
            try:
                sock, _ = self._sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:  # e.g. out of file descriptors: back off, or the readable socket would spin the loop
                self._stopping.wait(0.1)
                return
            if len(self._conns) >= MAX_CONNECTIONS:
                sock.close()  # full: a probe retries; an idle connection frees a slot within IDLE_TIMEOUT_S
                continue
            sock.setblocking(False)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._conns[sock.fileno()] = _Conn(sock)
            self._sel.register(sock, selectors.EVENT_READ)

    def _on_ready(self, sock: socket.socket, events: int) -> None:
        conn = self._conns.get(sock.fileno())
        if conn is None:
            return
        if events & selectors.EVENT_READ and conn.draining_since is not None:
            try:
                if sock.recv(4096):
                    return None
            except (BlockingIOError, InterruptedError):
                return None
            except OSError:
                pass
            return self._close(sock.fileno())
        if events & selectors.EVENT_READ and not conn.closing:
            try:
                data = sock.recv(4096)
            except (BlockingIOError, InterruptedError):
                data = None
            except OSError:
                return self._close(sock.fileno())
            if data == b"":
                return self._close(sock.fileno())
            if data:
                conn.inbox += data
                conn.last_active = time.monotonic()
                if conn.request_started is None:
                    conn.request_started = conn.last_active
                self._handle_requests(conn)
                if len(conn.outbox) > MAX_UNREAD_BYTES:
                    return self._close(sock.fileno())
        self._flush(conn)

    def _handle_requests(self, conn: _Conn) -> None:
        """Answer every complete request in the inbox (pipelining), in order."""
        while not conn.closing:
            end = conn.inbox.find(b"\r\n\r\n")
            if end < 0:
                if len(conn.inbox) > MAX_REQUEST_BYTES:
                    self._respond(conn, 431, {"error": "request too large"}, {}, close=True)
                return
            if end > MAX_REQUEST_BYTES:
                self._respond(conn, 431, {"error": "request too large"}, {}, close=True)
                return
            head = bytes(conn.inbox[:end]).decode("latin-1")
            del conn.inbox[: end + 4]
            conn.request_started = time.monotonic() if conn.inbox else None
            self._answer(conn, head)

    def _answer(self, conn: _Conn, head: str) -> None:
        lines = head.split("\r\n")
        parts = lines[0].split(" ")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip().lower()
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            return self._respond(conn, 404, {"error": "not found"}, {}, close=True)
        method, target, version = parts
        keep = "close" not in headers.get("connection", "") and (
            version == "HTTP/1.1" or "keep-alive" in headers.get("connection", "")
        )
        # a probe has no body; a request with one is not a probe and its body would be read as the next request
        has_body = headers.get("content-length", "0") not in ("", "0") or "transfer-encoding" in headers
        name = target.split("?", 1)[0].lstrip("/")
        if method != "GET" or name not in PROBES or has_body:
            return self._respond(conn, 404, {"error": "not found"}, {}, close=has_body or not keep)
        status, body, extra = probe(self.state, name)
        self._respond(conn, status, body, extra, close=not keep)

    def _respond(self, conn: _Conn, status: int, body: dict, headers: dict[str, str], close: bool) -> None:
        raw = json.dumps(body, separators=(",", ":")).encode()
        lines = [
            f"HTTP/1.1 {status} {REASONS[status]}",
            "content-type: application/json",
            f"content-length: {len(raw)}",
            "cache-control: no-store",
            *(f"{k.lower()}: {v}" for k, v in headers.items()),
        ]
        if close:
            lines.append("connection: close")
            conn.closing = True
        conn.outbox += ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + raw

    def _flush(self, conn: _Conn) -> None:
        fd = conn.sock.fileno()
        if conn.outbox:
            try:
                sent = conn.sock.send(conn.outbox)
                del conn.outbox[:sent]
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                return self._close(fd)
        if conn.closing and not conn.outbox:
            try:  # a lingering close: the client reads the answer before it sees the connection end
                conn.sock.shutdown(socket.SHUT_WR)
            except OSError:
                return self._close(fd)
            conn.draining_since = time.monotonic()
            self._sel.modify(conn.sock, selectors.EVENT_READ)
            return None
        # closing: its input is no longer read, so waiting for it would wake this loop without end
        want = (0 if conn.closing else selectors.EVENT_READ) | (selectors.EVENT_WRITE if conn.outbox else 0)
        if self._sel.get_key(conn.sock).events != want:
            self._sel.modify(conn.sock, want)

    def _expire(self) -> None:
        now = time.monotonic()
        for fd, conn in list(self._conns.items()):
            stalled = conn.request_started is not None and now - conn.request_started > REQUEST_TIMEOUT_S
            lingered = conn.draining_since is not None and now - conn.draining_since > LINGER_S
            if stalled or lingered or now - conn.last_active > IDLE_TIMEOUT_S:
                self._close(fd)

    def _close(self, fd: int) -> None:
        conn = self._conns.pop(fd, None)
        if conn is None:
            return
        with contextlib.suppress(KeyError, ValueError):
            self._sel.unregister(conn.sock)
        conn.sock.close()
