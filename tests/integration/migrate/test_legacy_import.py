"""Legacy import from CSV exports and from an older database, with bad rows reported one by one."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import BACKENDS
from tradestack.errors import ConfigError
from tradestack.migrate.legacy.importer import ImportReport, import_legacy
from tradestack.migrate.legacy.mapping import load_mapping
from tradestack.storage.database import Database
from tradestack.storage.tables import balances, fills, orders, positions, signals

backends = pytest.mark.parametrize("empty_database_url", BACKENDS, indirect=True)

ORDERS = """id,symbol,side,type,quantity,price,status,filled,created_at
1,BTC/USDT,buy,market,0.5,,filled,0.5,2024-03-01 10:00:00
2,BTC/USDT,sell,limit,0.25,45000.5,cancelled,0,2024-03-01T11:00:00Z
3,ETH/USDT,hold,market,1,,filled,1,2024-03-01 12:00:00
4,ETH/USDT,buy,market,abc,,filled,0,2024-03-01 12:00:00
5,,buy,market,1,,new,0,2024-03-01 12:00:00
2,BTC/USDT,sell,limit,0.25,45000.5,cancelled,0,2024-03-01T11:00:00Z
6,ETH/USDT,buy,limit,2,3000,partially_filled,3,1709294400000
7,ETH/USDT,BUY,LIMIT,2,3000,open,1,1709294400
"""
TRADES = """trade_id,order_id,symbol,side,amount,price,commission,timestamp
t1,1,BTC/USDT,buy,0.5,44000,0.022,2024-03-01 10:00:01
t2,7,ETH/USDT,buy,1,3000,0,2024-03-01 10:00:02
"""
BALANCES = """trader_id,currency,free,locked,timestamp
,USDT,10000.5,250,2024-03-01 00:00:00
alice,BTC,0.75,,2024-03-01 00:00:00
alice,ETH,-1,0,2024-03-01 00:00:00
"""
POSITIONS = """symbol,side,size,entry_price,pnl,timestamp
BTC/USDT,long,0.5,44000,12.5,2024-03-01 10:00:00
ETH/USDT,short,2,3000,-4,2024-03-01 10:00:00
"""
SIGNALS = """id,symbol,action,confidence,price,timestamp
1,BTC/USDT,long,0.8,44000,2024-03-01 09:59:00
2,BTC/USDT,exit,1.5,44100,2024-03-01 10:59:00
3,ETH/USDT,short,0.6,3000,2024-03-01 11:59:00
"""
FILES = {
    "orders": ORDERS,
    "trades": TRADES,
    "balances": BALANCES,
    "positions": POSITIONS,
    "signals": SIGNALS,
}


@pytest.fixture
def exports(tmp_path: Path) -> Path:
    folder = tmp_path / "exports"
    folder.mkdir()
    for name, text in FILES.items():
        (folder / f"{name}.csv").write_text(text)
    return folder


def _by_table(report: ImportReport) -> dict[str, object]:
    return {t.table: t for t in report.tables}


@backends
async def test_csv_import_maps_fields_and_reports_every_bad_row(
    database: Database, exports: Path
) -> None:
    report = await import_legacy(str(exports), database.url, load_mapping())
    tables = _by_table(report)

    orders_report = tables["orders"]
    assert (orders_report.source_rows, orders_report.imported) == (8, 3)
    reasons = {(r.row, r.reason) for r in orders_report.rejected}
    assert (4, "side: 'hold' has no mapping") in reasons
    assert (5, "quantity: 'abc' is not a valid decimal") in reasons
    assert (6, "symbol: no value in symbol") in reasons
    assert (7, "duplicate of row 3 (same original id)") in reasons
    assert (8, "filled_quantity is above quantity") in reasons
    assert orders_report.accounted
    assert orders_report.target_statuses == {"FILLED": 1, "CANCELED": 1, "SUBMITTED": 1}
    assert tables["balances"].source_totals["USDT"] == Decimal("10250.5")
    assert tables["balances"].target_totals == {"USDT": Decimal("10250.5"), "BTC": Decimal("0.75")}
    assert [r.reason for r in tables["signals"].rejected] == ["confidence 1.5 is outside 0..1"]
    assert len(report.rejected) == 5 + 1 + 1

    async with database.read() as connection:
        first = (
            await connection.execute(select(orders).where(orders.c.client_order_id == "legacy-1"))
        ).one()
        assert (first.side, first.type, first.trader_id, first.status) == (
            "BUY",
            "MARKET",
            "default",
            "FILLED",
        )
        assert first.created_at.isoformat() == "2024-03-01T10:00:00+00:00"
        fill = (await connection.execute(select(fills))).all()
        assert {f.client_order_id for f in fill} == {"legacy-1", "legacy-7"}
        short = (
            await connection.execute(select(positions).where(positions.c.symbol == "ETH/USDT"))
        ).one()
        assert short.quantity == Decimal(-2)
        assert {s.side for s in (await connection.execute(select(signals))).all()} == {
            "BUY",
            "SELL",
        }
        assert len((await connection.execute(select(balances))).all()) == 2


@backends
async def test_running_the_import_again_adds_nothing(database: Database, exports: Path) -> None:
    await import_legacy(str(exports), database.url, load_mapping())
    again = await import_legacy(str(exports), database.url, load_mapping())
    for table in again.tables:
        assert table.imported == 0 and table.accounted, table
    tables = _by_table(again)
    assert tables["orders"].already == 3 and tables["signals"].already == 2
    async with database.read() as connection:
        assert len((await connection.execute(select(signals))).all()) == 2


@backends
async def test_import_from_an_older_database(
    database: Database, exports: Path, tmp_path: Path
) -> None:
    legacy = tmp_path / "legacy.db"
    with sqlite3.connect(legacy) as connection:
        connection.execute(
            "CREATE TABLE orders (id INTEGER, symbol TEXT, side TEXT, type TEXT,"
            " quantity REAL, price REAL, status TEXT, filled REAL, created_at TEXT)"
        )
        connection.executemany(
            "INSERT INTO orders VALUES (?,?,?,?,?,?,?,?,?)",
            [
                (1, "BTC/USDT", "buy", "market", 0.5, None, "filled", 0.5, "2024-03-01 10:00:00"),
                (2, "BTC/USDT", "sell", "stop", 1.0, 40000.0, "weird", 0, "2024-03-01 10:00:00"),
            ],
        )
    report = await import_legacy(f"sqlite+aiosqlite:///{legacy}", database.url, load_mapping())
    tables = _by_table(report)
    assert tables["orders"].imported == 1 and not tables["fills"].found
    assert [r.reason for r in tables["orders"].rejected] == ["status: 'weird' has no mapping"]


def test_mapping_errors_name_the_key(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    head = "tables:\n  orders:\n    source: o\n    original_id: id\n    columns:\n"
    path.write_text(head + "      colour: {from: c}\n")
    with pytest.raises(ConfigError, match="tables.orders.columns.colour"):
        load_mapping(path)
    path.write_text(
        "tables:\n  orders:\n    original_id: id\n    columns:\n      side: {from: s, typo: 1}\n"
    )
    with pytest.raises(ConfigError, match="unknown rule key typo"):
        load_mapping(path)
