"""Settings: one typed model read from env vars, ``.env`` and a versioned YAML file."""

from tradestack.config.loader import load_settings
from tradestack.config.settings import Settings

__all__ = ["Settings", "load_settings"]
