"""One JSON error shape for every failure: ``{"error": {"code", "message", "details"}}``.

Our own errors map to a fitting status; request validation names the field
that is wrong; anything unexpected is a 500 with no internals in the body
(the traceback goes to the log). Bad input never reaches that last case.
"""

from __future__ import annotations

import logging
from decimal import InvalidOperation
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from tradestack.api.schemas import ErrorResponse
from tradestack.errors import (
    BusTimeoutError,
    BusUnavailableError,
    ConfigError,
    ConflictError,
    DatabaseUnavailableError,
    InvalidOrderTransitionError,
    NotFoundError,
    ServiceUnavailableError,
    TradestackError,
)

log = logging.getLogger(__name__)

_STATUS: dict[type[TradestackError], tuple[int, str]] = {
    NotFoundError: (404, "not_found"),
    DatabaseUnavailableError: (503, "database_unavailable"),
    InvalidOrderTransitionError: (409, "invalid_transition"),
    ConflictError: (409, "conflict"),
    ConfigError: (400, "invalid_request"),
    ServiceUnavailableError: (503, "service_unavailable"),
    BusTimeoutError: (503, "service_unavailable"),
    BusUnavailableError: (503, "service_unavailable"),
}
# Retry-After (seconds) of 503 answers whose error does not carry its own hint.
RETRY_AFTER_S = 5
_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}
_DESCRIPTIONS = {
    400: "invalid request for the current configuration",
    401: "missing, malformed, unknown or revoked bearer token",
    403: "the token's role is too weak for this route",
    404: "no such resource",
    409: "the request conflicts with the current state",
    422: "invalid parameter or body; the message and details name the field",
    429: "rate limit of the token exceeded; see Retry-After",
    503: "database or a needed service unavailable (draining, not answering); see Retry-After",
}


class ApiError(Exception):
    """An error raised by the API layer itself (authentication, authorisation, rate limits)."""

    status = 400
    code = "bad_request"

    def __init__(
        self, message: str, *, details: Any = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        self.headers = headers


class Unauthorized(ApiError):
    status, code = 401, "unauthorized"

    def __init__(self, message: str) -> None:
        super().__init__(message, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(ApiError):
    status, code = 403, "forbidden"


class RateLimited(ApiError):
    status, code = 429, "rate_limited"


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for ``statuses``, all in the one error shape."""
    return {
        status: {"model": ErrorResponse, "description": _DESCRIPTIONS.get(status, "error")}
        for status in statuses
    }


def error_response(
    status: int,
    code: str,
    message: str,
    details: Any = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "details": details}}
    return JSONResponse(status_code=status, content=body, headers=headers)


def _field(location: tuple[Any, ...]) -> str:
    parts = [str(p) for p in location]
    if parts and parts[0] in {"query", "path", "body", "header", "cookie"}:
        parts = parts[1:]
    return ".".join(parts) or "body"


def _validation_details(error: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {
            "field": _field(tuple(item.get("loc", ()))),
            "location": str(item["loc"][0]) if item.get("loc") else "body",
            "message": item.get("msg", "invalid"),
            "type": item.get("type", "value_error"),
        }
        for item in error.errors()
    ]


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(TradestackError)
    async def _tradestack_error(_request: Request, error: TradestackError) -> JSONResponse:
        status, code = next(
            (found for kind, found in _STATUS.items() if isinstance(error, kind)),
            (400, "bad_request"),
        )
        headers = None
        if status == 503 and code == "service_unavailable":
            retry_after_s = getattr(error, "retry_after_s", RETRY_AFTER_S)
            headers = {"Retry-After": str(retry_after_s)}
        return error_response(status, code, str(error), headers=headers)

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, error: ApiError) -> JSONResponse:
        return error_response(error.status, error.code, error.message, error.details, error.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(_request: Request, error: RequestValidationError) -> JSONResponse:
        details = _validation_details(error)
        message = "; ".join(f"{d['field']}: {d['message']}" for d in details[:3])
        return error_response(422, "validation_error", message or "invalid request", details)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(error.status_code, "error")
        message = error.detail if isinstance(error.detail, str) else code.replace("_", " ")
        return error_response(error.status_code, code, message, headers=error.headers)

    @app.exception_handler(ValueError)
    async def _value_error(_request: Request, error: ValueError) -> JSONResponse:
        return error_response(422, "invalid_value", str(error))

    @app.exception_handler(InvalidOperation)
    async def _bad_number(_request: Request, _error: InvalidOperation) -> JSONResponse:
        return error_response(422, "invalid_value", "a number in the request is not valid")

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=error)
        return error_response(500, "internal_error", "internal error; the server log has details")
