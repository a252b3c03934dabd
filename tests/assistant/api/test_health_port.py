"""The health listener (SHOPMATE_HEALTH_PORT) against real servers: same answers as the main port, bounded,
started and stopped with the app. Its behaviour during a burst of searches is in test_hardening.py."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from assistant.api.health import MAX_CONNECTIONS, REQUEST_TIMEOUT_S
from assistant.settings import Settings, SettingsError
from tests.conftest import FLIPKART_MAPPING, TINY_CATALOG, free_port


def get(port: int, path: str) -> tuple[int, dict, dict]:
    with httpx.Client(timeout=30) as c:
        r = c.get(f"http://127.0.0.1:{port}{path}")
    return r.status_code, r.json(), {k.lower(): v for k, v in r.headers.items()}


@pytest.fixture(scope="module")
def served(make_server):
    srv = make_server(health_port=free_port())
    return srv, srv.settings.health_port


def test_health_port_answers_healthz_and_readyz_as_the_main_port_does(served):
    srv, hport = served
    for path in ("/healthz", "/readyz"):
        main_status, main_body, _ = get(srv.port, path)
        status, body, headers = get(hport, path)
        assert (status, body) == (main_status, main_body) == (200, main_body)
        assert headers["content-type"] == "application/json" and headers["cache-control"] == "no-store"
    assert body["ready"] is True and body["index_version"] == srv.app.state.services.engine.index.version


def test_health_port_keeps_the_connection_alive_and_pipelines(served):
    _, hport = served
    conn = http.client.HTTPConnection("127.0.0.1", hport, timeout=10)
    conn.connect()
    first = conn.sock
    for path in ("/healthz", "/readyz", "/healthz") * 3:
        conn.request("GET", path)
        r = conn.getresponse()
        assert r.status == 200 and r.getheader("connection") is None
        r.read()
        assert conn.sock is first  # the same TCP connection every time
    conn.close()
    with socket.create_connection(("127.0.0.1", hport), timeout=10) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /readyz HTTP/1.1\r\nHost: x\r\n\r\n")
        got = b""
        while got.count(b"HTTP/1.1 200") < 2:
            chunk = s.recv(4096)
            assert chunk, got
            got += chunk
        assert got.index(b'{"ok":true}') < got.index(b'"ready":true')  # answered in order


def test_health_port_answers_404_to_anything_else_and_caps_request_size(served):
    _, hport = served
    for path in ("/", "/api/search?q=shoes", "/docs", "/healthz/x", "/readyzz"):
        assert get(hport, path)[0] == 404
    with httpx.Client(timeout=10) as c:
        assert c.post(f"http://127.0.0.1:{hport}/healthz", content=b"{}").status_code == 404
        assert c.delete(f"http://127.0.0.1:{hport}/readyz").status_code == 404
    with socket.create_connection(("127.0.0.1", hport), timeout=10) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nX-Big: " + b"a" * 5000 + b"\r\n\r\n")
        answer = s.makefile("rb").read()  # read to EOF: the server closes after its 431
    assert answer.startswith(b"HTTP/1.1 431") and b"connection: close" in answer
    assert get(hport, "/healthz")[0] == 200  # still serving


def test_health_port_bounds_connections_and_slow_requests(served):
    _, hport = served
    time.sleep(0.2)  # earlier tests' connections are closed: let the listener see it
    held = [socket.create_connection(("127.0.0.1", hport), timeout=10) for _ in range(MAX_CONNECTIONS)]
    extra = socket.create_connection(("127.0.0.1", hport), timeout=10)
    assert extra.recv(1) == b""  # over the cap: closed at once, nothing served
    extra.close()
    held.pop().close()
    time.sleep(0.2)  # the listener notices the freed slot
    slow = socket.create_connection(("127.0.0.1", hport), timeout=REQUEST_TIMEOUT_S + 5)
    slow.sendall(b"GET /hea")  # a request that never completes (slow drip)
    t0 = time.monotonic()
    assert slow.recv(1) == b""  # closed by the request deadline
    assert time.monotonic() - t0 >= REQUEST_TIMEOUT_S - 1
    slow.close()
    for s in held:
        s.close()
    time.sleep(0.2)
    assert get(hport, "/healthz")[0] == 200


def test_readyz_on_the_health_port_says_not_ready_without_an_index(make_server, tmp_path):
    srv = make_server(index_dir=tmp_path / "no-index", health_port=free_port())
    main = get(srv.port, "/readyz")
    status, body, headers = get(srv.settings.health_port, "/readyz")
    assert (status, body) == (main[0], main[1]) and status == 503 and body["ready"] is False
    assert headers["retry-after"] == "5"
    assert get(srv.settings.health_port, "/healthz")[:2] == (200, {"ok": True})  # alive, not ready


def test_shutdown_closes_the_health_port_and_its_thread(make_server):
    srv = make_server(health_port=free_port())
    hport = srv.settings.health_port
    idle = socket.create_connection(("127.0.0.1", hport), timeout=10)  # an open keep-alive connection too
    assert get(hport, "/healthz")[0] == 200
    mine = f"shopmate-health-{hport}"
    assert any(t.name == mine for t in threading.enumerate())
    srv.stop()
    assert idle.recv(1) == b""  # closed by the server
    idle.close()
    assert not any(t.name == mine for t in threading.enumerate())
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", hport), timeout=2)
    with socket.socket() as s:  # free again for a restart (which rebinds over TIME_WAIT, as the listener does)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", hport))
        s.listen(1)


def test_a_taken_health_port_fails_start_up_with_a_clear_error(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        hport = taken.getsockname()[1]
        env = {
            **os.environ,
            "SHOPMATE_PORT": str(free_port()),
            "SHOPMATE_HEALTH_PORT": str(hport),
            "SHOPMATE_CATALOG": str(TINY_CATALOG),
            "SHOPMATE_MAPPING": str(FLIPKART_MAPPING),
            "SHOPMATE_INDEX_DIR": str(tmp_path / "no-index"),
            "SHOPMATE_DATA_DIR": str(tmp_path / "state"),
            "HF_HUB_OFFLINE": "1",
        }
        root = Path(__file__).resolve().parents[3]
        t0 = time.monotonic()
        out = subprocess.run(
            [sys.executable, "-m", "assistant"], cwd=root, env=env, capture_output=True, text=True, timeout=300
        )
    assert out.returncode != 0
    assert f"SHOPMATE_HEALTH_PORT={hport}: cannot listen on 127.0.0.1: Address already in use" in out.stderr
    print(f"failed start-up in {time.monotonic() - t0:.1f} s")


def test_health_port_setting_is_validated():
    assert Settings.from_env(env={}).health_port == 0  # off unless configured
    assert Settings.from_env(env={"SHOPMATE_HEALTH_PORT": "8081"}).health_port == 8081
    for bad in ("8000", "-1", "70000", "x"):
        with pytest.raises(SettingsError, match="SHOPMATE_HEALTH_PORT"):
            Settings.from_env(env={"SHOPMATE_HEALTH_PORT": bad})
