"""The FastAPI app: wires settings, services and the routers; `python -m assistant` serves it."""
from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from assistant import api_catalog
from assistant.errors import install_handlers
from assistant.services import Services
from assistant.settings import ROOT, Settings
from index.embedder import Embedder

WEB_DIR = ROOT / "web"


def create_app(settings: Settings | None = None, embedder: Embedder | None = None) -> FastAPI:
    """Build the app. Pass an embedder to share one model between apps (tests do)."""
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        svc = Services(settings, embedder or Embedder(batch_size=settings.embed_batch_size))
        svc.try_initial_load()
        app.state.services = svc
        yield

    app = FastAPI(title="shopmate", version="0.1.0", lifespan=lifespan,
                  description="Conversational shopping assistant: search, personalization, chat.")
    app.state.settings = settings
    install_handlers(app)
    app.include_router(api_catalog.router)

    @app.get("/", include_in_schema=False)
    def home():
        page = WEB_DIR / "index.html"
        if page.exists():
            return FileResponse(page)
        return JSONResponse({"docs": "/docs", "search": "/api/search?q=shoes"})

    if Path(WEB_DIR).is_dir():
        app.mount("/web", StaticFiles(directory=WEB_DIR), name="web")
    return app


def main() -> None:
    import uvicorn

    settings = Settings.from_env()
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    print(f"shopmate serving on http://{settings.host}:{settings.port}/  (API docs: /docs)", flush=True)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level=settings.log_level,
                access_log=False)  # access logs would carry shoppers' queries and tokens


if __name__ == "__main__":
    main()
