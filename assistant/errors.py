"""Specific error types, turned into HTTP responses in one place (install_handlers)."""
from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse


class ShopmateError(Exception):
    """Base: a message that tells the caller what to do, and an HTTP status."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class BadInput(ShopmateError):
    status, code = 422, "bad_input"


class NotFound(ShopmateError):
    status, code = 404, "not_found"


class Unauthorized(ShopmateError):
    status, code = 401, "unauthorized"


class Forbidden(ShopmateError):
    status, code = 403, "forbidden"


class Unavailable(ShopmateError):
    status, code = 503, "unavailable"


def error_body(code: str, message: str) -> dict:
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
