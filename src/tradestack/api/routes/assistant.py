"""The assistant over HTTP: ask, list pending confirmations, confirm or reject, provider health.

Also, for the all-in-one shape (which has no service host), ``/ready`` with a
check per LLM provider and ``/metrics`` with the LLM figures.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from tradestack.api.deps import ActorDep, PlatformDep
from tradestack.api.errors import ApiError, Forbidden, RateLimited, error_responses
from tradestack.api.security import TraderDep, ViewerDep
from tradestack.assistant.confirmations import Confirmations, Proposal
from tradestack.assistant.engine import Assistant
from tradestack.assistant.factory import build_assistant, build_confirmations
from tradestack.assistant.toolkit import plain
from tradestack.auth.roles import Principal
from tradestack.errors import ConflictError, TradestackError
from tradestack.llm.errors import (
    AssistantOffError,
    BudgetExhaustedError,
    ConfirmationError,
    ConfirmationForbiddenError,
    LlmUnavailableError,
)
from tradestack.llm.metrics import LlmMetrics

router = APIRouter(prefix="/assistant", tags=["assistant"])
ops_router = APIRouter(tags=["system"], include_in_schema=False)  # like each service's own
T = TypeVar("T")


class Unavailable(ApiError):
    status, code = 503, "llm_unavailable"


class AssistantOff(ApiError):
    """Not a fault: this platform has no LLM configured (``llm.enabled`` is false)."""

    status, code = 409, "assistant_off"


class Question(BaseModel):
    question: str = Field(min_length=1, max_length=4_000)


def llm_metrics(request: Request) -> LlmMetrics:
    state = request.app.state
    if getattr(state, "llm_metrics", None) is None:
        state.llm_metrics = LlmMetrics()
    metrics: LlmMetrics = state.llm_metrics
    return metrics


async def get_assistant(request: Request, kernel: PlatformDep) -> Assistant:
    state = request.app.state
    if getattr(state, "assistant", None) is None:
        model = getattr(state, "llm_model", None)  # a test may put a scripted model here
        try:
            state.assistant = build_assistant(kernel, model=model, metrics=llm_metrics(request))
        except AssistantOffError as error:
            raise AssistantOff(str(error)) from None
    assistant: Assistant = state.assistant
    return assistant


async def get_confirmations(request: Request, kernel: PlatformDep) -> Confirmations:
    assistant = getattr(request.app.state, "assistant", None)
    if assistant is not None:
        confirmations: Confirmations = assistant.confirmations
        return confirmations
    return build_confirmations(kernel)


AssistantDep = Annotated[Assistant, Depends(get_assistant)]
ConfirmationsDep = Annotated[Confirmations, Depends(get_confirmations)]


async def _mapped(action: Awaitable[T]) -> T:
    try:
        return await action
    except BudgetExhaustedError as error:
        raise RateLimited(str(error)) from None
    except LlmUnavailableError as error:
        raise Unavailable(str(error)) from None
    except AssistantOffError as error:
        raise AssistantOff(str(error)) from None
    except ConfirmationForbiddenError as error:
        raise Forbidden(str(error)) from None
    except ConfirmationError as error:
        raise ConflictError(str(error)) from None


@router.post("", responses=error_responses(401, 403, 404, 409, 422, 429, 503))
async def ask(body: Question, _who: TraderDep, assistant: AssistantDep, actor: ActorDep) -> Any:
    """Ask in plain words; writes come back as proposals to confirm, never done."""
    answer = await _mapped(assistant.ask(body.question, actor=actor))
    return answer.as_dict()


@router.get("/confirmations", responses=error_responses(401, 403, 429))
async def pending(confirmations: ConfirmationsDep, _who: ViewerDep) -> list[dict[str, Any]]:
    """Proposals waiting for an answer, newest first."""
    return [plain(p) for p in await confirmations.pending()]


def _answer(
    decide: Callable[[Confirmations, str, Principal], Awaitable[Proposal]],
) -> Callable[..., Awaitable[Any]]:
    async def route(
        confirmation_id: str, principal: TraderDep, confirmations: ConfirmationsDep
    ) -> Any:
        return plain(await _mapped(decide(confirmations, confirmation_id, principal)))

    return route


router.post(
    "/confirmations/{confirmation_id}/confirm",
    responses=error_responses(401, 403, 404, 409, 429),
    summary="Confirm a proposal: run it once with its stored arguments (role of the action)",
)(_answer(lambda c, i, p: c.confirm(i, p, channel="api")))
router.post(
    "/confirmations/{confirmation_id}/reject",
    responses=error_responses(401, 403, 404, 409, 429),
    summary="Reject a proposal",
)(_answer(lambda c, i, p: c.reject(i, p, channel="api")))


@router.get("/health", responses=error_responses(401, 403, 429))
async def provider_health(request: Request, kernel: PlatformDep, _who: ViewerDep) -> Any:
    """The configured provider's last outcome, and today's budget."""
    return llm_status(request, kernel)


def llm_status(request: Request, kernel: Any) -> dict[str, Any]:
    return provider_status(kernel.settings, getattr(request.app.state, "assistant", None))


def provider_status(settings: Any, assistant: Assistant | None) -> dict[str, Any]:
    """The configured LLM provider's health and budget (``off`` until the assistant is used)."""
    llm = settings.llm
    if assistant is None:
        status = "off" if not llm.enabled else "unknown"
        return {
            "provider": llm.provider,
            "model": llm.model,
            "endpoint": llm.endpoint,
            "status": status,
            "budget": None,
        }
    client = assistant.client
    return {**client.health.as_dict(), "budget": client.budget.snapshot()}


@ops_router.get("/ready")
async def ready(request: Request, kernel: PlatformDep) -> JSONResponse:
    """Readiness: database, bus, and each LLM provider (``off`` and ``unknown`` do not fail)."""
    checks: dict[str, str] = {}
    try:
        await kernel.db.check(max_age_s=1.0)
        checks["database"] = "ok"
    except TradestackError as error:
        checks["database"] = str(error)
    checks["bus"] = "ok" if kernel.bus.health().get("connected") else "disconnected"
    llm = llm_status(request, kernel)
    llm_check = llm["status"] if llm["status"] not in ("off", "unknown") else "ok"
    checks[f"llm:{llm['provider']}"] = llm_check
    body = {"ready": all(v == "ok" for v in checks.values()), "checks": checks, "llm": [llm]}
    return JSONResponse(plain(body), status_code=200 if body["ready"] else 503)


@ops_router.get("/metrics")
async def metrics(request: Request) -> Response:
    """Prometheus: the LLM port's figures (requests, tokens, cost, latency, up)."""
    return Response(llm_metrics(request).render(), media_type="text/plain; version=0.0.4")
