"""What differs between exchanges behind ccxt: client order id rules and how to look one up.

ccxt unifies most calls, but not everything: each exchange names its client
order id differently, limits its length and characters, and not every one can
fetch an order by it. The table below records what this project relies on;
an exchange outside it gets conservative generic notes.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from typing import Literal

_NAMESPACE = uuid.UUID("6f1c1f0e-4d3b-5d61-9a9e-1b7b3c2a5e10")


@dataclass(frozen=True, slots=True)
class ClientIdFormat:
    """The client order ids an exchange accepts; ours are re-encoded to fit, deterministically.

    The same order always maps to the same venue id, so a resend carries the
    same id and an exchange that enforces uniqueness refuses a duplicate.
    """

    max_length: int
    allowed: str = "A-Za-z0-9_-"
    """A regex character class (without brackets)."""
    uuid: bool = False
    """The exchange wants a UUID: ours is mapped through uuid5 (ownership then cannot show)."""

    def encode(self, client_order_id: str) -> str:
        if self.uuid:
            return str(uuid.uuid5(_NAMESPACE, client_order_id))
        if re.fullmatch(f"[{self.allowed}]{{1,{self.max_length}}}", client_order_id):
            return client_order_id
        trader = client_order_id.rsplit("-", 1)[0]
        digest = hashlib.sha256(client_order_id.encode()).hexdigest()
        return (self.prefix(trader) + digest)[: self.max_length]

    def prefix(self, trader_id: str) -> str:
        """Return the start of a re-encoded id of this trader (up to a third of the length)."""
        kept = re.sub(f"[^{self.allowed}]", "", trader_id)[: self.max_length // 3]
        separator = "-" if re.fullmatch(f"[{self.allowed}]", "-") else "x"
        return kept + separator

    def owned_by(self, venue_client_id: str | None, trader_id: str) -> bool:
        """Whether a venue's client id shows the order was placed by ``trader_id``."""
        if venue_client_id is None or self.uuid:
            return False
        return venue_client_id.startswith((f"{trader_id[:24]}-", self.prefix(trader_id)))


@dataclass(frozen=True, slots=True)
class ExchangeNotes:
    client_id_param: str
    """The create_order parameter that ccxt forwards as the exchange's client id."""
    client_id_format: ClientIdFormat
    lookup: Literal["fetch_order", "scan"]
    """fetch_order: ask for the order by client id; scan: list orders and match the id."""
    lookup_param: str | None = None
    """fetch_order: the param carrying the client id; scan: a filter param, if any."""
    needs_password: bool = False
    fill_window_hours: int | None = None
    """The longest span one trades query may cover; older ``since`` is read window by window."""
    note: str = ""


EXCHANGES: dict[str, ExchangeNotes] = {
    "binance": ExchangeNotes(
        "clientOrderId",
        ClientIdFormat(36, r".A-Z:/a-z0-9_-"),
        "fetch_order",
        "clientOrderId",
        fill_window_hours=24,
        note="sent as newClientOrderId; looked up with origClientOrderId; myTrades answers "
        "at most 24 hours from startTime",
    ),
    "bybit": ExchangeNotes(
        "clientOrderId",
        ClientIdFormat(36),
        "scan",
        "orderLinkId",
        note="sent as orderLinkId; fetchOrder only sees the last 500 orders, so open and "
        "closed orders are listed filtered by orderLinkId",
    ),
    "okx": ExchangeNotes(
        "clientOrderId",
        ClientIdFormat(32, "A-Za-z0-9"),
        "fetch_order",
        "clientOrderId",
        needs_password=True,
        note="sent as clOrdId (1-32 letters and digits); looked up with clOrdId",
    ),
    "kraken": ExchangeNotes(
        "clientOrderId",
        ClientIdFormat(36, uuid=True),
        "scan",
        note="sent as cl_ord_id (a UUID); ccxt's fetchOrder maps clientOrderId to the numeric "
        "userref, so open and closed orders are listed and matched",
    ),
    "coinbase": ExchangeNotes(
        "client_order_id",
        ClientIdFormat(36, uuid=True),
        "scan",
        note="ccxt replaces a unified clientOrderId with its own, so client_order_id is sent "
        "raw; orders are listed and matched",
    ),
    "kucoin": ExchangeNotes(
        "clientOrderId",
        ClientIdFormat(40),
        "fetch_order",
        "clientOrderId",
        needs_password=True,
        note="sent and looked up as clientOid",
    ),
    "bitget": ExchangeNotes(
        "clientOrderId",
        ClientIdFormat(40),
        "fetch_order",
        "clientOrderId",
        needs_password=True,
        note="sent and looked up as clientOid",
    ),
}

GENERIC = ExchangeNotes(
    "clientOrderId",
    ClientIdFormat(32, "A-Za-z0-9"),
    "scan",
    note="not reviewed: unified clientOrderId, letters and digits, orders listed and matched",
)


def notes_for(exchange_id: str) -> ExchangeNotes:
    return EXCHANGES.get(exchange_id, GENERIC)
