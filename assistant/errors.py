"""Specific error types raised anywhere in the app; `assistant.api.errors` turns them into responses."""

from __future__ import annotations


class ShopmateError(Exception):
    """Base: a message that tells the caller what to do, and an HTTP status."""

    status = 400
    code = "bad_request"
    retry_after: int | None = None  # seconds; sent as Retry-After when set

    def __init__(self, message: str, retry_after: int | None = None):
        super().__init__(message)
        self.message = message
        if retry_after is not None:
            self.retry_after = retry_after


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


class PayloadTooLarge(ShopmateError):
    status, code = 413, "too_large"


class TooManyRequests(ShopmateError):
    status, code = 429, "rate_limited"
