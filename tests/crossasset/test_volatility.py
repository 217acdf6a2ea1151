"""Annualised volatility and volatility-target sizing against pandas and hand cases."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from crossasset import annualized_volatility, volatility_target_scale


def test_matches_pandas_population_std_of_last_window_returns() -> None:
    prices = 100.0 * np.cumprod(1.0 + np.random.default_rng(8).normal(0.0, 0.01, 300))
    expected = pd.Series(prices).pct_change().tail(60).std(ddof=0) * math.sqrt(252)
    assert annualized_volatility(prices, 60) == pytest.approx(expected, rel=1e-12)
    assert annualized_volatility(prices, 20, 365) == pytest.approx(
        pd.Series(prices).pct_change().tail(20).std(ddof=0) * math.sqrt(365), rel=1e-12
    )


def test_hand_case() -> None:
    # returns +10%, −10%: population std 0.1
    assert annualized_volatility([100.0, 110.0, 99.0], window=2, periods_per_year=4) == pytest.approx(0.2)


def test_window_59_reproduces_the_seed_volatility_of_60_prices() -> None:
    prices = 50.0 * np.cumprod(1.0 + np.random.default_rng(9).normal(0.0, 0.02, 100))
    newest_first = prices[::-1][:60]
    seed_style = np.std(newest_first[:-1] / newest_first[1:] - 1) * np.sqrt(252)
    assert annualized_volatility(prices, 59) == pytest.approx(seed_style, rel=1e-12)


@pytest.mark.parametrize(
    "prices",
    [[], [1.0] * 60, [1.0] * 60 + [np.nan], [1.0] * 60 + [np.inf], [0.0] + [1.0] * 60, [-1.0] * 61],
    ids=["empty", "too-short", "nan", "inf", "zero-price", "negative"],
)
def test_undefined_inputs_give_nan(prices: list[float]) -> None:
    assert math.isnan(annualized_volatility(prices, 60))


def test_constant_prices_have_zero_volatility_and_bad_parameters_raise() -> None:
    assert annualized_volatility([10.0] * 61, 60) == 0.0
    with pytest.raises(ValueError, match="window"):
        annualized_volatility([1.0, 2.0], 0)
    with pytest.raises(ValueError, match="periods_per_year"):
        annualized_volatility([1.0, 2.0], 1, 0)


def test_volatility_target_scale() -> None:
    assert volatility_target_scale(0.30, 0.60, 2.0) == pytest.approx(0.5)
    assert volatility_target_scale(0.30, 0.10, 2.0) == 2.0
    for undefined in (0.0, -0.1, math.nan, math.inf):
        assert volatility_target_scale(0.30, undefined, 2.0) == 0.0
    with pytest.raises(ValueError, match="max_leverage"):
        volatility_target_scale(0.3, 0.2, 0.0)
    with pytest.raises(ValueError, match="target_volatility"):
        volatility_target_scale(math.nan, 0.2, 2.0)
