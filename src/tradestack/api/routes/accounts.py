"""Balances of every trader's account: cash and holdings per asset, and live equity."""

from __future__ import annotations

from decimal import Decimal

from fastapi import APIRouter

from tradestack.api.deps import PlatformDep
from tradestack.api.errors import error_responses
from tradestack.api.schemas import AccountOut, AccountsBalance, BalanceOut
from tradestack.portfolio.queries import find_balances

router = APIRouter(prefix="/accounts", tags=["trading"])


@router.get(
    "/balance", response_model=AccountsBalance, responses=error_responses(401, 403, 422, 429)
)
async def get_balance(kernel: PlatformDep, trader_id: str | None = None) -> AccountsBalance:
    """Per trader: each asset's free, locked and total amount; equity while the trader runs."""
    stored = await find_balances(kernel.db, trader_id=trader_id)
    equity: dict[str, Decimal] = {
        trader_id: summary["equity"]
        for trader_id, summary in (await kernel.traders.summaries()).items()
    }
    return AccountsBalance(
        accounts=[
            AccountOut(
                trader_id=owner,
                balances=[
                    BalanceOut(asset=asset, free=free, locked=locked, total=free + locked)
                    for asset, (free, locked) in sorted(assets.items())
                ],
                equity=equity.get(owner),
            )
            for owner, assets in sorted(stored.items())
        ]
    )
