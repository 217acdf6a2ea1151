"""Risk guards: a correlation guard with hysteresis and a spread-level stop-loss."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

GuardAction = Literal["reduce", "exit"]
# A loss of exactly −max_loss must trigger although (1.84 − 2) / 2 evaluates to −0.07999999999999996.
_ROUNDING = 1e-12


@dataclass(frozen=True)
class GuardDecision:
    """What the guard allows: multiply the position by `scale` ∈ [0, 1]; `reason` says why."""

    scale: float
    breached: bool
    reason: str


class CorrelationGuard:
    """Watches a rolling correlation that a trade relies on and cuts the position when it weakens.

    Strength = expected_sign × correlation. The guard trips when strength < min_strength and, once tripped,
    recovers only when strength ≥ min_strength + hysteresis, so a correlation hovering at the threshold does
    not flip the position every bar. While tripped the scale is `reduce_factor` (action "reduce") or 0
    (action "exit"); otherwise 1. A NaN correlation trips the guard (the relationship is unmeasurable).

    Seed 000's rules: equity/credit (expected −, strength 0.5, "reduce", factor 0.5) and gold/real rates
    (expected −, strength 0.5, "exit").
    """

    def __init__(
        self,
        expected_sign: int,
        min_strength: float,
        action: GuardAction = "reduce",
        reduce_factor: float = 0.5,
        hysteresis: float = 0.05,
    ) -> None:
        if expected_sign not in (-1, 1):
            raise ValueError(f"expected_sign must be -1 or +1, got {expected_sign!r}")
        if not (math.isfinite(min_strength) and -1.0 <= min_strength <= 1.0):
            raise ValueError(f"min_strength must be in [-1, 1], got {min_strength!r}")
        if action not in ("reduce", "exit"):
            raise ValueError(f"action must be 'reduce' or 'exit', got {action!r}")
        if not (math.isfinite(reduce_factor) and 0.0 <= reduce_factor <= 1.0):
            raise ValueError(f"reduce_factor must be in [0, 1], got {reduce_factor!r}")
        if not (math.isfinite(hysteresis) and hysteresis >= 0.0):
            raise ValueError(f"hysteresis must be finite and >= 0, got {hysteresis!r}")
        self.expected_sign = expected_sign
        self.min_strength = min_strength
        self.action: GuardAction = action
        self.reduce_factor = reduce_factor
        self.hysteresis = hysteresis
        self._tripped = False

    @property
    def tripped(self) -> bool:
        return self._tripped

    def reset(self) -> None:
        """Back to the untripped state."""
        self._tripped = False

    def update(self, correlation: float) -> GuardDecision:
        """Feed the latest correlation and get the allowed scale."""
        if math.isnan(correlation):
            self._tripped = True
            return self._decision("correlation undefined (NaN)")
        strength = self.expected_sign * correlation
        if self._tripped:
            if strength >= self.min_strength + self.hysteresis:
                self._tripped = False
                return GuardDecision(1.0, False, f"correlation {correlation:.3f} recovered past the hysteresis band")
            return self._decision(f"correlation {correlation:.3f} still short of recovery")
        if strength < self.min_strength:
            self._tripped = True
            return self._decision(f"correlation {correlation:.3f} weaker than required")
        return GuardDecision(1.0, False, f"correlation {correlation:.3f} holds")

    def _decision(self, reason: str) -> GuardDecision:
        scale = self.reduce_factor if self.action == "reduce" else 0.0
        return GuardDecision(scale, True, f"{reason}: {self.action}")


class SpreadStopLoss:
    """Stop-loss on a spread position, measured against the spread's entry notional.

    On `open(entry_value, direction, entry_notional)` it records the spread value (e.g. the ratio XLF/HYG or
    the signed value Σ q_i p_i of the legs), the direction (+1 long the spread, −1 short) and the notional
    (default |entry_value|). P&L fraction = direction × (value − entry_value) / entry_notional; the stop
    triggers when it is ≤ −max_loss (up to 1e-12 of rounding; e.g. 0.08 for seed 000's −8% spread stop). Once triggered it stays
    triggered until the next `open`.
    """

    def __init__(self, max_loss: float) -> None:
        if not (math.isfinite(max_loss) and 0.0 < max_loss):
            raise ValueError(f"max_loss must be a positive fraction, got {max_loss!r}")
        self.max_loss = max_loss
        self._entry: float | None = None
        self._direction = 0
        self._notional = 0.0
        self._triggered = False

    @property
    def is_open(self) -> bool:
        return self._entry is not None

    @property
    def triggered(self) -> bool:
        return self._triggered

    def open(self, entry_value: float, direction: int, entry_notional: float | None = None) -> None:
        """Start tracking a new spread position."""
        if not math.isfinite(entry_value):
            raise ValueError(f"entry_value must be finite, got {entry_value!r}")
        if direction not in (-1, 1):
            raise ValueError(f"direction must be -1 or +1, got {direction!r}")
        notional = abs(entry_value) if entry_notional is None else entry_notional
        if not (math.isfinite(notional) and notional > 0.0):
            raise ValueError(f"entry_notional must be finite and > 0, got {notional!r}")
        self._entry = entry_value
        self._direction = direction
        self._notional = notional
        self._triggered = False

    def close(self) -> None:
        """Stop tracking (position closed)."""
        self._entry = None
        self._direction = 0
        self._triggered = False

    def pnl_fraction(self, value: float) -> float:
        """direction × (value − entry_value) / entry_notional; NaN when no position is open."""
        if self._entry is None:
            return math.nan
        return self._direction * (value - self._entry) / self._notional

    def update(self, value: float) -> bool:
        """Feed the spread's current value; True when the stop has triggered. A NaN value changes nothing."""
        if self._entry is None:
            return False
        loss = self.pnl_fraction(value)
        if not math.isnan(loss) and loss <= -self.max_loss + _ROUNDING:
            self._triggered = True
        return self._triggered
