"""Map our errors to one JSON error shape and a fitting HTTP status."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from tradestack.errors import (
    ConfigError,
    DatabaseUnavailableError,
    InvalidOrderTransitionError,
    NotFoundError,
    TradestackError,
)

log = logging.getLogger(__name__)

_STATUS: dict[type[TradestackError], tuple[int, str]] = {
    NotFoundError: (404, "not_found"),
    DatabaseUnavailableError: (503, "database_unavailable"),
    InvalidOrderTransitionError: (409, "invalid_transition"),
    ConfigError: (400, "invalid_request"),
}


def error_response(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": {"code": code, "message": message}})


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(TradestackError)
    async def _tradestack_error(_request: Request, error: TradestackError) -> JSONResponse:
        status, code = _STATUS.get(type(error), (400, "bad_request"))
        return error_response(status, code, str(error))

    @app.exception_handler(ValueError)
    async def _value_error(_request: Request, error: ValueError) -> JSONResponse:
        return error_response(422, "invalid_value", str(error))
