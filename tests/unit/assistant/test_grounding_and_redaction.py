"""The assistant's guards as pure functions: grounded figures, secret masking, config diff."""

from __future__ import annotations

import logging

import pytest
from pydantic import SecretStr

from tradestack.assistant.config_diff import config_diff
from tradestack.assistant.grounding import numbers_in, ungrounded
from tradestack.assistant.redact import MASK, Redactor, guard_logging
from tradestack.config.loader import load_settings


def test_numbers_are_read_with_separators_signs_and_decimals() -> None:
    assert numbers_in("PnL +1,234.50 and -3.2 on BTC/USDT 2 times") == ["1234.50", "-3.2", "2"]


def test_a_figure_is_grounded_exactly_or_rounded_but_not_invented() -> None:
    sources = ['{"net_pnl": "123.456", "quantity": "0.25", "loss": "-7.5"}']
    assert ungrounded("PnL 123.46, held 0.25, lost -7.5, 3 trades in 2026", sources) == []
    assert ungrounded("PnL 123.5 and 999.1", sources) == ["999.1"]
    assert ungrounded("lost 7.5", sources) == ["7.5"]  # the sign is part of the figure


def test_redactor_masks_settings_secrets_and_secret_looking_environment() -> None:
    settings = load_settings(exchange_api_key=SecretStr("exchange-key-abcdef"))
    redactor = Redactor.from_settings(settings, {"MY_SERVICE_TOKEN": "tok-123456", "HOME": "/root"})
    text = "key exchange-key-abcdef token tok-123456 home /root"
    assert redactor.text(text) == f"key {MASK} token {MASK} home /root"
    assert redactor.data({"a": ["tok-123456", 5]}) == {"a": [MASK, 5]}


def test_guarded_logging_masks_secrets_in_every_logger(caplog: pytest.LogCaptureFixture) -> None:
    guard_logging(Redactor(["super-secret-value"]))
    caplog.set_level(logging.INFO)
    logging.getLogger("openai._base_client").info("header %s", "Bearer super-secret-value")
    logging.getLogger("anything.else").warning("super-secret-value")
    assert "super-secret-value" not in caplog.text and caplog.text.count(MASK) == 2
    guard_logging(Redactor([]))


def test_config_diff_lists_changed_keys_and_never_a_secret_value() -> None:
    settings = load_settings(
        risk={"daily_loss_limit_usd": "500"}, telegram={"token": "123:secret-telegram"}
    )
    changed = config_diff(settings)["changed"]
    assert changed["risk.daily_loss_limit_usd"] == "500"
    assert changed["telegram.token"] == "[set]"
    assert "secret-telegram" not in repr(changed)
    assert "risk.max_position_size_usd" not in changed
