"""The FastAPI app: wires settings, services and the routers; `python -m assistant` serves it."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio.to_thread
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from assistant.api import catalog, chat, looks, shoppers, suggest
from assistant.api.errors import install_handlers
from assistant.api.guards import ConnectionCaps, RateLimits, keep_tokens_out_of_logs, parse_origins
from assistant.api.health import HealthListener
from assistant.api.middleware import BodyGuard, CatchAll, IdleTrim, LoadShedder
from assistant.api.params import document
from assistant.errors import NotFound
from assistant.heap import IdleTrimmer
from assistant.services import Services
from assistant.settings import ROOT, Settings, SettingsError
from index.embedder import Embedder

WEB_DIR = ROOT / "web"


def create_app(settings: Settings | None = None, embedder: Embedder | None = None) -> FastAPI:
    """Build the app. Pass an embedder to share one model between apps (tests do)."""
    settings = settings or Settings.from_env()
    keep_tokens_out_of_logs()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # First, so that the orchestrator sees the process alive (and not ready) while the index loads, and a
        # taken port fails start-up before the model is loaded.
        health = None
        if settings.health_port:
            health = HealthListener(app.state, settings.host, settings.health_port).start()
        try:
            limit_compute_threads(settings.compute_threads)
            model = embedder or Embedder(
                batch_size=settings.embed_batch_size, encoder=settings.encoder, threads=settings.compute_threads
            )
            # Through anyio, not asyncio.to_thread: its asyncio backend is imported lazily by the first sync
            # route (a search), and that import ran on the event loop for ~100 ms in the middle of the first
            # burst (profiled), delaying every request and probe queued behind it. Paid here, before serving.
            svc = await anyio.to_thread.run_sync(Services.start, settings, model)
            app.state.services = svc
            try:
                yield
            finally:
                await asyncio.to_thread(svc.close)  # drains queued writes before the process exits
        finally:
            if health is not None:
                await asyncio.to_thread(health.stop)  # joins its thread and closes its sockets

    app = FastAPI(
        title="shopmate",
        version="0.1.0",
        lifespan=lifespan,
        description="Conversational shopping assistant: search, personalization, chat.",
    )
    app.state.settings = settings
    app.state.origins = parse_origins(settings.cors_origins)  # also the websocket's Origin allow-list
    app.state.ws_caps = ConnectionCaps(settings.ws_max_connections, settings.ws_max_connections_per_client)
    app.state.rate_limits = RateLimits(
        {"sessions": settings.rate_sessions, "events": settings.rate_events, "chat": settings.rate_chat}
    )
    install_handlers(app)
    # Added innermost first: CatchAll wraps everything, CORS headers reach the guards' 4xx/503 answers.
    app.add_middleware(BodyGuard, max_body_bytes=settings.max_body_bytes, max_depth=settings.max_json_depth)
    app.add_middleware(
        LoadShedder,
        limit=settings.shed_max_concurrent,
        retry_after_s=settings.shed_retry_after_s,
        queue=settings.shed_queue,
        max_wait_s=settings.shed_max_wait_s,
    )
    origins = [o.strip() for o in settings.cors_origins.split(",") if o.strip()]
    if origins:  # the widget runs on the shop's pages, the API on another origin
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["*"],
            allow_headers=["*"],
            allow_credentials=False,
            max_age=600,
            expose_headers=["Retry-After"],
        )
    # Whatever served the work (shed or not, REST or chat), an idle server gives freed heap pages back.
    app.state.heap_trimmer = IdleTrimmer(interval_s=settings.heap_trim_interval_s)
    app.add_middleware(IdleTrim, trimmer=app.state.heap_trimmer)
    app.add_middleware(CatchAll)
    app.include_router(catalog.router)
    app.include_router(suggest.router)
    # plain Starlette routes (speed): FastAPI cannot list them itself
    document(app, {"/api/search": {"get": catalog.OPENAPI_SEARCH}, "/api/autocomplete": {"get": suggest.OPENAPI_GET}})
    app.include_router(shoppers.router)
    app.include_router(chat.router)
    app.include_router(looks.router)

    @app.get("/", include_in_schema=False)
    def home():
        page = WEB_DIR / "index.html"
        if page.exists():
            return FileResponse(page)
        return JSONResponse({"docs": "/docs", "search": "/api/search?q=shoes"})

    @app.get("/widget.js", include_in_schema=False)
    def widget_script():
        # The one-tag embed: a tiny loader that imports the widget's ES modules from /web/widget/.
        script = WEB_DIR / "widget.js"
        if not script.exists():
            raise NotFound("the web widget is not installed in this build (web/widget.js is missing)")
        return FileResponse(script, media_type="text/javascript", headers={"Cache-Control": "no-cache"})

    if Path(WEB_DIR).is_dir():
        app.mount("/web", StaticFiles(directory=WEB_DIR), name="web")
    return app


def limit_compute_threads(n: int) -> None:
    """Per-request work is small (one query, a few hundred × 384 products): more threads than 1 mostly
    spin-wait against the other requests for the cores (measured: a reranker matmul 12 ms → 0.2 ms, a
    query embedding 300 ms → 10 ms on 2 shared cores with another busy process)."""
    import sys

    from threadpoolctl import threadpool_limits

    from index.vectors import set_search_threads

    threadpool_limits(limits=max(1, n), user_api="blas")
    # FAISS's OpenMP threads likewise: one query's exact search at 20k takes ~4× longer on 2 threads than on 1
    # when the cores are shared (measured: 20k vectors, k=200, p50 96 ms on 2 threads against 25 ms on 1).
    # Per searching thread (OpenMP's setting is per thread; searches run in worker threads): index/vectors.py.
    set_search_threads(max(1, n))
    torch = sys.modules.get("torch")  # the encoder sets its own threads; an ONNX server never imports torch
    if torch is not None:
        torch.set_num_threads(max(1, n))


def server_options(settings: Settings) -> dict[str, Any]:
    """uvicorn options that belong to the app's limits (main() and the hardening tests use the same)."""
    return {
        "host": settings.host,
        "port": settings.port,
        "log_level": settings.log_level,
        "access_log": False,  # access logs would carry shoppers' queries
        # Frames over this (after inflating, for permessage-deflate: websockets bounds the decompressor
        # by it too) are refused with close 1009 before the app buffers them.
        "ws_max_size": settings.ws_max_message_bytes,
        "ws_per_message_deflate": True,
    }


def main() -> None:
    import uvicorn

    try:
        settings = Settings.from_env()
        settings.require_files("nudges_file", "outfit_rules", "outfit_palette")
    except SettingsError as e:
        sys.exit(f"shopmate: {e}")  # one line on stderr, exit status 1; no traceback for a configuration mistake
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG
    print(f"shopmate serving on http://{settings.host}:{settings.port}/  (API docs: /docs)", flush=True)
    if settings.health_port:
        print(f"probes on http://{settings.host}:{settings.health_port}/healthz and /readyz", flush=True)
    uvicorn.run(create_app(settings), **server_options(settings))


if __name__ == "__main__":
    main()
