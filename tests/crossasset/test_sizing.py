"""Exposure limits, rebalancing bands and signal decay on hand cases and properties."""

from __future__ import annotations

import math

import pytest
from crossasset import ExposureLimits, apply_exposure_limits, legs_to_rebalance, signal_decay
from hypothesis import given, settings
from hypothesis import strategies as st

SLEEVES = {"xlf": "credit", "hyg": "credit", "gld": "gold", "tlt": "gold"}
RISK = {"xlf": 0.25, "hyg": 0.08, "gld": 0.15, "tlt": 0.12}


def test_no_limit_binds() -> None:
    weights = {"xlf": 0.1, "hyg": -0.1, "gld": 0.1, "tlt": 0.1}
    result = apply_exposure_limits(weights, RISK, SLEEVES)
    assert result.weights == weights and result.binding == ()


def test_sleeve_cap_scales_only_that_sleeve() -> None:
    weights = {"xlf": 0.2, "hyg": -0.5, "gld": 0.1, "tlt": 0.1}
    # credit risk 0.2·0.25 + 0.5·0.08 = 0.09 > 0.05 → ×5/9; gold 0.027
    result = apply_exposure_limits(weights, RISK, SLEEVES)
    assert result.binding == ("sleeve:credit",)
    assert result.weights == pytest.approx({"xlf": 0.2 * 5 / 9, "hyg": -0.5 * 5 / 9, "gld": 0.1, "tlt": 0.1})


def test_total_and_gross_caps() -> None:
    limits = ExposureLimits(max_sleeve_risk=1.0, max_total_risk=0.1, max_gross=0.5)
    weights = {"xlf": 0.4, "hyg": 0.0, "gld": 0.4, "tlt": 0.0}
    # total risk 0.1 + 0.06 = 0.16 → ×0.625 → gross 0.5 exactly (no second cut)
    result = apply_exposure_limits(weights, RISK, SLEEVES, limits)
    assert result.binding == ("total_risk",)
    assert result.weights["xlf"] == pytest.approx(0.25)
    limits = ExposureLimits(max_sleeve_risk=1.0, max_total_risk=1.0, max_gross=1.5)
    result = apply_exposure_limits({"xlf": 1.0, "hyg": -1.0, "gld": 0.0, "tlt": 1.0}, RISK, SLEEVES, limits)
    assert result.binding == ("gross",)
    assert sum(abs(w) for w in result.weights.values()) == pytest.approx(1.5)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-3.0, 3.0), min_size=4, max_size=4))
def test_limits_always_hold_and_weights_only_shrink(raw: list[float]) -> None:
    weights = dict(zip(SLEEVES, raw, strict=True))
    limits = ExposureLimits()
    result = apply_exposure_limits(weights, RISK, SLEEVES, limits)
    for sleeve in ("credit", "gold"):
        risk = sum(abs(w) * RISK[leg] for leg, w in result.weights.items() if SLEEVES[leg] == sleeve)
        assert risk <= limits.max_sleeve_risk + 1e-12
    assert sum(abs(w) * RISK[leg] for leg, w in result.weights.items()) <= limits.max_total_risk + 1e-12
    assert sum(abs(w) for w in result.weights.values()) <= limits.max_gross + 1e-12
    for leg, weight in weights.items():
        assert abs(result.weights[leg]) <= abs(weight) + 1e-15
        assert result.weights[leg] * weight >= 0.0


def test_exposure_limits_reject_bad_input() -> None:
    with pytest.raises(ValueError, match="'spy'"):
        apply_exposure_limits({"spy": 0.1}, RISK, SLEEVES)
    with pytest.raises(ValueError, match="weight of leg 'xlf'"):
        apply_exposure_limits({"xlf": math.nan}, RISK, SLEEVES)
    with pytest.raises(ValueError, match="risk_per_unit of leg 'xlf'"):
        apply_exposure_limits({"xlf": 0.1}, {"xlf": -1.0}, SLEEVES)
    with pytest.raises(ValueError, match="max_gross"):
        ExposureLimits(max_gross=0.0)


def test_relative_and_absolute_bands() -> None:
    targets = {"a": 0.30, "b": 0.20, "c": 0.0, "d": 0.5}
    current = {"a": 0.28, "b": 0.25, "c": 0.01, "e": 0.1}
    # relative 10%: a |0.02| ≤ 0.03 hold; b 0.05 > 0.02 trade; c target 0 trade; d new trade; e exit
    assert legs_to_rebalance(targets, current) == {"b": 0.20, "c": 0.0, "d": 0.5, "e": 0.0}
    assert legs_to_rebalance(targets, current, band=0.04, relative=False) == {"b": 0.20, "d": 0.5, "e": 0.0}
    with pytest.raises(ValueError, match="band"):
        legs_to_rebalance(targets, current, band=-0.1)
    with pytest.raises(ValueError, match="'a'"):
        legs_to_rebalance({"a": math.nan}, {})


def test_signal_decay() -> None:
    assert signal_decay(0, 5) == 1.0
    assert signal_decay(5, 5) == pytest.approx(0.5)
    assert signal_decay(10, 5) == pytest.approx(0.25)
    assert signal_decay(3, 4, "linear") == pytest.approx(0.25)
    assert signal_decay(9, 4, "linear") == 0.0
    with pytest.raises(ValueError, match="age"):
        signal_decay(-1, 5)
    with pytest.raises(ValueError, match="horizon"):
        signal_decay(1, 0)
    with pytest.raises(ValueError, match="kind"):
        signal_decay(1, 5, "step")  # type: ignore[arg-type]
