"""Correlation guard (hysteresis) and spread stop-loss on hand-built sequences."""

from __future__ import annotations

import math

import pytest
from crossasset import CorrelationGuard, SpreadStopLoss


def test_reduce_guard_halves_and_recovers_only_past_the_band() -> None:
    guard = CorrelationGuard(expected_sign=-1, min_strength=0.5, action="reduce", reduce_factor=0.5, hysteresis=0.05)
    scales = [guard.update(rho).scale for rho in (-0.8, -0.6, -0.45, -0.52, -0.54, -0.56, -0.51, -0.49)]
    # trips at −0.45; −0.52/−0.54 are above the threshold but inside the band; recovers at −0.56 (≥ 0.55)
    assert scales == [1.0, 1.0, 0.5, 0.5, 0.5, 1.0, 1.0, 0.5]


def test_exit_guard_and_positive_expected_sign() -> None:
    guard = CorrelationGuard(expected_sign=1, min_strength=0.3, action="exit", hysteresis=0.0)
    first, second, third = guard.update(0.5), guard.update(0.2), guard.update(0.3)
    assert (first.scale, first.breached) == (1.0, False)
    assert (second.scale, second.breached) == (0.0, True) and "exit" in second.reason
    assert (third.scale, third.breached) == (1.0, False)


def test_nan_correlation_trips_and_reset_clears() -> None:
    guard = CorrelationGuard(-1, 0.5, "exit")
    decision = guard.update(math.nan)
    assert decision.scale == 0.0 and "NaN" in decision.reason and guard.tripped
    guard.reset()
    assert not guard.tripped and guard.update(-0.9).scale == 1.0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"expected_sign": 0, "min_strength": 0.5}, "expected_sign"),
        ({"expected_sign": 1, "min_strength": 2.0}, "min_strength"),
        ({"expected_sign": 1, "min_strength": 0.5, "action": "halve"}, "action"),
        ({"expected_sign": 1, "min_strength": 0.5, "reduce_factor": 1.5}, "reduce_factor"),
        ({"expected_sign": 1, "min_strength": 0.5, "hysteresis": -0.1}, "hysteresis"),
    ],
)
def test_guard_rejects_bad_parameters(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CorrelationGuard(**kwargs)


def test_long_spread_stop_triggers_at_the_loss_threshold() -> None:
    stop = SpreadStopLoss(0.08)
    stop.open(entry_value=2.0, direction=1)  # notional |2.0|: −8% is a spread of 1.84
    assert stop.update(1.90) is False
    assert stop.pnl_fraction(1.90) == pytest.approx(-0.05)
    assert stop.update(1.84) is True
    assert stop.update(2.5) is True  # stays triggered until reopened
    stop.open(2.5, 1)
    assert stop.triggered is False


def test_short_spread_stop_with_explicit_notional() -> None:
    stop = SpreadStopLoss(0.05)
    # short spread of value 1000 on legs of gross notional 20_000: stop at a 1_000 adverse move
    stop.open(entry_value=1000.0, direction=-1, entry_notional=20_000.0)
    assert stop.update(1500.0) is False
    assert stop.update(500.0) is False
    assert stop.update(math.nan) is False
    assert stop.update(2000.0) is True


def test_stop_closed_and_bad_parameters() -> None:
    stop = SpreadStopLoss(0.1)
    assert stop.update(1.0) is False and math.isnan(stop.pnl_fraction(1.0)) and not stop.is_open
    with pytest.raises(ValueError, match="entry_notional"):
        stop.open(0.0, 1)
    with pytest.raises(ValueError, match="direction"):
        stop.open(1.0, 0)
    with pytest.raises(ValueError, match="max_loss"):
        SpreadStopLoss(0.0)
    stop.open(1.0, 1)
    stop.close()
    assert not stop.is_open
