"""A YAML syntax error is reported as one line naming the problem and its position."""

from __future__ import annotations

from pathlib import Path

import pytest

from tradestack.config.loader import load_settings
from tradestack.errors import ConfigError


def test_malformed_yaml_is_one_line_with_its_position(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("config_version: 2\nrisk: [unclosed\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    message = str(caught.value)
    assert "\n" not in message
    assert "not valid YAML" in message and "line 3" in message
