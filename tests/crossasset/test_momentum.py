"""Momentum signals against the seeds' pandas formulations and hand cases."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from crossasset import (
    cross_sectional_signals,
    dual_momentum_weights,
    lookback_return,
    multi_lookback_momentum,
    time_series_signal,
    trailing_return,
)


def test_trailing_return_is_the_seed_rolling_window_performance() -> None:
    prices = 100.0 * np.cumprod(1.0 + np.random.default_rng(30).normal(0.0, 0.01, 900))
    period = 756
    window_newest_first = prices[::-1][:period]  # RollingWindow[float](period) after all updates
    seed_performance = window_newest_first[0] / window_newest_first[period - 1] - 1
    assert trailing_return(prices, period) == pytest.approx(seed_performance, rel=1e-12)
    assert trailing_return([100.0, 50.0, 80.0, 120.0], 3) == pytest.approx(120.0 / 50.0 - 1)


def test_trailing_return_undefined_and_invalid() -> None:
    assert math.isnan(trailing_return([1.0, 2.0], 3))
    assert math.isnan(trailing_return([0.0, 1.0, 2.0], 3))
    assert math.isnan(trailing_return([1.0, 1.0, np.nan], 3))
    with pytest.raises(ValueError, match="lookback"):
        trailing_return([1.0, 2.0], 1)


def test_lookback_return_matches_pandas_shift_pct_change() -> None:
    prices = pd.Series(50.0 * np.cumprod(1.0 + np.random.default_rng(31).normal(0.0, 0.02, 200)))
    for lookback, skip in [(1, 0), (7, 1), (30, 1), (90, 5)]:
        expected = prices.shift(skip).pct_change(lookback).iloc[-1]
        assert lookback_return(prices.to_numpy(), lookback, skip) == pytest.approx(expected, rel=1e-12)
    assert math.isnan(lookback_return([1.0, 2.0, 3.0], 2, 1))
    with pytest.raises(ValueError, match="skip"):
        lookback_return([1.0, 2.0], 1, -1)


def test_multi_lookback_momentum_matches_the_seed_crypto_formula() -> None:
    frame = pd.DataFrame({"btc": 300.0 * np.cumprod(1.0 + np.random.default_rng(32).normal(0.0, 0.04, 150))})
    expected = sum(frame.shift(1).pct_change(days) * weight for days, weight in [(7, 0.3), (30, 0.4), (90, 0.3)]).iloc[
        -1, 0
    ]
    assert multi_lookback_momentum(frame["btc"].to_numpy()) == pytest.approx(expected, rel=1e-12)
    assert math.isnan(multi_lookback_momentum(np.ones(91)))  # needs 90 + 1 + 1 prices
    assert multi_lookback_momentum(np.ones(92)) == 0.0
    with pytest.raises(ValueError, match="equal length"):
        multi_lookback_momentum(np.ones(100), (7, 30), (1.0,))


def test_time_series_signal() -> None:
    assert time_series_signal(0.05) == 1
    assert time_series_signal(-0.05) == 0
    assert time_series_signal(0.0) == 0
    assert time_series_signal(-0.05, allow_short=True) == -1
    assert time_series_signal(math.nan, allow_short=True) == 0
    assert time_series_signal(0.01, threshold=0.02) == 0


def test_time_series_signal_agrees_with_the_seed_pandas_rule() -> None:
    prices = pd.Series(np.cumprod(1.0 + np.random.default_rng(33).normal(0.0, 0.01, 400)))
    seed_signal = (prices.pct_change(252) > 0).astype(int)
    for end in range(253, 400, 17):
        assert time_series_signal(lookback_return(prices.to_numpy()[:end], 252)) == seed_signal.iloc[end - 1]


def test_cross_sectional_signals_match_the_seed_ranking_without_ties() -> None:
    returns = {"a": 0.10, "b": -0.05, "c": 0.30, "d": 0.02, "e": -0.20, "f": 0.07}
    ranks = pd.Series(returns).rank(ascending=False)
    seed = pd.Series(0, index=ranks.index)
    seed[ranks <= 2] = 1
    seed[ranks > len(returns) - 2] = -1
    assert cross_sectional_signals(returns, 2, 2) == seed.to_dict()


def test_cross_sectional_ties_nan_and_overlap() -> None:
    returns = {"x": 0.1, "y": 0.1, "z": 0.1, "w": math.nan}
    assert cross_sectional_signals(returns, 1, 1) == {"x": 1, "y": 0, "z": -1, "w": 0}
    assert cross_sectional_signals({"a": 0.2, "b": 0.1}, 2, 2) == {"a": 1, "b": 1}
    assert cross_sectional_signals({}, 1, 1) == {}
    with pytest.raises(ValueError, match="top_n"):
        cross_sectional_signals(returns, -1)


def test_dual_momentum() -> None:
    returns = {"spy": 0.12, "efa": 0.08, "gld": 0.01, "tlt": -0.02}
    assert dual_momentum_weights(returns, 0.02, top_n=1, cash_asset="bil") == {
        "spy": 1.0,
        "efa": 0.0,
        "gld": 0.0,
        "tlt": 0.0,
        "bil": 0.0,
    }
    # only two pass the 2% filter with three slots: the third slot is cash
    three = dual_momentum_weights(returns, 0.02, top_n=3, cash_asset="bil")
    assert three == pytest.approx({"spy": 1 / 3, "efa": 1 / 3, "gld": 0.0, "tlt": 0.0, "bil": 1 / 3})
    # all fail → all cash; without a cash asset nothing is invested
    assert dual_momentum_weights(returns, 0.5, 2, "bil")["bil"] == 1.0
    assert sum(dual_momentum_weights(returns, 0.5, 2).values()) == 0.0
    with pytest.raises(ValueError, match="risk_free_return"):
        dual_momentum_weights(returns, math.nan)


def test_dual_momentum_matches_the_seed_when_enough_assets_pass() -> None:
    returns = {"a": 0.20, "b": 0.05, "c": 0.15, "d": 0.30}
    frame = pd.DataFrame([returns])
    passed = frame - 0.01 > 0
    ranks = frame.where(passed, -np.inf).rank(axis=1, ascending=False)
    seed = (ranks <= 2).astype(float) / 2
    assert dual_momentum_weights(returns, 0.01, top_n=2) == pytest.approx(seed.iloc[0].to_dict())
