"""Shared session fixtures: the real model, the tiny catalog, one built index, one live uvicorn server."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest
import uvicorn

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from assistant.api.app import create_app
from assistant.search.engine import SearchEngine
from assistant.settings import ROOT, Settings
from index.build import build_index
from index.catalog import Mapping, load_catalog
from index.embedder import Embedder
from index.store import load_index
from tests.tree_guard import pytest_sessionfinish, pytest_sessionstart  # noqa: F401  (hooks: no test writes tracked files)

TINY_CATALOG = ROOT / "data" / "catalog" / "tiny.csv"
FLIPKART_MAPPING = ROOT / "data" / "catalog" / "flipkart.mapping.json"


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The real all-MiniLM-L6-v2, loaded once per test session."""
    return Embedder()


@pytest.fixture(scope="session")
def mapping() -> Mapping:
    return Mapping.load(FLIPKART_MAPPING)


@pytest.fixture(scope="session")
def tiny_products(mapping):
    return load_catalog(TINY_CATALOG, mapping).products


@pytest.fixture(scope="session")
def tiny_index_dir(tmp_path_factory, embedder, mapping) -> Path:
    """The tiny catalog built once; tests that modify an index copy it first (see copy_index)."""
    d = tmp_path_factory.mktemp("index")
    build_index(TINY_CATALOG, d, embedder, mapping)
    return d


@pytest.fixture(scope="session")
def engine(tiny_index_dir, embedder) -> SearchEngine:
    return SearchEngine(load_index(tiny_index_dir, embedder.name, embedder.dim), embedder)


@pytest.fixture
def copy_index(tiny_index_dir, tmp_path):
    """A private copy of the built tiny index, for tests that rebuild or break it."""

    def make() -> Path:
        dst = tmp_path / "index"
        shutil.copytree(tiny_index_dir, dst)
        return dst

    return make


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """A real uvicorn server in a background thread of the test process (shares the loaded model)."""

    def __init__(self, settings: Settings, embedder: Embedder):
        self.settings = settings
        self.app = create_app(settings, embedder=embedder)
        self.port = settings.port
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=self.port, log_level="warning", access_log=False, ws_max_size=1 << 20
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> LiveServer:
        self.thread.start()
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if httpx.get(self.base_url + "/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("test server did not start")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


@pytest.fixture(scope="session")
def make_server(tiny_index_dir, embedder, tmp_path_factory):
    """Start extra live servers with their own settings (own state dir); all stopped at session end."""
    started: list[LiveServer] = []

    def make(**overrides) -> LiveServer:
        base = {
            "index_dir": tiny_index_dir,
            "catalog": TINY_CATALOG,
            "mapping": FLIPKART_MAPPING,
            "data_dir": tmp_path_factory.mktemp("state"),
            "port": free_port(),
            "admin_token": "test-admin",
        }
        base.update(overrides)
        srv = LiveServer(Settings.from_env(env={}, **base), embedder).start()
        started.append(srv)
        return srv

    yield make
    for srv in started:
        srv.stop()


@pytest.fixture(scope="session")
def live_server(make_server) -> LiveServer:
    """The one shared server over the tiny index; most API tests use it.

    Every test talks to it from 127.0.0.1, so per-client rate limits would make tests depend on each other's
    pace: they are off here and tested on servers of their own (tests/assistant/api/test_hardening.py)."""
    return make_server(rate_sessions="", rate_events="", rate_chat="")


@pytest.fixture(scope="session")
def client(live_server):
    with httpx.Client(base_url=live_server.base_url, timeout=30) as c:
        yield c
