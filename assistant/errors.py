"""Specific error types raised anywhere in the app; `assistant.api.errors` turns them into responses."""

from __future__ import annotations


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
