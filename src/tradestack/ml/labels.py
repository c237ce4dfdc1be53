"""Labels: what a model learns to predict, with the horizon the split gap must cover."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from tradestack.domain.bar_frame import BarFrame
from tradestack.errors import ConfigError

LABEL_KINDS = ("sign", "threshold", "triple_barrier")


@dataclass(frozen=True)
class Label:
    """``sign``: forward return over ``horizon`` bars > 0. ``threshold``: forward return > x
    (up vs not-up). ``triple_barrier``: 1 when the take-profit is touched before the stop within
    ``horizon`` bars, 0 when the stop or the time barrier comes first.
    """

    kind: str = "sign"
    horizon: int = 1
    threshold: float = 0.0
    take_profit: float = 0.01
    stop: float = 0.01

    def __post_init__(self) -> None:
        if self.kind not in LABEL_KINDS:
            raise ConfigError(
                f"unknown label {self.kind!r}; choose one of {', '.join(LABEL_KINDS)}"
            )
        if self.horizon < 1:
            raise ConfigError("a label horizon must be at least one bar")
        if self.kind == "triple_barrier" and (self.take_profit <= 0 or self.stop <= 0):
            raise ConfigError("triple_barrier needs positive take_profit and stop")

    @classmethod
    def parse(cls, text: str) -> Label:
        """``sign:5``, ``threshold:5:0.002``, ``triple_barrier:20:0.02:0.01`` (h, tp, stop)."""
        parts = text.strip().split(":")
        try:
            if parts[0] == "sign" and len(parts) <= 2:
                return cls("sign", int(parts[1]) if len(parts) > 1 else 1)
            if parts[0] == "threshold" and len(parts) == 3:
                return cls("threshold", int(parts[1]), threshold=float(parts[2]))
            if parts[0] == "triple_barrier" and len(parts) == 4:
                return cls(
                    "triple_barrier",
                    int(parts[1]),
                    take_profit=float(parts[2]),
                    stop=float(parts[3]),
                )
        except ValueError:
            pass
        raise ConfigError(
            f"bad label {text!r}; use sign:H, threshold:H:X or triple_barrier:H:TP:STOP"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "horizon": self.horizon,
            "threshold": self.threshold,
            "take_profit": self.take_profit,
            "stop": self.stop,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Label:
        return cls(**data)

    def compute(self, frame: BarFrame) -> np.ndarray:
        """Labels per bar (1.0/0.0), NaN where the horizon runs past the end of the frame."""
        c = frame.close
        n, h = len(c), self.horizon
        out = np.full(n, np.nan)
        if n <= h:
            return out
        fwd = c[h:] / c[:-h] - 1.0
        if self.kind == "sign":
            out[:-h] = (fwd > 0).astype(np.float64)
        elif self.kind == "threshold":
            out[:-h] = (fwd > self.threshold).astype(np.float64)
        else:
            out[:-h] = self._triple_barrier(frame)
        return out

    def _triple_barrier(self, frame: BarFrame) -> np.ndarray:
        h = self.horizon
        n = len(frame.close) - h
        entry = frame.close[:n]
        highs = np.lib.stride_tricks.sliding_window_view(frame.high[1:], h)[:n]
        lows = np.lib.stride_tricks.sliding_window_view(frame.low[1:], h)[:n]
        tp_hit = highs >= (entry * (1 + self.take_profit))[:, None]
        sl_hit = lows <= (entry * (1 - self.stop))[:, None]
        first_tp = np.where(tp_hit.any(axis=1), tp_hit.argmax(axis=1), h)
        # a bar touching both barriers counts as the stop: the cautious reading
        first_sl = np.where(sl_hit.any(axis=1), sl_hit.argmax(axis=1), h)
        return ((first_tp < first_sl) & (first_tp < h)).astype(np.float64)
