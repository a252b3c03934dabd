"""The one place where errors become responses: `{"error": {"code", "message"}}` with the error's status."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from assistant.errors import ShopmateError


def error_body(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(ShopmateError)
    async def _shopmate(_: Request, exc: ShopmateError) -> JSONResponse:
        return JSONResponse(error_body(exc.code, exc.message), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        parts = []
        for e in exc.errors():
            where = ".".join(str(x) for x in e.get("loc", []) if x not in ("query", "body", "path"))
            parts.append(f"{where or 'request'}: {e.get('msg')}")
        return JSONResponse(error_body("bad_input", "; ".join(parts)), status_code=422)
