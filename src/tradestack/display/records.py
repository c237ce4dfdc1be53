"""Display fields of the records a trader reads (closed trades, figures), built from one format."""

from __future__ import annotations

from tradestack.analytics.results import GroupFigures
from tradestack.display import format as fmt
from tradestack.portfolio.trades import Trade


def trade_fields(trade: Trade) -> dict[str, str]:
    """The strings the CLI and the dashboard show for a closed trade."""
    return {
        "entry_time": fmt.timestamp(trade.entry_time),
        "exit_time": fmt.timestamp(trade.exit_time),
        "entry_price": fmt.price(trade.entry_price),
        "exit_price": fmt.price(trade.exit_price),
        "quantity": fmt.quantity(trade.size),
        "gross_pnl": fmt.money(trade.gross_pnl, sign=True),
        "fees": fmt.money(trade.fees),
        "net_pnl": fmt.money(trade.pnl, sign=True),
        "profit_pct": fmt.percent(trade.return_pct, sign=True),
        "duration": fmt.duration(trade.duration),
    }


def figure_fields(group: GroupFigures) -> dict[str, str]:
    """The strings shown for a symbol's, strategy's or trader's closed-trade figures."""
    return {
        "net_pnl": fmt.money(group.net_pnl, sign=True),
        "gross_pnl": fmt.money(group.gross_pnl, sign=True),
        "fees": fmt.money(group.fees),
        "win_rate": fmt.percent(None if group.win_rate is None else group.win_rate * 100),
        "profit_factor": fmt.fixed(group.profit_factor, 2),
        "average_profit_pct": fmt.percent(group.average_profit_pct, sign=True),
        "average_duration": fmt.duration(group.average_duration_s),
    }
