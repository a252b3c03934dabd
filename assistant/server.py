"""The FastAPI app: wires settings, services and the routers; `python -m assistant` serves it."""
from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from assistant import api_catalog, api_profiles
from assistant import api_chat
from assistant import api_autocomplete
from assistant import api_outfits
from assistant.errors import NotFound, install_handlers
from assistant.services import Services
from assistant.settings import ROOT, Settings
from index.embedder import Embedder

WEB_DIR = ROOT / "web"


def create_app(settings: Settings | None = None, embedder: Embedder | None = None) -> FastAPI:
    """Build the app. Pass an embedder to share one model between apps (tests do)."""
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        limit_compute_threads(settings.compute_threads)
        svc = Services(settings, embedder or Embedder(batch_size=settings.embed_batch_size))
        svc.try_initial_load()
        app.state.services = svc
        stop_profiles = start_profiles(app, svc)
        yield
        stop_profiles()

    app = FastAPI(title="shopmate", version="0.1.0", lifespan=lifespan,
                  description="Conversational shopping assistant: search, personalization, chat.")
    app.state.settings = settings
    install_handlers(app)
    origins = [o.strip() for o in settings.cors_origins.split(",") if o.strip()]
    if origins:  # the widget runs on the shop's pages, the API on another origin
        app.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=["*"], allow_headers=["*"],
                           allow_credentials=False, max_age=600)
    app.include_router(api_catalog.router)
    app.include_router(api_autocomplete.router)
    api_autocomplete.document(app)  # its GET route is plain Starlette (speed), so FastAPI cannot list it
    app.include_router(api_profiles.router)
    app.include_router(api_chat.router)
    app.include_router(api_outfits.router)

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
    import torch
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=max(1, n), user_api="blas")
    torch.set_num_threads(max(1, n))


def start_profiles(app: FastAPI, svc: Services):
    """Shopper profiles: the SQLite event store, in-memory profiles, the personalize hook, segment refresh."""
    from assistant.recommend import install_personalize
    from assistant.segments import SegmentScheduler
    from assistant.shoppers import Shoppers

    svc.shoppers = Shoppers(svc.settings, lambda: svc.engine, svc.embedder.encode_query)
    install_personalize(app)
    scheduler = SegmentScheduler(svc.shoppers, lambda: svc.engine, svc.settings.segments_refresh_s)

    def stop() -> None:
        scheduler.stop()
        svc.shoppers.close()  # drains queued writes before the process exits
    return stop


def main() -> None:
    import uvicorn

    settings = Settings.from_env()
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG
    print(f"shopmate serving on http://{settings.host}:{settings.port}/  (API docs: /docs)", flush=True)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level=settings.log_level,
                access_log=False)  # access logs would carry shoppers' queries and tokens


if __name__ == "__main__":
    main()
