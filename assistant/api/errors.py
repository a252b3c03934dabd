"""The one place where errors become responses: `{"error": {"code", "message"}}` with the error's status."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from assistant.errors import ShopmateError


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorBody(BaseModel):
    """Every 4xx/5xx answer: what went wrong and what to send instead."""

    error: ErrorDetail


WHY = {
    400: "malformed request: the body is not JSON, or the request line or headers are invalid",
    401: "bad or expired shopper token (or none where one is required)",
    403: "admin endpoint disabled or wrong admin token",
    404: "no such product",
    413: "request body over SHOPMATE_MAX_BODY_BYTES",
    422: "bad input: the message names the field",
    429: "rate limited: see Retry-After",
    503: "overloaded (see Retry-After) or the index is not loaded yet",
}


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` for the error statuses a route can answer."""
    return {c: {"model": ErrorBody, "description": WHY[c]} for c in codes}


ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {"type": "object", "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}
    },
}


def documented(*codes: int) -> dict[str, dict[str, Any]]:
    """OpenAPI `responses` entries for the error statuses of a route declared by hand (api/params.py)."""
    return {str(c): {"description": WHY[c], "content": {"application/json": {"schema": ERROR_SCHEMA}}} for c in codes}


def error_body(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(ShopmateError)
    async def _shopmate(_: Request, exc: ShopmateError) -> JSONResponse:
        headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after is not None else None
        return JSONResponse(error_body(exc.code, exc.message), status_code=exc.status, headers=headers)

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> JSONResponse:
        # the framework's own 400/404/405 (body not JSON, no such route...) in the same shape as ours
        code = {400: "bad_request", 404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return JSONResponse(error_body(code, str(exc.detail)), status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        parts = []
        for e in exc.errors():
            where = ".".join(str(x) for x in e.get("loc", []) if x not in ("query", "body", "path"))
            parts.append(f"{where or 'request'}: {e.get('msg')}")
        return JSONResponse(error_body("bad_input", "; ".join(parts)), status_code=422)
